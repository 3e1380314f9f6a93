// replay.h: recovery after a crash: the delta log and the fsync streams of a volume, read,
// printed, and applied (man/tux3-format.5, DELTA LOG and FSYNC STREAMS; tux3-replay(8)).
//
// The engine replays at every open (Volume::open); this is the same replay with the
// control a recovery tool needs:
//   - list_log() reads both superblock slots, the log chain delta by delta and every live
//     fsync stream block by block, applying nothing;
//   - replay_volume() replays into memory (dry run) or writes the result as a clean,
//     unified state. It can stop at any delta of the log (--until-delta) or stream position,
//     and then reports which blocks that older state uses that later deltas may have
//     reused;
//   - open_state() opens a read-only engine at such a state, to look at it.
//
// Damage is reported, never guessed past: a log that cannot be read or applied makes
// replay stop, name the block and the reason, and say which older state can still be
// replayed (the last valid point); nothing is written then.
//
// Writing is atomic: replay commits through the engine's delta protocol (a first delta
// with the fsyncs applied and the orphans destroyed, if any, then a unify that marks the
// volume clean), so a crash during replay leaves a volume that replays to the same result.
// Replaying a clean volume writes nothing.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tuxdisk/device.h"
#include "tuxdisk/format/log.h"
#include "tuxdisk/format/stream.h"
#include "tuxdisk/format/superblock.h"
#include "tuxdisk/status.h"
#include "tuxdisk/volume.h"

namespace tux3 {

// One log block of the chain.
struct LogBlockInfo {
  uint64_t block = 0;
  uint64_t delta = 0;  // header delta: the delta that wrote it
  uint64_t prev = 0;
  std::vector<format::LogRecord> records;
};

// One delta of the chain.
struct LogDeltaInfo {
  uint64_t delta = 0;
  bool unify = false;            // the delta began the cycle (a unify)
  std::vector<uint64_t> blocks;  // its log blocks, oldest first
  uint64_t records = 0;
  format::DeltaRoots roots;      // the state it committed
};

// One valid block of an fsync stream.
struct StreamBlockInfo {
  uint64_t block = 0;
  format::StreamBlock decoded;
};

// One live fsync stream: its valid blocks from the reserved head, and where it ends.
struct StreamInfo {
  uint16_t stream = 0;
  format::StreamHead head;              // from the committed superblock
  std::vector<StreamBlockInfo> blocks;  // valid blocks in sequence order
  uint64_t end_block = 0;               // the first block that does not count
  uint64_t end_seq = 0;                 // ... and the sequence number it had to carry
  std::string end_reason;               // why it does not count (normally: never written)
  uint64_t incomplete_blocks = 0;       // trailing CONTINUED blocks of an unfinished fsync
};

// Why replay could not reach the state asked for.
struct LogDamage {
  uint64_t delta = 0;                        // the state that could not be replayed
  std::optional<uint64_t> block;             // the damaged block, when known
  std::string reason;
  std::optional<uint64_t> last_valid_delta;  // the newest state that still replays
  // The log of the committed delta reads and verifies whole: what failed is a block the
  // replayed state needs (a bitmap block, a tree node, the orphan tree). fsck.tux3 -y
  // repairs that without rolling back.
  bool log_intact = false;
};

struct LogListing {
  format::SlotPair slots;             // both slots as read
  format::Superblock super;           // the committed superblock (the chosen slot)
  std::vector<LogBlockInfo> blocks;   // the chain, oldest first (up to a damaged block)
  std::vector<LogDeltaInfo> deltas;   // oldest first
  std::vector<StreamInfo> streams;    // live streams of the committed delta
  std::optional<LogDamage> damage;    // the chain could not be read whole
};

// Reads without applying. Errors: NotFound (no tux3 volume), NotSupported, Corruption of
// both superblock slots, IoError. A damaged chain is LogListing::damage, not an error.
Result<LogListing> list_log(BlockDevice& device);

struct ReplayOptions {
  bool dry_run = false;                   // replay in memory only; write nothing
  std::optional<uint64_t> until_delta;    // the state of this delta (default: the committed)
  bool apply_streams = true;              // false: the committed delta without its fsyncs
  std::map<uint16_t, uint64_t> stream_limit;  // stream -> last sequence number to apply
  // Writing anything but the newest state (an older delta, or fewer fsyncs than the
  // streams hold) discards durable data: refused (InvalidArgument) without force.
  bool force = false;
  VolumeOptions engine;                   // for the write (io_threads, cache_bytes, ...)
};

// One complete fsync found in a stream.
struct FsyncReplayInfo {
  uint16_t stream = 0;
  uint64_t first_seq = 0, last_seq = 0;
  std::vector<uint64_t> blocks;  // its stream blocks
  format::StreamBlock record;    // merged: attributes of the last block, every extent
  bool applied = false;
  std::string not_applied;       // why not
};

struct ReplayReport {
  format::Superblock committed;          // the newest valid superblock
  uint64_t target_delta = 0;             // the delta whose state was replayed
  bool clean = false;                    // clean volume, nothing to apply: nothing done
  std::optional<LogDamage> damage;       // replay stopped: nothing written
  std::vector<LogDeltaInfo> deltas;      // deltas of the log in the replayed state
  std::vector<uint64_t> discarded;       // committed deltas newer than the target
  uint64_t log_blocks = 0;
  uint64_t log_records = 0;
  std::array<uint64_t, 16> records_by_code{};  // index: LogCode value
  std::vector<FsyncReplayInfo> fsyncs;
  std::vector<StreamInfo> streams;       // where each live stream ends (blocks not filled)
  std::vector<uint64_t> orphans;         // destroyed (dry run: would be)
  uint64_t inodes = 0;                   // the replayed state
  uint64_t free_blocks = 0;
  // An older state (until_delta) may use blocks that later deltas freed and reused:
  // intact is false and problems names them. Always true for the committed state.
  bool intact = true;
  std::vector<std::string> problems;
  bool wrote = false;
  uint64_t written_delta = 0;            // the clean delta written
  // Replay would change the volume (dry run) or changed it.
  bool needed() const { return !clean && !damage; }
};

// Replays. Errors (the Result fails): the volume could not be read at all (NotFound,
// NotSupported, both slots Corruption, IoError), an impossible request (InvalidArgument:
// a delta not in the log, a discarding write without force), or a failed write. A log
// that cannot be replayed is ReplayReport::damage, with nothing written.
Result<ReplayReport> replay_volume(BlockDevice& device, const ReplayOptions& options);

// A read-only engine at the state `options` selects (dry_run and force are ignored), for
// looking at it; report (optional) says what replay applied. Damage is Corruption.
Result<std::unique_ptr<Volume>> open_state(BlockDevice& device, const ReplayOptions& options,
                                           ReplayReport* report = nullptr);

}  // namespace tux3
