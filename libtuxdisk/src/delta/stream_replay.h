// stream_replay.h: reading the fsync streams of the committed delta. Shared by the engine
// (which applies them when it opens a volume) and the tools that print or check them.
// See man/tux3-format.5, FSYNC STREAMS.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tuxdisk/device.h"
#include "tuxdisk/format/stream.h"
#include "tuxdisk/format/superblock.h"

namespace tux3 {

// One complete fsync: the blocks of one record (the last one without CONTINUED), merged.
struct StreamFsync {
  uint16_t stream = 0;
  uint64_t first_seq = 0, last_seq = 0;
  std::vector<uint64_t> blocks;  // where its stream blocks are, in order
  format::StreamBlock record;    // attributes from the last block; extents from all
};

// Where and why one stream ended.
struct StreamEnd {
  uint16_t stream = 0;
  uint64_t head = 0;      // the block the committed superblock reserved
  uint64_t block = 0;     // the first block that did not count
  uint64_t seq = 0;       // the sequence number it had to carry
  uint64_t valid_blocks = 0;
  uint64_t incomplete_blocks = 0;  // CONTINUED blocks of a trailing fsync never finished
  std::string reason;     // why that block did not count (the normal end: never written)
};

struct StreamReplay {
  std::vector<StreamFsync> fsyncs;  // stream by stream, each in sequence order
  std::vector<StreamEnd> ends;      // one per live stream
};

// Walks every live stream of `super` from its reserved head along `next`, verifying each
// block (checksum, location, uuid, stream, seq, delta tag). Only I/O errors fail; a block
// that does not count ends its stream, and the reason is reported in `ends`.
Result<StreamReplay> read_streams(BlockDevice& device, const format::Superblock& super);

// True if some stream table entry of `super` is live.
bool has_live_streams(const format::Superblock& super);

}  // namespace tux3
