// allocator.h: the volume's block allocation bitmap, in memory.
//
// Bitmap blocks are read lazily (a hole in the bitmap file reads as all free) and keep their
// changes until the next unify writes them. The allocator itself knows nothing of deltas:
// the engine decides when a freed block may be cleared (after the freeing delta, or after
// the next unify, is durable).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "tuxdisk/status.h"

namespace tux3 {

class Allocator {
 public:
  // Reads bitmap block `index`: its bits (block size - 56 bytes), or nullopt for a hole.
  using Loader = std::function<Result<std::optional<std::vector<uint8_t>>>(uint64_t index)>;

  Allocator(uint64_t vol_blocks, uint32_t block_size, uint64_t free_blocks, Loader loader);

  uint64_t vol_blocks() const { return vol_blocks_; }
  // Replay applies records to the bits without changing the free count (the superblock's
  // count already describes the replayed state).
  void set_counting(bool counting) { counting_ = counting; }
  uint64_t free_blocks() const { return free_; }
  uint64_t bits_per_block() const { return bits_per_block_; }

  Result<bool> is_allocated(uint64_t block);
  // Marks [block, block+count) allocated. Corruption if any is already allocated, unless
  // tolerate_set (replay of blocks a unify may already have recorded).
  Status mark(uint64_t block, uint64_t count, bool tolerate_set = false);
  // Marks [block, block+count) free. Corruption if any is already free.
  Status release(uint64_t block, uint64_t count);

  // Allocates up to `want` contiguous blocks, searching from `goal` and wrapping around.
  // Returns {first, count}; NoSpace when no block is free.
  Result<std::pair<uint64_t, uint32_t>> allocate(uint64_t goal, uint32_t want);

  // Bitmap blocks changed since they were last written (indexes), and their bits.
  const std::set<uint64_t>& dirty() const { return dirty_; }
  // Every bitmap block the volume needs is to be written (a bitmap rebuilt by repair).
  void mark_all_dirty();
  Result<std::vector<uint8_t>*> bits(uint64_t index);
  void mark_written(uint64_t index) { dirty_.erase(index); }

 private:
  Result<std::vector<uint8_t>*> load(uint64_t index);
  // The first free block in [from, to), or nullopt.
  Result<std::optional<uint64_t>> find_free(uint64_t from, uint64_t to);

  uint64_t vol_blocks_;
  uint64_t bits_per_block_;
  std::size_t bytes_per_block_;
  uint64_t free_;
  bool counting_ = true;
  Loader loader_;
  std::map<uint64_t, std::vector<uint8_t>> blocks_;
  std::set<uint64_t> dirty_;
};

}  // namespace tux3
