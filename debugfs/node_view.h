// node_view.h: btree nodes and leaf items as btree and block print them: each leaf item
// decoded by the leaf's kind (an inode record, an extent, a directory entry, an orphan),
// or shown as bad with the reason.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "commands.h"
#include "tuxdisk/format/node.h"

namespace tux3::debugfs {

struct ItemContext {
  uint32_t leaf_magic = 0;
  uint64_t hash_seed = 0;
  uint64_t vol_blocks = 0;
  uint64_t first_data_block = 0;
};

// "inode 17: regular 0100644, 5000 bytes, 1 link" / "0x...: 'name' -> inode 17 (regular)"...
std::string leaf_item_text(const ItemContext& c, uint64_t key, std::span<const uint8_t> value);
// {"key", "length", "error", plus the decoded value's fields}.
Json leaf_item_json(const ItemContext& c, uint64_t key, std::span<const uint8_t> value);

// Prints a verified leaf: a header line, then one line per item, indented.
void print_leaf(FILE* out, const ItemContext& c, uint64_t block, const format::LeafView& leaf,
                const std::string& indent);
Json leaf_json(const ItemContext& c, uint64_t block, const format::LeafView& leaf);
void print_bnode(FILE* out, uint32_t leaf_magic, uint64_t block, const format::Bnode& node,
                 const std::string& indent);
Json bnode_json(uint64_t block, const format::Bnode& node);

// A key as printed: an inode number or logical block in decimal, a directory key in hex.
std::string key_text(uint32_t leaf_magic, uint64_t key);

}  // namespace tux3::debugfs
