// predict.cc: the dump's reversible block filter (predict.h).
#include "image/predict.h"

#include <string_view>

#include "tuxdisk/crc32c.h"
#include "tuxdisk/endian.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/format/header.h"
#include "tuxdisk/format/node.h"
#include "tuxdisk/format/values.h"

namespace tux3::image {

using namespace format;

namespace {

bool filtered_kind(uint32_t magic) {
  switch (magic) {
    case kMagicBnode: case kMagicIleaf: case kMagicXleaf: case kMagicDleaf: case kMagicOleaf:
    case kMagicBitmap: case kMagicLog: case kMagicStream:
      return true;
    default:
      return false;
  }
}

void xor64(std::span<uint8_t> block, std::size_t offset, uint64_t value) {
  store_be64(block.data() + offset, load_be64(block.data() + offset) ^ value);
}

// XORs each directory entry's key with its name's hash, when the leaf's slot table and
// values are laid out as the format says (count, lengths and values are never filtered,
// so encoding and decoding take the same decision and see the same names).
void xor_dirent_keys(std::span<uint8_t> block, uint64_t hash_seed) {
  using L = NodeLayout;
  const std::size_t count = L::Count::get(block);
  const std::size_t table_end = L::kSize + count * L::kSlotSize;
  if (table_end > block.size()) return;
  std::size_t end = block.size();
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t slot = L::kSize + i * L::kSlotSize;
    std::size_t len = load_be16(block.data() + slot + L::SlotLength::kOffset);
    if (len > end - table_end) return;
    end -= len;
  }
  end = block.size();
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t slot = L::kSize + i * L::kSlotSize;
    std::size_t len = load_be16(block.data() + slot + L::SlotLength::kOffset);
    end -= len;
    if (len <= DirentLayout::kNameOffset) continue;
    std::string_view name(reinterpret_cast<const char*>(block.data()) + end +
                              DirentLayout::kNameOffset,
                          len - DirentLayout::kNameOffset);
    xor64(block, slot + L::SlotKey::kOffset, name_hash(name, hash_seed));
  }
}

uint32_t magic_of(std::span<const uint8_t> block) { return load_be32(block.data()); }

}  // namespace

void predict_encode(std::span<uint8_t> block, uint64_t block_number, uint64_t first_data_block,
                    uint64_t hash_seed) {
  if (block_number < first_data_block || !filtered_kind(magic_of(block))) return;
  uint32_t crc = crc32c_with_hole(block, HeaderLayout::Checksum::kOffset);
  HeaderLayout::Checksum::set(block, HeaderLayout::Checksum::get(block) ^ crc);
  xor64(block, HeaderLayout::Location::kOffset, block_number);
  if (magic_of(block) == kMagicDleaf) xor_dirent_keys(block, hash_seed);
}

void predict_decode(std::span<uint8_t> block, uint64_t block_number, uint64_t first_data_block,
                    uint64_t hash_seed) {
  if (block_number < first_data_block || !filtered_kind(magic_of(block))) return;
  if (magic_of(block) == kMagicDleaf) xor_dirent_keys(block, hash_seed);
  xor64(block, HeaderLayout::Location::kOffset, block_number);
  uint32_t crc = crc32c_with_hole(block, HeaderLayout::Checksum::kOffset);
  HeaderLayout::Checksum::set(block, HeaderLayout::Checksum::get(block) ^ crc);
}

}  // namespace tux3::image
