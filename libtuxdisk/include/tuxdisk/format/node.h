// node.h: btree blocks: index nodes (bnodes) and slotted leaves, shared by every tree.
//
// Every btree block: the 40-byte common header, then
//   40  8 owner    the tree: an inode number, kOwnerInodeTable or kOwnerOrphans
//   48  2 level    0 for a leaf; a bnode's children are at level - 1
//   50  2 count    entries (bnode) or items (leaf)
//   52  4 reserved zero
// Bnode entries (16 bytes from offset 56): key u64, child u64. Child i holds keys in
// [key i, key i+1); keys strictly ascending. Leaf items: a slot table from offset 56 of
// (key u64, length u16) — 10 bytes each, keys strictly ascending — and the values packed
// downward from the block end in slot order: value 0 ends at the block end, value i+1 ends
// where value i starts. Unused bytes between the two are zero.
//
// Leaf kinds differ only in magic and in what a value means (inode.h, values.h).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "tuxdisk/endian.h"
#include "tuxdisk/format/header.h"
#include "tuxdisk/status.h"

namespace tux3::format {

struct NodeLayout {
  using Owner = BeField<uint64_t, 40>;
  using Level = BeField<uint16_t, 48>;
  using Count = BeField<uint16_t, 50>;
  using Reserved = BeField<uint32_t, 52>;
  static constexpr std::size_t kSize = 56;
  // One bnode entry, offsets within the entry.
  using EntryKey = BeField<uint64_t, 0>;
  using EntryChild = BeField<uint64_t, 8>;
  static constexpr std::size_t kEntrySize = 16;
  // One leaf slot, offsets within the slot.
  using SlotKey = BeField<uint64_t, 0>;
  using SlotLength = BeField<uint16_t, 8>;
  static constexpr std::size_t kSlotSize = 10;
};
static_assert(NodeLayout::Owner::kOffset == HeaderLayout::kSize);
static_assert(fields_contiguous<NodeLayout::Owner, NodeLayout::Level, NodeLayout::Count,
                                NodeLayout::Reserved>());
static_assert(NodeLayout::Reserved::kEnd == NodeLayout::kSize);
static_assert(fields_contiguous<NodeLayout::EntryKey, NodeLayout::EntryChild>() &&
              NodeLayout::EntryChild::kEnd == NodeLayout::kEntrySize);
static_assert(fields_contiguous<NodeLayout::SlotKey, NodeLayout::SlotLength>() &&
              NodeLayout::SlotLength::kEnd == NodeLayout::kSlotSize);

// Capacity limits for a block size.
std::size_t bnode_capacity(uint32_t block_size);
// The largest value a leaf item may hold: small enough that any leaf can always be split in
// two with the new item in one half.
std::size_t max_leaf_value(uint32_t block_size);
// The longest directory entry name and inline symlink target that fit a leaf value: 255 from
// 1024-byte blocks up; less at 512 bytes (209 and 115).
std::size_t max_name_len(uint32_t block_size);
std::size_t max_inline_symlink_len(uint32_t block_size);
// Bytes a leaf with these value lengths needs; fits if <= block_size.
std::size_t leaf_bytes_needed(std::size_t items, std::size_t value_bytes);

// What a btree block must satisfy beyond its header.
struct NodeExpect {
  Expect header;
  uint64_t owner;
  uint64_t vol_blocks;  // children must be < vol_blocks
};

struct BnodeEntry {
  uint64_t key;
  uint64_t child;
  bool operator==(const BnodeEntry&) const = default;
};

struct Bnode {
  BlockHeader header;  // magic is kMagicBnode
  uint64_t owner = 0;
  uint16_t level = 1;
  std::vector<BnodeEntry> entries;
};

// REQUIRES: out.size() is the block size, 1 <= entries <= bnode_capacity, keys ascending.
void encode_bnode(const Bnode& node, std::span<uint8_t> out);
// Verifies header, owner, level >= 1, count in 1..capacity, keys strictly ascending, children
// inside the volume and never 0, unused bytes zero.
Result<Bnode> decode_bnode(std::span<const uint8_t> block, const NodeExpect& expect);
// For recovery (fsck), when decode_bnode fails (keys out of order; a header misdirected,
// stale or torn): the level, count and child pointers of a block with the bnode magic,
// each child inside the volume. The pointers are not to be trusted: whatever they lead to
// must verify on its own.
Result<Bnode> decode_bnode_pointers(std::span<const uint8_t> block, const NodeExpect& expect);

struct LeafItem {
  uint64_t key;
  std::span<const uint8_t> value;
};

// A verified leaf, read in place: keys and values are views into the block, which must
// outlive the LeafView.
class LeafView {
 public:
  // Verifies header (magic = expect.header.magic), owner, level 0, slot table, value packing
  // and zeroed gap. Does not interpret values.
  static Result<LeafView> decode(std::span<const uint8_t> block, const NodeExpect& expect);

  const BlockHeader& header() const { return header_; }
  uint64_t owner() const { return owner_; }
  std::size_t size() const { return keys_.size(); }
  uint64_t key(std::size_t i) const { return keys_[i]; }
  std::span<const uint8_t> value(std::size_t i) const {
    return block_.subspan(offsets_[i], lengths_[i]);
  }
  LeafItem item(std::size_t i) const { return {key(i), value(i)}; }
  // Index of the first item with key >= k (size() if none).
  std::size_t lower_bound(uint64_t k) const;
  // Bytes used by the slot table and values.
  std::size_t bytes_used() const;

 private:
  std::span<const uint8_t> block_;
  BlockHeader header_;
  uint64_t owner_ = 0;
  std::vector<uint64_t> keys_;
  std::vector<uint32_t> offsets_;
  std::vector<uint16_t> lengths_;
};

// Encodes a leaf. REQUIRES: keys strictly ascending, each value <= max_leaf_value, and
// leaf_bytes_needed(...) <= out.size(). Returns NoSpace (and writes nothing) if it does not fit.
Status encode_leaf(const BlockHeader& header, uint64_t owner, std::span<const LeafItem> items,
                   std::span<uint8_t> out);

}  // namespace tux3::format
