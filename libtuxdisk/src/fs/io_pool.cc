// io_pool.cc: the block write pool (see io_pool.h).
#include "fs/io_pool.h"

#include <algorithm>
#include <cstring>

namespace tux3 {

IoPool::IoPool(BlockDevice& device, unsigned threads) : device_(device) {
  for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { worker(); });
}

IoPool::~IoPool() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

Status IoPool::write_one(const PlannedWrite& w, uint32_t block_bits) {
  uint64_t offset = w.block << block_bits;
  if (w.buffers.size() == 1) return device_.write(offset, *w.buffers[0]);
  // A run of blocks: one request, gathered here (on an I/O thread, not the frontend's).
  std::size_t bs = std::size_t(1) << block_bits;
  std::vector<uint8_t> run(w.buffers.size() * bs);
  for (std::size_t i = 0; i < w.buffers.size(); ++i) {
    std::memcpy(run.data() + i * bs, w.buffers[i]->data(), bs);
  }
  return device_.write(offset, run);
}

Status IoPool::write(std::span<const PlannedWrite> writes, uint32_t block_bits, uint64_t& peak,
                     const OnWritten& on_written) {
  if (threads_.empty()) {
    for (std::size_t i = 0; i < writes.size(); ++i) {
      TUX3_RETURN_IF_ERROR(write_one(writes[i], block_bits));
      if (on_written) on_written(i);
    }
    peak = std::max<uint64_t>(peak, writes.empty() ? 0 : 1);
    return Status::ok();
  }
  std::unique_lock lock(mu_);
  block_bits_ = block_bits;
  batch_ = writes;
  on_written_ = on_written ? &on_written : nullptr;
  first_error_ = Status::ok();
  peak_ = 0;
  for (std::size_t i = 0; i < writes.size(); ++i) queue_.push_back(i);
  pending_ = writes.size();
  work_cv_.notify_all();
  done_cv_.wait(lock, [&] { return pending_ == 0; });
  batch_ = {};
  on_written_ = nullptr;
  peak = std::max(peak, peak_);
  return first_error_;
}

void IoPool::worker() {
  std::unique_lock lock(mu_);
  while (true) {
    work_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    std::size_t index = queue_.front();
    queue_.pop_front();
    ++running_;
    peak_ = std::max<uint64_t>(peak_, running_);
    const PlannedWrite& w = batch_[index];
    const OnWritten* on_written = on_written_;
    uint32_t bits = block_bits_;
    bool skip = !first_error_.is_ok();
    lock.unlock();
    Status s = skip ? Status::ok() : write_one(w, bits);
    if (s && !skip && on_written) (*on_written)(index);
    lock.lock();
    --running_;
    if (!s && first_error_.is_ok()) first_error_ = s;
    if (--pending_ == 0) done_cv_.notify_all();
  }
}

}  // namespace tux3
