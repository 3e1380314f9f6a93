// metadump_device.cc: a dump file seen as the volume it describes (open_metadump).
//
// Opening reads the whole stream once, verifying it as restore would, and keeps an index:
// for every run, its chunk and its place in the chunk, and for every chunk, where its frame
// is in the file. A read finds the run of each block (binary search) and decompresses the
// chunk holding it again if it is not among the recently used ones; blocks in no run read
// as zeros. Memory: the index, plus at most kCacheBytes of decompressed chunks.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <list>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "image/dump_stream.h"
#include "image/predict.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/metadump.h"

namespace tux3 {

namespace {

constexpr std::size_t kCacheBytes = std::size_t(256) << 20;

class FileCloser {
 public:
  explicit FileCloser(int fd) : fd_(fd) {}
  ~FileCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileCloser(const FileCloser&) = delete;
  FileCloser& operator=(const FileCloser&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

class MetadumpDevice final : public BlockDevice {
 public:
  struct Run {
    uint64_t first, count;
    uint32_t chunk;
    uint32_t offset;  // within the decompressed chunk
  };
  struct Frame {
    uint64_t offset, length;  // in the file
    uint32_t bytes;           // decompressed
    std::size_t first_run = 0, end_run = 0;  // its runs, in runs_
  };

  MetadumpDevice(std::string path, int fd, MetadumpHeader header, std::vector<Run> runs,
                 std::vector<Frame> frames)
      : path_(std::move(path)), fd_(fd), header_(std::move(header)), runs_(std::move(runs)),
        frames_(std::move(frames)), dctx_(ZSTD_createDCtx()) {}
  ~MetadumpDevice() override { ::close(fd_); }

  uint64_t size() const override { return header_.volume_bytes(); }
  Topology topology() const override { return Topology{}; }
  std::string name() const override { return path_; }

 private:
  Status do_read(uint64_t offset, std::span<uint8_t> out) override {
    std::lock_guard lock(mu_);
    const unsigned bits = header_.block_bits;
    const uint64_t bs = header_.block_size();
    while (!out.empty()) {
      uint64_t block = offset >> bits, within = offset & (bs - 1);
      std::size_t n = std::size_t(std::min<uint64_t>(out.size(), bs - within));
      auto it = std::upper_bound(runs_.begin(), runs_.end(), block,
                                 [](uint64_t b, const Run& r) { return b < r.first; });
      if (it != runs_.begin() && block < std::prev(it)->first + std::prev(it)->count) {
        const Run& r = *std::prev(it);
        TUX3_ASSIGN_OR_RETURN(const std::vector<uint8_t>* chunk, chunk_bytes(r.chunk));
        std::memcpy(out.data(), chunk->data() + r.offset + ((block - r.first) << bits) + within,
                    n);
      } else {
        std::memset(out.data(), 0, n);
      }
      offset += n;
      out = out.subspan(n);
    }
    return Status::ok();
  }
  Status do_write(uint64_t, std::span<const uint8_t>, WriteFlags) override {
    return Status::not_supported(fmt::format("{}: a tux3-image dump is read-only", path_));
  }
  Status do_flush() override {
    return Status::not_supported(fmt::format("{}: a tux3-image dump is read-only", path_));
  }
  Status do_discard(uint64_t, uint64_t) override {
    return Status::not_supported(fmt::format("{}: a tux3-image dump is read-only", path_));
  }

  // REQUIRES: mu_ held. The decompressed chunk, from the cache or the file.
  Result<const std::vector<uint8_t>*> chunk_bytes(uint32_t index) {
    if (auto it = cache_.find(index); it != cache_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.second);
      return &it->second.first;
    }
    const Frame& f = frames_[index];
    std::vector<uint8_t> compressed(f.length);
    std::size_t got = 0;
    while (got < compressed.size()) {
      ssize_t n = ::pread(fd_, compressed.data() + got, compressed.size() - got,
                          off_t(f.offset + got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::from_errno(errno, path_);
      if (n == 0) {
        return Status::corruption(fmt::format("{}: the file shrank since it was opened", path_));
      }
      got += std::size_t(n);
    }
    std::vector<uint8_t> bytes(f.bytes);
    size_t r = ZSTD_decompressDCtx(dctx_.get(), bytes.data(), bytes.size(), compressed.data(),
                                   compressed.size());
    if (ZSTD_isError(r) || r != f.bytes) {
      return Status::corruption(fmt::format(
          "{}: the frame at byte {} no longer decompresses as it did when the file was opened",
          path_, f.offset));
    }
    if (header_.flags & kDumpPredicted) {
      const uint32_t bs = header_.block_size();
      const uint64_t first_data = format::first_data_block(header_.block_bits);
      for (std::size_t i = f.first_run; i < f.end_run; ++i) {
        const Run& run = runs_[i];
        for (uint64_t b = 0; b < run.count; ++b) {
          image::predict_decode(std::span<uint8_t>(bytes).subspan(run.offset + b * bs, bs),
                                run.first + b, first_data, header_.hash_seed);
        }
      }
    }
    while (cached_bytes_ + bytes.size() > kCacheBytes && !lru_.empty()) {
      auto victim = cache_.find(lru_.back());
      cached_bytes_ -= victim->second.first.size();
      cache_.erase(victim);
      lru_.pop_back();
    }
    cached_bytes_ += bytes.size();
    lru_.push_front(index);
    auto [it, inserted] = cache_.emplace(index, std::make_pair(std::move(bytes), lru_.begin()));
    return &it->second.first;
  }

  std::string path_;
  int fd_;
  MetadumpHeader header_;
  std::vector<Run> runs_;
  std::vector<Frame> frames_;
  std::mutex mu_;
  std::unique_ptr<ZSTD_DCtx, image::DctxFree> dctx_;
  std::unordered_map<uint32_t, std::pair<std::vector<uint8_t>, std::list<uint32_t>::iterator>>
      cache_;
  std::list<uint32_t> lru_;  // most recently used first
  std::size_t cached_bytes_ = 0;
};

}  // namespace

bool is_metadump(std::span<const uint8_t> head) {
  return head.size() >= kMetadumpMagicSize &&
         std::memcmp(head.data(), "TUX3DUMP", kMetadumpMagicSize) == 0;
}

Result<std::unique_ptr<BlockDevice>> open_metadump(const std::string& path) {
  if (path == "-") {
    return Status::invalid_argument("a dump is opened by its path, not from standard input");
  }
  FileCloser fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Status::from_errno(errno, path);
  auto source = fd_source(fd.get(), path);
  TUX3_ASSIGN_OR_RETURN(auto reader, MetadumpReader::open(*source));
  MetadumpHeader header = reader->header();
  reader.reset();  // the header is read; the frames are indexed below
  if (::lseek(fd.get(), off_t(kMetadumpHeaderSize), SEEK_SET) < 0) {
    return Status::from_errno(errno, path);
  }

  std::vector<MetadumpDevice::Run> runs;
  std::vector<MetadumpDevice::Frame> frames;
  image::ChunkReader chunks(*source, header);
  image::ChunkParseState state;
  while (!state.end_seen) {
    TUX3_ASSIGN_OR_RETURN(auto chunk, chunks.next());
    if (!chunk) break;
    if (frames.size() >= UINT32_MAX) {
      return Status::not_supported(fmt::format("{}: more frames than a dump may have", path));
    }
    uint32_t index = uint32_t(frames.size());
    frames.push_back({chunk->offset, chunks.offset() - chunk->offset,
                      uint32_t(chunk->bytes.size()), runs.size(), 0});
    Status s = image::parse_chunk(chunk->bytes, header, state,
                                  [&](uint64_t first, uint64_t count, std::size_t offset,
                                      bool zero) {
                                    // Zero blocks read as zeros as every block not held does.
                                    if (!zero) {
                                      runs.push_back({first, count, index, uint32_t(offset)});
                                    }
                                    return Status::ok();
                                  });
    if (!s) {
      return std::move(s).with_context(
          fmt::format("{}: chunk in the frame at byte {}", path, chunk->offset));
    }
    frames.back().end_run = runs.size();
  }
  if (!state.end_seen) {
    return Status::corruption(fmt::format(
        "{}: truncated: the stream ends after {} bytes, before its END record", path,
        chunks.offset()));
  }
  TUX3_ASSIGN_OR_RETURN(bool end, chunks.at_end());
  if (!end) {
    return Status::corruption(fmt::format("{}: data follows the end of the dump at byte {}",
                                          path, chunks.offset()));
  }
  return std::unique_ptr<BlockDevice>(
      new MetadumpDevice(path, fd.release(), std::move(header), std::move(runs),
                         std::move(frames)));
}

}  // namespace tux3
