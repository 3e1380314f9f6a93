// superblock.cc: superblock slot encode/decode/verify and the choice between the two slots.
#include "tuxdisk/format/superblock.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "tuxdisk/bytes.h"

namespace tux3::format {
namespace {

using L = SuperLayout;

Status field_error(unsigned slot, std::string_view field, std::string detail) {
  return Status::corruption(fmt::format("superblock slot {}: field {}: {}", slot, field, detail))
      .at_block(0);
}

}  // namespace

void encode_superblock(const Superblock& sb, std::span<uint8_t> out) {
  std::fill(out.begin(), out.end(), 0);
  unsigned slot = unsigned(sb.delta & 1);
  encode_header(out, BlockHeader{kMagicSuper, kSuperSlotOffset[slot], sb.uuid, sb.delta});
  L::Version::set(out, sb.version);
  L::BlockBits::set(out, sb.block_bits);
  L::State::set(out, sb.state);
  L::StreamCount::set(out, sb.stream_count);
  L::FeatureCompat::set(out, sb.feature_compat);
  L::FeatureRoCompat::set(out, sb.feature_ro_compat);
  L::FeatureIncompat::set(out, sb.feature_incompat);
  L::VolBlocks::set(out, sb.vol_blocks);
  L::FreeBlocks::set(out, sb.free_blocks);
  L::InodeCount::set(out, sb.inode_count);
  L::NextInum::set(out, sb.next_inum);
  L::NextBlock::set(out, sb.next_block);
  L::ItreeRoot::set(out, sb.itree.block);
  L::OtreeRoot::set(out, sb.otree.block);
  L::ItreeDepth::set(out, sb.itree.depth);
  L::OtreeDepth::set(out, sb.otree.depth);
  L::LogCount::set(out, sb.log_count);
  L::LogHead::set(out, sb.log_head);
  L::UnifyDelta::set(out, sb.unify_delta);
  L::CreateSec::set(out, uint64_t(sb.create_time.sec));
  L::CreateNsec::set(out, sb.create_time.nsec);
  L::CommitNsec::set(out, sb.commit_time.nsec);
  L::CommitSec::set(out, uint64_t(sb.commit_time.sec));
  L::HashSeed::set(out, sb.hash_seed);
  L::IoMin::set(out, sb.io_min);
  L::IoOpt::set(out, sb.io_opt);
  L::FsyncModeField::set(out, uint8_t(sb.fsync_mode));
  auto label = L::Label::get(out);
  std::memcpy(label.data(), sb.label.data(), std::min<std::size_t>(sb.label.size(), kMaxLabelLen));
  for (std::size_t i = 0; i < kMaxStreams; ++i) {
    auto entry = out.subspan(L::kStreamTable + i * L::kStreamEntrySize, L::kStreamEntrySize);
    L::StreamBlock::set(entry, sb.streams[i].block);
    L::StreamSeq::set(entry, sb.streams[i].seq);
    L::StreamDelta::set(entry, sb.streams[i].delta);
  }
  seal_block(out);
}

Status validate_superblock(const Superblock& sb) {
  unsigned slot = sb.slot;
  if (sb.version != kFormatVersion) {
    return Status::not_supported(fmt::format(
        "superblock slot {}: format version {} is not supported (this build reads version {})",
        slot, sb.version, kFormatVersion));
  }
  uint64_t unknown_incompat = sb.feature_incompat & ~kIncompatSupported;
  if (unknown_incompat) {
    return Status::not_supported(fmt::format(
        "superblock slot {}: unknown incompatible features {:#x}", slot, unknown_incompat));
  }
  if (sb.state & ~kStateKnown) {
    return field_error(slot, "state",
                       fmt::format("unknown state bits {:#x}", sb.state & ~kStateKnown));
  }
  if (sb.block_bits < kMinBlockBits || sb.block_bits > kMaxBlockBits) {
    return field_error(slot, "blockbits",
                       fmt::format("{} is outside {}..{}", sb.block_bits, kMinBlockBits,
                                   kMaxBlockBits));
  }
  uint64_t reserved_blocks = first_data_block(sb.block_bits);
  if (sb.vol_blocks < kMinVolumeBlocks || sb.vol_blocks > kMaxBlocks) {
    return field_error(slot, "volblocks",
                       fmt::format("{} is outside {}..{}", sb.vol_blocks, kMinVolumeBlocks,
                                   kMaxBlocks));
  }
  if (sb.free_blocks > sb.vol_blocks - reserved_blocks) {
    return field_error(slot, "freeblocks",
                       fmt::format("{} exceeds the {} blocks that can be free", sb.free_blocks,
                                   sb.vol_blocks - reserved_blocks));
  }
  // field names the pointer; a stream's entry names its index (formatted only on failure).
  auto check_block = [&](std::string_view field, uint64_t block, bool may_be_zero,
                         int stream = -1) -> Status {
    if (block == 0 && may_be_zero) return Status::ok();
    if (block < reserved_blocks || block >= sb.vol_blocks) {
      return field_error(slot, stream < 0 ? std::string(field)
                                          : fmt::format("stream {} block", stream),
                         fmt::format("block {} is outside the volume's data area {}..{}", block,
                                     reserved_blocks, sb.vol_blocks - 1));
    }
    return Status::ok();
  };
  TUX3_RETURN_IF_ERROR(check_block("itree_root", sb.itree.block, false));
  TUX3_RETURN_IF_ERROR(check_block("otree_root", sb.otree.block, true));
  TUX3_RETURN_IF_ERROR(check_block("log_head", sb.log_head, true));
  if (sb.itree.depth > kMaxTreeDepth || sb.otree.depth > kMaxTreeDepth) {
    return field_error(slot, "tree depth",
                       fmt::format("itree {} / otree {} exceeds {}", sb.itree.depth,
                                   sb.otree.depth, kMaxTreeDepth));
  }
  if (sb.otree.block == 0 && sb.otree.depth != 0) {
    return field_error(slot, "otree_depth", "nonzero for an empty orphan tree");
  }
  if ((sb.log_head == 0) != (sb.log_count == 0)) {
    return field_error(slot, "log_count",
                       fmt::format("{} does not match log_head {}", sb.log_count, sb.log_head));
  }
  if (sb.next_block >= sb.vol_blocks) {
    return field_error(slot, "next_block", fmt::format("{} is beyond the volume", sb.next_block));
  }
  if (sb.next_inum < kFirstNormalIno || sb.next_inum > kMaxInum) {
    return field_error(slot, "next_inum", fmt::format("{} is out of range", sb.next_inum));
  }
  if (sb.unify_delta > sb.delta) {
    return field_error(slot, "unify_delta",
                       fmt::format("{} is newer than the slot's delta {}", sb.unify_delta,
                                   sb.delta));
  }
  if (sb.create_time.nsec >= 1000000000u || sb.commit_time.nsec >= 1000000000u) {
    return field_error(slot, "time", "nanoseconds out of range");
  }
  if (uint8_t(sb.fsync_mode) > uint8_t(FsyncMode::kDelta)) {
    return field_error(slot, "fsync_mode", fmt::format("unknown mode {}", int(sb.fsync_mode)));
  }
  if (sb.stream_count > kMaxStreams) {
    return field_error(slot, "stream_count",
                       fmt::format("{} exceeds {}", sb.stream_count, kMaxStreams));
  }
  for (std::size_t i = 0; i < kMaxStreams; ++i) {
    const StreamHead& s = sb.streams[i];
    if (i >= sb.stream_count && !(s == StreamHead{})) {
      return field_error(slot, "stream table",
                         fmt::format("entry {} is set beyond stream_count {}", i,
                                     sb.stream_count));
    }
    TUX3_RETURN_IF_ERROR(check_block("stream block", s.block, true, int(i)));
    if (s.block != 0 && (sb.feature_incompat & kIncompatStreams) == 0) {
      return field_error(slot, "stream table",
                         fmt::format("stream {} is live but the streams feature is not set", i));
    }
  }
  if (sb.label.size() > kMaxLabelLen || sb.label.find('\0') != std::string::npos) {
    return field_error(slot, "label", "longer than 63 bytes or contains NUL");
  }
  return Status::ok();
}

Result<Superblock> decode_superblock(std::span<const uint8_t> image, unsigned slot) {
  if (image.size() != kSuperSlotSize) {
    return Status::invalid_argument(
        fmt::format("superblock slot {}: image is {} bytes, want {}", slot, image.size(),
                    kSuperSlotSize));
  }
  BlockHeader h = decode_header(image);
  if (h.magic != kMagicSuper) {
    if (all_zero(image)) {
      return Status::not_found(fmt::format("superblock slot {}: never written (all zero)", slot));
    }
    return Status::corruption(fmt::format("superblock slot {}: wrong magic {:#010x}", slot,
                                          h.magic))
        .at_block(0);
  }
  if (!checksum_ok(image)) {
    return Status::corruption(fmt::format("superblock slot {}: bad checksum (torn or corrupt)",
                                          slot))
        .at_block(0);
  }
  if (h.location != kSuperSlotOffset[slot]) {
    return Status::corruption(
               fmt::format("superblock slot {}: misdirected (records byte offset {}, slot is at {})",
                           slot, h.location, kSuperSlotOffset[slot]))
        .at_block(0);
  }
  if ((h.delta & 1) != slot) {
    return Status::corruption(fmt::format(
                                  "superblock slot {}: delta {} belongs in slot {}", slot,
                                  h.delta, h.delta & 1))
        .at_block(0);
  }
  Superblock sb;
  sb.slot = slot;
  sb.uuid = h.uuid;
  sb.delta = h.delta;
  sb.version = L::Version::get(image);
  sb.block_bits = L::BlockBits::get(image);
  sb.state = L::State::get(image);
  sb.stream_count = L::StreamCount::get(image);
  sb.feature_compat = L::FeatureCompat::get(image);
  sb.feature_ro_compat = L::FeatureRoCompat::get(image);
  sb.feature_incompat = L::FeatureIncompat::get(image);
  sb.vol_blocks = L::VolBlocks::get(image);
  sb.free_blocks = L::FreeBlocks::get(image);
  sb.inode_count = L::InodeCount::get(image);
  sb.next_inum = L::NextInum::get(image);
  sb.next_block = L::NextBlock::get(image);
  sb.itree = {L::ItreeRoot::get(image), L::ItreeDepth::get(image)};
  sb.otree = {L::OtreeRoot::get(image), L::OtreeDepth::get(image)};
  sb.log_count = L::LogCount::get(image);
  sb.log_head = L::LogHead::get(image);
  sb.unify_delta = L::UnifyDelta::get(image);
  sb.create_time = {int64_t(L::CreateSec::get(image)), L::CreateNsec::get(image)};
  sb.commit_time = {int64_t(L::CommitSec::get(image)), L::CommitNsec::get(image)};
  sb.hash_seed = L::HashSeed::get(image);
  sb.io_min = L::IoMin::get(image);
  sb.io_opt = L::IoOpt::get(image);
  sb.fsync_mode = FsyncMode(L::FsyncModeField::get(image));
  auto label = L::Label::get(image);
  auto label_end = std::find(label.begin(), label.end(), uint8_t(0));
  if (label_end == label.end() || !all_zero(std::span(label_end, label.end()))) {
    return field_error(slot, "label", "not NUL-terminated and zero-padded");
  }
  sb.label.assign(label.begin(), label_end);
  for (std::size_t i = 0; i < kMaxStreams; ++i) {
    auto entry = image.subspan(L::kStreamTable + i * L::kStreamEntrySize, L::kStreamEntrySize);
    sb.streams[i] = {L::StreamBlock::get(entry), L::StreamSeq::get(entry),
                     L::StreamDelta::get(entry)};
  }
  if (!all_zero(L::Reserved1::get(image)) || !all_zero(L::Reserved2::get(image)) ||
      !all_zero(image.subspan(L::kStreamTableEnd))) {
    return field_error(slot, "reserved", "reserved bytes are not zero");
  }
  TUX3_RETURN_IF_ERROR(validate_superblock(sb));
  return sb;
}

SlotPair choose_superblock(std::span<const uint8_t> slot0, std::span<const uint8_t> slot1) {
  SlotPair pair;
  pair.slots[0] = decode_superblock(slot0, 0);
  pair.slots[1] = decode_superblock(slot1, 1);
  bool ok0 = pair.slots[0].is_ok(), ok1 = pair.slots[1].is_ok();
  if (ok0 && ok1) {
    // Two valid slots of different volumes: trust neither over the other; take the newer
    // delta all the same, and let a checker report the mismatch.
    pair.chosen = pair.slots[1]->delta > pair.slots[0]->delta ? 1u : 0u;
  } else if (ok0) {
    pair.chosen = 0;
  } else if (ok1) {
    pair.chosen = 1;
  }
  return pair;
}

}  // namespace tux3::format
