// pass_files.cc: pass 3, every file's data map (extent tree or inline extents): extents
// inside the data area, no overlap within a file, no block used twice anywhere (the claim
// bitmap), the block count, nothing written past the size; symlink sizes.
//
// Hands on: every data block and extent-tree node claimed; repairs that drop extents.
#include <fmt/format.h>

#include "recover/check/context.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/format/inode.h"
#include "tuxdisk/format/values.h"

namespace tux3::check {

using namespace format;

namespace {

class FileCheck {
 public:
  FileCheck(Context& c, uint64_t inum, const InodeRecord& rec)
      : c_(c), inum_(inum), rec_(rec), size_blocks_((rec.size + c.reader.block_size() - 1) /
                                                    c.reader.block_size()) {}

  Status run() {
    for (const Extent& e : rec_.inline_extents) extent(e, 0);
    TreeWalk w;
    w.on_bnode = [&](uint64_t block, const Bnode&) {
      claim_node(c_, block, fmt::format("inode {} extent tree", inum_), inum_, &nodes_);
      ++c_.report.tree_nodes;
      return Status::ok();
    };
    w.on_leaf = [&](uint64_t block, const LeafView& leaf, uint64_t, uint64_t) {
      claim_node(c_, block, fmt::format("inode {} extent tree", inum_), inum_, &nodes_);
      ++c_.report.tree_nodes;
      for (std::size_t i = 0; i < leaf.size(); ++i) item(block, leaf.key(i), leaf.value(i));
      return Status::ok();
    };
    w.on_bad = [&](const BadNode& bad) {
      std::size_t p = c_.problem(
          ProblemCode::kExtentTreeNode,
          fmt::format("inode {}: extent tree node at block {} (logical blocks from {}): {}", inum_,
                      bad.block, bad.low, bad.why.message()),
          inum_, bad.block);
      if (!rebuild_) first_bad_ = p;
      rebuild_ = true;
    };
    TUX3_RETURN_IF_ERROR(c_.walk(rec_.root, inum_, kMagicXleaf, w));
    if (rebuild_) {
      Repair r = fix(Repair::Kind::kRebuildTree, first_bad_);
      r.inum = r.tree = inum_;
      c_.repair(r);
      abandon_nodes(c_, nodes_);
    }
    if (found_ != rec_.blocks) {
      std::size_t p = c_.problem(ProblemCode::kBlockCount,
                                 fmt::format("inode {}: records {} blocks, its extents hold {}",
                                             inum_, rec_.blocks, found_),
                                 inum_);
      c_.repair(fix(Repair::Kind::kSetBlocks, p, inum_, 0, found_));
    }
    c_.report.data_blocks += found_;
    return Status::ok();
  }

 private:
  void item(uint64_t leaf, uint64_t key, std::span<const uint8_t> value) {
    if (value.size() != ExtentLayout::kSize) {
      drop(ProblemCode::kExtentOutside, key, leaf,
           fmt::format("value of {} bytes, want {}", value.size(), ExtentLayout::kSize));
      return;
    }
    Extent e{key, ExtentLayout::Physical::get(value), ExtentLayout::Count::get(value),
             ExtentLayout::Flags::get(value)};
    extent(e, leaf);
  }

  void drop(ProblemCode code, uint64_t key, uint64_t block, std::string why) {
    std::size_t p = c_.problem(code, fmt::format("inode {}: extent at logical block {}: {}", inum_,
                                                 key, why),
                               inum_, block);
    c_.repair(fix(Repair::Kind::kDropExtent, p, inum_, key));
  }

  void extent(const Extent& e, uint64_t leaf) {
    uint64_t first = c_.reader.first_data_block(), vol = c_.sb.vol_blocks;
    if (e.count == 0 || (e.flags & ~kExtentFlagsKnown) || e.logical >= kMaxBlocks ||
        e.count > kMaxBlocks - e.logical) {
      drop(ProblemCode::kExtentOutside, e.logical, leaf,
           fmt::format("count {} flags {:#x} is not a valid extent", e.count, e.flags));
      return;
    }
    if (e.physical < first || e.physical >= vol || e.count > vol - e.physical) {
      drop(ProblemCode::kExtentOutside, e.logical, leaf,
           fmt::format("blocks {} to {} are outside the data area {} to {}", e.physical,
                       e.physical + e.count - 1, first, vol - 1));
      return;
    }
    if (e.logical < end_) {
      drop(ProblemCode::kExtentOverlap, e.logical, leaf,
           fmt::format("overlaps the extent before it (which ends at logical block {})", end_));
      return;
    }
    for (uint64_t i = 0; i < e.count; ++i) {
      if (c_.claimed(e.physical + i)) {
        drop(ProblemCode::kBlockCrossLinked, e.logical, leaf,
             fmt::format("block {} is also used by another structure", e.physical + i));
        return;
      }
    }
    for (uint64_t i = 0; i < e.count; ++i) c_.claim(e.physical + i);
    end_ = e.logical + e.count;
    found_ += e.count;
    bool written = !(e.flags & kExtentUnwritten);
    if (written && e.logical + e.count > size_blocks_ && rec_.type() == kModeRegular) {
      uint64_t keep = e.logical >= size_blocks_ ? 0 : size_blocks_ - e.logical;
      std::size_t p = c_.problem(
          ProblemCode::kExtentPastSize,
          fmt::format("inode {}: written extent at logical block {} ({} blocks) lies past the "
                      "size {}", inum_, e.logical, e.count, rec_.size),
          inum_, leaf);
      if (!past_size_planned_) {
        c_.repair(fix(Repair::Kind::kTruncateMap, p, inum_, 0, size_blocks_));
        past_size_planned_ = true;
      }
      for (uint64_t i = keep; i < e.count; ++i) {
        c_.unclaim(e.physical + i);
        c_.abandoned.push_back(e.physical + i);
      }
      found_ -= e.count - keep;
    }
  }

  Context& c_;
  uint64_t inum_;
  const InodeRecord& rec_;
  uint64_t size_blocks_;
  uint64_t end_ = 0;    // the logical block after the last extent kept
  uint64_t found_ = 0;  // blocks of the extents kept
  bool rebuild_ = false;
  bool past_size_planned_ = false;
  std::size_t first_bad_ = 0;
  std::vector<uint64_t> nodes_;
};

// One file of an inode table leaf, decoded.
struct LeafFile {
  uint64_t inum;
  Slot slot;
  InodeRecord rec;
};

Status check_file(Context& c, const LeafFile& f) {
  const InodeRecord& rec = f.rec;
  if (rec.type() == kModeSymlink) {
    // The record decodes, so an inline target matches the size; a target in a data block
    // must be held whole by written extents (a tree is left to FileCheck).
    uint64_t bs = c.reader.block_size();
    uint64_t want = (rec.size + bs - 1) / bs, held = 0;
    for (const Extent& e : rec.inline_extents) {
      if (e.flags & kExtentUnwritten || e.logical >= want) continue;
      // An extent outside the data area is dropped below: it holds nothing.
      if (e.physical < c.reader.first_data_block() || e.physical >= c.sb.vol_blocks ||
          e.count > c.sb.vol_blocks - e.physical) {
        continue;
      }
      held += std::min<uint64_t>(e.count, want - e.logical);
    }
    if (!rec.inline_symlink && rec.root.empty() && held < want) {
      std::size_t p = c.problem(ProblemCode::kSymlinkSize,
                                fmt::format("inode {}: symlink of size {}: its extents hold {} "
                                            "of the {} blocks of its target", f.inum, rec.size,
                                            held, want),
                                f.inum);
      c.repair(fix(Repair::Kind::kDeleteInode, p, f.inum));
      c.inodes.set(f.slot, kDropped);
      return Status::ok();
    }
  }
  if (rec.root.empty() && rec.inline_extents.empty()) {
    if (rec.blocks != 0) {
      std::size_t p = c.problem(ProblemCode::kBlockCount,
                                fmt::format("inode {}: records {} blocks but maps none", f.inum,
                                            rec.blocks),
                                f.inum);
      c.repair(fix(Repair::Kind::kSetBlocks, p, f.inum));
    }
    return Status::ok();
  }
  return FileCheck(c, f.inum, rec).run();
}

}  // namespace

Status check_files(Context& c) {
  uint64_t done = 0;
  std::vector<LeafFile> files;  // of the leaf being checked
  std::vector<uint64_t> batch;
  TreeWalk w;
  w.on_leaf = [&](uint64_t, const LeafView& leaf, uint64_t, uint64_t) -> Status {
    files.clear();
    for (std::size_t i = 0; i < leaf.size(); ++i) {
      uint64_t inum = leaf.key(i);
      auto slot = c.inodes.find(inum);
      if (!slot || c.inodes.has(*slot, kBadRecord) || c.inodes.has(*slot, kReplaced)) continue;
      auto rec = c.record(inum, leaf.value(i));
      if (!rec) continue;  // reported by pass 2
      c.progress(CheckPass::kFiles, ++done, c.inodes.size());
      uint32_t type = rec->type();
      if (type == kModeDirectory) continue;  // pass 4
      if (inum >= kFirstNormalIno) {
        if (type == kModeRegular) ++c.report.regular_files;
        else if (type == kModeSymlink) ++c.report.symlinks;
        else ++c.report.others;
      }
      files.push_back({inum, *slot, std::move(*rec)});
    }
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (i % Context::kPrefetchBatch == 0) {
        // The extent trees of the next files whose root is a leaf, read together.
        batch.clear();
        for (std::size_t j = i; j < files.size() && j < i + Context::kPrefetchBatch; ++j) {
          const TreeRoot& root = files[j].rec.root;
          if (!root.empty() && root.depth == 0) batch.push_back(root.block);
        }
        c.prefetch(batch, Context::kPassChannel);
      }
      TUX3_RETURN_IF_ERROR(check_file(c, files[i]));
    }
    return Status::ok();
  };
  return c.walk(c.sb.itree, kOwnerInodeTable, kMagicIleaf, w);
}

}  // namespace tux3::check
