// bitmap.h: allocation bitmap blocks (the data of inode 1).
//
//   0..39 common header | 40 base u64 (first volume block covered) | 48 reserved u64
//   56..  bits: volume block base + 8*i + j is bit j (LSB first) of byte 56 + i; 1 = allocated.
// Bitmap block i of the file covers blocks [i * bits, (i + 1) * bits), bits = (size - 56) * 8.
// A hole in inode 1's extent map means the blocks it would cover are all free. Bits for
// blocks at or beyond the volume's end are zero.
#pragma once

#include <cstdint>
#include <span>

#include "tuxdisk/endian.h"
#include "tuxdisk/format/header.h"
#include "tuxdisk/status.h"

namespace tux3::format {

struct BitmapLayout {
  using Base = BeField<uint64_t, 40>;
  using Reserved = BeField<uint64_t, 48>;
  static constexpr std::size_t kBitsOffset = 56;
};
static_assert(BitmapLayout::Base::kOffset == HeaderLayout::kSize);
static_assert(fields_contiguous<BitmapLayout::Base, BitmapLayout::Reserved>() &&
              BitmapLayout::Reserved::kEnd == BitmapLayout::kBitsOffset);

inline uint64_t bits_per_bitmap_block(uint32_t block_size) {
  return uint64_t(block_size - BitmapLayout::kBitsOffset) * 8;
}

// The bits of a bitmap block (a view into the block).
inline std::span<uint8_t> bitmap_bits(std::span<uint8_t> block) {
  return block.subspan(BitmapLayout::kBitsOffset);
}
inline std::span<const uint8_t> bitmap_bits(std::span<const uint8_t> block) {
  return block.subspan(BitmapLayout::kBitsOffset);
}
inline bool bit_is_set(std::span<const uint8_t> bits, uint64_t i) {
  return bits[i >> 3] >> (i & 7) & 1;
}
inline void set_bit(std::span<uint8_t> bits, uint64_t i) { bits[i >> 3] |= uint8_t(1u << (i & 7)); }
inline void clear_bit(std::span<uint8_t> bits, uint64_t i) {
  bits[i >> 3] &= uint8_t(~(1u << (i & 7)));
}

// Writes header and base, leaves the bits as they are, seals. REQUIRES: block sized.
void encode_bitmap_header(std::span<uint8_t> block, const BlockHeader& header, uint64_t base);
// Verifies header, base == expected_base, reserved zero, and no bit set at or past vol_blocks.
Status verify_bitmap_block(std::span<const uint8_t> block, const Expect& expect,
                           uint64_t expected_base, uint64_t vol_blocks);

}  // namespace tux3::format
