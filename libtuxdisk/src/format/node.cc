// node.cc: bnode and slotted-leaf encode/decode/verify.
#include "tuxdisk/format/node.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "tuxdisk/bytes.h"

#include "tuxdisk/format/constants.h"
#include "tuxdisk/format/inode.h"
#include "tuxdisk/format/values.h"

namespace tux3::format {
namespace {

using L = NodeLayout;

Status node_error(const NodeExpect& e, std::string_view kind, std::string detail) {
  return Status::corruption(fmt::format("{} at block {}: {}", kind, e.header.location, detail))
      .at_block(e.header.location);
}

void encode_node_header(std::span<uint8_t> out, const BlockHeader& header, uint64_t owner,
                        uint16_t level, uint16_t count) {
  std::fill(out.begin(), out.end(), 0);
  encode_header(out, header);
  L::Owner::set(out, owner);
  L::Level::set(out, level);
  L::Count::set(out, count);
}

// Checks what bnodes and leaves share: header, length, owner, reserved field.
Status check_node_header(std::span<const uint8_t> block, const NodeExpect& e,
                         std::string_view kind) {
  TUX3_RETURN_IF_ERROR(verify_header(block, e.header, kind));
  if (block.size() < L::kSize) return node_error(e, kind, "block too small for a node");
  if (L::Owner::get(block) != e.owner) {
    return node_error(e, kind,
                      fmt::format("owner {:#x} where {:#x} was expected", L::Owner::get(block),
                                  e.owner));
  }
  if (L::Reserved::get(block) != 0) return node_error(e, kind, "reserved field is not zero");
  return Status::ok();
}

}  // namespace

std::size_t bnode_capacity(uint32_t block_size) {
  return (block_size - L::kSize) / L::kEntrySize;
}

std::size_t max_leaf_value(uint32_t block_size) {
  return (block_size - L::kSize) / 2 - L::kSlotSize;
}

std::size_t max_name_len(uint32_t block_size) {
  return std::min<std::size_t>(kMaxNameLen, max_leaf_value(block_size) - DirentLayout::kNameOffset);
}

std::size_t max_inline_symlink_len(uint32_t block_size) {
  return std::min<std::size_t>(
      kMaxInlineSymlinkLen,
      max_leaf_value(block_size) - InodeLayout::kCoreSize - InodeLayout::kAttrHeaderSize);
}

std::size_t leaf_bytes_needed(std::size_t items, std::size_t value_bytes) {
  return L::kSize + items * L::kSlotSize + value_bytes;
}

void encode_bnode(const Bnode& node, std::span<uint8_t> out) {
  encode_node_header(out, node.header, node.owner, node.level, uint16_t(node.entries.size()));
  for (std::size_t i = 0; i < node.entries.size(); ++i) {
    auto entry = out.subspan(L::kSize + i * L::kEntrySize, L::kEntrySize);
    L::EntryKey::set(entry, node.entries[i].key);
    L::EntryChild::set(entry, node.entries[i].child);
  }
  seal_block(out);
}

namespace {

// strict: everything verified. Otherwise only the magic, level, count and child range (the
// header may be misdirected, stale or torn, the keys out of order).
Result<Bnode> decode_bnode_checked(std::span<const uint8_t> block, const NodeExpect& e,
                                   bool strict) {
  if (!strict) {
    if (block.size() < L::kSize || decode_header(block).magic != kMagicBnode) {
      return node_error(e, "bnode", "no bnode magic");
    }
  } else {
    TUX3_RETURN_IF_ERROR(check_node_header(block, e, "bnode"));
  }
  Bnode node;
  node.header = decode_header(block);
  node.owner = e.owner;
  node.level = L::Level::get(block);
  if (node.level == 0 || node.level > kMaxTreeDepth) {
    return node_error(e, "bnode", fmt::format("level {} is outside 1..{}", node.level,
                                              kMaxTreeDepth));
  }
  std::size_t count = L::Count::get(block);
  std::size_t capacity = bnode_capacity(uint32_t(block.size()));
  if (count == 0 || count > capacity) {
    return node_error(e, "bnode", fmt::format("count {} is outside 1..{}", count, capacity));
  }
  node.entries.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    auto entry = block.subspan(L::kSize + i * L::kEntrySize, L::kEntrySize);
    BnodeEntry be{L::EntryKey::get(entry), L::EntryChild::get(entry)};
    if (strict && i > 0 && be.key <= node.entries.back().key) {
      return node_error(e, "bnode", fmt::format("entry {} key {} is not above key {}", i, be.key,
                                                node.entries.back().key));
    }
    if (be.child == 0 || be.child >= e.vol_blocks) {
      return node_error(e, "bnode", fmt::format("entry {} child {} is outside the volume", i,
                                                be.child));
    }
    node.entries.push_back(be);
  }
  if (strict && !all_zero(block.subspan(L::kSize + count * L::kEntrySize))) {
    return node_error(e, "bnode", "bytes after the last entry are not zero");
  }
  return node;
}

}  // namespace

Result<Bnode> decode_bnode(std::span<const uint8_t> block, const NodeExpect& e) {
  return decode_bnode_checked(block, e, true);
}

Result<Bnode> decode_bnode_pointers(std::span<const uint8_t> block, const NodeExpect& e) {
  return decode_bnode_checked(block, e, false);
}

Result<LeafView> LeafView::decode(std::span<const uint8_t> block, const NodeExpect& e) {
  std::string_view kind = magic_name(e.header.magic);
  TUX3_RETURN_IF_ERROR(check_node_header(block, e, kind));
  if (L::Level::get(block) != 0) {
    return node_error(e, kind, fmt::format("level {} in a leaf", L::Level::get(block)));
  }
  std::size_t count = L::Count::get(block);
  std::size_t slots_end = L::kSize + count * L::kSlotSize;
  if (slots_end > block.size()) {
    return node_error(e, kind, fmt::format("count {} overruns the block", count));
  }
  LeafView view;
  view.block_ = block;
  view.header_ = decode_header(block);
  view.owner_ = e.owner;
  view.keys_.resize(count);
  view.offsets_.resize(count);
  view.lengths_.resize(count);
  std::size_t value_start = block.size();
  std::size_t max_value = max_leaf_value(uint32_t(block.size()));
  for (std::size_t i = 0; i < count; ++i) {
    auto slot = block.subspan(L::kSize + i * L::kSlotSize, L::kSlotSize);
    uint64_t key = L::SlotKey::get(slot);
    std::size_t length = L::SlotLength::get(slot);
    if (i > 0 && key <= view.keys_[i - 1]) {
      return node_error(e, kind, fmt::format("item {} key {} is not above key {}", i, key,
                                             view.keys_[i - 1]));
    }
    if (length > max_value) {
      return node_error(e, kind, fmt::format("item {} value of {} bytes exceeds {}", i, length,
                                             max_value));
    }
    if (length > value_start - slots_end) {
      return node_error(e, kind, fmt::format("item {} value overlaps the slot table", i));
    }
    value_start -= length;
    view.keys_[i] = key;
    view.offsets_[i] = uint32_t(value_start);
    view.lengths_[i] = uint16_t(length);
  }
  if (!all_zero(block.subspan(slots_end, value_start - slots_end))) {
    return node_error(e, kind, "free space between slots and values is not zero");
  }
  return view;
}

std::size_t LeafView::lower_bound(uint64_t k) const {
  return std::size_t(std::lower_bound(keys_.begin(), keys_.end(), k) - keys_.begin());
}

std::size_t LeafView::bytes_used() const {
  std::size_t values = 0;
  for (uint16_t len : lengths_) values += len;
  return leaf_bytes_needed(keys_.size(), values);
}

Status encode_leaf(const BlockHeader& header, uint64_t owner, std::span<const LeafItem> items,
                   std::span<uint8_t> out) {
  std::size_t value_bytes = 0;
  for (const LeafItem& item : items) value_bytes += item.value.size();
  if (items.size() > 0xffff || leaf_bytes_needed(items.size(), value_bytes) > out.size()) {
    return Status::no_space(fmt::format("leaf for block {}: {} items, {} value bytes do not fit",
                                        header.location, items.size(), value_bytes));
  }
  encode_node_header(out, header, owner, 0, uint16_t(items.size()));
  std::size_t value_end = out.size();
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto slot = out.subspan(L::kSize + i * L::kSlotSize, L::kSlotSize);
    L::SlotKey::set(slot, items[i].key);
    L::SlotLength::set(slot, uint16_t(items[i].value.size()));
    value_end -= items[i].value.size();
    if (!items[i].value.empty()) {
      std::memcpy(out.data() + value_end, items[i].value.data(), items[i].value.size());
    }
  }
  seal_block(out);
  return Status::ok();
}

}  // namespace tux3::format
