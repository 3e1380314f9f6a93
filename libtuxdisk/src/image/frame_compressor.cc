// frame_compressor.cc: parallel, ordered compression of the dump's chunks (frame_compressor.h).
#include "image/frame_compressor.h"

#include <zstd.h>

#include <fmt/format.h>

namespace tux3::image {

namespace {

Status zstd_error(size_t code) {
  return Status::invalid_argument(fmt::format("zstd: {}", ZSTD_getErrorName(code)));
}

}  // namespace

Result<Cctx> make_cctx(int level) {
  Cctx cctx(ZSTD_createCCtx());
  if (!cctx) return Status::no_space("zstd: cannot allocate a compression context");
  size_t r = ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, level);
  if (!ZSTD_isError(r)) r = ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_checksumFlag, 1);
  if (ZSTD_isError(r)) return zstd_error(r);
  return cctx;
}

Status compress_frame(ZSTD_CCtx* c, std::span<const uint8_t> chunk, std::vector<uint8_t>& frame) {
  ZSTD_CCtx_reset(c, ZSTD_reset_session_only);
  ZSTD_CCtx_setPledgedSrcSize(c, chunk.size());
  frame.resize(ZSTD_compressBound(chunk.size()));
  ZSTD_inBuffer in{chunk.data(), chunk.size(), 0};
  ZSTD_outBuffer out{frame.data(), frame.size(), 0};
  size_t left = ZSTD_compressStream2(c, &out, &in, ZSTD_e_end);
  if (ZSTD_isError(left)) return zstd_error(left);
  if (left != 0) return Status::io_error("zstd: a frame did not fit its compression bound");
  frame.resize(out.pos);
  return Status::ok();
}

Result<std::unique_ptr<FrameCompressor>> FrameCompressor::open(int level, unsigned threads) {
  if (level < 1 || level > ZSTD_maxCLevel()) {
    return Status::invalid_argument(
        fmt::format("compression level {} is outside 1..{}", level, ZSTD_maxCLevel()));
  }
  std::unique_ptr<FrameCompressor> c(new FrameCompressor(level));
  TUX3_ASSIGN_OR_RETURN(c->inline_cctx_, make_cctx(level));
  if (threads > 1) {
    for (unsigned i = 0; i < threads; ++i) c->workers_.emplace_back([p = c.get()] { p->work(); });
  }
  return c;
}

FrameCompressor::~FrameCompressor() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void FrameCompressor::work() {
  auto cctx = make_cctx(level_);
  std::unique_lock lock(mu_);
  for (;;) {
    Job* job = nullptr;
    work_cv_.wait(lock, [&] {
      if (stop_) return true;
      for (auto& j : jobs_) {
        if (!j->taken) {
          job = j.get();
          return true;
        }
      }
      return false;
    });
    if (stop_) return;
    job->taken = true;
    lock.unlock();
    Status s = cctx ? compress_frame(cctx->get(), job->input, job->output) : cctx.status();
    lock.lock();
    job->status = std::move(s);
    job->done = true;
    done_cv_.notify_all();
  }
}

Status FrameCompressor::emit_oldest(std::unique_lock<std::mutex>& lock, const Emit& emit) {
  done_cv_.wait(lock, [&] { return jobs_.front()->done; });
  std::unique_ptr<Job> job = std::move(jobs_.front());
  jobs_.pop_front();
  lock.unlock();
  Status s = job->status.is_ok() ? emit(job->output) : job->status;
  lock.lock();
  return s;
}

Status FrameCompressor::submit(std::vector<uint8_t> chunk, const Emit& emit) {
  if (workers_.empty()) {
    TUX3_RETURN_IF_ERROR(compress_frame(inline_cctx_.get(), chunk, inline_frame_));
    return emit(inline_frame_);
  }
  std::unique_lock lock(mu_);
  auto job = std::make_unique<Job>();
  job->input = std::move(chunk);
  jobs_.push_back(std::move(job));
  work_cv_.notify_one();
  while (jobs_.size() > 2 * workers_.size() || (!jobs_.empty() && jobs_.front()->done)) {
    TUX3_RETURN_IF_ERROR(emit_oldest(lock, emit));
  }
  return Status::ok();
}

Status FrameCompressor::drain(const Emit& emit) {
  std::unique_lock lock(mu_);
  while (!jobs_.empty()) TUX3_RETURN_IF_ERROR(emit_oldest(lock, emit));
  return Status::ok();
}

}  // namespace tux3::image
