// mkfs.cc: write_volume, which writes an empty volume laid out by plan_volume.
#include <vector>

#include <fmt/format.h>

#include "tuxdisk/format/bitmap.h"
#include "tuxdisk/format/inode.h"
#include "tuxdisk/format/node.h"
#include "tuxdisk/format/values.h"
#include "tuxdisk/mkfs.h"

namespace tux3 {

using namespace format;

namespace {

// Delta 0 is mkfs's own; every block it writes carries it.
constexpr uint64_t kMkfsDelta = 0;

InodeRecord bitmap_inode(const VolumeGeometry& g, const MkfsOptions& o) {
  InodeRecord inode;
  inode.mode = kModeRegular;  // internal: no permissions, never linked in a directory
  inode.nlink = 1;
  inode.size = g.bitmap_file_blocks * g.block_size;
  inode.blocks = 1;
  inode.atime = inode.mtime = inode.ctime = inode.btime = o.now;
  inode.root = {g.bitmap_xleaf, 0};
  return inode;
}

InodeRecord root_inode(const MkfsOptions& o) {
  InodeRecord inode;
  inode.mode = kModeDirectory | (o.root_mode & kModePermMask);
  inode.uid = o.root_uid;
  inode.gid = o.root_gid;
  inode.nlink = 2;
  inode.atime = inode.mtime = inode.ctime = inode.btime = o.now;
  inode.parent = kInoRoot;
  return inode;
}

// Every block is verified by the same decoder a reader uses before it goes out: an encoder
// bug is reported here, not written to the volume.
Status write_block(BlockDevice& dev, const VolumeGeometry& g, uint64_t block,
                   std::span<const uint8_t> bytes, const Uuid& uuid) {
  Expect expect{decode_header(bytes).magic, block, uuid, kMkfsDelta};
  NodeExpect node{expect, 0, g.vol_blocks};
  Status verified;
  switch (expect.magic) {
    case kMagicIleaf:
      node.owner = kOwnerInodeTable;
      verified = LeafView::decode(bytes, node).status();
      break;
    case kMagicXleaf:
      node.owner = kInoBitmap;
      verified = LeafView::decode(bytes, node).status();
      break;
    case kMagicBitmap:
      verified = verify_bitmap_block(bytes, expect, 0, g.vol_blocks);
      break;
    default:
      verified = Status::invalid_argument("unexpected block kind");
  }
  if (!verified) {
    return std::move(verified).with_context(
        fmt::format("mkfs: refusing to write block {} that fails verification", block));
  }
  return dev.write(block << g.block_bits, bytes).with_context("mkfs");
}

}  // namespace

Status write_volume(BlockDevice& dev, const VolumeGeometry& g, const MkfsOptions& o) {
  const Uuid& uuid = o.uuid;
  std::vector<uint8_t> block(g.block_size);

  // Boot area and both superblock slots: zeroed first, so no stale slot survives.
  std::vector<uint8_t> zeros(std::max<uint64_t>(kReservedBytes, g.reserved_blocks * g.block_size));
  TUX3_RETURN_IF_ERROR(dev.write(0, zeros).with_context("mkfs: clearing the boot area"));

  // Inode table: one leaf holding the bitmap inode and the root directory.
  std::vector<uint8_t> bitmap_rec = encode_inode(bitmap_inode(g, o));
  std::vector<uint8_t> root_rec = encode_inode(root_inode(o));
  LeafItem inodes[] = {{kInoBitmap, bitmap_rec}, {kInoRoot, root_rec}};
  TUX3_RETURN_IF_ERROR(encode_leaf({kMagicIleaf, g.itree_leaf, uuid, kMkfsDelta},
                                   kOwnerInodeTable, inodes, block));
  TUX3_RETURN_IF_ERROR(write_block(dev, g, g.itree_leaf, block, uuid));

  // The bitmap file's extent tree: one extent, logical 0 -> bitmap_block0.
  uint8_t extent_bytes[ExtentLayout::kSize];
  encode_extent({0, g.bitmap_block0, 1, 0}, extent_bytes);
  LeafItem extents[] = {{0, extent_bytes}};
  TUX3_RETURN_IF_ERROR(encode_leaf({kMagicXleaf, g.bitmap_xleaf, uuid, kMkfsDelta}, kInoBitmap,
                                   extents, block));
  TUX3_RETURN_IF_ERROR(write_block(dev, g, g.bitmap_xleaf, block, uuid));

  // The first bitmap block: every block mkfs used is allocated. Later bitmap blocks are
  // holes, which read as all free: this is what keeps mkfs independent of volume size.
  std::fill(block.begin(), block.end(), 0);
  auto bits = bitmap_bits(std::span<uint8_t>(block));
  for (uint64_t b = 0; b < g.first_free; ++b) set_bit(bits, b);
  encode_bitmap_header(block, {kMagicBitmap, g.bitmap_block0, uuid, kMkfsDelta}, 0);
  TUX3_RETURN_IF_ERROR(write_block(dev, g, g.bitmap_block0, block, uuid));

  // Commit: everything above is durable before any superblock names it.
  TUX3_RETURN_IF_ERROR(dev.flush().with_context("mkfs: flush before commit"));
  std::vector<uint8_t> slot(kSuperSlotSize);
  Superblock sb = g.super;
  sb.delta = 0;
  sb.slot = 0;
  encode_superblock(sb, slot);
  TUX3_RETURN_IF_ERROR(decode_superblock(slot, 0).status().with_context(
      "mkfs: refusing to write a superblock that fails verification"));
  TUX3_RETURN_IF_ERROR(
      dev.write(kSuperSlotOffset[0], slot).with_context("mkfs: writing superblock slot 0"));
  sb.delta = 1;
  sb.slot = 1;
  encode_superblock(sb, slot);
  TUX3_RETURN_IF_ERROR(
      dev.write(kSuperSlotOffset[1], slot).with_context("mkfs: writing superblock slot 1"));
  return dev.flush().with_context("mkfs: flush after commit");
}

}  // namespace tux3
