// values.h: the values stored in extent leaves and directory leaves, and the directory hash.
//
// Extent (xleaf item; key = first logical block):
//   0 physical u64 | 8 count u32 | 12 flags u32      (16 bytes)
// Directory entry (dleaf item; key = dirent_key(name, collision index)):
//   0 inum u64 | 8 type u8 | 9 name (the rest of the value, 1..255 bytes)
// Orphan (oleaf item; key = inode number): an empty value.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tuxdisk/endian.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/status.h"

namespace tux3::format {

struct ExtentLayout {
  using Physical = BeField<uint64_t, 0>;
  using Count = BeField<uint32_t, 8>;
  using Flags = BeField<uint32_t, 12>;
  static constexpr std::size_t kSize = 16;
};
static_assert(fields_contiguous<ExtentLayout::Physical, ExtentLayout::Count,
                                ExtentLayout::Flags>() &&
              ExtentLayout::Flags::kEnd == ExtentLayout::kSize);

inline constexpr uint32_t kExtentUnwritten = 1 << 0;  // allocated; reads as zeros
inline constexpr uint32_t kExtentFlagsKnown = kExtentUnwritten;

struct Extent {
  uint64_t logical = 0;   // the item key
  uint64_t physical = 0;
  uint32_t count = 0;
  uint32_t flags = 0;
  bool operator==(const Extent&) const = default;
};

void encode_extent(const Extent& extent, std::span<uint8_t, ExtentLayout::kSize> out);
// Validates: count >= 1, physical in [first data block, vol_blocks - count], known flags,
// logical + count does not overflow the 48-bit logical space.
Result<Extent> decode_extent(uint64_t key, std::span<const uint8_t> value, uint64_t vol_blocks,
                             uint64_t first_data_block);

struct DirentLayout {
  using Inum = BeField<uint64_t, 0>;
  using Type = BeField<uint8_t, 8>;
  static constexpr std::size_t kNameOffset = 9;
};
static_assert(fields_contiguous<DirentLayout::Inum, DirentLayout::Type>() &&
              DirentLayout::Type::kEnd == DirentLayout::kNameOffset);

struct Dirent {
  uint64_t key = 0;
  uint64_t inum = 0;
  FileType type = FileType::kUnknown;
  std::string name;
  bool operator==(const Dirent&) const = default;
};

// Name rules: 1..255 bytes, no '/' and no NUL, not "." or "..".
bool valid_name(std::string_view name);
// The directory hash of a name: XXH64(name, seed) >> 9, shifted left by 8. Bit 63 and the
// low 8 bits are zero; the low byte of a key holds the collision index.
uint64_t name_hash(std::string_view name, uint64_t seed);
inline uint64_t dirent_key(uint64_t hash, uint8_t collision) { return hash | collision; }
inline uint64_t dirent_hash_of_key(uint64_t key) { return key & ~uint64_t(0xff); }

std::vector<uint8_t> encode_dirent(const Dirent& dirent);
// Validates inum range, type, name, and that the key's hash matches the name's.
Result<Dirent> decode_dirent(uint64_t key, std::span<const uint8_t> value, uint64_t hash_seed);

}  // namespace tux3::format
