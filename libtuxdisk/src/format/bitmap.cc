// bitmap.cc: allocation bitmap block header and verification.
#include "tuxdisk/format/bitmap.h"

#include <fmt/format.h>

#include "tuxdisk/bytes.h"

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
    uint64_t first = vol_blocks - base;  // the first bit beyond the volume
    uint64_t whole = (first + 7) / 8;    // bytes from here on must be all zero
    bool tail_clear = all_zero(bits.subspan(whole)) &&
                      (first % 8 == 0 || (bits[first / 8] >> (first % 8)) == 0);
    for (uint64_t i = first; !tail_clear && i < nbits; ++i) {
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
