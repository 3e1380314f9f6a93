// buffer_pool.h: recycled data-block buffers for the page cache.
//
// A page that is forked or newly cached takes a buffer from here; a buffer whose last
// reference goes (a commit request that completed, an evicted or truncated page, a reader
// letting go of a BlockRef) comes back, up to max_free buffers; beyond that it is freed.
// This keeps the allocator, and the page faults of fresh heap memory, off the write path:
// a hot set forked once per delta otherwise allocates and frees every block of it each
// delta, and those allocations made up most of forking mode's p99 write latency
// (bench/rewrite.sh; RESULTS.md).
//
// Thread-safe: buffers come back from I/O threads and readers. A buffer keeps its pool
// alive, so a BlockRef may outlive the volume.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "fs/commit_plan.h"

namespace tux3 {

class BufferPool : public std::enable_shared_from_this<BufferPool> {
 public:
  static std::shared_ptr<BufferPool> create(std::size_t block_size, std::size_t max_free);

  // A buffer of block_size bytes, all zero.
  std::shared_ptr<BlockBuffer> zeroed();
  // A buffer holding a copy of `from` (which is block_size bytes).
  std::shared_ptr<BlockBuffer> copy_of(const BlockBuffer& from);

  std::size_t free_buffers() const;

 private:
  BufferPool(std::size_t block_size, std::size_t max_free)
      : block_size_(block_size), max_free_(max_free) {}
  // A buffer of block_size bytes with unspecified contents, handed out with a deleter
  // that brings it back.
  std::shared_ptr<BlockBuffer> take();
  void give_back(BlockBuffer* buffer);

  const std::size_t block_size_;
  const std::size_t max_free_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<BlockBuffer>> free_;
};

}  // namespace tux3
