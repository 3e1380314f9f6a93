// tree_walk.cc: a btree walk that goes on past damage (tree_walk.h).
#include "tree_walk.h"

#include <limits>
#include <set>

#include <fmt/format.h>

#include "tuxdisk/format/constants.h"
#include "tuxdisk/format/inode.h"

namespace tux3::debugfs {

using namespace format;

namespace {

class Walker {
 public:
  Walker(VolumeReader& reader, uint64_t owner, uint32_t leaf_magic, const WalkVisitor& visitor)
      : r_(reader), owner_(owner), leaf_magic_(leaf_magic), v_(visitor) {}

  Status node(uint64_t block, uint16_t level, uint64_t low, uint64_t high) {
    auto bad = [&](Status why) -> Status {
      if (why.code() == Errc::kIoError) return why;
      ++bad_;
      if (v_.on_bad) v_.on_bad(block, level, why);
      return Status::ok();
    };
    if (block < r_.first_data_block() || block >= r_.super().vol_blocks) {
      return bad(Status::corruption(fmt::format("pointer to block {} outside the data area", block)));
    }
    if (!seen_.insert(block).second) {
      return bad(Status::corruption(fmt::format("block {} is reached a second time (a cycle or a "
                                                "cross-linked node)", block)));
    }
    if (level == 0) {
      std::vector<uint8_t> buf(r_.block_size());
      TUX3_RETURN_IF_ERROR(r_.read_block(block, buf));
      auto leaf = LeafView::decode(buf, NodeExpect{r_.expect(leaf_magic_, block), owner_,
                                                   r_.super().vol_blocks});
      if (!leaf) return bad(leaf.status());
      if (leaf->size() > 0 && (leaf->key(0) < low || leaf->key(leaf->size() - 1) >= high)) {
        return bad(Status::corruption(fmt::format("{} at block {}: keys {:#x}..{:#x} outside the "
                                                  "range {:#x}..{:#x} its parent gives",
                                                  magic_name(leaf_magic_), block, leaf->key(0),
                                                  leaf->key(leaf->size() - 1), low, high)));
      }
      if (v_.on_leaf) v_.on_leaf(block, *leaf, low, high);
      return Status::ok();
    }
    auto bnode = r_.read_bnode(block, owner_, level);
    if (!bnode) return bad(bnode.status());
    const auto& entries = bnode->entries;
    if (entries.front().key != low || entries.back().key >= high) {
      return bad(Status::corruption(fmt::format("bnode at block {}: keys {:#x}..{:#x} do not fit "
                                                "the range {:#x}..{:#x} its parent gives", block,
                                                entries.front().key, entries.back().key, low,
                                                high)));
    }
    if (v_.on_bnode) v_.on_bnode(block, *bnode, low, high);
    for (std::size_t i = 0; i < entries.size(); ++i) {
      uint64_t child_high = i + 1 < entries.size() ? entries[i + 1].key : high;
      TUX3_RETURN_IF_ERROR(node(entries[i].child, uint16_t(level - 1), entries[i].key, child_high));
    }
    return Status::ok();
  }

  uint64_t bad_count() const { return bad_; }

 private:
  VolumeReader& r_;
  uint64_t owner_;
  uint32_t leaf_magic_;
  const WalkVisitor& v_;
  std::set<uint64_t> seen_;
  uint64_t bad_ = 0;
};

}  // namespace

Result<uint64_t> walk_tolerant(VolumeReader& reader, const TreeRoot& root, uint64_t owner,
                               uint32_t leaf_magic, const WalkVisitor& visitor) {
  if (root.empty()) return uint64_t(0);
  Walker w(reader, owner, leaf_magic, visitor);
  if (root.depth > kMaxTreeDepth) {
    if (visitor.on_bad) {
      visitor.on_bad(root.block, root.depth,
                     Status::corruption(fmt::format("tree depth {} is more than {}", root.depth,
                                                    kMaxTreeDepth)));
    }
    return uint64_t(1);
  }
  TUX3_RETURN_IF_ERROR(w.node(root.block, root.depth, 0, std::numeric_limits<uint64_t>::max()));
  return w.bad_count();
}

uint32_t leaf_magic_for_mode(uint32_t mode) {
  return (mode & kModeTypeMask) == kModeDirectory ? kMagicDleaf : kMagicXleaf;
}

std::string owner_name(uint64_t owner) {
  if (owner == kOwnerInodeTable) return "inode table";
  if (owner == kOwnerOrphans) return "orphan tree";
  if (owner == kInoBitmap) return "inode 1 (bitmap)";
  return fmt::format("inode {}", owner);
}

}  // namespace tux3::debugfs

namespace tux3::debugfs {

bool rebuilt_from_log(VolumeReader& reader, uint64_t block, const Bnode& node) {
  std::vector<uint8_t> buf(reader.block_size());
  if (!reader.read_block(block, buf)) return true;
  auto disk = decode_bnode(buf, NodeExpect{reader.expect(kMagicBnode, block), node.owner,
                                           reader.super().vol_blocks});
  return !disk || disk->entries != node.entries || disk->level != node.level;
}

}  // namespace tux3::debugfs
