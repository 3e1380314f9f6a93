// node_store.h: where the engine's btrees load their nodes from: bnodes rebuilt by replay
// (until they are loaded into a tree, or written by the next unify), else the device, with
// every block verified.
#pragma once

#include <map>

#include "btree/btree.h"
#include "delta/bnode_replay.h"
#include "tuxdisk/device.h"
#include "tuxdisk/format/superblock.h"

namespace tux3 {

class NodeStore final : public NodeSource {
 public:
  // REQUIRES: device and super outlive the store; super is the committed superblock.
  NodeStore(BlockDevice& device, const format::Superblock& super)
      : device_(device), super_(super) {}

  Result<std::unique_ptr<BtreeNode>> load(uint64_t block, uint16_t level, uint64_t owner,
                                          uint32_t leaf_magic) override;

  void set_overlay(std::map<uint64_t, BnodeImage> images) { overlay_ = std::move(images); }
  // Replayed bnodes no tree has loaded yet: the next unify writes them as they are.
  std::map<uint64_t, BnodeImage>& overlay() { return overlay_; }

  // Reads and verifies a bnode as on disk (the source of a BNODE_REDIRECT in replay).
  Result<format::Bnode> read_disk_bnode(uint64_t block, uint64_t max_delta);

 private:
  BlockDevice& device_;
  const format::Superblock& super_;
  std::map<uint64_t, BnodeImage> overlay_;
};

}  // namespace tux3
