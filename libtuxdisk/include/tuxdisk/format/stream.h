// stream.h: fsync stream blocks: one file's fsynced state, written ahead of its delta.
//
// The common header (delta = the stream head's delta tag), then
//   40 stream u16 | 42 flags u16 | 44 extent_count u32
//   48 seq u64    | 56 next u64 (block reserved for this stream's next block)
//   64 inum u64   | 72 size u64
//   80 mtime_sec s64 | 88 mtime_nsec u32 | 92 ctime_nsec u32 | 96 ctime_sec s64
//   104 mode u32  | 108 data_crc u32 (if HAS_DATA_CRC, else zero)
//   112 extents, 24 bytes each: logical u64, physical u64, count u32, flags u32
// A block counts only if its checksum, location, uuid, stream, seq and delta all match what
// the superblock's stream head (or the previous block's next) says.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "tuxdisk/endian.h"
#include "tuxdisk/format/header.h"
#include "tuxdisk/format/superblock.h"
#include "tuxdisk/format/values.h"
#include "tuxdisk/status.h"

namespace tux3::format {

struct StreamLayout {
  using Stream = BeField<uint16_t, 40>;
  using Flags = BeField<uint16_t, 42>;
  using ExtentCount = BeField<uint32_t, 44>;
  using Seq = BeField<uint64_t, 48>;
  using Next = BeField<uint64_t, 56>;
  using Inum = BeField<uint64_t, 64>;
  using Size = BeField<uint64_t, 72>;
  using MtimeSec = BeField<uint64_t, 80>;
  using MtimeNsec = BeField<uint32_t, 88>;
  using CtimeNsec = BeField<uint32_t, 92>;
  using CtimeSec = BeField<uint64_t, 96>;
  using Mode = BeField<uint32_t, 104>;
  using DataCrc = BeField<uint32_t, 108>;
  static constexpr std::size_t kExtentsOffset = 112;
  // One extent, offsets within the entry.
  using ExtLogical = BeField<uint64_t, 0>;
  using ExtPhysical = BeField<uint64_t, 8>;
  using ExtCount = BeField<uint32_t, 16>;
  using ExtFlags = BeField<uint32_t, 20>;
  static constexpr std::size_t kExtentSize = 24;
};
static_assert(StreamLayout::Stream::kOffset == HeaderLayout::kSize);
static_assert(fields_contiguous<StreamLayout::Stream, StreamLayout::Flags,
                                StreamLayout::ExtentCount, StreamLayout::Seq, StreamLayout::Next,
                                StreamLayout::Inum, StreamLayout::Size, StreamLayout::MtimeSec,
                                StreamLayout::MtimeNsec, StreamLayout::CtimeNsec,
                                StreamLayout::CtimeSec, StreamLayout::Mode,
                                StreamLayout::DataCrc>());
static_assert(StreamLayout::DataCrc::kEnd == StreamLayout::kExtentsOffset);
static_assert(fields_contiguous<StreamLayout::ExtLogical, StreamLayout::ExtPhysical,
                                StreamLayout::ExtCount, StreamLayout::ExtFlags>() &&
              StreamLayout::ExtFlags::kEnd == StreamLayout::kExtentSize);

// Which attributes the record carries.
inline constexpr uint16_t kStreamHasSize = 1 << 0;
inline constexpr uint16_t kStreamHasMtime = 1 << 1;
inline constexpr uint16_t kStreamHasCtime = 1 << 2;
inline constexpr uint16_t kStreamHasMode = 1 << 3;
// data_crc holds stream_data_crc() of the blocks the extents map: the block counts only if
// they match, so the data and the stream block may be written together before one flush.
inline constexpr uint16_t kStreamHasDataCrc = 1 << 4;
// More blocks of the same fsync follow; replay applies an fsync only when its last block
// (without this flag) is valid.
inline constexpr uint16_t kStreamContinued = 1 << 15;
inline constexpr uint16_t kStreamFlagsKnown =
    kStreamHasSize | kStreamHasMtime | kStreamHasCtime | kStreamHasMode | kStreamHasDataCrc |
    kStreamContinued;

struct StreamBlock {
  BlockHeader header;  // magic kMagicStream, delta = the stream's delta tag
  uint16_t stream = 0;
  uint16_t flags = 0;
  uint64_t seq = 0;
  uint64_t next = 0;
  uint64_t inum = 0;
  uint64_t size = 0;
  Timestamp mtime;
  Timestamp ctime;
  uint32_t mode = 0;
  uint32_t data_crc = 0;        // with kStreamHasDataCrc
  std::vector<Extent> extents;  // new mappings, ascending logical, not overlapping
};

// The data checksum of a stream block: CRC32C of the concatenated big-endian CRC32C of each
// data block its extents map, in extent order. Feed the blocks in that order.
class StreamDataCrc {
 public:
  void add_block(std::span<const uint8_t> block);
  uint32_t value() const;

 private:
  std::vector<uint8_t> block_crcs_;
};

inline std::size_t stream_extent_capacity(uint32_t block_size) {
  return (block_size - StreamLayout::kExtentsOffset) / StreamLayout::kExtentSize;
}

// NoSpace if the extents do not fit.
Status encode_stream_block(const StreamBlock& block, std::span<uint8_t> out);

// What a stream block must say, from the stream head or the previous block.
struct StreamExpect {
  Expect header;  // location = the reserved block; max_delta = head.delta
  uint16_t stream;
  uint64_t seq;
  uint64_t vol_blocks;
  uint64_t first_data_block;
};
// Verifies everything; a block that was reserved but never written fails with Corruption
// (wrong magic), which a replayer treats as the end of the stream.
Result<StreamBlock> decode_stream_block(std::span<const uint8_t> block, const StreamExpect& e);

}  // namespace tux3::format
