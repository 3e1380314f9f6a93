// crc32c.h: CRC32C (Castagnoli), the checksum of every metadata block, log block and superblock.
//
// Backed by ISA-L (hardware-accelerated, runtime-dispatched). The value is the standard one:
// crc32c("123456789") == 0xE3069283, init and final XOR 0xFFFFFFFF.
#pragma once

#include <cstdint>
#include <span>

namespace tux3 {

// CRC32C of bytes.
uint32_t crc32c(std::span<const uint8_t> bytes);

// CRC32C of a block whose 4-byte checksum field at `field_offset` is taken as zero,
// without modifying the block. REQUIRES: field_offset + 4 <= block.size().
uint32_t crc32c_with_hole(std::span<const uint8_t> block, std::size_t field_offset);

}  // namespace tux3
