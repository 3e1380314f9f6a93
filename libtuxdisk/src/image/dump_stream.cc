// dump_stream.cc: the tux3-image stream's header, records and zstd frames (dump_stream.h).
//
// Header (256 bytes, big-endian):
//     0  8 magic "TUX3DUMP"       72 64 label, NUL-padded (at most 63 bytes)
//     8  2 version (1)           136 64 producer, NUL-padded (at most 63 bytes)
//    10  2 header size (256)     200  8 hash seed (the volume's, for kDumpPredicted)
//    12  4 flags                 208 44 reserved, zero;  252 4 CRC32C of bytes 0..251
//    16  2 blockbits              24  8 vol_blocks        40 16 uuid
//    18  2 volume format version  32  8 device_bytes      56  8 delta
//    20  4 chunk_bytes                                    64  8 created (s64 seconds)
#include "image/dump_stream.h"

#include <cstring>

#include <fmt/format.h>

#include "tuxdisk/bytes.h"
#include "tuxdisk/crc32c.h"
#include "tuxdisk/endian.h"
#include "tuxdisk/format/constants.h"

namespace tux3::image {

namespace {

struct DumpHeaderLayout {
  using Magic = BytesField<0, kMetadumpMagicSize>;
  using Version = BeField<uint16_t, 8>;
  using HeaderSize = BeField<uint16_t, 10>;
  using Flags = BeField<uint32_t, 12>;
  using BlockBits = BeField<uint16_t, 16>;
  using VolumeVersion = BeField<uint16_t, 18>;
  using ChunkBytes = BeField<uint32_t, 20>;
  using VolBlocks = BeField<uint64_t, 24>;
  using DeviceBytes = BeField<uint64_t, 32>;
  using Uuid = BytesField<40, 16>;
  using Delta = BeField<uint64_t, 56>;
  using Created = BeField<uint64_t, 64>;
  using Label = BytesField<72, 64>;
  using Producer = BytesField<136, 64>;
  using HashSeed = BeField<uint64_t, 200>;
  using Reserved = BytesField<208, 44>;
  using Checksum = BeField<uint32_t, 252>;
};
static_assert(fields_contiguous<
              DumpHeaderLayout::Magic, DumpHeaderLayout::Version, DumpHeaderLayout::HeaderSize,
              DumpHeaderLayout::Flags, DumpHeaderLayout::BlockBits,
              DumpHeaderLayout::VolumeVersion, DumpHeaderLayout::ChunkBytes,
              DumpHeaderLayout::VolBlocks, DumpHeaderLayout::DeviceBytes, DumpHeaderLayout::Uuid,
              DumpHeaderLayout::Delta, DumpHeaderLayout::Created, DumpHeaderLayout::Label,
              DumpHeaderLayout::Producer, DumpHeaderLayout::HashSeed,
              DumpHeaderLayout::Reserved,
              DumpHeaderLayout::Checksum>());
static_assert(DumpHeaderLayout::Checksum::kEnd == kMetadumpHeaderSize);

constexpr char kMagic[kMetadumpMagicSize + 1] = "TUX3DUMP";

// A NUL-padded text field: the text, then zeros to the end (at least one).
void put_text(std::span<uint8_t> field, std::string_view text) {
  std::memset(field.data(), 0, field.size());
  std::memcpy(field.data(), text.data(), std::min(text.size(), field.size() - 1));
}
std::optional<std::string> get_text(std::span<const uint8_t> field) {
  const uint8_t* nul = static_cast<const uint8_t*>(std::memchr(field.data(), 0, field.size()));
  if (!nul) return std::nullopt;
  std::size_t len = std::size_t(nul - field.data());
  if (!all_zero(field.subspan(len))) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(field.data()), len);
}

}  // namespace

void encode_dump_header(const MetadumpHeader& h, std::span<uint8_t, kMetadumpHeaderSize> out) {
  using L = DumpHeaderLayout;
  std::span<uint8_t> b(out);
  std::memset(b.data(), 0, b.size());
  std::memcpy(L::Magic::get(b).data(), kMagic, kMetadumpMagicSize);
  L::Version::set(b, h.version);
  L::HeaderSize::set(b, uint16_t(kMetadumpHeaderSize));
  L::Flags::set(b, h.flags);
  L::BlockBits::set(b, h.block_bits);
  L::VolumeVersion::set(b, h.volume_version);
  L::ChunkBytes::set(b, h.chunk_bytes);
  L::VolBlocks::set(b, h.vol_blocks);
  L::DeviceBytes::set(b, h.device_bytes);
  std::memcpy(L::Uuid::get(b).data(), h.uuid.data(), h.uuid.size());
  L::Delta::set(b, h.delta);
  L::Created::set(b, uint64_t(h.created_sec));
  put_text(L::Label::get(b), h.label);
  put_text(L::Producer::get(b), h.producer);
  L::HashSeed::set(b, h.hash_seed);
  L::Checksum::set(b, crc32c(b.first(L::Checksum::kOffset)));
}

Result<MetadumpHeader> decode_dump_header(std::span<const uint8_t> b, const std::string& source) {
  using L = DumpHeaderLayout;
  auto bad = [&](const std::string& why) {
    return Status::corruption(fmt::format("{}: {}", source, why));
  };
  if (b.empty()) return bad("empty: not a tux3-image dump");
  if (b.size() < kMetadumpMagicSize ||
      std::memcmp(b.data(), kMagic, kMetadumpMagicSize) != 0) {
    return bad("not a tux3-image dump (no TUX3DUMP magic at its start)");
  }
  if (b.size() < kMetadumpHeaderSize) {
    return bad(fmt::format("truncated: the header is {} bytes of {}", b.size(),
                           kMetadumpHeaderSize));
  }
  MetadumpHeader h;
  h.version = L::Version::get(b);
  if (h.version > kMetadumpVersion) {
    return Status::not_supported(fmt::format(
        "{}: dump format version {} is newer than this program reads (version {})", source,
        h.version, kMetadumpVersion));
  }
  if (h.version == 0) return bad("header: dump format version 0 does not exist");
  if (L::HeaderSize::get(b) != kMetadumpHeaderSize) {
    return bad(fmt::format("header: size {} where version 1 has {}", L::HeaderSize::get(b),
                           kMetadumpHeaderSize));
  }
  uint32_t stored = L::Checksum::get(b), computed = crc32c(b.first(L::Checksum::kOffset));
  if (stored != computed) {
    return bad(fmt::format("header checksum mismatch (stored {:#010x}, computed {:#010x})",
                           stored, computed));
  }
  h.flags = L::Flags::get(b);
  h.block_bits = L::BlockBits::get(b);
  h.volume_version = L::VolumeVersion::get(b);
  h.chunk_bytes = L::ChunkBytes::get(b);
  h.vol_blocks = L::VolBlocks::get(b);
  h.device_bytes = L::DeviceBytes::get(b);
  std::memcpy(h.uuid.data(), L::Uuid::get(b).data(), h.uuid.size());
  h.delta = L::Delta::get(b);
  h.created_sec = int64_t(L::Created::get(b));
  h.hash_seed = L::HashSeed::get(b);
  if (h.flags & ~kDumpFlagsKnown) {
    return Status::not_supported(
        fmt::format("{}: header: unknown flags {:#x}", source, h.flags & ~kDumpFlagsKnown));
  }
  if (h.block_bits < format::kMinBlockBits || h.block_bits > format::kMaxBlockBits) {
    return bad(fmt::format("header: blockbits {} is outside {}..{}", h.block_bits,
                           format::kMinBlockBits, format::kMaxBlockBits));
  }
  if (h.vol_blocks < format::kMinVolumeBlocks || h.vol_blocks > format::kMaxBlocks) {
    return bad(fmt::format("header: volume of {} blocks is outside {}..{}", h.vol_blocks,
                           format::kMinVolumeBlocks, format::kMaxBlocks));
  }
  if (h.device_bytes < h.volume_bytes()) {
    return bad(fmt::format("header: device of {} bytes is smaller than the volume's {}",
                           h.device_bytes, h.volume_bytes()));
  }
  uint64_t min_chunk = h.block_size() + kRunHeaderMax + kEndRecordMax;
  if (h.chunk_bytes < min_chunk || h.chunk_bytes > kMaxChunkBytes) {
    return bad(fmt::format("header: chunk size {} is outside {}..{}", h.chunk_bytes, min_chunk,
                           kMaxChunkBytes));
  }
  auto label = get_text(L::Label::get(b));
  auto producer = get_text(L::Producer::get(b));
  if (!label || !producer) return bad("header: label or producer is not NUL-terminated");
  if (!all_zero(L::Reserved::get(b))) return bad("header: reserved bytes are not zero");
  h.label = std::move(*label);
  h.producer = std::move(*producer);
  return h;
}

void put_varint(std::vector<uint8_t>& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(uint8_t(value | 0x80));
    value >>= 7;
  }
  out.push_back(uint8_t(value));
}

std::optional<uint64_t> get_varint(std::span<const uint8_t> bytes, std::size_t& pos) {
  uint64_t value = 0;
  for (std::size_t i = 0; i < kMaxVarint; ++i) {
    if (pos >= bytes.size()) return std::nullopt;
    uint8_t byte = bytes[pos++];
    uint64_t group = byte & 0x7f;
    if (i == kMaxVarint - 1 && group > 1) return std::nullopt;  // beyond 64 bits
    value |= group << (7 * i);
    if (!(byte & 0x80)) {
      if (i > 0 && group == 0) return std::nullopt;  // not minimal
      return value;
    }
  }
  return std::nullopt;
}

// ---- Writing ----

Result<std::unique_ptr<ChunkWriter>> ChunkWriter::open(ByteSink& out,
                                                       const MetadumpHeader& header, int level,
                                                       unsigned threads) {
  std::unique_ptr<ChunkWriter> w(new ChunkWriter(out, header));
  TUX3_ASSIGN_OR_RETURN(w->compressor_, FrameCompressor::open(level, threads));
  w->chunk_.reserve(header.chunk_bytes);
  std::array<uint8_t, kMetadumpHeaderSize> bytes;
  encode_dump_header(header, bytes);
  TUX3_RETURN_IF_ERROR(w->write_bytes(bytes));
  return w;
}

Status ChunkWriter::write_bytes(std::span<const uint8_t> bytes) {
  counts_.stream_bytes += bytes.size();
  return out_.write(bytes);
}

Status ChunkWriter::make_room(std::size_t bytes) {
  if (header_.chunk_bytes - chunk_.size() < bytes + kEndRecordMax) return flush_chunk();
  return Status::ok();
}

Status ChunkWriter::add_zero_run(uint64_t first, uint64_t count) {
  TUX3_RETURN_IF_ERROR(make_room(kRunHeaderMax));
  chunk_.push_back(kRecordZero);
  put_varint(chunk_, first - chunk_end_);
  put_varint(chunk_, count);
  counts_.runs += 1;
  counts_.zero_blocks += count;
  chunk_end_ = stream_end_ = first + count;
  return Status::ok();
}

Status ChunkWriter::add_run(uint64_t first, std::span<const uint8_t> bytes) {
  const uint32_t bs = header_.block_size();
  uint64_t count = bytes.size() / bs;
  while (count > 0) {
    std::size_t room = header_.chunk_bytes - chunk_.size();
    std::size_t fit = room > kRunHeaderMax + kEndRecordMax
                          ? (room - kRunHeaderMax - kEndRecordMax) / bs : 0;
    if (fit == 0) {
      TUX3_RETURN_IF_ERROR(flush_chunk());
      continue;
    }
    uint64_t n = std::min<uint64_t>(count, fit);
    chunk_.push_back(kRecordRun);
    put_varint(chunk_, first - chunk_end_);
    put_varint(chunk_, n);
    auto piece = bytes.first(n * bs);
    chunk_.insert(chunk_.end(), piece.begin(), piece.end());
    for (uint64_t i = 0; i < n; ++i) {
      auto kind = classify_dump_block(first + i, piece.subspan(i * bs, bs), header_.block_bits);
      ++counts_.by_kind[std::size_t(kind)];
    }
    counts_.runs += 1;
    counts_.blocks += n;
    first += n;
    chunk_end_ = stream_end_ = first;
    bytes = bytes.subspan(n * bs);
    count -= n;
  }
  return Status::ok();
}

Status ChunkWriter::flush_chunk() {
  if (chunk_.empty()) return Status::ok();
  std::vector<uint8_t> full;
  full.reserve(header_.chunk_bytes);
  std::swap(full, chunk_);
  ++counts_.chunks;
  chunk_end_ = 0;
  return compressor_->submit(std::move(full), [this](std::span<const uint8_t> frame) {
    return write_bytes(frame);
  });
}

Status ChunkWriter::finish() {
  chunk_.push_back(kRecordEnd);
  put_varint(chunk_, counts_.runs);
  put_varint(chunk_, counts_.blocks);
  put_varint(chunk_, counts_.zero_blocks);
  TUX3_RETURN_IF_ERROR(flush_chunk());
  TUX3_RETURN_IF_ERROR(compressor_->drain([this](std::span<const uint8_t> frame) {
    return write_bytes(frame);
  }));
  return out_.finish();
}

// ---- Reading ----

ChunkReader::ChunkReader(ByteSource& in, const MetadumpHeader& header)
    : in_(in), chunk_bytes_(header.chunk_bytes), dctx_(ZSTD_createDCtx()) {
  input_.resize(ZSTD_DStreamInSize());
  // A frame cannot ask for a window beyond the largest chunk: memory stays bounded.
  if (dctx_) ZSTD_DCtx_setParameter(dctx_.get(), ZSTD_d_windowLogMax, 26);
  chunk_.resize(std::size_t(chunk_bytes_) + 1);
}

Status ChunkReader::corrupt(const std::string& why) const {
  return Status::corruption(fmt::format("{}: {}", in_.name(), why));
}

Status ChunkReader::fill() {
  if (in_pos_ < in_end_ || eof_) return Status::ok();
  TUX3_ASSIGN_OR_RETURN(std::size_t n, in_.read(input_));
  in_pos_ = 0;
  in_end_ = n;
  if (n == 0) eof_ = true;
  return Status::ok();
}

Result<bool> ChunkReader::at_end() {
  TUX3_RETURN_IF_ERROR(fill());
  return eof_;
}

Result<std::optional<ChunkReader::Chunk>> ChunkReader::next() {
  if (!dctx_) return Status::no_space("zstd: cannot allocate a decompression context");
  TUX3_RETURN_IF_ERROR(fill());
  if (eof_) return std::optional<Chunk>();
  uint64_t frame_offset = consumed_;
  ZSTD_outBuffer out{chunk_.data(), chunk_.size(), 0};
  for (;;) {
    TUX3_RETURN_IF_ERROR(fill());
    if (eof_) {
      return corrupt(fmt::format("truncated: the stream ends inside the compressed frame that "
                                 "starts at byte {}", frame_offset));
    }
    ZSTD_inBuffer in{input_.data(), in_end_, in_pos_};
    size_t left = ZSTD_decompressStream(dctx_.get(), &out, &in);
    consumed_ += in.pos - in_pos_;
    in_pos_ = in.pos;
    if (ZSTD_isError(left)) {
      return corrupt(fmt::format("compressed data damaged in the frame that starts at byte {}: "
                                 "zstd: {}", frame_offset, ZSTD_getErrorName(left)));
    }
    if (out.pos > chunk_bytes_) {
      return corrupt(fmt::format("the frame at byte {} holds more than the header's chunk size "
                                 "of {} bytes", frame_offset, chunk_bytes_));
    }
    if (left == 0) break;
  }
  if (out.pos == 0) return corrupt(fmt::format("the frame at byte {} is empty", frame_offset));
  return std::optional<Chunk>(Chunk{frame_offset, std::span<uint8_t>(chunk_.data(), out.pos)});
}

Status parse_chunk(std::span<const uint8_t> chunk, const MetadumpHeader& header,
                   ChunkParseState& state,
                   const std::function<Status(uint64_t, uint64_t, std::size_t, bool)>& on_run) {
  const uint32_t bs = header.block_size();
  uint64_t chunk_end = 0;
  std::size_t pos = 0;
  while (pos < chunk.size()) {
    std::size_t at = pos;
    if (state.end_seen) return Status::corruption(fmt::format("byte {}: data after END", at));
    uint8_t type = chunk[pos++];
    auto a = get_varint(chunk, pos);
    auto b = a ? get_varint(chunk, pos) : std::nullopt;
    if (!a || !b) {
      return Status::corruption(fmt::format("byte {}: record {:#04x} is cut short or has a "
                                            "malformed number", at, type));
    }
    if (type == kRecordEnd) {
      auto zeros = get_varint(chunk, pos);
      if (!zeros) {
        return Status::corruption(fmt::format("byte {}: END is cut short or has a malformed "
                                              "number", at));
      }
      if (*a != state.runs || *b != state.blocks || *zeros != state.zero_blocks) {
        return Status::corruption(fmt::format(
            "byte {}: END says {} runs, {} blocks and {} zero blocks, the stream holds {}, {} "
            "and {}", at, *a, *b, *zeros, state.runs, state.blocks, state.zero_blocks));
      }
      state.end_seen = true;
      continue;
    }
    if (type != kRecordRun && type != kRecordZero) {
      return Status::corruption(fmt::format("byte {}: unknown record type {:#04x}", at, type));
    }
    uint64_t gap = *a, count = *b;
    if (gap > header.vol_blocks - chunk_end) {
      return Status::corruption(fmt::format("byte {}: run starts beyond the volume's {} blocks",
                                            at, header.vol_blocks));
    }
    uint64_t first = chunk_end + gap;
    if (count == 0 || count > header.vol_blocks - first) {
      return Status::corruption(fmt::format("byte {}: run of {} blocks at block {} does not fit "
                                            "the volume's {} blocks", at, count, first,
                                            header.vol_blocks));
    }
    if (first < state.stream_end) {
      return Status::corruption(fmt::format("byte {}: run at block {} is not after the previous "
                                            "run's end {}", at, first, state.stream_end));
    }
    bool zero = type == kRecordZero;
    if (!zero && count > (chunk.size() - pos) / bs) {
      return Status::corruption(fmt::format("byte {}: run of {} blocks is longer than what is "
                                            "left of its chunk", at, count));
    }
    TUX3_RETURN_IF_ERROR(on_run(first, count, pos, zero));
    if (!zero) pos += count * bs;
    chunk_end = state.stream_end = first + count;
    state.runs += 1;
    (zero ? state.zero_blocks : state.blocks) += count;
  }
  return Status::ok();
}

}  // namespace tux3::image
