// values.cc: extent and directory-entry values, the directory name hash.
#include "tuxdisk/format/values.h"

#include <xxhash.h>

#include <fmt/format.h>

namespace tux3::format {

void encode_extent(const Extent& e, std::span<uint8_t, ExtentLayout::kSize> out) {
  ExtentLayout::Physical::set(out, e.physical);
  ExtentLayout::Count::set(out, e.count);
  ExtentLayout::Flags::set(out, e.flags);
}

Result<Extent> decode_extent(uint64_t key, std::span<const uint8_t> value, uint64_t vol_blocks,
                             uint64_t first_data_block) {
  if (value.size() != ExtentLayout::kSize) {
    return Status::corruption(fmt::format("extent at logical {}: value is {} bytes, want {}", key,
                                          value.size(), ExtentLayout::kSize));
  }
  Extent e;
  e.logical = key;
  e.physical = ExtentLayout::Physical::get(value);
  e.count = ExtentLayout::Count::get(value);
  e.flags = ExtentLayout::Flags::get(value);
  if (e.count == 0) {
    return Status::corruption(fmt::format("extent at logical {}: count is zero", key));
  }
  if (e.physical < first_data_block || e.physical > vol_blocks ||
      e.count > vol_blocks - e.physical) {
    return Status::corruption(fmt::format(
        "extent at logical {}: blocks {}..{} are outside the data area {}..{}", key, e.physical,
        e.physical + e.count - 1, first_data_block, vol_blocks - 1));
  }
  if (key >= kMaxBlocks || e.count > kMaxBlocks - key) {
    return Status::corruption(
        fmt::format("extent at logical {}: runs past the largest file offset", key));
  }
  if (e.flags & ~kExtentFlagsKnown) {
    return Status::corruption(fmt::format("extent at logical {}: unknown flags {:#x}", key,
                                          e.flags & ~kExtentFlagsKnown));
  }
  return e;
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLen || name == "." || name == "..") return false;
  return name.find('/') == std::string_view::npos && name.find('\0') == std::string_view::npos;
}

uint64_t name_hash(std::string_view name, uint64_t seed) {
  return (XXH64(name.data(), name.size(), seed) >> 9) << 8;
}

std::vector<uint8_t> encode_dirent(const Dirent& d) {
  std::vector<uint8_t> out(DirentLayout::kNameOffset + d.name.size());
  DirentLayout::Inum::set(out, d.inum);
  DirentLayout::Type::set(out, uint8_t(d.type));
  std::copy(d.name.begin(), d.name.end(), out.begin() + DirentLayout::kNameOffset);
  return out;
}

Result<Dirent> decode_dirent(uint64_t key, std::span<const uint8_t> value, uint64_t hash_seed) {
  if (value.size() <= DirentLayout::kNameOffset) {
    return Status::corruption(fmt::format("dirent {:#x}: value of {} bytes has no name", key,
                                          value.size()));
  }
  Dirent d;
  d.key = key;
  d.inum = DirentLayout::Inum::get(value);
  uint8_t type = DirentLayout::Type::get(value);
  d.type = FileType(type);
  d.name.assign(value.begin() + DirentLayout::kNameOffset, value.end());
  if (!valid_name(d.name)) {
    return Status::corruption(fmt::format("dirent {:#x}: invalid name", key));
  }
  if (d.inum == 0 || d.inum > kMaxInum) {
    return Status::corruption(fmt::format("dirent {:#x} \"{}\": inode {} is out of range", key,
                                          d.name, d.inum));
  }
  if (type == 0 || type > uint8_t(FileType::kSymlink)) {
    return Status::corruption(fmt::format("dirent {:#x} \"{}\": unknown type {}", key, d.name,
                                          type));
  }
  if (dirent_hash_of_key(key) != name_hash(d.name, hash_seed)) {
    return Status::corruption(fmt::format("dirent {:#x} \"{}\": key does not match the name hash",
                                          key, d.name));
  }
  return d;
}

}  // namespace tux3::format
