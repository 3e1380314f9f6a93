// commit.cc: committing a delta, and unify. See man/tux3-format.5, COMMIT PROTOCOL.
//
// Steps 1-5 run in marshal_delta(), under the volume lock, in memory only: every write
// becomes a buffer in a CommitPlan (dirty data pages are shared, not copied; metadata is
// encoded). The backend writes the plan without the lock (step 6, backend.cc) and then
// runs complete_delta() (step 7) under the lock. Commit of delta N, in steps:
//   1. each dirty inode: destroyed if unlinked and closed; else its dirty data gets new
//      blocks and is written, its tree commits, and its record goes into the inode table;
//   2. unify only: every changed bitmap block gets a new location (repeated until the
//      allocations this needs change no further bitmap block), and so do the log blocks;
//   3. the inode and orphan trees commit (their roots go in the superblock);
//   4. the log records of delta N are written in new log blocks chained to the last;
//   5. the leaves, and (unify) the bnodes and bitmap blocks, are written;
//   6. flush, the superblock slot N & 1, flush;
//   7. the blocks freed by N (and, after a unify, those that waited for it) are released.
// A failure before step 6 leaves delta N-1 durable and the engine refusing further work.
// Delta N+1 is marshalled only after N completes: at most one delta is under commit.
#include <algorithm>
#include <chrono>
#include <set>

#include <fmt/format.h>

#include "fs/volume_impl.h"
#include "tuxdisk/format/bitmap.h"
#include "tuxdisk/format/node.h"

namespace tux3 {

using namespace format;

namespace {

// The clock of delta ages; the backend's timer waits on the same clock.
int64_t monotonic_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Runs of (block, count) as FREE records.
void log_frees(std::vector<LogRecord>& out, std::vector<std::pair<uint64_t, uint32_t>> frees) {
  std::sort(frees.begin(), frees.end());
  for (std::size_t i = 0; i < frees.size();) {
    uint64_t start = frees[i].first, end = start + frees[i].second;
    std::size_t j = i + 1;
    while (j < frees.size() && frees[j].first == end && end - start < UINT32_MAX / 2) {
      end += frees[j].second;
      ++j;
    }
    out.push_back({LogCode::kFree, {start, end - start}});
    i = j;
  }
}

std::size_t log_blocks_needed(const std::vector<LogRecord>& records, uint32_t block_size) {
  std::size_t blocks = 1, used = 0, cap = log_capacity(block_size);
  for (const LogRecord& r : records) {
    std::size_t n = encoded_size(r);
    if (used + n > cap) {
      ++blocks;
      used = 0;
    }
    used += n;
  }
  return blocks;
}

}  // namespace

Result<uint64_t> CommitContext::allocate_node() {
  TUX3_ASSIGN_OR_RETURN(auto run, vol_.alloc_->allocate(goal, 1));
  goal = run.first + 1;
  return run.first;
}

bool VolumeImpl::unify_due() const {
  return deltas_since_unify_ + 1 >= opt_.unify_every_deltas ||
         chain_.size() >= opt_.unify_log_blocks;
}

void VolumeImpl::note_change(uint64_t) {
  if (delta_started_ns_ < 0) delta_started_ns_ = monotonic_ns();
}

Status VolumeImpl::maybe_commit() {
  if (opt_.read_only || failed_) return Status::ok();
  bool due = dirty_bytes_ >= opt_.dirty_limit_bytes || dirty_inodes_.size() >= kMaxDirtyInodes ||
             (delta_started_ns_ >= 0 &&
              monotonic_ns() - delta_started_ns_ >= int64_t(opt_.delta_interval_ms) * 1000000);
  if (!due) return Status::ok();
  if (opt_.deterministic_deltas) return commit_and_wait(false);
  if (!commit_requested_) {
    commit_requested_ = true;
    backend_cv_.notify_all();
  }
  return Status::ok();
}

Status VolumeImpl::sync() {
  if (opt_.read_only) return Status::ok();
  return commit_and_wait(false);
}

uint64_t VolumeImpl::reserved_blocks() const {
  // Blocks the current delta will need at commit, over-estimated: its dirty data; an
  // extent leaf and a bnode for each inode with dirty data; a share of an inode-table or
  // directory leaf for every dirty inode (records are far smaller than a leaf); a fixed
  // margin for tree paths and log blocks; and a unify's moves of the changed bitmap blocks.
  // The fsync path's pending records (at most 18 bytes each) need log blocks too.
  uint64_t pages = dirty_bytes_ / bs_;
  uint64_t pending_log = pending_records_.size() * 18 / log_capacity(bs_) + 1;
  return pages + 2 * data_inodes_.size() + dirty_inodes_.size() / 2 + 64 +
         2 * alloc_->dirty().size() + pending_log;
}

Status VolumeImpl::reserve(uint64_t blocks) {
  if (failed_) return failed_status();
  uint64_t free = alloc_->free_blocks();
  if (reserved_blocks() + blocks > free && (in_flight_ || has_work(false))) {
    // The estimate for the pending delta is pessimistic, and the delta in flight still
    // holds what it frees: commit, which turns the estimate into what it really used and
    // releases what was freed, then run the operation again (it waited: its inodes may
    // have changed).
    TUX3_RETURN_IF_ERROR(commit_and_wait(false));
    retry_op_ = true;
    return Status::from_errno(EAGAIN, "retry after a commit");
  }
  if (reserved_blocks() + blocks > free) {
    return Status::from_errno(ENOSPC, fmt::format("no space: {} blocks free, {} needed",
                                                  free, reserved_blocks() + blocks));
  }
  return Status::ok();
}

void VolumeImpl::fail(const Status& s) {
  if (failed_) return;
  failed_ = true;
  failure_ = s.message();
  cv_.notify_all();
}

Status VolumeImpl::failed_status() const {
  return Status::from_errno(EIO, fmt::format("the volume stopped after a failed commit: {}",
                                             failure_));
}

// A file whose whole mapping is a few extents keeps them in its record (no extent leaf):
// half the blocks and writes for small files. Returns whether the mapping is inline now.
Result<bool> VolumeImpl::store_inline_extents(Inode& inode, CommitContext& ctx) {
  InodeRecord& r = inode.rec;
  bool eligible = r.type() == kModeRegular || (r.type() == kModeSymlink && !r.inline_symlink);
  if (!inode.tree || !eligible) return false;
  if (!inode.tree->dirty() && r.inline_extents.empty()) return false;
  TUX3_ASSIGN_OR_RETURN(auto items, inode.tree->small_tree_items(kMaxInlineExtents));
  if (!items) {
    r.inline_extents.clear();
    return false;
  }
  uint64_t first_data = first_data_block(sb_.block_bits);
  InodeRecord candidate = r;
  candidate.inline_extents.clear();
  candidate.root = {};
  for (const BtreeItem& item : *items) {
    TUX3_ASSIGN_OR_RETURN(Extent e, decode_extent(item.key, item.value, sb_.vol_blocks, first_data));
    candidate.inline_extents.push_back(e);
  }
  if (inode_record_size(candidate) > max_leaf_value(bs_)) {
    r.inline_extents.clear();
    return false;
  }
  inode.tree->detach_root(ctx);
  r = std::move(candidate);
  return true;
}

bool VolumeImpl::has_work(bool unify) const {
  bool idle = dirty_inodes_.empty() && !itree_->dirty() && !otree_->dirty() &&
              op_frees_.empty() && !streams_have_work();
  return !idle || (unify && !(chain_.empty() && unify_frees_.empty() && alloc_->dirty().empty()));
}

Status VolumeImpl::commit_delta(bool unify) {
  if (opt_.read_only) return Status::from_errno(EROFS, "read-only volume");
  return commit_and_wait(unify);
}

Status VolumeImpl::start_commit(bool unify) {
  if (opt_.read_only) return Status::from_errno(EROFS, "read-only volume");
  if (failed_) return failed_status();
  commit_requested_ = true;
  unify_requested_ |= unify;
  backend_cv_.notify_all();
  return Status::ok();
}

Result<std::unique_ptr<CommitPlan>> VolumeImpl::marshal_delta(bool unify) {
  uint64_t delta = sb_.delta + 1;
  auto plan = std::make_unique<CommitPlan>();
  plan->delta = delta;
  plan->unify = unify;
  plan->block_bits = sb_.block_bits;
  auto add_write = [&](uint64_t block, std::vector<uint8_t>&& bytes) {
    plan->writes.push_back({block, {std::make_shared<const BlockBuffer>(std::move(bytes))}});
  };
  CommitContext ctx(*this, delta);
  ctx.plan = plan.get();
  ctx.goal = sb_.next_block;
  ctx.delta_frees = std::move(op_frees_);
  op_frees_.clear();
  std::vector<std::pair<BtreeNode*, const Btree*>> leaves;
  auto commit_tree = [&](Btree& tree) -> Status {
    std::vector<BtreeNode*> out;
    TUX3_RETURN_IF_ERROR(tree.commit(ctx, out));
    for (BtreeNode* n : out) leaves.push_back({n, &tree});
    return Status::ok();
  };

  // Streams first: their pending allocation records belong before this delta's frees, and
  // head reservations are allocations like any other.
  Superblock next_streams = sb_;
  TUX3_RETURN_IF_ERROR(marshal_streams(ctx, next_streams, unify));

  // 1. Inodes.
  std::vector<uint64_t> destroyed;
  for (uint64_t ino : dirty_inodes_) {
    Inode& inode = *inodes_.at(ino);
    if (inode.doomed() && ino >= kFirstNormalIno) {
      TUX3_ASSIGN_OR_RETURN(Btree * tree, inode_tree(inode));
      if (!inode.rec.is_dir()) TUX3_RETURN_IF_ERROR(punch(inode, 0, kMaxBlocks, ctx.delta_frees));
      dirty_bytes_ -= std::min<uint64_t>(dirty_bytes_, inode.dirty_blocks.size() * bs_);
      inode.dirty_blocks.clear();
      cached_pages_ -= inode.pages.size();
      inode.pages.clear();
      TUX3_RETURN_IF_ERROR(tree->destroy(ctx));
      if (inode.in_itree) TUX3_RETURN_IF_ERROR(itree_->erase(ino).status());
      if (inode.orphan) TUX3_RETURN_IF_ERROR(otree_->erase(ino).status());
      --inode_count_;
      destroyed.push_back(ino);
      continue;
    }
    TUX3_RETURN_IF_ERROR(flush_data(inode, ctx));
    TUX3_ASSIGN_OR_RETURN(bool inline_map, store_inline_extents(inode, ctx));
    if (!inline_map && inode.tree && inode.tree->dirty()) {
      TUX3_RETURN_IF_ERROR(commit_tree(*inode.tree));
      inode.rec.root = inode.tree->root();
    }
    TUX3_RETURN_IF_ERROR(itree_->put(ino, encode_inode(inode.rec)));
    inode.in_itree = true;
    inode.dirty = false;
    inode.shrunk = false;
    inode.relinked = false;
    inode.marshal_delta = delta;
    inode.marshal_was_streamed = inode.change_seq == inode.streamed_change;
    if (inode.fsync_stream >= 0 && inode.stream_hold_delta == 0) inode.stream_hold_delta = delta;
  }

  // 2 and 3. Trees, and for a unify the bitmap's new locations and the log blocks.
  std::map<uint64_t, uint64_t> bitmap_moves;  // bitmap index -> new block
  std::vector<uint64_t> log_blocks;
  std::vector<LogRecord> records;
  auto build_unify_records = [&]() {
    records.clear();
    records.push_back({LogCode::kUnify, {}});
    records.push_back({LogCode::kDelta, {delta}});
    std::vector<std::pair<uint64_t, uint32_t>> frees = ctx.delta_frees;
    for (uint64_t b : unify_frees_) frees.push_back({b, 1});
    for (uint64_t b : ctx.unify_frees) frees.push_back({b, 1});
    for (uint64_t b : chain_) frees.push_back({b, 1});
    log_frees(records, std::move(frees));
    records.push_back({LogCode::kRoots, {}});  // filled in below
  };
  if (!unify) {
    TUX3_RETURN_IF_ERROR(commit_tree(*itree_));
    TUX3_RETURN_IF_ERROR(commit_tree(*otree_));
    records.push_back({LogCode::kDelta, {delta}});
    std::set<uint64_t> implied;  // frees that LEAF_REDIRECT and BNODE_FREE already say
    for (const LogRecord& r : ctx.records) {
      if (r.code == LogCode::kLeafRedirect && r.fields[0]) implied.insert(r.fields[0]);
      if (r.code == LogCode::kBnodeFree) implied.insert(r.fields[0]);
    }
    std::vector<std::pair<uint64_t, uint32_t>> frees;
    for (auto f : ctx.delta_frees) {
      if (!(f.second == 1 && implied.count(f.first))) frees.push_back(f);
    }
    records.insert(records.end(), ctx.records.begin(), ctx.records.end());
    log_frees(records, std::move(frees));
    records.push_back({LogCode::kRoots, {}});  // filled in below
    std::size_t n = log_blocks_needed(records, bs_);
    for (std::size_t i = 0; i < n; ++i) {
      TUX3_ASSIGN_OR_RETURN(uint64_t b, ctx.allocate_node());
      log_blocks.push_back(b);
    }
  } else {
    TUX3_ASSIGN_OR_RETURN(Inode * bitmap, get_inode(kInoBitmap));
    TUX3_ASSIGN_OR_RETURN(Btree * bitmap_tree, inode_tree(*bitmap));
    for (int round = 0;; ++round) {
      if (round == 64) return Status::corruption("unify: bitmap relocation does not settle");
      bool moved = false;
      std::vector<uint64_t> dirty(alloc_->dirty().begin(), alloc_->dirty().end());
      for (uint64_t index : dirty) {
        if (bitmap_moves.count(index)) continue;
        TUX3_ASSIGN_OR_RETURN(uint64_t block, ctx.allocate_node());
        TUX3_RETURN_IF_ERROR(punch(*bitmap, index, index + 1, ctx.delta_frees));
        uint8_t value[ExtentLayout::kSize];
        encode_extent({index, block, 1, 0}, value);
        TUX3_RETURN_IF_ERROR(bitmap_tree->put(index, value));
        ++bitmap->rec.blocks;
        bitmap_moves[index] = block;
        moved = true;
      }
      TUX3_RETURN_IF_ERROR(commit_tree(*bitmap_tree));
      bitmap->rec.root = bitmap_tree->root();
      TUX3_RETURN_IF_ERROR(itree_->put(kInoBitmap, encode_inode(bitmap->rec)));
      TUX3_RETURN_IF_ERROR(commit_tree(*itree_));
      TUX3_RETURN_IF_ERROR(commit_tree(*otree_));
      build_unify_records();
      while (log_blocks.size() < log_blocks_needed(records, bs_)) {
        TUX3_ASSIGN_OR_RETURN(uint64_t b, ctx.allocate_node());
        log_blocks.push_back(b);
        moved = true;
      }
      bool pending = false;
      for (uint64_t index : alloc_->dirty()) pending |= !bitmap_moves.count(index);
      if (!moved && !pending) break;
    }
  }

  // Every allocation of the delta is made: its ROOTS record (the last) says what its
  // superblock will, so a reader can find the state of any delta of the log.
  uint64_t freed_with_delta = 0;
  for (auto f : ctx.delta_frees) freed_with_delta += f.second;
  if (unify) freed_with_delta += unify_frees_.size() + ctx.unify_frees.size() + chain_.size();
  const uint64_t free_blocks = alloc_->free_blocks() + freed_with_delta;
  const Timestamp commit_time = now();
  records.back() = encode_roots({itree_->root(), otree_->root(), inode_count_, free_blocks,
                                 commit_time});

  // 4. Log blocks, chained after the current head (a unify starts a new chain).
  {
    uint64_t prev = unify || chain_.empty() ? 0 : chain_.back();
    std::size_t r = 0;
    for (std::size_t i = 0; i < log_blocks.size(); ++i) {
      LogBlock lb;
      lb.header = {kMagicLog, log_blocks[i], sb_.uuid, delta};
      lb.prev = prev;
      std::size_t used = 0;
      while (r < records.size() && used + encoded_size(records[r]) <= log_capacity(bs_)) {
        used += encoded_size(records[r]);
        lb.records.push_back(records[r++]);
      }
      std::vector<uint8_t> buf(bs_);
      TUX3_RETURN_IF_ERROR(encode_log_block(lb, buf));
      add_write(log_blocks[i], std::move(buf));
      prev = log_blocks[i];
    }
    if (r != records.size()) return Status::corruption("commit: log records did not fit");
    plan->log_records = records.size();
  }

  // 5. Leaves; for a unify also bnodes and bitmap blocks.
  {
    for (auto [leaf, tree] : leaves) {
      std::vector<uint8_t> buf(bs_);
      std::vector<LeafItem> items;
      items.reserve(leaf->items.size());
      for (const BtreeItem& i : leaf->items) items.push_back({i.key, i.value});
      TUX3_RETURN_IF_ERROR(encode_leaf({tree->leaf_magic(), leaf->block, sb_.uuid, delta},
                                       tree->owner(), items, buf));
      add_write(leaf->block, std::move(buf));
      leaf->dirty = false;
      plan->leaves++;
    }
    if (unify) {
      std::vector<std::pair<BtreeNode*, uint64_t>> bnodes;  // node, owner
      auto collect = [&](Btree& tree) {
        std::vector<BtreeNode*> out;
        tree.collect_unify_bnodes(out);
        for (BtreeNode* n : out) bnodes.push_back({n, tree.owner()});
      };
      collect(*itree_);
      collect(*otree_);
      for (auto& [ino, inode] : inodes_) {
        if (inode->tree) collect(*inode->tree);
      }
      auto write_bnode = [&](uint64_t block, uint64_t owner, uint16_t level,
                             const std::vector<BnodeEntry>& entries) -> Status {
        Bnode b{{kMagicBnode, block, sb_.uuid, delta}, owner, level, entries};
        std::vector<uint8_t> buf(bs_);
        encode_bnode(b, buf);
        plan->bnodes++;
        add_write(block, std::move(buf));
        return Status::ok();
      };
      for (auto [node, owner] : bnodes) {
        TUX3_RETURN_IF_ERROR(write_bnode(node->block, owner, node->level, node->logged));
        node->cycle_owned = false;
      }
      for (auto& [block, image] : store_.overlay()) {
        TUX3_RETURN_IF_ERROR(write_bnode(block, image.owner, image.level, image.entries));
      }
      store_.overlay().clear();
      for (auto [index, block] : bitmap_moves) {
        TUX3_ASSIGN_OR_RETURN(auto* bits, alloc_->bits(index));
        std::vector<uint8_t> buf(bs_, 0);
        std::copy(bits->begin(), bits->end(), buf.begin() + BitmapLayout::kBitsOffset);
        encode_bitmap_header(buf, {kMagicBitmap, block, sb_.uuid, delta},
                             index * alloc_->bits_per_block());
        add_write(block, std::move(buf));
        alloc_->mark_written(index);
        plan->bitmap_blocks++;
      }
    }
  }

  // 6. The superblock the backend writes after the flush.
  Superblock& next = plan->next;
  next = sb_;
  next.delta = delta;
  next.slot = unsigned(delta & 1);
  next.state = closed_ && unify ? kStateClean : 0;
  next.itree = itree_->root();
  next.otree = otree_->root();
  next.log_head = log_blocks.empty() ? (unify ? 0 : sb_.log_head) : log_blocks.back();
  next.log_count = uint32_t((unify ? 0 : chain_.size()) + log_blocks.size());
  if (next.log_count == 0) next.log_head = 0;
  if (unify) next.unify_delta = delta;
  next.free_blocks = free_blocks;
  next.inode_count = inode_count_;
  next.next_inum = std::clamp<uint64_t>(next_inum_, kFirstNormalIno, kMaxInum);
  next.next_block = ctx.goal < sb_.vol_blocks ? ctx.goal : 0;
  next.commit_time = commit_time;
  next.streams = next_streams.streams;
  next.stream_count = next_streams.stream_count;
  next.feature_incompat = next_streams.feature_incompat;
  TUX3_RETURN_IF_ERROR(validate_superblock(next).with_context("commit: superblock"));

  // The open delta is now the next one.
  for (uint64_t ino : destroyed) inodes_.erase(ino);
  dirty_inodes_.clear();
  data_inodes_.clear();
  delta_started_ns_ = -1;
  plan->delta_frees = std::move(ctx.delta_frees);
  plan->unify_frees = std::move(ctx.unify_frees);
  plan->log_blocks = std::move(log_blocks);
  return plan;
}

Status VolumeImpl::complete_delta(CommitPlan& plan) {
  // 7. Delta N is durable.
  sb_ = plan.next;
  for (auto [block, count] : plan.delta_frees) TUX3_RETURN_IF_ERROR(alloc_->release(block, count));
  if (plan.unify) {
    for (uint64_t b : unify_frees_) TUX3_RETURN_IF_ERROR(alloc_->release(b, 1));
    for (uint64_t b : plan.unify_frees) TUX3_RETURN_IF_ERROR(alloc_->release(b, 1));
    for (uint64_t b : chain_) TUX3_RETURN_IF_ERROR(alloc_->release(b, 1));
    unify_frees_.clear();
    chain_ = plan.log_blocks;
    deltas_since_unify_ = 0;
    stats_.unifies++;
  } else {
    unify_frees_.insert(unify_frees_.end(), plan.unify_frees.begin(), plan.unify_frees.end());
    chain_.insert(chain_.end(), plan.log_blocks.begin(), plan.log_blocks.end());
    ++deltas_since_unify_;
  }
  stats_.deltas++;
  stats_.data_blocks_written += plan.data_blocks;
  stats_.leaves_written += plan.leaves;
  stats_.bnodes_written += plan.bnodes;
  stats_.bitmap_blocks_written += plan.bitmap_blocks;
  stats_.log_blocks_written += plan.log_blocks.size();
  stats_.log_records += plan.log_records;
  stats_.bytes_written += plan.bytes() + kSuperSlotSize;
  stats_.flushes += 2;
  return Status::ok();
}

}  // namespace tux3
