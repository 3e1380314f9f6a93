// bitmap.cc: allocation bitmap block header and verification.
#include "tuxdisk/format/bitmap.h"

#include <fmt/format.h>

namespace tux3::format {

void encode_bitmap_header(std::span<uint8_t> block, const BlockHeader& header, uint64_t base) {
  encode_header(block, header);
  BitmapLayout::Base::set(block, base);
  BitmapLayout::Reserved::set(block, 0);
  seal_block(block);
}

Status verify_bitmap_block(std::span<const uint8_t> block, const Expect& expect,
                           uint64_t expected_base, uint64_t vol_blocks) {
  TUX3_RETURN_IF_ERROR(verify_header(block, expect, "bitmap"));
  if (block.size() <= BitmapLayout::kBitsOffset) {
    return Status::corruption(fmt::format("bitmap at block {}: block of {} bytes has no bits",
                                          expect.location, block.size()))
        .at_block(expect.location);
  }
  uint64_t base = BitmapLayout::Base::get(block);
  if (base != expected_base) {
    return Status::corruption(fmt::format("bitmap at block {}: covers blocks from {}, expected {}",
                                          expect.location, base, expected_base))
        .at_block(expect.location);
  }
  if (BitmapLayout::Reserved::get(block) != 0) {
    return Status::corruption(
               fmt::format("bitmap at block {}: reserved field is not zero", expect.location))
        .at_block(expect.location);
  }
  auto bits = bitmap_bits(block);
  uint64_t nbits = uint64_t(bits.size()) * 8;
  if (base < vol_blocks && vol_blocks - base < nbits) {
    for (uint64_t i = vol_blocks - base; i < nbits; ++i) {
      if (bit_is_set(bits, i)) {
        return Status::corruption(fmt::format(
                   "bitmap at block {}: block {} beyond the volume end is marked allocated",
                   expect.location, base + i))
            .at_block(expect.location);
      }
    }
  }
  return Status::ok();
}

}  // namespace tux3::format
