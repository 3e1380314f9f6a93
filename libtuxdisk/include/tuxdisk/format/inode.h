// inode.h: the inode record, the value stored under an inode number in the inode table.
//
// A fixed 100-byte core followed by tagged attributes (TLVs), see man/tux3-format.5, INODES:
//   0 mode u32 | 4 uid u32 | 8 gid u32 | 12 nlink u32 | 16 size u64 | 24 blocks u64
//   32 atime (sec s64, nsec u32) | 44 mtime | 56 ctime | 68 btime   (12 bytes each)
//   80 flags u32 | 84 generation u32 | 88 root block u64 | 96 root depth u16 | 98 reserved u16
//   100.. attributes: tag u8, length u16, body; tags ascending; XATTR may repeat.
// The root is the file's extent tree (regular files, long symlinks, the bitmap) or its
// directory index (directories).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tuxdisk/endian.h"
#include "tuxdisk/format/superblock.h"
#include "tuxdisk/format/values.h"
#include "tuxdisk/status.h"

namespace tux3::format {

struct InodeLayout {
  using Mode = BeField<uint32_t, 0>;
  using Uid = BeField<uint32_t, 4>;
  using Gid = BeField<uint32_t, 8>;
  using Nlink = BeField<uint32_t, 12>;
  using Size = BeField<uint64_t, 16>;
  using Blocks = BeField<uint64_t, 24>;
  using AtimeSec = BeField<uint64_t, 32>;
  using AtimeNsec = BeField<uint32_t, 40>;
  using MtimeSec = BeField<uint64_t, 44>;
  using MtimeNsec = BeField<uint32_t, 52>;
  using CtimeSec = BeField<uint64_t, 56>;
  using CtimeNsec = BeField<uint32_t, 64>;
  using BtimeSec = BeField<uint64_t, 68>;
  using BtimeNsec = BeField<uint32_t, 76>;
  using Flags = BeField<uint32_t, 80>;
  using Generation = BeField<uint32_t, 84>;
  using RootBlock = BeField<uint64_t, 88>;
  using RootDepth = BeField<uint16_t, 96>;
  using Reserved = BeField<uint16_t, 98>;
  static constexpr std::size_t kCoreSize = 100;
  static constexpr std::size_t kAttrHeaderSize = 3;  // tag u8, length u16
};
static_assert(fields_contiguous<
              InodeLayout::Mode, InodeLayout::Uid, InodeLayout::Gid, InodeLayout::Nlink,
              InodeLayout::Size, InodeLayout::Blocks, InodeLayout::AtimeSec,
              InodeLayout::AtimeNsec, InodeLayout::MtimeSec, InodeLayout::MtimeNsec,
              InodeLayout::CtimeSec, InodeLayout::CtimeNsec, InodeLayout::BtimeSec,
              InodeLayout::BtimeNsec, InodeLayout::Flags, InodeLayout::Generation,
              InodeLayout::RootBlock, InodeLayout::RootDepth, InodeLayout::Reserved>());
static_assert(InodeLayout::Reserved::kEnd == InodeLayout::kCoreSize);

// File type bits of mode (the Linux values, fixed by this format).
inline constexpr uint32_t kModeTypeMask = 0170000;
inline constexpr uint32_t kModeSocket = 0140000;
inline constexpr uint32_t kModeSymlink = 0120000;
inline constexpr uint32_t kModeRegular = 0100000;
inline constexpr uint32_t kModeBlockDev = 0060000;
inline constexpr uint32_t kModeDirectory = 0040000;
inline constexpr uint32_t kModeCharDev = 0020000;
inline constexpr uint32_t kModeFifo = 0010000;
inline constexpr uint32_t kModePermMask = 07777;

// Attribute tags.
enum class AttrTag : uint8_t { kRdev = 1, kParent = 2, kSymlink = 3, kXattr = 4, kExtents = 5 };

// EXTENTS: a small file's mapping kept in its record instead of an extent tree (root 0).
// Each entry: logical u64, physical u64, count u32, flags u32.
inline constexpr std::size_t kInlineExtentSize = 24;
inline constexpr std::size_t kMaxInlineExtents = 4;

// Extended attribute name spaces ("user.foo" is stored as kUser + "foo").
enum class XattrNs : uint8_t {
  kUser = 1, kTrusted = 2, kSecurity = 3, kPosixAclAccess = 4, kPosixAclDefault = 5, kSystem = 6,
};

// Inode flags (chattr-style).
inline constexpr uint32_t kInodeImmutable = 1 << 0;
inline constexpr uint32_t kInodeAppend = 1 << 1;
inline constexpr uint32_t kInodeNoDump = 1 << 2;
inline constexpr uint32_t kInodeFlagsKnown = kInodeImmutable | kInodeAppend | kInodeNoDump;

struct Xattr {
  XattrNs ns = XattrNs::kUser;
  std::string name;              // 1..255 bytes, without the name-space prefix
  std::vector<uint8_t> value;
  bool operator==(const Xattr&) const = default;
};

struct InodeRecord {
  uint32_t mode = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t nlink = 0;
  uint64_t size = 0;
  uint64_t blocks = 0;  // blocks allocated to the file's data, in volume blocks
  Timestamp atime, mtime, ctime, btime;
  uint32_t flags = 0;
  uint32_t generation = 0;
  TreeRoot root;
  // Attributes.
  std::optional<uint64_t> rdev;    // device nodes: major << 32 | minor
  uint64_t parent = 0;             // directories: the parent directory (root: itself)
  std::optional<std::string> inline_symlink;  // symlinks of at most 255 bytes
  std::vector<Xattr> xattrs;       // sorted by (ns, name), unique
  // Regular files and data symlinks with root 0: up to kMaxInlineExtents extents,
  // ascending and not overlapping. Blocks are range-checked by readers (they know the
  // volume size); the record checks only their shape.
  std::vector<Extent> inline_extents;

  uint32_t type() const { return mode & kModeTypeMask; }
  bool is_dir() const { return type() == kModeDirectory; }
  bool operator==(const InodeRecord&) const = default;
};

FileType file_type_of_mode(uint32_t mode);

// Encoded size; the record fits in a leaf when this is <= max_leaf_value(block size).
std::size_t inode_record_size(const InodeRecord& inode);
// REQUIRES: inode passes validate_inode.
std::vector<uint8_t> encode_inode(const InodeRecord& inode);
// Decodes and validates (inum is used in messages and to check special inodes).
Result<InodeRecord> decode_inode(std::span<const uint8_t> value, uint64_t inum);
Status validate_inode(const InodeRecord& inode, uint64_t inum);
// For repair: the most of a record that decode_inode() rejects that can be kept: its core
// (times clamped, unknown mode and flag bits cleared, the link count capped, a tree root
// of impossible depth dropped) and every attribute that is valid where it is (unknown or
// malformed attributes, invalid or repeated xattrs, invalid or overlapping inline extents
// dropped; xattrs sorted; a directory without a parent given the root; an inline symlink's
// size set to its target's). `fixes` says what changed, one phrase each. Corruption when
// even that is not a valid record (no valid file type, a core that is too short).
Result<InodeRecord> salvage_inode(std::span<const uint8_t> value, uint64_t inum,
                                  std::vector<std::string>& fixes);

}  // namespace tux3::format
