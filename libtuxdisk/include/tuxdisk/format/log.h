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
#include "tuxdisk/format/superblock.h"
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

// The log between two unifies. Leaves and data are written whole, redirect-on-write, by
// every delta; bnodes and the allocation bitmap are written only by a unify, so their
// changes since the last unify exist on disk only as these records. Block numbers in
// bnode records are the bnodes' current locations.
enum class LogCode : uint8_t {
  kAlloc = 0x01,          // block, count: blocks allocated by this delta
  kFree = 0x02,           // block, count: blocks freed; reusable once this delta is durable
  kLeafRedirect = 0x03,   // old, new: a leaf rewritten at new (allocated); old (if not 0)
                          //   freed as by FREE
  kBnodeNew = 0x04,       // block, owner, level: a new bnode with no entries (allocated)
  kBnodeRedirect = 0x05,  // old, new: the bnode at old now lives at new (allocated), with the
                          //   same entries; old stays allocated until the next unify is durable
  kBnodeAdd = 0x06,       // bnode, key, child: entry inserted in key order
  kBnodeUpdate = 0x07,    // bnode, key, child: the entry for key now points at child
  kBnodeDel = 0x08,       // bnode, key, count: count entries from the one for key removed
  kBnodeFree = 0x09,      // block: bnode dropped from its tree; freed as by FREE if created or
                          //   redirected since the last unify, else when the next unify is
  kUnify = 0x0a,          // (none): the first record of a unify cycle
  kDelta = 0x0b,          // delta: the records that follow belong to this delta
  kStreamReserve = 0x0c,  // stream, block: block reserved for the stream's next block
  kStreamRetire = 0x0d,   // stream, seq: stream blocks up to seq absorbed; reservation ends
  kRoots = 0x0e,          // the last record of every delta: what its superblock says of the
                          //   state it committed (fields: kRootsField order below)
};

// The fields of a ROOTS record, in order.
enum RootsField : std::size_t {
  kRootsItreeRoot, kRootsItreeDepth, kRootsOtreeRoot, kRootsOtreeDepth, kRootsInodeCount,
  kRootsFreeBlocks, kRootsCommitSec, kRootsCommitNsec,
};

inline constexpr std::size_t kMaxLogFields = 8;

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

// A ROOTS record, decoded: the state a delta committed, as its superblock gives it.
struct DeltaRoots {
  TreeRoot itree;
  TreeRoot otree;
  uint64_t inode_count = 0;
  uint64_t free_blocks = 0;
  Timestamp commit_time;
  bool operator==(const DeltaRoots&) const = default;
};
LogRecord encode_roots(const DeltaRoots& roots);
// REQUIRES: record.code == LogCode::kRoots. Values are not validated (see chain reading).
DeltaRoots decode_roots(const LogRecord& record);

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
