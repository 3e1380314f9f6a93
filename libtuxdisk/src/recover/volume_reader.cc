// volume_reader.cc: read-only, verified access to a volume's structures.
#include "tuxdisk/volume_reader.h"

#include <limits>

#include <fmt/format.h>

#include "delta/chain_replay.h"
#include "tuxdisk/superblock_io.h"
#include "tuxdisk/format/constants.h"

namespace tux3 {

using namespace format;

Result<std::unique_ptr<VolumeReader>> VolumeReader::open(BlockDevice& device, bool replay,
                                                         bool tolerant) {
  TUX3_ASSIGN_OR_RETURN(SlotPair slots, read_superblock(device));
  Superblock sb = *slots.slots[*slots.chosen];
  return open_at(device, std::move(slots), sb, replay, tolerant);
}

Result<std::unique_ptr<VolumeReader>> VolumeReader::open_at(BlockDevice& device, SlotPair slots,
                                                            const Superblock& sb, bool replay,
                                                            bool tolerant) {
  std::unique_ptr<VolumeReader> reader(new VolumeReader(device, std::move(slots), sb));
  if (replay) {
    VolumeReader* r = reader.get();
    TUX3_ASSIGN_OR_RETURN(ChainReplay chain,
                          replay_chain(device, r->super_, [r](uint64_t b) -> Result<Bnode> {
                            std::vector<uint8_t> buf(r->block_size());
                            TUX3_RETURN_IF_ERROR(r->read_block(b, buf));
                            return decode_bnode(buf, {r->expect(kMagicBnode, b),
                                                      NodeLayout::Owner::get(buf),
                                                      r->super_.vol_blocks});
                          },
                          tolerant));
    r->replay_ = std::make_unique<ChainReplay>(std::move(chain));
  }
  return reader;
}

VolumeReader::~VolumeReader() = default;

Result<Bnode> VolumeReader::read_bnode(uint64_t block, uint64_t owner, uint16_t level) {
  if (auto it = replay_->bnodes.find(block); it != replay_->bnodes.end()) {
    const BnodeImage& img = it->second;
    if (img.owner != owner || img.level != level) {
      return Status::corruption(fmt::format("replayed bnode {}: tree {:#x} level {}, reached "
                                            "from tree {:#x} level {}", block, img.owner,
                                            img.level, owner, level))
          .at_block(block);
    }
    if (img.entries.empty()) {
      return Status::corruption(fmt::format("replayed bnode {} has no entries", block))
          .at_block(block);
    }
    Bnode b;
    b.header = {kMagicBnode, block, super_.uuid, super_.delta};
    b.owner = owner;
    b.level = level;
    b.entries = img.entries;
    return b;
  }
  std::vector<uint8_t> buf(block_size());
  TUX3_RETURN_IF_ERROR(read_block(block, buf));
  TUX3_ASSIGN_OR_RETURN(Bnode node, decode_bnode(buf, NodeExpect{expect(kMagicBnode, block),
                                                                 owner, super_.vol_blocks}));
  if (node.level != level) {
    return Status::corruption(fmt::format("bnode at block {}: level {} where {} was expected",
                                          block, node.level, level))
        .at_block(block);
  }
  return node;
}

VolumeReader::VolumeReader(BlockDevice& device, SlotPair slots, Superblock super)
    : device_(device),
      slots_(std::move(slots)),
      super_(std::move(super)),
      first_data_block_(format::first_data_block(super_.block_bits)),
      replay_(std::make_unique<ChainReplay>()) {}

Status VolumeReader::read_block(uint64_t block, std::span<uint8_t> out) {
  if (block >= super_.vol_blocks || out.size() != block_size()) {
    return Status::invalid_argument(
        fmt::format("read of block {} outside the volume's {} blocks", block, super_.vol_blocks));
  }
  Status s = device_.read(block << super_.block_bits, out);
  if (!s) return std::move(s).with_context(fmt::format("block {}", block));
  return s;
}

Expect VolumeReader::expect(uint32_t magic, uint64_t block) const {
  return Expect{magic, block, super_.uuid, super_.delta};
}

Status VolumeReader::walk_tree(const TreeRoot& root, uint64_t owner, uint32_t leaf_magic,
                               const TreeVisitor& visitor) {
  if (root.empty()) return Status::ok();
  return walk_node(root.block, root.depth, owner, leaf_magic, 0,
                   std::numeric_limits<uint64_t>::max(), visitor);
}

Status VolumeReader::walk_node(uint64_t block, uint16_t level, uint64_t owner,
                               uint32_t leaf_magic, uint64_t low, uint64_t high,
                               const TreeVisitor& visitor) {
  if (block < first_data_block_ || block >= super_.vol_blocks) {
    return Status::corruption(fmt::format("tree {:#x}: node pointer {} is outside the data area",
                                          owner, block))
        .at_block(block);
  }
  uint32_t magic = level == 0 ? leaf_magic : kMagicBnode;
  if (level == 0) {
    std::vector<uint8_t> buf(block_size());
    TUX3_RETURN_IF_ERROR(read_block(block, buf));
    NodeExpect ne{expect(magic, block), owner, super_.vol_blocks};
    TUX3_ASSIGN_OR_RETURN(LeafView leaf, LeafView::decode(buf, ne));
    if (leaf.size() > 0 && (leaf.key(0) < low || leaf.key(leaf.size() - 1) >= high)) {
      return Status::corruption(fmt::format("{} at block {}: keys {}..{} outside the range {}..{}",
                                            magic_name(magic), block, leaf.key(0),
                                            leaf.key(leaf.size() - 1), low, high))
          .at_block(block);
    }
    return visitor.on_leaf ? visitor.on_leaf(block, leaf, low, high) : Status::ok();
  }
  TUX3_ASSIGN_OR_RETURN(Bnode node, read_bnode(block, owner, level));
  if (node.entries.front().key != low || node.entries.back().key >= high) {
    return Status::corruption(fmt::format("bnode at block {}: keys {}..{} do not fit range {}..{}",
                                          block, node.entries.front().key,
                                          node.entries.back().key, low, high))
        .at_block(block);
  }
  if (visitor.on_bnode) TUX3_RETURN_IF_ERROR(visitor.on_bnode(block, node));
  for (std::size_t i = 0; i < node.entries.size(); ++i) {
    uint64_t child_high = i + 1 < node.entries.size() ? node.entries[i + 1].key : high;
    TUX3_RETURN_IF_ERROR(walk_node(node.entries[i].child, uint16_t(level - 1), owner, leaf_magic,
                                   node.entries[i].key, child_high, visitor));
  }
  return Status::ok();
}

Result<std::optional<InodeRecord>> VolumeReader::lookup_inode(uint64_t inum) {
  // Descend by key; a point lookup reads one node per level.
  TreeRoot root = super_.itree;
  if (root.empty()) return std::optional<InodeRecord>();
  uint64_t block = root.block;
  uint64_t low = 0, high = std::numeric_limits<uint64_t>::max();
  std::vector<uint8_t> buf(block_size());
  for (int level = root.depth; level > 0; --level) {
    TUX3_ASSIGN_OR_RETURN(Bnode node, read_bnode(block, kOwnerInodeTable, uint16_t(level)));
    if (node.entries.front().key != low) {
      return Status::corruption(fmt::format("inode table bnode at block {} is inconsistent with "
                                            "its parent", block))
          .at_block(block);
    }
    std::size_t i = 0;
    while (i + 1 < node.entries.size() && node.entries[i + 1].key <= inum) ++i;
    low = node.entries[i].key;
    high = i + 1 < node.entries.size() ? node.entries[i + 1].key : high;
    block = node.entries[i].child;
  }
  TUX3_RETURN_IF_ERROR(read_block(block, buf));
  TUX3_ASSIGN_OR_RETURN(
      LeafView leaf,
      LeafView::decode(buf, NodeExpect{expect(kMagicIleaf, block), kOwnerInodeTable,
                                       super_.vol_blocks}));
  std::size_t i = leaf.lower_bound(inum);
  if (i == leaf.size() || leaf.key(i) != inum) return std::optional<InodeRecord>();
  TUX3_ASSIGN_OR_RETURN(InodeRecord inode, decode_inode(leaf.value(i), inum));
  return std::optional<InodeRecord>(std::move(inode));
}

Result<std::vector<Extent>> VolumeReader::file_extents(uint64_t inum, const InodeRecord& inode) {
  std::vector<Extent> out;
  for (const Extent& e : inode.inline_extents) {  // a small file's mapping, in its record
    uint8_t value[ExtentLayout::kSize];
    encode_extent(e, value);
    TUX3_ASSIGN_OR_RETURN(Extent checked, decode_extent(e.logical, value, super_.vol_blocks,
                                                        first_data_block_));
    out.push_back(checked);
  }
  TreeVisitor visitor;
  visitor.on_leaf = [&](uint64_t, const LeafView& leaf, uint64_t, uint64_t) -> Status {
    for (std::size_t i = 0; i < leaf.size(); ++i) {
      TUX3_ASSIGN_OR_RETURN(Extent e, decode_extent(leaf.key(i), leaf.value(i), super_.vol_blocks,
                                                    first_data_block_));
      if (!out.empty() && e.logical < out.back().logical + out.back().count) {
        return Status::corruption(fmt::format("inode {}: extent at logical {} overlaps the one "
                                              "at {}", inum, e.logical, out.back().logical));
      }
      out.push_back(e);
    }
    return Status::ok();
  };
  TUX3_RETURN_IF_ERROR(
      walk_tree(inode.root, inum, kMagicXleaf, visitor).with_context(fmt::format("inode {}", inum)));
  return out;
}

Result<std::vector<Dirent>> VolumeReader::dir_entries(uint64_t inum, const InodeRecord& inode) {
  std::vector<Dirent> out;
  TreeVisitor visitor;
  visitor.on_leaf = [&](uint64_t, const LeafView& leaf, uint64_t, uint64_t) -> Status {
    for (std::size_t i = 0; i < leaf.size(); ++i) {
      TUX3_ASSIGN_OR_RETURN(Dirent d, decode_dirent(leaf.key(i), leaf.value(i), super_.hash_seed));
      out.push_back(std::move(d));
    }
    return Status::ok();
  };
  TUX3_RETURN_IF_ERROR(walk_tree(inode.root, inum, kMagicDleaf, visitor)
                           .with_context(fmt::format("directory {}", inum)));
  return out;
}

}  // namespace tux3
