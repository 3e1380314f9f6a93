// volume_open.cc: opening a volume (replaying its log), closing it, attributes, statfs.
//
// Replay at open, in steps:
//   1. take the newest valid superblock slot;
//   2. read the log chain (log_count blocks back from log_head), every block verified;
//   3. rebuild the bnodes changed since the last unify from the BNODE_* records;
//   4. load the bitmap as the last unify wrote it, through the rebuilt inode table, and apply
//      the allocation records (and the chain's own blocks) to it;
//   5. apply the complete fsyncs of the fsync streams (fsync.cc) and drop the streams'
//      reservations;
//   6. destroy the orphans the orphan tree lists; 5 and 6 are committed as a first delta.
// Nothing is written until that first delta (and nothing at all when read-only).
#include <algorithm>
#include <bit>

#include <fmt/format.h>

#include "delta/chain_replay.h"
#include "fs/volume_impl.h"
#include "tuxdisk/superblock_io.h"
#include "tuxdisk/format/bitmap.h"

namespace tux3 {

using namespace format;

int status_errno(const Status& s) {
  if (s.is_ok()) return 0;
  if (s.sys_errno()) return s.sys_errno();
  switch (s.code()) {
    case Errc::kNotFound: return ENOENT;
    case Errc::kExists: return EEXIST;
    case Errc::kNoSpace: return ENOSPC;
    case Errc::kInvalidArgument: return EINVAL;
    case Errc::kNotSupported: return EOPNOTSUPP;
    case Errc::kBusy: return EBUSY;
    default: return EIO;
  }
}

VolumeImpl::VolumeImpl(BlockDevice& device, const VolumeOptions& options, Superblock super)
    : dev_(device), opt_(options), sb_(std::move(super)), bs_(sb_.block_size()),
      store_(device, sb_),
      // Free buffers kept: a sixteenth of the cache budget, at most 16 MiB.
      buffers_(BufferPool::create(
          bs_, std::max<uint64_t>(1, std::min<uint64_t>(opt_.cache_bytes / 16, 16u << 20) / bs_))) {}

Status VolumeImpl::start(const EngineStart& how) {
  EngineReplayLog* log = how.log;
  // 2 and 3. The chain and the bnodes it changed.
  TUX3_ASSIGN_OR_RETURN(ChainReplay replay,
                        replay_chain(
                            dev_, sb_,
                            [&](uint64_t b) { return store_.read_disk_bnode(b, sb_.delta); },
                            how.tolerant_replay));
  stats_.replayed_records = replay.records;
  if (log) {
    log->log_blocks = replay.chain.size();
    log->records = replay.records;
    for (const LogBlock& lb : replay.blocks) {
      for (const LogRecord& r : lb.records) ++log->records_by_code.at(uint8_t(r.code));
    }
  }
  chain_ = replay.chain;
  store_.set_overlay(replay.bnodes);
  itree_ = std::make_unique<Btree>(store_, bs_, kMagicIleaf, kOwnerInodeTable, sb_.itree);
  otree_ = std::make_unique<Btree>(store_, bs_, kMagicOleaf, kOwnerOrphans, sb_.otree);
  inode_count_ = how.inode_count.value_or(sb_.inode_count);
  next_inum_ = sb_.next_inum;

  // 4. The bitmap: read through inode 1's extents; a hole is all free. (Repair gives its
  // own, and every bitmap block is then rewritten.)
  if (how.allocation) {
    const auto& words = *how.allocation;
    uint64_t used = 0;
    for (uint64_t w : words) used += uint64_t(std::popcount(w));
    auto per = bits_per_bitmap_block(bs_);
    alloc_ = std::make_unique<Allocator>(
        sb_.vol_blocks, bs_, sb_.vol_blocks - used,
        [words = how.allocation, per,
         this](uint64_t index) -> Result<std::optional<std::vector<uint8_t>>> {
          std::vector<uint8_t> bits(per / 8, 0);
          for (uint64_t i = 0; i < per && index * per + i < sb_.vol_blocks; ++i) {
            uint64_t b = index * per + i;
            if ((*words)[b / 64] >> (b % 64) & 1) set_bit(bits, i);
          }
          return std::optional<std::vector<uint8_t>>(std::move(bits));
        });
    alloc_->mark_all_dirty();
    unify_frees_ = replay.released_at_unify;
  } else {
    alloc_ = std::make_unique<Allocator>(
        sb_.vol_blocks, bs_, sb_.free_blocks,
        [this](uint64_t index) -> Result<std::optional<std::vector<uint8_t>>> {
          TUX3_ASSIGN_OR_RETURN(Inode * bitmap, get_inode(kInoBitmap));
          TUX3_ASSIGN_OR_RETURN(auto extent, map_block(*bitmap, index));
          if (!extent) return std::optional<std::vector<uint8_t>>();
          uint64_t phys = extent->physical + (index - extent->logical);
          std::vector<uint8_t> block(bs_);
          TUX3_RETURN_IF_ERROR(dev_.read(phys << sb_.block_bits, block));
          TUX3_RETURN_IF_ERROR(verify_bitmap_block(block, {kMagicBitmap, phys, sb_.uuid, sb_.delta},
                                                   index * alloc_->bits_per_block(),
                                                   sb_.vol_blocks));
          auto bits = bitmap_bits(std::span<const uint8_t>(block));
          return std::optional<std::vector<uint8_t>>(std::vector<uint8_t>(bits.begin(), bits.end()));
        });
    // The superblock's free count already describes the replayed state: apply the records
    // to the bits without counting.
    alloc_->set_counting(false);
    TUX3_RETURN_IF_ERROR(apply_chain_allocations(
        replay, {[&](uint64_t b, uint64_t n, bool tolerate) { return alloc_->mark(b, n, tolerate); },
                 [&](uint64_t b, uint64_t n) { return alloc_->release(b, n); }})
                             .with_context("log replay"));
    unify_frees_ = replay.released_at_unify;
    alloc_->set_counting(true);
  }
  stream_goal_ = sb_.next_block;

  // 4a. Blocks a newer durable state uses: nothing may overwrite them before the first
  // delta, which frees them, is durable.
  bool protected_blocks = false;
  for (uint64_t b : how.protect) {
    TUX3_ASSIGN_OR_RETURN(bool held, hold_until_next_delta(b));
    protected_blocks |= held;
  }

  // 4b. The fsync streams: their complete records, on top of the committed delta.
  bool streams_replayed = false;
  TUX3_RETURN_IF_ERROR(replay_streams(how, streams_replayed).with_context("fsync stream replay"));

  // 6. Orphans. One that does not read is corruption; a repair (tolerant) leaves it to the
  // checker's passes, which found it, and destroys only those that read.
  std::vector<uint64_t> orphans;
  Status listed = otree_->for_each_item([&](const BtreeItem& item) {
    orphans.push_back(item.key);
    return Status::ok();
  });
  if (!listed) {
    if (!how.tolerant_replay || listed.code() == Errc::kIoError) return listed;
    orphans.clear();
  }
  for (uint64_t ino : orphans) {
    auto found = get_inode(ino);
    if (!found) {
      if (found.status().code() == Errc::kIoError) return found.status();
      if (how.tolerant_replay) continue;
      return Status::corruption(fmt::format("the orphan tree lists inode {}: {}", ino,
                                            found.status().message()));
    }
    Inode* inode = *found;
    inode->orphan = true;
    if (inode->rec.nlink == 0) {
      touch(*inode);
      ++stats_.orphans_destroyed_at_open;
      if (log) log->orphans.push_back(ino);
    }
  }
  if (how.renumber) {
    sb_.delta = *how.renumber;
    sb_.slot = unsigned(sb_.delta & 1);
  }
  dirty_bytes_ = 0;
  delta_started_ns_ = -1;
  marshalled_delta_ = sb_.delta;
  bool first_delta_due = !orphans.empty() || streams_replayed || protected_blocks;
  if (log) log->first_delta_due = first_delta_due;
  if (opt_.read_only) return Status::ok();
  io_ = std::make_unique<IoPool>(dev_, opt_.io_threads);
  backend_ = std::thread([this] { backend_main(); });
  if (first_delta_due) {
    std::lock_guard lock(mu_);
    TUX3_RETURN_IF_ERROR(commit_and_wait(false));
  }
  return Status::ok();
}

Result<bool> VolumeImpl::hold_until_next_delta(uint64_t block) {
  TUX3_ASSIGN_OR_RETURN(bool used, alloc_->is_allocated(block));
  if (used) return false;
  TUX3_RETURN_IF_ERROR(alloc_->mark(block, 1));
  pending_records_.push_back({LogCode::kAlloc, {block, 1}});  // the log says what it frees
  op_frees_.push_back({block, 1});
  return true;
}

Status VolumeImpl::close() {
  if (closed_) return Status::ok();
  closed_ = true;
  if (opt_.read_only) return Status::ok();
  return commit_and_wait(true);
}

Result<Attr> VolumeImpl::getattr(uint64_t ino) {
  TUX3_ASSIGN_OR_RETURN(Inode * inode, get_inode(ino));
  if (ino < kFirstNormalIno && ino != kRootIno) {
    return Status::from_errno(ENOENT, fmt::format("inode {}: internal", ino));
  }
  return attr_of(*inode);
}

Result<Attr> VolumeImpl::setattr(uint64_t ino, const SetAttr& c) {
  if (opt_.read_only) return Status::from_errno(EROFS, "read-only volume");
  TUX3_RETURN_IF_ERROR(reserve(1));
  TUX3_ASSIGN_OR_RETURN(Inode * inode, get_inode(ino));
  if (ino < kFirstNormalIno && ino != kRootIno) {
    return Status::from_errno(EPERM, fmt::format("inode {}: internal", ino));
  }
  InodeRecord& r = inode->rec;
  if (c.size) {
    if (r.is_dir()) return Status::from_errno(EISDIR, "truncate of a directory");
    if (r.type() != kModeRegular) return Status::from_errno(EINVAL, "truncate of a special file");
    TUX3_RETURN_IF_ERROR(truncate(*inode, *c.size));
  }
  if (c.mode) r.mode = (r.mode & kModeTypeMask) | (*c.mode & kModePermMask);
  if (c.uid) r.uid = *c.uid;
  if (c.gid) r.gid = *c.gid;
  if (c.atime) r.atime = *c.atime;
  if (c.mtime) r.mtime = *c.mtime;
  r.ctime = now();
  touch(*inode);
  Attr a = attr_of(*inode);
  TUX3_RETURN_IF_ERROR(maybe_commit());
  return a;
}

VolumeStatFs VolumeImpl::statfs() {
  VolumeStatFs s;
  s.block_size = bs_;
  s.blocks = sb_.vol_blocks;
  s.free_blocks = alloc_->free_blocks();
  s.inodes = kMaxInum - kFirstNormalIno + 2;
  s.free_inodes = s.inodes - inode_count_;
  s.name_max = uint32_t(max_name_len(bs_));
  return s;
}

}  // namespace tux3
