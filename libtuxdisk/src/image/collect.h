// collect.h: which blocks of a volume a metadata dump holds (see write_metadump in
// tuxdisk/metadump.h for the list, and collect.cc for how each is found).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tuxdisk/device.h"
#include "tuxdisk/format/superblock.h"
#include "tuxdisk/status.h"

namespace tux3::image {

// How a block is stored.
enum class BlockRole : uint8_t {
  // Named as a tree node, log block, bitmap block or stream block: stored whole if it
  // begins with a tux3 magic, else with its first four bytes only (the same wrong magic
  // for a checker, none of the data).
  kStructure,
  // The reserved area, long symlink targets, data mapped by fsync streams: stored whole.
  kContent,
};

struct PlannedBlock {
  uint64_t block = 0;
  BlockRole role = BlockRole::kStructure;
};

struct CollectOptions {
  // Also what only the log's history and the disk show: the trees as they are on disk,
  // the other superblock slot's state, every block the log records name, the fsync
  // streams. Off for a scrambled dump, which holds the replayed state alone.
  bool history = true;
  // With history: also the previous unify cycle, when the other superblock slot's delta
  // is older than the last unify: its log chain, the blocks its records name and its
  // state (tux3-replay --until-delta of a delta before the last unify needs them).
  bool previous_cycle = false;
  // Called with the number of blocks found so far, now and then; may be empty.
  std::function<void(uint64_t found)> progress;
};

struct Collected {
  std::vector<PlannedBlock> blocks;   // ascending, each block once (kContent wins)
  std::vector<std::string> problems;  // damage met in the committed state
};

// Walks the volume on `device` (read only). NotFound: no tux3 volume; Corruption: neither
// superblock slot usable; IoError. Damage inside the volume is not an error: the walk goes
// around it, keeps the damaged blocks, and lists what it met in `problems`.
Result<Collected> collect_metadata(BlockDevice& device, const CollectOptions& options);

}  // namespace tux3::image
