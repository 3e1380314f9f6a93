// buffer_pool.cc: recycled data-block buffers (see buffer_pool.h).
#include "fs/buffer_pool.h"

#include <algorithm>
#include <cstring>

namespace tux3 {

std::shared_ptr<BufferPool> BufferPool::create(std::size_t block_size, std::size_t max_free) {
  return std::shared_ptr<BufferPool>(new BufferPool(block_size, max_free));
}

std::shared_ptr<BlockBuffer> BufferPool::take() {
  std::unique_ptr<BlockBuffer> buffer;
  {
    std::lock_guard lock(mu_);
    if (!free_.empty()) {
      buffer = std::move(free_.back());
      free_.pop_back();
    }
  }
  if (!buffer) buffer = std::make_unique<BlockBuffer>(block_size_);
  return std::shared_ptr<BlockBuffer>(buffer.release(),
                                      [pool = shared_from_this()](BlockBuffer* b) {
                                        pool->give_back(b);
                                      });
}

void BufferPool::give_back(BlockBuffer* buffer) {
  std::unique_ptr<BlockBuffer> owned(buffer);
  // A buffer someone resized is not reused (a page's buffer never is).
  if (owned->size() != block_size_) return;
  std::lock_guard lock(mu_);
  if (free_.size() < max_free_) free_.push_back(std::move(owned));
}

std::shared_ptr<BlockBuffer> BufferPool::zeroed() {
  auto buffer = take();
  std::fill(buffer->begin(), buffer->end(), uint8_t(0));
  return buffer;
}

std::shared_ptr<BlockBuffer> BufferPool::copy_of(const BlockBuffer& from) {
  auto buffer = take();
  std::memcpy(buffer->data(), from.data(), std::min(from.size(), buffer->size()));
  return buffer;
}

std::size_t BufferPool::free_buffers() const {
  std::lock_guard lock(mu_);
  return free_.size();
}

}  // namespace tux3
