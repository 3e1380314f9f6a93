// frame_compressor.h: chunks compressed into zstd frames on worker threads, handed back in
// the order they were given (the dump's chunks are independent frames, so they compress in
// parallel; the stream still has them in order).
//
// Contract: one thread calls submit and drain (the workers are internal); emit is called on
// that thread, in submission order, with each frame (content size and checksum in its
// header). At most 2 × threads chunks are in flight: submit waits for the oldest then.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include <zstd.h>

#include "tuxdisk/status.h"

namespace tux3::image {

struct CctxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
using Cctx = std::unique_ptr<ZSTD_CCtx, CctxFree>;
// A compression context at `level`, with frame checksums on.
Result<Cctx> make_cctx(int level);
// Compresses one chunk into one zstd frame (content size and checksum in its header).
Status compress_frame(ZSTD_CCtx* cctx, std::span<const uint8_t> chunk,
                      std::vector<uint8_t>& frame);

class FrameCompressor {
 public:
  using Emit = std::function<Status(std::span<const uint8_t> frame)>;

  // threads 0 or 1: compress on the caller's thread. InvalidArgument for a bad level.
  static Result<std::unique_ptr<FrameCompressor>> open(int level, unsigned threads);
  ~FrameCompressor();  // stops and joins the workers (queued chunks are dropped)
  FrameCompressor(const FrameCompressor&) = delete;
  FrameCompressor& operator=(const FrameCompressor&) = delete;

  Status submit(std::vector<uint8_t> chunk, const Emit& emit);
  // Waits for every chunk submitted and emits the frames left.
  Status drain(const Emit& emit);

 private:
  struct Job {
    std::vector<uint8_t> input, output;
    Status status;
    bool taken = false, done = false;
  };
  explicit FrameCompressor(int level) : level_(level) {}
  void work();
  // Emits the oldest job's frame once it is done. REQUIRES: jobs_ not empty; lock held
  // (released while emitting).
  Status emit_oldest(std::unique_lock<std::mutex>& lock, const Emit& emit);

  int level_;
  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<std::unique_ptr<Job>> jobs_;  // submission order
  bool stop_ = false;
  std::vector<std::thread> workers_;
  Cctx inline_cctx_;                   // no workers: the caller's thread compresses
  std::vector<uint8_t> inline_frame_;
};

}  // namespace tux3::image
