// dump_stream.h: the tux3-image stream, layer by layer: the header, the records inside a
// chunk, and the zstd frames that carry the chunks (man/tux3-image.8, FORMAT).
//
//   stream  = header (256 bytes, not compressed) frame*          one zstd frame per chunk
//   chunk   = record*                                            at most chunk_bytes bytes
//   record  = RUN  0x01 gap:varint count:varint bytes[count × block_size]
//           | ZERO 0x03 gap:varint count:varint                  metadata blocks of zeros
//           | END  0x02 runs:varint blocks:varint zeros:varint   last record of the stream
//   varint  = unsigned LEB128, at most 10 bytes, no redundant trailing zero groups
//
// A RUN's (or ZERO's) first block is `gap` blocks after the end of the previous RUN or ZERO
// of the same chunk (after block 0 for the first of a chunk), so each chunk decodes on its
// own and the block numbers of dense metadata cost a byte or two. ZERO names blocks the
// dump holds that are all zeros (a never-written stream block, the boot area): they cost
// no bytes, and restore onto a device writes zeros there. END counts RUN and ZERO records
// together, then the blocks of RUNs, then the blocks of ZEROs.
#pragma once

#include <zstd.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "image/frame_compressor.h"
#include "tuxdisk/metadump.h"
#include "tuxdisk/status.h"

namespace tux3::image {

inline constexpr uint8_t kRecordRun = 0x01;
inline constexpr uint8_t kRecordEnd = 0x02;
inline constexpr uint8_t kRecordZero = 0x03;
inline constexpr std::size_t kMaxVarint = 10;
// The chunk size writers use, and the largest a reader accepts (memory is a few chunks).
inline constexpr uint32_t kChunkBytes = 1 << 20;
inline constexpr uint32_t kMaxChunkBytes = 64 << 20;
// A RUN record's bytes before its blocks, at most.
inline constexpr std::size_t kRunHeaderMax = 1 + 2 * kMaxVarint;
inline constexpr std::size_t kEndRecordMax = 1 + 3 * kMaxVarint;

// The header, 256 bytes; see encode_header for the layout.
void encode_dump_header(const MetadumpHeader& header, std::span<uint8_t, kMetadumpHeaderSize> out);
// Checks magic, version (NotSupported if newer), header size, checksum, flags, geometry.
// `source` names the stream in messages.
Result<MetadumpHeader> decode_dump_header(std::span<const uint8_t> bytes,
                                          const std::string& source);

void put_varint(std::vector<uint8_t>& out, uint64_t value);
// Reads a varint at pos (advancing it); nullopt if it runs past the end, is longer than 10
// bytes, overflows 64 bits or is not minimal.
std::optional<uint64_t> get_varint(std::span<const uint8_t> bytes, std::size_t& pos);

struct DctxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

// Collects records into chunks and writes each as one zstd frame (content size and
// checksum in the frame header), compressed on `threads` worker threads (0 or 1: on the
// caller's). Not thread-safe.
class ChunkWriter {
 public:
  // Writes the header at once. `level`: zstd level.
  static Result<std::unique_ptr<ChunkWriter>> open(ByteSink& out, const MetadumpHeader& header,
                                                   int level, unsigned threads = 0);
  // Appends a run of blocks (bytes: count × block size, in order); split across chunks as
  // needed. REQUIRES: first is past the end of the previous run.
  Status add_run(uint64_t first, std::span<const uint8_t> bytes);
  // Appends a run of `count` blocks that are all zeros (a ZERO record).
  Status add_zero_run(uint64_t first, uint64_t count);
  // Writes END and the last chunk, then out.finish().
  Status finish();
  const DumpCounts& counts() const { return counts_; }

 private:
  ChunkWriter(ByteSink& out, const MetadumpHeader& header) : out_(out), header_(header) {}
  Status flush_chunk();
  // Room for a record header (and END) in the chunk, flushing it first if need be.
  Status make_room(std::size_t bytes);
  Status write_bytes(std::span<const uint8_t> bytes);

  ByteSink& out_;
  MetadumpHeader header_;
  std::unique_ptr<FrameCompressor> compressor_;
  std::vector<uint8_t> chunk_;       // the chunk being filled
  uint64_t chunk_end_ = 0;           // the end of the chunk's previous run (block number)
  uint64_t stream_end_ = 0;          // ... of the stream's, for the ascending check
  DumpCounts counts_;
};

// Reads a stream's frames after the header: each call returns the next chunk,
// decompressed, with the stream offset its frame starts at; nullopt at the end of the
// input (only ever between frames: input ending inside a frame is Corruption).
class ChunkReader {
 public:
  ChunkReader(ByteSource& in, const MetadumpHeader& header);
  struct Chunk {
    uint64_t offset = 0;             // where its frame starts in the stream
    std::span<uint8_t> bytes;        // valid until the next call (the reader's buffer)
  };
  Result<std::optional<Chunk>> next();
  // True when no byte is left (reads ahead if it must).
  Result<bool> at_end();
  uint64_t offset() const { return consumed_; }  // stream bytes consumed so far

 private:
  Status fill();
  Status corrupt(const std::string& why) const;

  ByteSource& in_;
  uint32_t chunk_bytes_;
  std::unique_ptr<ZSTD_DCtx, DctxFree> dctx_;
  std::vector<uint8_t> input_;
  std::size_t in_pos_ = 0, in_end_ = 0;
  bool eof_ = false;
  uint64_t consumed_ = kMetadumpHeaderSize;
  std::vector<uint8_t> chunk_;
};

// Decodes the records of one chunk, checking every bound; on_run gets each run. `state`
// carries what spans chunks (the ascending check, the totals, END seen).
struct ChunkParseState {
  uint64_t stream_end = 0;  // end block of the last run of the stream so far
  uint64_t runs = 0, blocks = 0, zero_blocks = 0;
  bool end_seen = false;
};
// on_run(first, count, offset of its bytes in the chunk, zero): zero for a ZERO record
// (no bytes; offset is where its record ends).
Status parse_chunk(std::span<const uint8_t> chunk, const MetadumpHeader& header,
                   ChunkParseState& state,
                   const std::function<Status(uint64_t first, uint64_t count,
                                              std::size_t offset, bool zero)>& on_run);

}  // namespace tux3::image
