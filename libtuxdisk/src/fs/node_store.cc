// node_store.cc: loading verified btree nodes for the engine.
#include "fs/node_store.h"

#include <fmt/format.h>

namespace tux3 {

using namespace format;

Result<Bnode> NodeStore::read_disk_bnode(uint64_t block, uint64_t max_delta) {
  std::vector<uint8_t> buf(super_.block_size());
  if (block >= super_.vol_blocks) {
    return Status::corruption(fmt::format("bnode pointer {} is beyond the volume", block));
  }
  TUX3_RETURN_IF_ERROR(device_.read(block << super_.block_bits, buf));
  Expect expect{kMagicBnode, block, super_.uuid, max_delta};
  // The owner is checked by the caller against the tree it belongs to.
  uint64_t owner = NodeLayout::Owner::get(buf);
  return decode_bnode(buf, {expect, owner, super_.vol_blocks});
}

Result<std::unique_ptr<BtreeNode>> NodeStore::load(uint64_t block, uint16_t level, uint64_t owner,
                                                   uint32_t leaf_magic) {
  auto node = std::make_unique<BtreeNode>();
  node->block = block;
  node->level = level;
  if (level > 0) {
    if (auto it = overlay_.find(block); it != overlay_.end()) {
      if (it->second.owner != owner || it->second.level != level) {
        return Status::corruption(fmt::format(
            "replayed bnode {} belongs to tree {:#x} at level {}, reached from tree {:#x} at "
            "level {}", block, it->second.owner, it->second.level, owner, level));
      }
      for (const auto& e : it->second.entries) node->children.push_back({e.key, e.child, {}});
      node->logged = std::move(it->second.entries);
      node->cycle_owned = true;
      overlay_.erase(it);
      return node;
    }
    TUX3_ASSIGN_OR_RETURN(Bnode b, read_disk_bnode(block, super_.delta));
    if (b.owner != owner || b.level != level) {
      return Status::corruption(fmt::format("bnode at block {}: owner {:#x} level {}, reached "
                                            "from tree {:#x} at level {}", block, b.owner,
                                            b.level, owner, level))
          .at_block(block);
    }
    for (const auto& e : b.entries) node->children.push_back({e.key, e.child, {}});
    node->logged = std::move(b.entries);
    return node;
  }
  if (block >= super_.vol_blocks) {
    return Status::corruption(fmt::format("leaf pointer {} is beyond the volume", block));
  }
  std::vector<uint8_t> buf(super_.block_size());
  TUX3_RETURN_IF_ERROR(device_.read(block << super_.block_bits, buf));
  TUX3_ASSIGN_OR_RETURN(LeafView view,
                        LeafView::decode(buf, {{leaf_magic, block, super_.uuid, super_.delta},
                                               owner, super_.vol_blocks}));
  node->items.reserve(view.size());
  for (std::size_t i = 0; i < view.size(); ++i) {
    node->items.push_back({view.key(i), {view.value(i).begin(), view.value(i).end()}});
    node->value_bytes += view.value(i).size();
  }
  return node;
}

}  // namespace tux3
