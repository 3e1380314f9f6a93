// allocator.cc: bitmap search and updates.
#include "fs/allocator.h"

#include <bit>
#include <cstring>

#include <fmt/format.h>

#include "tuxdisk/format/bitmap.h"

namespace tux3 {

Allocator::Allocator(uint64_t vol_blocks, uint32_t block_size, uint64_t free_blocks,
                     Loader loader)
    : vol_blocks_(vol_blocks),
      bits_per_block_(format::bits_per_bitmap_block(block_size)),
      bytes_per_block_(block_size - format::BitmapLayout::kBitsOffset),
      free_(free_blocks),
      loader_(std::move(loader)) {}

Result<std::vector<uint8_t>*> Allocator::load(uint64_t index) {
  auto it = blocks_.find(index);
  if (it != blocks_.end()) return &it->second;
  TUX3_ASSIGN_OR_RETURN(auto bits, loader_(index));
  std::vector<uint8_t> v = bits ? std::move(*bits) : std::vector<uint8_t>(bytes_per_block_, 0);
  if (v.size() != bytes_per_block_) {
    return Status::corruption(fmt::format("bitmap block {} has {} bytes of bits, want {}", index,
                                          v.size(), bytes_per_block_));
  }
  return &blocks_.emplace(index, std::move(v)).first->second;
}

Result<std::vector<uint8_t>*> Allocator::bits(uint64_t index) { return load(index); }

void Allocator::mark_all_dirty() {
  for (uint64_t index = 0; index * bits_per_block_ < vol_blocks_; ++index) dirty_.insert(index);
}

Result<bool> Allocator::is_allocated(uint64_t block) {
  if (block >= vol_blocks_) return Status::invalid_argument(fmt::format("block {} is beyond the volume", block));
  TUX3_ASSIGN_OR_RETURN(auto* bits, load(block / bits_per_block_));
  return format::bit_is_set(*bits, block % bits_per_block_);
}

Status Allocator::mark(uint64_t block, uint64_t count, bool tolerate_set) {
  if (block >= vol_blocks_ || count > vol_blocks_ - block) {
    return Status::corruption(fmt::format("allocation of blocks {}+{} beyond the volume", block, count));
  }
  for (uint64_t b = block; b < block + count; ++b) {
    uint64_t index = b / bits_per_block_;
    TUX3_ASSIGN_OR_RETURN(auto* bits, load(index));
    uint64_t bit = b % bits_per_block_;
    if (format::bit_is_set(*bits, bit)) {
      if (tolerate_set) continue;
      return Status::corruption(fmt::format("block {} is allocated twice", b));
    }
    format::set_bit(*bits, bit);
    dirty_.insert(index);
    if (counting_) --free_;
  }
  return Status::ok();
}

Status Allocator::release(uint64_t block, uint64_t count) {
  if (block >= vol_blocks_ || count > vol_blocks_ - block) {
    return Status::corruption(fmt::format("free of blocks {}+{} beyond the volume", block, count));
  }
  for (uint64_t b = block; b < block + count; ++b) {
    uint64_t index = b / bits_per_block_;
    TUX3_ASSIGN_OR_RETURN(auto* bits, load(index));
    uint64_t bit = b % bits_per_block_;
    if (!format::bit_is_set(*bits, bit)) {
      return Status::corruption(fmt::format("block {} is freed twice", b));
    }
    format::clear_bit(*bits, bit);
    dirty_.insert(index);
    if (counting_) ++free_;
  }
  return Status::ok();
}

Result<std::optional<uint64_t>> Allocator::find_free(uint64_t from, uint64_t to) {
  uint64_t b = from;
  while (b < to) {
    uint64_t index = b / bits_per_block_;
    TUX3_ASSIGN_OR_RETURN(auto* bits, load(index));
    uint64_t base = index * bits_per_block_;
    uint64_t end = std::min(to, base + bits_per_block_);
    uint64_t bit = b - base;
    // Bit by bit up to a word boundary, then a word at a time.
    while (base + bit < end) {
      if (bit % 64 == 0 && base + bit + 64 <= end) {
        uint64_t word;
        std::memcpy(&word, bits->data() + bit / 8, 8);  // little-endian host: bit i = byte i/8
        if (word == ~uint64_t(0)) {
          bit += 64;
          continue;
        }
        bit += uint64_t(std::countr_one(word));
        return std::optional<uint64_t>(base + bit);
      }
      if (!format::bit_is_set(*bits, bit)) return std::optional<uint64_t>(base + bit);
      ++bit;
    }
    b = end;
  }
  return std::optional<uint64_t>();
}

Result<std::pair<uint64_t, uint32_t>> Allocator::allocate(uint64_t goal, uint32_t want) {
  if (free_ == 0 || want == 0) return Status::no_space("the volume has no free blocks");
  if (goal >= vol_blocks_) goal = 0;
  TUX3_ASSIGN_OR_RETURN(auto found, find_free(goal, vol_blocks_));
  if (!found) {
    TUX3_ASSIGN_OR_RETURN(found, find_free(0, goal));
  }
  if (!found) return Status::no_space("the volume has no free blocks");
  uint64_t first = *found;
  uint32_t count = 1;
  while (count < want && first + count < vol_blocks_) {
    TUX3_ASSIGN_OR_RETURN(bool used, is_allocated(first + count));
    if (used) break;
    ++count;
  }
  TUX3_RETURN_IF_ERROR(mark(first, count));
  return std::make_pair(first, count);
}

}  // namespace tux3
