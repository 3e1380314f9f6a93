// fields.h: the named fields of a block, by the kind its magic names, for corrupt and
// set_super: where each is (offset and width within the block or superblock slot) and
// what kind of value it holds. Names follow man/tux3-format.5 and tests/images/tux3img.
//
//   every block    magic checksum location uuid delta
//   superblock     version blockbits state stream_count feature_compat feature_ro_compat
//                  feature_incompat vol_blocks free_blocks inode_count next_inum next_block
//                  itree_root otree_root itree_depth otree_depth log_count log_head
//                  unify_delta create_sec create_nsec commit_nsec commit_sec hash_seed io_min
//                  io_opt fsync_mode label stream.I.block|seq|delta
//   btree nodes    owner level count reserved; bnode entry.I.key|child; leaf slot.I.key|length
//   leaf values    inode.N.<core field> (ileaf, N the inode number), extent.I.physical|count|
//                  flags (xleaf, I the slot), dirent.I.inum|type (dleaf)
//   bitmap         base reserved bit.N
//   log            prev used reserved16 reserved32 record.I.code|size|<field of its kind>
//   stream         stream flags extent_count seq next inum size mtime_sec mtime_nsec
//                  ctime_nsec ctime_sec mode data_crc extent.I.logical|physical|count|flags
//   raw            u8@OFF u16@OFF u32@OFF u64@OFF (OFF decimal or 0x hex)
// Offsets inside leaves and log blocks come from the block's own slot table and record
// sizes, read with bounds checks: a table too damaged to follow gives an error.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tuxdisk/status.h"

namespace tux3::debugfs {

enum class FieldKind : uint8_t {
  kUnsigned,  // big-endian integer of `width` bytes
  kSigned,    // the same, written and shown as two's complement (seconds fields)
  kUuid,      // 16 bytes
  kLabel,     // 64 bytes, a NUL-padded string
  kBit,       // one bit: `bit` of the byte at `offset`
};

struct Field {
  std::string name;
  std::size_t offset = 0;
  std::size_t width = 0;  // bytes (1 for a bit)
  FieldKind kind = FieldKind::kUnsigned;
  unsigned bit = 0;
};

// Every field of `bytes` (a block, or a 4096-byte superblock slot when `slot`), bit.N
// excepted. Fields past the end of `bytes` are never listed.
std::vector<Field> list_fields(std::span<const uint8_t> bytes, bool slot);
// The field called `name`. NotFound (with what the block has) if there is none.
Result<Field> find_field(std::span<const uint8_t> bytes, bool slot, std::string_view name);

// The field's value as text ("120", "0x5433424e", a UUID, 'label').
std::string field_value_text(std::span<const uint8_t> bytes, const Field& field);
// Writes `text` into the field (numbers in decimal, 0x hex or negative decimal; a magic also
// as its four letters; a UUID; a label), or, when `text` is empty, inverts every bit of it.
// InvalidArgument if the value does not fit.
Status set_field(std::span<uint8_t> bytes, const Field& field, std::string_view text);

}  // namespace tux3::debugfs
