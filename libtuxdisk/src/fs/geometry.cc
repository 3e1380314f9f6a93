// geometry.cc: plan_volume, the pure layout computation behind mkfs.
#include <fmt/format.h>
#include <xxhash.h>

#include "tuxdisk/format/bitmap.h"
#include "tuxdisk/format/node.h"
#include "tuxdisk/mkfs.h"

namespace tux3 {

using namespace format;

uint64_t hash_seed_from_uuid(const Uuid& uuid) {
  // A fixed, documented derivation: XXH64 of the 16 UUID bytes with seed "tux3hash".
  return XXH64(uuid.data(), uuid.size(), 0x7475783368617368ull);
}

Result<VolumeGeometry> plan_volume(uint64_t device_bytes, const Topology& topology,
                                   const MkfsOptions& options) {
  VolumeGeometry g;
  if (options.block_bits < kMinBlockBits || options.block_bits > kMaxBlockBits) {
    return Status::invalid_argument(fmt::format("block size {} is outside {}..{}",
                                                uint64_t(1) << std::min(options.block_bits, 40u),
                                                1u << kMinBlockBits, 1u << kMaxBlockBits));
  }
  g.block_bits = options.block_bits;
  g.block_size = uint32_t(1) << g.block_bits;
  if (g.block_size < topology.logical_sector) {
    return Status::invalid_argument(fmt::format(
        "block size {} is smaller than the device's logical sector size {}", g.block_size,
        topology.logical_sector));
  }
  uint64_t device_blocks = device_bytes >> g.block_bits;
  g.vol_blocks = options.vol_blocks ? options.vol_blocks : device_blocks;
  if (g.vol_blocks > device_blocks) {
    return Status::invalid_argument(fmt::format(
        "requested {} blocks but the device holds only {} blocks of {} bytes", g.vol_blocks,
        device_blocks, g.block_size));
  }
  if (g.vol_blocks < kMinVolumeBlocks) {
    return Status::invalid_argument(fmt::format(
        "volume of {} bytes is too small: at least {} blocks of {} bytes ({} bytes) are needed",
        device_bytes, kMinVolumeBlocks, g.block_size, kMinVolumeBlocks * g.block_size));
  }
  if (g.vol_blocks > kMaxBlocks) {
    return Status::invalid_argument(fmt::format(
        "volume of {} blocks exceeds the format's limit of 2^48 blocks", g.vol_blocks));
  }
  if (options.label.size() > kMaxLabelLen || options.label.find('\0') != std::string::npos) {
    return Status::invalid_argument(
        fmt::format("label '{}' is longer than {} bytes", options.label, kMaxLabelLen));
  }
  if (options.stream_count > kMaxStreams) {
    return Status::invalid_argument(
        fmt::format("{} fsync streams exceed the format's {}", options.stream_count, kMaxStreams));
  }
  g.reserved_blocks = first_data_block(g.block_bits);
  g.itree_leaf = g.reserved_blocks;
  g.bitmap_xleaf = g.itree_leaf + 1;
  g.bitmap_block0 = g.bitmap_xleaf + 1;
  g.first_free = g.bitmap_block0 + 1;
  g.bits_per_bitmap_block = bits_per_bitmap_block(g.block_size);
  g.bitmap_file_blocks = (g.vol_blocks + g.bits_per_bitmap_block - 1) / g.bits_per_bitmap_block;
  g.free_blocks = g.vol_blocks - g.first_free;
  g.max_leaf_value = max_leaf_value(g.block_size);
  // The reserved area zeroed, three metadata blocks, then the two superblock slots.
  g.bytes_to_write = std::max<uint64_t>(kReservedBytes, g.reserved_blocks * g.block_size) +
                     3 * uint64_t(g.block_size) + 2 * kSuperSlotSize;

  Superblock& sb = g.super;
  sb.uuid = options.uuid;
  sb.delta = 1;
  sb.slot = 1;
  sb.block_bits = uint16_t(g.block_bits);
  sb.state = kStateClean;
  sb.stream_count = options.stream_count;
  sb.feature_incompat = 0;
  sb.vol_blocks = g.vol_blocks;
  sb.free_blocks = g.free_blocks;
  sb.inode_count = 2;  // the bitmap and the root directory
  sb.next_inum = kFirstNormalIno;
  sb.next_block = g.first_free;
  sb.itree = {g.itree_leaf, 0};
  sb.unify_delta = 0;
  sb.create_time = options.now;
  sb.commit_time = options.now;
  sb.hash_seed = hash_seed_from_uuid(options.uuid);
  sb.io_min = topology.io_min;
  sb.io_opt = topology.io_opt;
  sb.fsync_mode = options.fsync_mode;
  sb.label = options.label;
  TUX3_RETURN_IF_ERROR(validate_superblock(sb));
  return g;
}

}  // namespace tux3
