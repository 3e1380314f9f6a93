// header.cc: the common block header: encode, checksum, classify.
#include "tuxdisk/format/header.h"

#include <fmt/format.h>

#include "tuxdisk/crc32c.h"
#include "tuxdisk/format/constants.h"

namespace tux3::format {

std::string uuid_to_string(const Uuid& u) {
  return fmt::format(
      "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-"
      "{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
      u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
      u[14], u[15]);
}

std::optional<Uuid> parse_uuid(std::string_view text) {
  Uuid out{};
  std::size_t n = 0;
  int half = -1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '-' && (i == 8 || i == 13 || i == 18 || i == 23) && text.size() == 36) continue;
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else return std::nullopt;
    if (n >= 16) return std::nullopt;
    if (half < 0) {
      half = v;
    } else {
      out[n++] = uint8_t(half << 4 | v);
      half = -1;
    }
  }
  if (n != 16 || half >= 0) return std::nullopt;
  return out;
}

std::string_view block_fault_name(BlockFault fault) {
  switch (fault) {
    case BlockFault::kOk: return "ok";
    case BlockFault::kShort: return "length is not a valid block size (truncated read?)";
    case BlockFault::kWrongMagic: return "wrong magic";
    case BlockFault::kBadChecksum: return "bad checksum (torn or corrupt)";
    case BlockFault::kMisdirected: return "misdirected (records another block number)";
    case BlockFault::kForeignVolume: return "belongs to another volume (UUID mismatch)";
    case BlockFault::kFutureDelta: return "written by an uncommitted delta";
  }
  return "unknown fault";
}

std::string_view magic_name(uint32_t magic) {
  switch (magic) {
    case kMagicSuper: return "superblock";
    case kMagicBnode: return "bnode";
    case kMagicIleaf: return "ileaf";
    case kMagicXleaf: return "xleaf";
    case kMagicDleaf: return "dleaf";
    case kMagicOleaf: return "oleaf";
    case kMagicBitmap: return "bitmap";
    case kMagicLog: return "log";
    case kMagicStream: return "stream";
    default: return "unknown";
  }
}

void encode_header(std::span<uint8_t> block, const BlockHeader& h) {
  using L = HeaderLayout;
  L::Magic::set(block, h.magic);
  L::Location::set(block, h.location);
  auto uuid = L::VolumeUuid::get(block);
  std::copy(h.uuid.begin(), h.uuid.end(), uuid.begin());
  L::Delta::set(block, h.delta);
}

BlockHeader decode_header(std::span<const uint8_t> block) {
  using L = HeaderLayout;
  BlockHeader h;
  h.magic = L::Magic::get(block);
  h.location = L::Location::get(block);
  auto uuid = L::VolumeUuid::get(block);
  std::copy(uuid.begin(), uuid.end(), h.uuid.begin());
  h.delta = L::Delta::get(block);
  return h;
}

void seal_block(std::span<uint8_t> block) {
  HeaderLayout::Checksum::set(block, crc32c_with_hole(block, HeaderLayout::Checksum::kOffset));
}

bool checksum_ok(std::span<const uint8_t> block) {
  return HeaderLayout::Checksum::get(block) ==
         crc32c_with_hole(block, HeaderLayout::Checksum::kOffset);
}

BlockFault classify_block(std::span<const uint8_t> block, const Expect& expect) {
  std::size_t n = block.size();
  if (n < (std::size_t(1) << kMinBlockBits) || n > (std::size_t(1) << kMaxBlockBits) ||
      (n & (n - 1)) != 0) {
    return BlockFault::kShort;
  }
  BlockHeader h = decode_header(block);
  if (h.magic != expect.magic) return BlockFault::kWrongMagic;
  if (!checksum_ok(block)) return BlockFault::kBadChecksum;
  if (h.uuid != expect.uuid) return BlockFault::kForeignVolume;
  if (h.location != expect.location) return BlockFault::kMisdirected;
  if (h.delta > expect.max_delta) return BlockFault::kFutureDelta;
  return BlockFault::kOk;
}

Status verify_header(std::span<const uint8_t> block, const Expect& expect,
                     std::string_view kind_name) {
  BlockFault fault = classify_block(block, expect);
  if (fault == BlockFault::kOk) return Status::ok();
  std::string detail;
  if (fault == BlockFault::kWrongMagic) {
    uint32_t found = HeaderLayout::Magic::get(block);
    detail = fmt::format(" (found {:#010x} \"{}\")", found, magic_name(found));
  } else if (fault == BlockFault::kMisdirected) {
    detail = fmt::format(" (records {})", HeaderLayout::Location::get(block));
  } else if (fault == BlockFault::kFutureDelta) {
    detail = fmt::format(" (delta {} > {})", HeaderLayout::Delta::get(block), expect.max_delta);
  }
  return Status::corruption(fmt::format("{} at block {}: {}{}", kind_name, expect.location,
                                        block_fault_name(fault), detail))
      .at_block(expect.location);
}

}  // namespace tux3::format
