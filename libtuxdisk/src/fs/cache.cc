// cache.cc: keeping the engine's memory within VolumeOptions::cache_bytes.
//
// What can go: a clean page (not dirty, not under I/O; a reader's BlockRef keeps its own
// reference), and a clean inode (no open handles, not dirty, no cached pages, its tree
// with nothing unwritten: no dirty leaf and no bnode changed since the last unify; and no
// delta in flight, whose leaves are not on disk until it completes). What
// cannot: anything dirty or in flight, which dirty_limit_bytes bounds instead. The sweep
// is a clock over the inode map: an inode used since the last pass gets a second chance.
#include "fs/volume_impl.h"

namespace tux3 {

using namespace format;

namespace {

// What a cached inode costs beyond its pages: the object, its record, a loaded tree root.
constexpr uint64_t kInodeCharge = 1024;

}  // namespace

uint64_t VolumeImpl::cache_charge() const {
  return cached_pages_ * bs_ + uint64_t(inodes_.size()) * kInodeCharge;
}

bool VolumeImpl::inode_evictable(const Inode& inode) const {
  if (inode.ino < kFirstNormalIno || inode.ino == kRootIno) return false;
  if (inode.dirty || inode.opens || inode.orphan || !inode.pages.empty()) return false;
  if (dirty_inodes_.count(inode.ino)) return false;
  return !inode.tree || !inode.tree->has_unwritten();
}

void VolumeImpl::evict_to_budget() {
  if (cache_charge() <= opt_.cache_bytes) return;
  uint64_t target = opt_.cache_bytes / 8 * 7;
  // Two laps at most: the first honours the referenced bits (and clears them).
  for (int lap = 0; lap < 2 && cache_charge() > target; ++lap) {
    auto it = inodes_.lower_bound(evict_cursor_);
    std::size_t visited = 0, total = inodes_.size();
    while (visited < total && cache_charge() > target) {
      if (it == inodes_.end()) it = inodes_.begin();
      Inode& inode = *it->second;
      ++visited;
      if (inode.referenced && lap == 0) {
        inode.referenced = false;
        ++it;
        continue;
      }
      for (auto p = inode.pages.begin(); p != inode.pages.end();) {
        if (!p->second.dirty && p->second.io_delta <= sb_.delta) {
          p = inode.pages.erase(p);
          --cached_pages_;
          stats_.pages_evicted++;
        } else {
          ++p;
        }
      }
      // While a delta is in flight its leaves are not on disk yet: a tree dropped now
      // would be read back from blocks still being written.
      if (!in_flight_ && inode_evictable(inode)) {
        it = inodes_.erase(it);
        stats_.inodes_evicted++;
        continue;
      }
      ++it;
    }
    evict_cursor_ = it == inodes_.end() ? 0 : it->first;
  }
}

}  // namespace tux3
