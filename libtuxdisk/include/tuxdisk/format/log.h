// log.h: delta log blocks and their records.
//
// Log block: the common header, then
//   40 prev u64    the older log block in the chain (0: oldest)
//   48 used u16    bytes of records, starting at offset 56
//   50 reserved u16, 52 reserved u32 (zero)
//   56 records, packed; bytes after them zero.
// A record: code u8, size u8 (whole record, header included), then the fields of its kind,
// big-endian, in the order of kLogRecordKinds. The superblock's log_head names the newest
// block; log_count blocks are reached by following prev.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "tuxdisk/endian.h"
#include "tuxdisk/format/header.h"
#include "tuxdisk/status.h"

namespace tux3::format {

struct LogLayout {
  using Prev = BeField<uint64_t, 40>;
  using Used = BeField<uint16_t, 48>;
  using Reserved16 = BeField<uint16_t, 50>;
  using Reserved32 = BeField<uint32_t, 52>;
  static constexpr std::size_t kRecordsOffset = 56;
  static constexpr std::size_t kRecordHeaderSize = 2;
};
static_assert(LogLayout::Prev::kOffset == HeaderLayout::kSize);
static_assert(fields_contiguous<LogLayout::Prev, LogLayout::Used, LogLayout::Reserved16,
                                LogLayout::Reserved32>() &&
              LogLayout::Reserved32::kEnd == LogLayout::kRecordsOffset);

enum class LogCode : uint8_t {
  kAlloc = 0x01,          // block, count: blocks allocated in this delta
  kFree = 0x02,           // block, count: freed; reusable once this delta is durable
  kFreeOnUnify = 0x03,    // block, count: freed; reusable after the next unify is durable
  kFreeRelog = 0x04,      // block, count: a deferred free carried across a unify
  kLeafRedirect = 0x05,   // old, new: a leaf rewritten to a new block; old freed with the delta
  kLeafFree = 0x06,       // block: a leaf written earlier in this unify cycle, now discarded
  kBnodeRedirect = 0x07,  // old, new: a bnode copied to a new block; old freed after unify
  kBnodeRoot = 0x08,      // owner, root, left, right, key: new root above left (keys >= 0)
                          //   and right (keys >= key); right = 0 for a single child
  kBnodeSplit = 0x09,     // src, dst, pos: entries pos.. of src moved into new bnode dst
  kBnodeAdd = 0x0a,       // parent, child, key: index entry inserted
  kBnodeUpdate = 0x0b,    // parent, child, key: the entry for key now points at child
  kBnodeMerge = 0x0c,     // src, dst: src's entries appended to dst; src freed
  kBnodeDel = 0x0d,       // bnode, key, count: count entries from key deleted
  kBnodeAdjust = 0x0e,    // bnode, from, to: separator key changed
  kBnodeFree = 0x0f,      // block: a bnode written earlier in this unify cycle, discarded
  kOrphanAdd = 0x10,      // inum: the inode became an orphan
  kOrphanDel = 0x11,      // inum: the orphan was destroyed (or relinked)
  kFreeBlocks = 0x12,     // count: free block count at a unify
  kUnify = 0x13,          // (none): records before this one in the chain are obsolete
  kDelta = 0x14,          // delta: the records that follow belong to this delta
  kStreamReserve = 0x15,  // stream, block: block reserved for the stream's next block
  kStreamRetire = 0x16,   // stream, seq: stream blocks up to seq absorbed; reservation ends
};

inline constexpr std::size_t kMaxLogFields = 5;

struct LogFieldSpec {
  std::string_view name;
  uint8_t width;  // bytes: 2, 4 or 8
};

struct LogRecordKind {
  LogCode code;
  std::string_view name;
  uint8_t field_count;
  std::array<LogFieldSpec, kMaxLogFields> fields;
  std::size_t size() const;  // whole encoded record
};

// Every record kind, by code; nullptr for an unknown code.
const LogRecordKind* log_record_kind(uint8_t code);
std::span<const LogRecordKind> all_log_record_kinds();

struct LogRecord {
  LogCode code;
  std::array<uint64_t, kMaxLogFields> fields{};  // in the order of the kind's fields
  bool operator==(const LogRecord&) const = default;
};

struct LogBlock {
  BlockHeader header;  // magic kMagicLog
  uint64_t prev = 0;
  std::vector<LogRecord> records;
};

// Bytes available for records in a log block of this size.
inline std::size_t log_capacity(uint32_t block_size) {
  return block_size - LogLayout::kRecordsOffset;
}
std::size_t encoded_size(const LogRecord& record);

// REQUIRES: every record's fields fit their widths; NoSpace if the records do not fit.
Status encode_log_block(const LogBlock& block, std::span<uint8_t> out);
// Verifies header, used bytes, reserved fields, record codes and sizes, zeroed tail, and
// prev inside the volume. Field values are not interpreted (replay does that).
Result<LogBlock> decode_log_block(std::span<const uint8_t> block, const Expect& expect,
                                  uint64_t vol_blocks);

}  // namespace tux3::format
