// dump_writer.cc: write_metadump: the header, then the blocks a dump holds, in ascending
// order, through the chunk writer.
//
//   metadata: collect (collect.cc), then read the blocks run by run, many runs per call
//             (read_many), mask what is named as structure but is not (see BlockRole);
//   data:     every block of the volume, in 1 MiB reads (holes of a sparse image file
//             skipped with SEEK_DATA);
//   scramble: replay into a copy-on-write overlay, collect the replayed state, and store
//             the scrambler's rewritten blocks in place of the originals (scramble.h).
// Blocks that are all zeros are left out in every mode: they read as zeros anyway.
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "image/collect.h"
#include "image/dump_stream.h"
#include "image/predict.h"
#include "image/scramble.h"
#include "tuxdisk/bytes.h"
#include "tuxdisk/endian.h"
#include "tuxdisk/file_device.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/metadump.h"
#include "tuxdisk/overlay_device.h"
#include "tuxdisk/replay.h"
#include "tuxdisk/superblock_io.h"

namespace tux3 {

using namespace format;

namespace {

constexpr std::size_t kReadBytes = std::size_t(1) << 20;  // per read_many batch / data read
constexpr std::size_t kReadRuns = 64;                     // runs per read_many batch

bool has_tux3_magic(std::span<const uint8_t> block) {
  switch (load_be32(block.data())) {
    case kMagicSuper: case kMagicBnode: case kMagicIleaf: case kMagicXleaf: case kMagicDleaf:
    case kMagicOleaf: case kMagicBitmap: case kMagicLog: case kMagicStream:
      return true;
    default:
      return false;
  }
}

// Joins consecutive blocks into runs for the chunk writer: blocks of zeros into ZERO runs
// (list_zeros: a metadata dump) or nowhere (a data dump: free space), the rest, filtered
// (predict.h), into RUNs.
class RunBuilder {
 public:
  RunBuilder(image::ChunkWriter& writer, const MetadumpHeader& h, bool list_zeros)
      : writer_(writer), block_size_(h.block_size()), list_zeros_(list_zeros),
        first_data_(first_data_block(h.block_bits)), hash_seed_(h.hash_seed),
        predict_(h.flags & kDumpPredicted) {}

  Status add(uint64_t block, std::span<const uint8_t> bytes) {
    if (all_zero(bytes)) {
      TUX3_RETURN_IF_ERROR(flush_bytes());
      if (!list_zeros_) return Status::ok();
      if (zeros_ && zero_first_ + zeros_ != block) TUX3_RETURN_IF_ERROR(flush_zeros());
      if (!zeros_) zero_first_ = block;
      ++zeros_;
      return Status::ok();
    }
    TUX3_RETURN_IF_ERROR(flush_zeros());
    if (!bytes_.empty() && (first_ + count() != block || bytes_.size() >= kReadBytes)) {
      TUX3_RETURN_IF_ERROR(flush_bytes());
    }
    if (bytes_.empty()) first_ = block;
    bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
    if (predict_) {
      image::predict_encode(std::span<uint8_t>(bytes_).last(block_size_), block, first_data_,
                            hash_seed_);
    }
    return Status::ok();
  }
  Status flush() {
    TUX3_RETURN_IF_ERROR(flush_bytes());
    return flush_zeros();
  }

 private:
  Status flush_bytes() {
    if (bytes_.empty()) return Status::ok();
    Status s = writer_.add_run(first_, bytes_);
    bytes_.clear();
    return s;
  }
  Status flush_zeros() {
    if (!zeros_) return Status::ok();
    Status s = writer_.add_zero_run(zero_first_, zeros_);
    zeros_ = 0;
    return s;
  }
  uint64_t count() const { return bytes_.size() / block_size_; }
  image::ChunkWriter& writer_;
  uint32_t block_size_;
  bool list_zeros_;
  uint64_t first_data_, hash_seed_;
  bool predict_;
  uint64_t first_ = 0;
  std::vector<uint8_t> bytes_;
  uint64_t zero_first_ = 0, zeros_ = 0;
};

void report_progress(const DumpOptions& o, DumpProgress::Phase phase, uint64_t done,
                     uint64_t total) {
  if (o.progress) o.progress(DumpProgress{phase, done, total});
}

// The planned blocks, read in batches of runs; `replaced` (scramble) stands in for blocks.
Status write_planned(BlockDevice& dev, const MetadumpHeader& h,
                     const std::vector<image::PlannedBlock>& blocks,
                     const std::map<uint64_t, std::vector<uint8_t>>& replaced,
                     const DumpOptions& o, RunBuilder& out) {
  const uint32_t bs = h.block_size();
  std::size_t i = 0, done = 0;
  std::vector<uint8_t> buffer(kReadBytes + bs);
  while (i < blocks.size()) {
    // A batch: up to kReadRuns runs of consecutive blocks, at most kReadBytes in all.
    std::vector<ReadRequest> requests;
    std::vector<std::size_t> first_index;
    std::size_t used = 0, j = i;
    while (j < blocks.size() && requests.size() < kReadRuns && used + bs <= buffer.size()) {
      std::size_t k = j + 1;
      while (k < blocks.size() && blocks[k].block == blocks[k - 1].block + 1 &&
             used + (k - j + 1) * bs <= buffer.size()) {
        ++k;
      }
      requests.push_back({blocks[j].block << h.block_bits,
                          std::span<uint8_t>(buffer.data() + used, (k - j) * bs), {}});
      first_index.push_back(j);
      used += (k - j) * bs;
      j = k;
    }
    dev.read_many(requests);
    for (std::size_t r = 0; r < requests.size(); ++r) {
      if (!requests[r].status) {
        return std::move(requests[r].status)
            .with_context(fmt::format("{}: block {}", dev.name(), blocks[first_index[r]].block));
      }
      std::size_t n = requests[r].out.size() / bs;
      for (std::size_t b = 0; b < n; ++b) {
        const image::PlannedBlock& p = blocks[first_index[r] + b];
        std::span<uint8_t> bytes = requests[r].out.subspan(b * bs, bs);
        if (auto it = replaced.find(p.block); it != replaced.end()) {
          std::memcpy(bytes.data(), it->second.data(), bs);
        } else if (p.role == image::BlockRole::kStructure && !has_tux3_magic(bytes)) {
          std::memset(bytes.data() + 4, 0, bs - 4);
        }
        TUX3_RETURN_IF_ERROR(out.add(p.block, bytes));
      }
    }
    done += j - i;
    i = j;
    report_progress(o, DumpProgress::Phase::kWrite, done, blocks.size());
  }
  return out.flush();
}

// Where the next data at or after `offset` is in a sparse image file (offset itself when
// the device cannot say).
uint64_t next_data(BlockDevice& dev, uint64_t offset, uint64_t end) {
  auto* file = dynamic_cast<FileDevice*>(&dev);
  if (!file || dev.topology().is_block_device) return offset;
  off_t at = ::lseek(file->fd(), off_t(offset), SEEK_DATA);
  if (at < 0) return errno == ENXIO ? end : offset;
  return std::min<uint64_t>(uint64_t(at), end);
}

Status write_everything(BlockDevice& dev, const MetadumpHeader& h, const DumpOptions& o,
                        RunBuilder& out) {
  const uint32_t bs = h.block_size();
  const uint64_t end = h.volume_bytes();
  std::vector<uint8_t> buffer(kReadBytes);
  uint64_t pos = 0;
  while (pos < end) {
    uint64_t data = next_data(dev, pos, end) & ~uint64_t(bs - 1);
    if (data > pos) pos = data;
    if (pos >= end) break;
    std::size_t n = std::size_t(std::min<uint64_t>(kReadBytes, end - pos));
    std::span<uint8_t> bytes(buffer.data(), n);
    Status s = dev.read(pos, bytes);
    if (!s) return std::move(s).with_context(fmt::format("{}: block {}", dev.name(), pos / bs));
    for (std::size_t b = 0; b < n / bs; ++b) {
      TUX3_RETURN_IF_ERROR(out.add((pos >> h.block_bits) + b, bytes.subspan(b * bs, bs)));
    }
    pos += n;
    report_progress(o, DumpProgress::Phase::kWrite, pos >> h.block_bits, h.vol_blocks);
  }
  return out.flush();
}

MetadumpHeader header_for(const Superblock& sb, const BlockDevice& dev, const DumpOptions& o) {
  MetadumpHeader h;
  h.flags = (o.data ? kDumpData : 0) | (o.scramble ? kDumpScrambled | kDumpReplayed : 0) |
            kDumpPredicted;
  h.block_bits = sb.block_bits;
  h.volume_version = sb.version;
  h.chunk_bytes = image::kChunkBytes;
  h.vol_blocks = sb.vol_blocks;
  h.device_bytes = dev.size();
  h.uuid = sb.uuid;
  h.delta = sb.delta;
  h.hash_seed = sb.hash_seed;
  h.created_sec = o.created_sec;
  h.label = sb.label;
  h.producer = o.producer;
  return h;
}

}  // namespace

Result<DumpReport> write_metadump(BlockDevice& source, const DumpOptions& o, ByteSink& sink) {
  if (o.previous_cycle && (o.data || o.scramble)) {
    return Status::invalid_argument("the previous cycle is only for a metadata dump");
  }
  if (o.data && o.scramble) {
    return Status::invalid_argument("a dump with data cannot be scrambled: the data would "
                                    "still be there");
  }
  if (o.level < 1 || o.level > ZSTD_maxCLevel()) {
    return Status::invalid_argument(fmt::format("compression level {} is outside 1..{}",
                                                o.level, ZSTD_maxCLevel()));
  }
  TUX3_ASSIGN_OR_RETURN(SlotPair slots, read_superblock(source));
  DumpReport report;

  // A scrambled dump is of the state replay leaves, written into an overlay, never to the
  // source: names are rewritten in whole trees, which only the replayed state has on disk.
  std::unique_ptr<OverlayDevice> overlay;
  BlockDevice* dev = &source;
  std::map<uint64_t, std::vector<uint8_t>> replaced;
  if (o.scramble) {
    overlay = std::make_unique<OverlayDevice>(source);
    ReplayOptions replay;
    replay.engine.clock = [t = o.created_sec] { return Timestamp{t, 0}; };  // reproducible
    TUX3_ASSIGN_OR_RETURN(ReplayReport replayed, replay_volume(*overlay, replay));
    if (replayed.damage) {
      return Status::corruption(fmt::format("{}: cannot scramble: replay stops at delta {}: {}",
                                            source.name(), replayed.damage->delta,
                                            replayed.damage->reason));
    }
    dev = overlay.get();
    TUX3_ASSIGN_OR_RETURN(slots, read_superblock(*dev));
  }
  const Superblock& sb = *slots.slots[*slots.chosen];
  report.header = header_for(sb, source, o);

  image::Collected collected;
  if (!o.data) {
    image::CollectOptions co;
    co.history = !o.scramble;
    co.previous_cycle = o.previous_cycle;
    co.progress = [&](uint64_t found) {
      report_progress(o, DumpProgress::Phase::kScan, found, 0);
    };
    TUX3_ASSIGN_OR_RETURN(collected, image::collect_metadata(*dev, co));
    report.metadata_blocks = collected.blocks.size();
    report.problems = std::move(collected.problems);
  }
  if (o.scramble) {
    TUX3_ASSIGN_OR_RETURN(image::Scrambled scrambled, image::scramble_volume(*dev, o.scramble_key));
    replaced = std::move(scrambled.blocks);
    report.header.label = scrambled.label;
    report.scrambled = {scrambled.entries, scrambled.directories, scrambled.resalted,
                        scrambled.xattrs, scrambled.symlinks};
    // Every rewritten block is one the walk found; keep the plan whole if one is not.
    for (const auto& [block, bytes] : replaced) {
      auto at = std::lower_bound(
          collected.blocks.begin(), collected.blocks.end(), block,
          [](const image::PlannedBlock& p, uint64_t b) { return p.block < b; });
      if (at == collected.blocks.end() || at->block != block) {
        collected.blocks.insert(at, {block, image::BlockRole::kContent});
      }
    }
  }

  unsigned threads = o.threads;
  if (threads == 0) threads = std::min(4u, std::max(1u, std::thread::hardware_concurrency()));
  TUX3_ASSIGN_OR_RETURN(auto writer,
                        image::ChunkWriter::open(sink, report.header, o.level, threads));
  RunBuilder runs(*writer, report.header, !o.data);
  if (o.data) {
    TUX3_RETURN_IF_ERROR(write_everything(*dev, report.header, o, runs));
  } else {
    TUX3_RETURN_IF_ERROR(write_planned(*dev, report.header, collected.blocks, replaced, o, runs));
  }
  TUX3_RETURN_IF_ERROR(writer->finish());
  report.counts = writer->counts();
  return report;
}

}  // namespace tux3
