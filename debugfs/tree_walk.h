// tree_walk.h: walking a btree without stopping at damage, for commands that show
// everything they can (btree, ls, extents, icheck, graph).
//
// Each node is read through the reader (bnodes as of its state, the log applied) and
// verified as the library verifies it: header, owner, level, key order, keys inside the
// range the parent gives. A node that fails is passed to on_bad with the reason and the
// walk goes on with its siblings. A block reached twice is reported once as bad (a cycle
// or a cross-link) and not entered again.
#pragma once

#include <cstdint>
#include <functional>

#include "tuxdisk/format/node.h"
#include "tuxdisk/format/superblock.h"
#include "tuxdisk/status.h"
#include "tuxdisk/volume_reader.h"

namespace tux3::debugfs {

struct WalkVisitor {
  std::function<void(uint64_t block, const format::Bnode& node, uint64_t low, uint64_t high)>
      on_bnode;
  std::function<void(uint64_t block, const format::LeafView& leaf, uint64_t low, uint64_t high)>
      on_leaf;
  std::function<void(uint64_t block, uint16_t level, const Status& why)> on_bad;
};

// Returns the number of bad nodes met. IoError stops the walk (returned as the Result).
Result<uint64_t> walk_tolerant(VolumeReader& reader, const format::TreeRoot& root,
                               uint64_t owner, uint32_t leaf_magic, const WalkVisitor& visitor);

// The tree of inode `inum` (its extent tree or directory index), by its type.
uint32_t leaf_magic_for_mode(uint32_t mode);
// "inode table", "orphan tree", "inode 17".
std::string owner_name(uint64_t owner);

}  // namespace tux3::debugfs

namespace tux3::debugfs {

// Whether the bnode the reader gives for `block` differs from the block on disk: it was
// created or changed since the last unify and exists only in the log.
bool rebuilt_from_log(VolumeReader& reader, uint64_t block, const format::Bnode& node);

}  // namespace tux3::debugfs
