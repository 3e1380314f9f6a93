// crc32c.cc: CRC32C through ISA-L's crc32_iscsi (which keeps the register un-inverted).
#include "tuxdisk/crc32c.h"

#include <isa-l/crc.h>

namespace tux3 {
namespace {

uint32_t extend(uint32_t reg, const uint8_t* p, std::size_t n) {
  // crc32_iscsi takes an int length; feed huge buffers in chunks.
  while (n > 0) {
    int chunk = n > (1u << 30) ? (1 << 30) : static_cast<int>(n);
    reg = crc32_iscsi(const_cast<uint8_t*>(p), chunk, reg);
    p += chunk;
    n -= static_cast<std::size_t>(chunk);
  }
  return reg;
}

}  // namespace

uint32_t crc32c(std::span<const uint8_t> bytes) {
  return ~extend(0xffffffffu, bytes.data(), bytes.size());
}

uint32_t crc32c_with_hole(std::span<const uint8_t> block, std::size_t field_offset) {
  static constexpr uint8_t kZero[4] = {0, 0, 0, 0};
  uint32_t reg = extend(0xffffffffu, block.data(), field_offset);
  reg = extend(reg, kZero, 4);
  reg = extend(reg, block.data() + field_offset + 4, block.size() - field_offset - 4);
  return ~reg;
}

}  // namespace tux3
