// chain.h: the delta log chain of one superblock, read block by block without applying it,
// for the log and deltas commands, the allocation map and --delta.
//
// The walk starts at the superblock's log_head and follows prev for log_count blocks, each
// verified (header against the superblock, records). The first block that fails ends the
// walk: the blocks kept are the newer ones, and damage says where and why. Applying the
// chain is the library's (VolumeReader); this only lists it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tuxdisk/device.h"
#include "tuxdisk/format/log.h"
#include "tuxdisk/format/superblock.h"

namespace tux3::debugfs {

struct ChainDelta {
  uint64_t delta = 0;
  bool unify = false;          // its records begin with UNIFY
  std::size_t first = 0;       // index of its first block in LogChain::blocks
  std::size_t count = 0;       // its blocks
  std::size_t records = 0;
  std::optional<format::DeltaRoots> roots;  // its ROOTS record, if it has one
};

struct ChainDamage {
  uint64_t block = 0;
  std::string reason;
};

struct LogChain {
  std::vector<uint64_t> blocks;          // oldest first (the readable, newest part)
  std::vector<format::LogBlock> decoded;  // the same blocks, decoded
  std::vector<ChainDelta> deltas;        // oldest first
  std::optional<ChainDamage> damage;     // the walk stopped at this block
};

LogChain read_log_chain(BlockDevice& device, const format::Superblock& super);

// The superblock of the state right after delta deltas[index] of `chain` (which must be
// whole and belong to `top`), as tux3-replay --until-delta finds it: its roots and counts
// from the ROOTS record, the chain up to that delta, no live stream. nullopt when that
// delta has no ROOTS record.
std::optional<format::Superblock> state_superblock(const format::Superblock& top,
                                                   const LogChain& chain, std::size_t index);

}  // namespace tux3::debugfs
