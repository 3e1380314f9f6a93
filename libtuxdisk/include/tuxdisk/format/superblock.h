// superblock.h: the two superblock slots: layout, encode/decode, verification, slot choice.
//
// Each slot is 4096 bytes at byte offset 4096 (slot 0) or 8192 (slot 1). Delta d is committed
// by writing slot d & 1, so the other slot keeps the previous committed state; a reader takes
// the valid slot with the higher delta. See man/tux3-format.5, SUPERBLOCK.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "tuxdisk/endian.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/format/header.h"
#include "tuxdisk/status.h"

namespace tux3::format {

struct SuperLayout {
  // 0..39: the common header (location = the slot's byte offset).
  using Version = BeField<uint16_t, 40>;
  using BlockBits = BeField<uint16_t, 42>;
  using State = BeField<uint16_t, 44>;
  using StreamCount = BeField<uint16_t, 46>;
  using FeatureCompat = BeField<uint64_t, 48>;
  using FeatureRoCompat = BeField<uint64_t, 56>;
  using FeatureIncompat = BeField<uint64_t, 64>;
  using VolBlocks = BeField<uint64_t, 72>;
  using FreeBlocks = BeField<uint64_t, 80>;
  using InodeCount = BeField<uint64_t, 88>;
  using NextInum = BeField<uint64_t, 96>;
  using NextBlock = BeField<uint64_t, 104>;
  using ItreeRoot = BeField<uint64_t, 112>;
  using OtreeRoot = BeField<uint64_t, 120>;
  using ItreeDepth = BeField<uint16_t, 128>;
  using OtreeDepth = BeField<uint16_t, 130>;
  using LogCount = BeField<uint32_t, 132>;
  using LogHead = BeField<uint64_t, 136>;
  using UnifyDelta = BeField<uint64_t, 144>;
  using CreateSec = BeField<uint64_t, 152>;
  using CreateNsec = BeField<uint32_t, 160>;
  using CommitNsec = BeField<uint32_t, 164>;
  using CommitSec = BeField<uint64_t, 168>;
  using HashSeed = BeField<uint64_t, 176>;
  using IoMin = BeField<uint32_t, 184>;
  using IoOpt = BeField<uint32_t, 188>;
  using FsyncModeField = BeField<uint8_t, 192>;
  using Reserved1 = BytesField<193, 63>;
  using Label = BytesField<256, 64>;
  using Reserved2 = BytesField<320, 192>;
  // 512..1279: the stream table, kMaxStreams entries of 24 bytes.
  static constexpr std::size_t kStreamTable = 512;
  static constexpr std::size_t kStreamEntrySize = 24;
  using StreamBlock = BeField<uint64_t, 0>;  // offsets within one entry
  using StreamSeq = BeField<uint64_t, 8>;
  using StreamDelta = BeField<uint64_t, 16>;
  static constexpr std::size_t kStreamTableEnd = kStreamTable + kMaxStreams * kStreamEntrySize;
  // kStreamTableEnd..4095: reserved, zero.
  static constexpr std::size_t kSize = kSuperSlotSize;
};
static_assert(HeaderLayout::kSize == SuperLayout::Version::kOffset);
static_assert(fields_contiguous<
              SuperLayout::Version, SuperLayout::BlockBits, SuperLayout::State,
              SuperLayout::StreamCount, SuperLayout::FeatureCompat, SuperLayout::FeatureRoCompat,
              SuperLayout::FeatureIncompat, SuperLayout::VolBlocks, SuperLayout::FreeBlocks,
              SuperLayout::InodeCount, SuperLayout::NextInum, SuperLayout::NextBlock,
              SuperLayout::ItreeRoot, SuperLayout::OtreeRoot, SuperLayout::ItreeDepth,
              SuperLayout::OtreeDepth, SuperLayout::LogCount, SuperLayout::LogHead,
              SuperLayout::UnifyDelta, SuperLayout::CreateSec, SuperLayout::CreateNsec,
              SuperLayout::CommitNsec, SuperLayout::CommitSec, SuperLayout::HashSeed,
              SuperLayout::IoMin, SuperLayout::IoOpt, SuperLayout::FsyncModeField,
              SuperLayout::Reserved1, SuperLayout::Label, SuperLayout::Reserved2>());
static_assert(SuperLayout::Reserved2::kEnd == SuperLayout::kStreamTable);
static_assert(SuperLayout::kStreamTableEnd == 1280);
static_assert(SuperLayout::StreamDelta::kEnd == SuperLayout::kStreamEntrySize);

// A btree root: the root block (0 for an empty tree) and the number of index levels above
// the leaves (0: the root is a leaf).
struct TreeRoot {
  uint64_t block = 0;
  uint16_t depth = 0;
  bool empty() const { return block == 0; }
  bool operator==(const TreeRoot&) const = default;
};

struct Timestamp {
  int64_t sec = 0;
  uint32_t nsec = 0;  // < 1e9
  bool operator==(const Timestamp&) const = default;
};

// Where a stream's next block will be found and what it must say to count.
struct StreamHead {
  uint64_t block = 0;  // reserved block address; 0 = stream unused
  uint64_t seq = 0;    // sequence number that block must carry
  uint64_t delta = 0;  // delta tag that block must carry
  bool operator==(const StreamHead&) const = default;
};

struct Superblock {
  unsigned slot = 0;  // derived: delta & 1
  Uuid uuid{};
  uint64_t delta = 0;
  uint16_t version = kFormatVersion;
  uint16_t block_bits = kDefaultBlockBits;
  uint16_t state = 0;
  uint16_t stream_count = 0;
  uint64_t feature_compat = 0;
  uint64_t feature_ro_compat = 0;
  uint64_t feature_incompat = 0;
  uint64_t vol_blocks = 0;
  uint64_t free_blocks = 0;
  uint64_t inode_count = 0;
  uint64_t next_inum = kFirstNormalIno;
  uint64_t next_block = 0;
  TreeRoot itree;
  TreeRoot otree;
  uint32_t log_count = 0;
  uint64_t log_head = 0;
  uint64_t unify_delta = 0;
  Timestamp create_time;
  Timestamp commit_time;
  uint64_t hash_seed = 0;
  uint32_t io_min = 0;
  uint32_t io_opt = 0;
  FsyncMode fsync_mode = FsyncMode::kStream;
  std::string label;  // at most kMaxLabelLen bytes, no NUL
  std::array<StreamHead, kMaxStreams> streams{};

  uint32_t block_size() const { return uint32_t(1) << block_bits; }
  bool operator==(const Superblock&) const = default;
};

// Encodes into a 4096-byte slot image, checksum included. The slot (and byte location) come
// from sb.delta & 1. REQUIRES: out.size() == kSuperSlotSize and sb passes validate_superblock.
void encode_superblock(const Superblock& sb, std::span<uint8_t> out);

// Decodes and verifies one slot image: header (magic, checksum, location), version, feature
// bits, geometry, reserved bytes. `slot` is the slot it was read from.
Result<Superblock> decode_superblock(std::span<const uint8_t> image, unsigned slot);

// Checks a superblock's fields for consistency (what decode checks beyond the header).
Status validate_superblock(const Superblock& sb);

// Both slots as read; `chosen` is the slot to use (valid, highest delta), if any.
struct SlotPair {
  std::array<Result<Superblock>, 2> slots{Status::not_found("unread"),
                                          Status::not_found("unread")};
  std::optional<unsigned> chosen;
};
SlotPair choose_superblock(std::span<const uint8_t> slot0, std::span<const uint8_t> slot1);

}  // namespace tux3::format
