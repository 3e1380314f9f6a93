// mkfs.h: laying out and writing a new, empty tux3 volume.
//
// plan_volume() is pure: from the device size and options it computes where everything goes.
// write_volume() writes that plan: a fixed, small number of blocks whatever the volume size
// (no full-device initialisation), with the superblocks last, after a flush, so a crash in
// the middle never leaves something that looks like a valid volume.
#pragma once

#include <cstdint>
#include <string>

#include "tuxdisk/device.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/format/header.h"
#include "tuxdisk/format/superblock.h"
#include "tuxdisk/status.h"

namespace tux3 {

struct MkfsOptions {
  unsigned block_bits = format::kDefaultBlockBits;
  format::Uuid uuid{};             // the caller chooses (random, or -U for reproducibility)
  std::string label;
  format::Timestamp now;           // creation time (SOURCE_DATE_EPOCH for reproducibility)
  uint32_t root_uid = 0;
  uint32_t root_gid = 0;
  uint32_t root_mode = 0755;
  format::FsyncMode fsync_mode = format::FsyncMode::kStream;
  uint16_t stream_count = 0;       // fsync streams reserved at mkfs (0: none yet)
  uint64_t vol_blocks = 0;         // 0: the whole device
};

// Where mkfs puts things, and what it will write.
struct VolumeGeometry {
  unsigned block_bits = 0;
  uint32_t block_size = 0;
  uint64_t vol_blocks = 0;
  uint64_t reserved_blocks = 0;    // blocks 0 .. reserved_blocks-1: boot area and superblocks
  uint64_t itree_leaf = 0;         // the inode table's root leaf
  uint64_t bitmap_xleaf = 0;       // the bitmap file's extent leaf
  uint64_t bitmap_block0 = 0;      // the one bitmap block written at mkfs
  uint64_t bitmap_file_blocks = 0; // bitmap blocks the whole volume needs (the rest are holes)
  uint64_t bits_per_bitmap_block = 0;
  uint64_t first_free = 0;         // the first block not used by mkfs
  uint64_t free_blocks = 0;
  std::size_t max_leaf_value = 0;  // largest inode record / leaf value for this block size
  uint64_t bytes_to_write = 0;
  format::Superblock super;        // the superblock mkfs will commit (delta 1)
};

// Validates options against the device and computes the layout. Errors: block size out of
// range or below the device's logical sector size; volume too small or too large.
Result<VolumeGeometry> plan_volume(uint64_t device_bytes, const Topology& topology,
                                   const MkfsOptions& options);

// Writes the planned volume: reserved area (boot area and both slots) zeroed, inode table leaf, bitmap extent
// leaf, first bitmap block; flush; slot 0 (delta 0); slot 1 (delta 1, the same state);
// flush. REQUIRES: geometry from plan_volume for this device.
Status write_volume(BlockDevice& device, const VolumeGeometry& geometry,
                    const MkfsOptions& options);

// A 64-bit directory-hash seed derived from the volume UUID (so -U reproduces it).
uint64_t hash_seed_from_uuid(const format::Uuid& uuid);

}  // namespace tux3
