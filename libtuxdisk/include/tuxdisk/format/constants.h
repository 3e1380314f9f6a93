// constants.h: format v1 constants: magics, fixed locations, limits, special inodes, features.
// The normative description of every value here is man/tux3-format.5.
#pragma once

#include <cstdint>

namespace tux3::format {

inline constexpr uint16_t kFormatVersion = 1;

// Block magics: four ASCII bytes read as a big-endian u32.
constexpr uint32_t fourcc(char a, char b, char c, char d) {
  return uint32_t(uint8_t(a)) << 24 | uint32_t(uint8_t(b)) << 16 | uint32_t(uint8_t(c)) << 8 |
         uint32_t(uint8_t(d));
}
inline constexpr uint32_t kMagicSuper = fourcc('t', 'u', 'x', '3');
inline constexpr uint32_t kMagicBnode = fourcc('T', '3', 'B', 'N');   // btree index node
inline constexpr uint32_t kMagicIleaf = fourcc('T', '3', 'I', 'L');   // inode table leaf
inline constexpr uint32_t kMagicXleaf = fourcc('T', '3', 'X', 'L');   // file extent leaf
inline constexpr uint32_t kMagicDleaf = fourcc('T', '3', 'D', 'L');   // directory index leaf
inline constexpr uint32_t kMagicOleaf = fourcc('T', '3', 'O', 'L');   // orphan list leaf
inline constexpr uint32_t kMagicBitmap = fourcc('T', '3', 'B', 'M');  // allocation bitmap block
inline constexpr uint32_t kMagicLog = fourcc('T', '3', 'L', 'G');     // delta log block
inline constexpr uint32_t kMagicStream = fourcc('T', '3', 'F', 'S');  // fsync stream block

// Block sizes: 512 .. 65536 bytes, a power of two.
inline constexpr unsigned kMinBlockBits = 9;
inline constexpr unsigned kMaxBlockBits = 16;
inline constexpr unsigned kDefaultBlockBits = 12;

// Superblock slots: two 4096-byte slots at fixed byte offsets, whatever the block size.
// Delta d is committed by writing slot (d & 1).
inline constexpr uint64_t kSuperSlotSize = 4096;
inline constexpr uint64_t kSuperSlotOffset[2] = {4096, 8192};
// Bytes [0, kReservedBytes) hold the boot area and both slots; the blocks covering them are
// always allocated, so block 0 is never a data block and 0 can mean "none" everywhere.
inline constexpr uint64_t kReservedBytes = 12288;
// The first block after the reserved area: where data and metadata blocks may start.
constexpr uint64_t first_data_block(unsigned block_bits) {
  return (kReservedBytes + (uint64_t(1) << block_bits) - 1) >> block_bits;
}

// Limits.
inline constexpr uint64_t kMaxBlocks = uint64_t(1) << 48;   // block numbers are < 2^48
inline constexpr uint64_t kMaxInum = (uint64_t(1) << 48) - 1;
inline constexpr uint32_t kMaxNameLen = 255;
inline constexpr uint32_t kMaxSymlinkLen = 4095;
inline constexpr uint32_t kMaxInlineSymlinkLen = 255;   // longer targets live in data blocks
inline constexpr uint32_t kMaxLinkCount = 65000;
inline constexpr uint32_t kMaxLabelLen = 63;
inline constexpr uint16_t kMaxStreams = 32;
inline constexpr uint16_t kMaxTreeDepth = 8;   // index levels above the leaves
inline constexpr uint64_t kMinVolumeBlocks = 64;

// Special inode numbers. 0 is never an inode; 3..15 are reserved; users' inodes start at 16.
inline constexpr uint64_t kInoBitmap = 1;   // the allocation bitmap is this file's data
inline constexpr uint64_t kInoRoot = 2;     // the root directory
inline constexpr uint64_t kFirstNormalIno = 16;
// Whether the inode table may hold inode `inum`: 1, 2, or 16 up to kMaxInum.
inline constexpr bool valid_inode_number(uint64_t inum) {
  return inum == kInoBitmap || inum == kInoRoot || (inum >= kFirstNormalIno && inum <= kMaxInum);
}

// Owner of a btree node, recorded in every node so a misplaced node is detected.
// Per-file trees (extents, directory index) are owned by their inode number.
inline constexpr uint64_t kOwnerInodeTable = uint64_t(1) << 63 | 1;
inline constexpr uint64_t kOwnerOrphans = uint64_t(1) << 63 | 2;

// Feature flags. A reader must refuse a volume with an unknown incompat bit, may only read
// one with an unknown ro_compat bit, and may ignore unknown compat bits.
inline constexpr uint64_t kCompatSupported = 0;
inline constexpr uint64_t kRoCompatSupported = 0;
inline constexpr uint64_t kIncompatStreams = uint64_t(1) << 0;  // fsync stream blocks may be live
inline constexpr uint64_t kIncompatSupported = kIncompatStreams;

// Superblock state bits.
inline constexpr uint16_t kStateClean = 1 << 0;   // unified and closed: the log is empty
inline constexpr uint16_t kStateErrors = 1 << 1;  // a checker found errors it did not repair
inline constexpr uint16_t kStateKnown = kStateClean | kStateErrors;

// Default fsync mode recorded in the superblock.
enum class FsyncMode : uint8_t { kStream = 0, kDelta = 1 };

// Directory entry / inode file types (the value stored in a directory entry).
enum class FileType : uint8_t {
  kUnknown = 0, kRegular = 1, kDirectory = 2, kCharDevice = 3, kBlockDevice = 4,
  kFifo = 5, kSocket = 6, kSymlink = 7,
};

}  // namespace tux3::format
