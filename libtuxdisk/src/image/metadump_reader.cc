// metadump_reader.cc: reading a dump stream from start to end, and restoring it.
#include <algorithm>
#include <deque>

#include <fmt/format.h>

#include "image/dump_stream.h"
#include "image/predict.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/metadump.h"

namespace tux3 {

namespace {

// Reads exactly out.size() bytes unless the stream ends first; returns how many it read.
Result<std::size_t> read_full(ByteSource& in, std::span<uint8_t> out) {
  std::size_t got = 0;
  while (got < out.size()) {
    TUX3_ASSIGN_OR_RETURN(std::size_t n, in.read(out.subspan(got)));
    if (n == 0) break;
    got += n;
  }
  return got;
}

class StreamReader final : public MetadumpReader {
 public:
  StreamReader(ByteSource& in, MetadumpHeader header)
      : in_(in), header_(std::move(header)), chunks_(in, header_) {
    counts_.stream_bytes = kMetadumpHeaderSize;
  }

  const MetadumpHeader& header() const override { return header_; }
  const DumpCounts& counts() const override { return counts_; }

  Result<std::optional<MetadumpRun>> next() override {
    while (pending_.empty()) {
      if (done_) return std::optional<MetadumpRun>();
      if (state_.end_seen) {
        TUX3_ASSIGN_OR_RETURN(bool end, chunks_.at_end());
        if (!end) {
          return Status::corruption(fmt::format("{}: data follows the end of the dump at byte {}",
                                                in_.name(), chunks_.offset()));
        }
        done_ = true;
        continue;
      }
      TUX3_ASSIGN_OR_RETURN(auto chunk, chunks_.next());
      counts_.stream_bytes = chunks_.offset();
      if (!chunk) {
        return Status::corruption(fmt::format(
            "{}: truncated: the stream ends after {} bytes, before its END record", in_.name(),
            chunks_.offset()));
      }
      bytes_ = chunk->bytes;
      ++counts_.chunks;
      Status s = image::parse_chunk(bytes_, header_, state_,
                                    [&](uint64_t first, uint64_t count, std::size_t offset,
                                        bool zero) {
                                      pending_.push_back({first, count, offset, zero});
                                      return Status::ok();
                                    });
      if (!s) {
        return std::move(s).with_context(
            fmt::format("{}: chunk in the frame at byte {}", in_.name(), chunk->offset));
      }
    }
    Pending p = pending_.front();
    pending_.pop_front();
    counts_.runs += 1;
    if (p.zero) {
      counts_.zero_blocks += p.count;
      return std::optional<MetadumpRun>(MetadumpRun{p.first, p.count, {}, true});
    }
    const uint32_t bs = header_.block_size();
    std::span<uint8_t> bytes = bytes_.subspan(p.offset, p.count * bs);
    const uint64_t first_data = format::first_data_block(header_.block_bits);
    for (uint64_t i = 0; i < p.count; ++i) {
      std::span<uint8_t> block = bytes.subspan(i * bs, bs);
      if (header_.flags & kDumpPredicted) {
        image::predict_decode(block, p.first + i, first_data, header_.hash_seed);
      }
      ++counts_.by_kind[std::size_t(classify_dump_block(p.first + i, block, header_.block_bits))];
    }
    MetadumpRun run{p.first, p.count, bytes};
    counts_.blocks += p.count;
    return std::optional<MetadumpRun>(run);
  }

 private:
  struct Pending {
    uint64_t first, count;
    std::size_t offset;
    bool zero;
  };
  ByteSource& in_;
  MetadumpHeader header_;
  image::ChunkReader chunks_;
  image::ChunkParseState state_;
  std::span<uint8_t> bytes_;  // the current chunk
  std::deque<Pending> pending_;
  DumpCounts counts_;
  bool done_ = false;
};

}  // namespace

Result<std::unique_ptr<MetadumpReader>> MetadumpReader::open(ByteSource& in) {
  std::array<uint8_t, kMetadumpHeaderSize> bytes{};
  TUX3_ASSIGN_OR_RETURN(std::size_t got, read_full(in, bytes));
  TUX3_ASSIGN_OR_RETURN(MetadumpHeader header,
                        image::decode_dump_header(std::span(bytes).first(got), in.name()));
  return std::unique_ptr<MetadumpReader>(new StreamReader(in, std::move(header)));
}

Status restore_metadump(MetadumpReader& reader, BlockDevice& target, RestoreTarget kind,
                        const std::function<void(uint64_t, uint64_t)>& progress) {
  const MetadumpHeader& h = reader.header();
  if (target.size() < h.volume_bytes()) {
    return Status::invalid_argument(fmt::format(
        "{}: {} bytes is smaller than the volume's {} bytes", target.name(), target.size(),
        h.volume_bytes()));
  }
  const unsigned bits = h.block_bits;
  std::vector<uint8_t> zeros;
  auto write_zeros = [&](uint64_t from, uint64_t to) -> Status {
    if (zeros.empty()) zeros.resize(std::size_t(1) << 20);
    uint64_t pos = from << bits, end = to << bits;
    while (pos < end) {
      uint64_t n = std::min<uint64_t>(zeros.size(), end - pos);
      TUX3_RETURN_IF_ERROR(target.write(pos, std::span<const uint8_t>(zeros.data(), n)));
      pos += n;
    }
    return Status::ok();
  };
  const bool zero_gaps = kind == RestoreTarget::kZeroedDevice;
  uint64_t next_block = 0;
  for (;;) {
    TUX3_ASSIGN_OR_RETURN(auto run, reader.next());
    if (!run) break;
    if (zero_gaps) TUX3_RETURN_IF_ERROR(write_zeros(next_block, run->first));
    if (!run->zero) {
      TUX3_RETURN_IF_ERROR(target.write(run->first << bits, run->bytes));
    } else if (kind != RestoreTarget::kSparseFile) {
      TUX3_RETURN_IF_ERROR(write_zeros(run->first, run->first + run->count));
    }
    next_block = run->first + run->count;
    if (progress) progress(next_block, h.vol_blocks);
  }
  if (zero_gaps) TUX3_RETURN_IF_ERROR(write_zeros(next_block, h.vol_blocks));
  if (progress) progress(h.vol_blocks, h.vol_blocks);
  return target.flush();
}

}  // namespace tux3
