// trees.h: naming a btree on the command line (btree, graph): itree, otree, or a path
// whose inode's own tree (extent tree or directory index) is meant.
#pragma once

#include <string>

#include "commands.h"
#include "tuxdisk/format/superblock.h"

namespace tux3::debugfs {

struct TreeChoice {
  std::string name;  // "inode table", "orphan tree", "inode 17 extent tree"
  Json id;           // "itree", "otree" or the inode number
  format::TreeRoot root;
  uint64_t owner = 0;
  uint32_t leaf_magic = 0;
};

// REQUIRES: the session has a reader.
Result<TreeChoice> choose_tree(Session& session, const std::string& word);

}  // namespace tux3::debugfs
