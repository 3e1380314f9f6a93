// header.h: the 40-byte header every checksummed block starts with, and its verifier.
//
//   off size field     meaning
//     0    4 magic     block kind (constants.h)
//     4    4 checksum  CRC32C of the whole block with this field taken as zero
//     8    8 location  the block's own number (superblock: the slot's byte offset)
//    16   16 uuid      the volume UUID
//    32    8 delta     the delta that wrote this block
//
// The header lets a checker tell apart a torn or rotted block (checksum), a misdirected write
// (location), a block of another volume (uuid) and an uncommitted one (delta too new).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "tuxdisk/endian.h"
#include "tuxdisk/status.h"

namespace tux3::format {

using Uuid = std::array<uint8_t, 16>;
std::string uuid_to_string(const Uuid& uuid);
std::optional<Uuid> parse_uuid(std::string_view text);

struct HeaderLayout {
  using Magic = BeField<uint32_t, 0>;
  using Checksum = BeField<uint32_t, 4>;
  using Location = BeField<uint64_t, 8>;
  using VolumeUuid = BytesField<16, 16>;
  using Delta = BeField<uint64_t, 32>;
  static constexpr std::size_t kSize = 40;
};
static_assert(fields_contiguous<HeaderLayout::Magic, HeaderLayout::Checksum,
                                HeaderLayout::Location, HeaderLayout::VolumeUuid,
                                HeaderLayout::Delta>());
static_assert(HeaderLayout::Delta::kEnd == HeaderLayout::kSize);

struct BlockHeader {
  uint32_t magic = 0;
  uint64_t location = 0;
  Uuid uuid{};
  uint64_t delta = 0;
};

// What a reader expects of a block it is about to trust.
struct Expect {
  uint32_t magic;
  uint64_t location;
  Uuid uuid;
  uint64_t max_delta;  // newest committed delta (or the delta being replayed)
};

// Why a block failed verification; kOk when it did not. kShort: the buffer is not a whole
// block (its length is not a power of two from 512 to 65536).
enum class BlockFault : uint8_t {
  kOk, kShort, kWrongMagic, kBadChecksum, kMisdirected, kForeignVolume, kFutureDelta,
};
std::string_view block_fault_name(BlockFault fault);

// Writes the header fields (checksum left as is). REQUIRES: block.size() >= 40.
void encode_header(std::span<uint8_t> block, const BlockHeader& header);
BlockHeader decode_header(std::span<const uint8_t> block);
// Computes and stores the checksum. Call last, after every other byte is final.
void seal_block(std::span<uint8_t> block);
bool checksum_ok(std::span<const uint8_t> block);

// Classifies a block against what is expected of it. Checked in this order: length, magic,
// checksum, uuid, location, delta (a foreign block is reported as foreign even when its
// location also differs).
BlockFault classify_block(std::span<const uint8_t> block, const Expect& expect);
// As classify_block, as a Corruption status naming the kind, block and reason.
Status verify_header(std::span<const uint8_t> block, const Expect& expect,
                     std::string_view kind_name);

// "superblock", "bnode", ... for a magic; "unknown" otherwise.
std::string_view magic_name(uint32_t magic);

}  // namespace tux3::format
