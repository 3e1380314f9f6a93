// inode_cache.cc: in-memory inodes: loading, creating, numbering, link-count bookkeeping.
#include <time.h>

#include <fmt/format.h>

#include "fs/volume_impl.h"

namespace tux3 {

using namespace format;

Timestamp VolumeImpl::now() const {
  if (opt_.clock) return opt_.clock();
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return {ts.tv_sec, uint32_t(ts.tv_nsec)};
}

Result<Inode*> VolumeImpl::get_inode(uint64_t ino) {
  if (auto it = inodes_.find(ino); it != inodes_.end()) {
    it->second->referenced = true;
    return it->second.get();
  }
  if (ino == 0 || ino > kMaxInum) {
    return Status::from_errno(EINVAL, fmt::format("inode {}: out of range", ino));
  }
  TUX3_ASSIGN_OR_RETURN(auto bytes, itree_->get(ino));
  if (!bytes) return Status::from_errno(ENOENT, fmt::format("inode {}: does not exist", ino));
  TUX3_ASSIGN_OR_RETURN(InodeRecord rec, decode_inode(*bytes, ino));
  auto inode = std::make_unique<Inode>();
  inode->ino = ino;
  inode->rec = std::move(rec);
  inode->in_itree = true;
  inode->referenced = true;
  Inode* raw = inode.get();
  inodes_.emplace(ino, std::move(inode));
  return raw;
}

Result<Inode*> VolumeImpl::new_inode(uint32_t mode, uint32_t uid, uint32_t gid) {
  if (inode_count_ >= kMaxInum - kFirstNormalIno) {
    return Status::from_errno(ENOSPC, "no free inode numbers");
  }
  uint64_t ino = next_inum_;
  for (uint64_t tries = 0;; ++tries) {
    if (ino > kMaxInum || ino < kFirstNormalIno) ino = kFirstNormalIno;
    if (!inodes_.count(ino)) {
      TUX3_ASSIGN_OR_RETURN(auto existing, itree_->get(ino));
      if (!existing) break;
    }
    ++ino;
    if (tries > (uint64_t(1) << 20)) return Status::from_errno(ENOSPC, "no free inode number found");
  }
  next_inum_ = ino + 1;
  auto inode = std::make_unique<Inode>();
  inode->ino = ino;
  inode->rec.mode = mode;
  inode->rec.uid = uid;
  inode->rec.gid = gid;
  Timestamp t = now();
  inode->rec.atime = inode->rec.mtime = inode->rec.ctime = inode->rec.btime = t;
  inode->in_itree = false;
  Inode* raw = inode.get();
  inodes_.emplace(ino, std::move(inode));
  ++inode_count_;
  touch(*raw);
  return raw;
}

Result<Btree*> VolumeImpl::inode_tree(Inode& inode) {
  if (!inode.tree) {
    uint32_t magic = inode.rec.is_dir() ? kMagicDleaf : kMagicXleaf;
    inode.tree = std::make_unique<Btree>(store_, bs_, magic, inode.ino, inode.rec.root);
    if (!inode.rec.inline_extents.empty()) {
      std::vector<BtreeItem> items;
      for (const Extent& e : inode.rec.inline_extents) {
        std::vector<uint8_t> value(ExtentLayout::kSize);
        encode_extent(e, std::span<uint8_t, ExtentLayout::kSize>(value.data(), value.size()));
        items.push_back({e.logical, std::move(value)});
      }
      inode.tree->adopt_inline(std::move(items));
    }
  }
  return inode.tree.get();
}

void VolumeImpl::touch(Inode& inode) {
  inode.dirty = true;
  ++inode.change_seq;
  dirty_inodes_.insert(inode.ino);
  note_change();
}

Attr VolumeImpl::attr_of(const Inode& inode) const {
  const InodeRecord& r = inode.rec;
  Attr a;
  a.ino = inode.ino;
  a.mode = r.mode;
  a.uid = r.uid;
  a.gid = r.gid;
  a.nlink = r.nlink;
  a.size = r.size;
  // Dirty data not yet allocated counts too, so a freshly written file does not look empty.
  a.blocks = r.blocks + inode.dirty_blocks.size();
  a.rdev = r.rdev.value_or(0);
  a.atime = r.atime;
  a.mtime = r.mtime;
  a.ctime = r.ctime;
  a.btime = r.btime;
  a.block_size = bs_;
  return a;
}

Status VolumeImpl::drop_link(Inode& inode) {
  if (inode.rec.nlink == 0) {
    return Status::corruption(fmt::format("inode {}: link count already zero", inode.ino));
  }
  --inode.rec.nlink;
  if (inode.rec.is_dir() && inode.rec.nlink == 1) inode.rec.nlink = 0;  // its "." goes too
  inode.rec.ctime = now();
  inode.relinked = true;
  touch(inode);
  if (inode.rec.nlink == 0 && inode.opens > 0 && !inode.orphan) {
    // Unlinked while open: recorded in the orphan tree so a crash cannot leak it.
    TUX3_RETURN_IF_ERROR(otree_->put(inode.ino, {}));
    inode.orphan = true;
  }
  return Status::ok();
}

Status VolumeImpl::open_file(uint64_t ino) {
  TUX3_ASSIGN_OR_RETURN(Inode * inode, get_inode(ino));
  ++inode->opens;
  return Status::ok();
}

Status VolumeImpl::release_file(uint64_t ino) {
  auto it = inodes_.find(ino);
  if (it == inodes_.end() || it->second->opens == 0) {
    return Status::from_errno(EBADF, fmt::format("inode {}: not open", ino));
  }
  Inode& inode = *it->second;
  if (--inode.opens == 0 && inode.rec.nlink == 0) touch(inode);  // destroyed at commit
  return maybe_commit();
}

}  // namespace tux3
