// engine_start.h: opening the engine at a chosen state, and what its replay did.
//
// Volume::open starts from the newest valid superblock and applies its log, every complete
// fsync of its streams, and destroys its orphans. Recovery tools (recover/replay.cc) need
// more control: start from another state (the other slot, or a delta of the log described
// by its ROOTS record), apply streams only up to a point, keep blocks of a newer durable
// state allocated until the first delta is durable, and learn what replay applied.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "delta/stream_replay.h"
#include "tuxdisk/format/superblock.h"
#include "tuxdisk/volume.h"

namespace tux3 {

// One complete fsync found in a stream, and what replay made of it.
struct StreamFsyncOutcome {
  StreamFsync fsync;
  bool applied = false;
  std::string not_applied;  // why not: rejected by the state, after a rejection, or a limit
};

// What replay at open did. Filled by open_volume_at when EngineStart::log is set.
struct EngineReplayLog {
  uint64_t log_blocks = 0;
  uint64_t records = 0;
  std::array<uint64_t, 16> records_by_code{};  // index: LogCode value
  std::vector<StreamFsyncOutcome> fsyncs;      // stream by stream, in sequence order
  std::vector<StreamEnd> stream_ends;          // one per live stream
  std::vector<uint64_t> orphans;               // orphan inodes the first delta destroys
  bool first_delta_due = false;                // open commits a delta (read-write opens)
};

struct EngineStart {
  // The state to start from. Its delta numbers the next commit (super.delta + 1) and bounds
  // the header delta of every block read.
  format::Superblock super;
  bool apply_streams = true;
  // stream -> the last sequence number to apply (fsyncs ending after it are not applied).
  std::map<uint16_t, uint64_t> stream_limit;
  // Blocks a newer durable state uses and `super`'s state does not: kept allocated, and
  // freed by the first delta (so nothing overwrites them before that delta is durable).
  std::vector<uint64_t> protect;
  // Writing an older state: once replayed, the state is numbered as this (newer, durable)
  // delta, so the next commit supersedes it. Reads after the replay then accept blocks up
  // to this delta: the caller has checked the older state's blocks first.
  std::optional<uint64_t> renumber;
  // Repair (fsck): the allocation bitmap to start from, one bit per block (bit b % 64 of
  // word b / 64), instead of the bitmap blocks and the log's allocation records; every
  // bitmap block is then rewritten by the next unify. REQUIRES: no live fsync streams.
  std::shared_ptr<const std::vector<uint64_t>> allocation;
  // Repair (fsck): log records that do not apply are skipped (see BnodeReplay), and
  // orphans that do not read are left to the repair.
  bool tolerant_replay = false;
  // Repair (fsck): the inode count as the checker found it, instead of the superblock's
  // (set before orphans are destroyed at open, which count themselves out).
  std::optional<uint64_t> inode_count;
  EngineReplayLog* log = nullptr;  // optional
};

// Opens the engine at `start` (see Volume::open for everything else).
Result<std::unique_ptr<Volume>> open_volume_at(BlockDevice& device, const VolumeOptions& options,
                                               const EngineStart& start);

// Whether `block` is allocated in the engine's current state. REQUIRES: volume came from
// open_volume_at or Volume::open.
Result<bool> engine_block_allocated(Volume& volume, uint64_t block);

}  // namespace tux3
