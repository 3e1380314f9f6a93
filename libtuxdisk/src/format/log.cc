// log.cc: the log record table and log block encode/decode.
#include "tuxdisk/format/log.h"

#include <algorithm>

#include <fmt/format.h>

#include "tuxdisk/bytes.h"

namespace tux3::format {
namespace {

constexpr LogFieldSpec B{"block", 8}, C4{"count", 4}, C2{"count", 2};
constexpr LogFieldSpec Old{"old", 8}, New{"new", 8}, Bn{"bnode", 8}, Key{"key", 8};
constexpr LogFieldSpec Child{"child", 8}, Stream{"stream", 2}, Seq{"seq", 8};

constexpr LogRecordKind kKinds[] = {
    {LogCode::kAlloc, "ALLOC", 2, {B, C4}},
    {LogCode::kFree, "FREE", 2, {B, C4}},
    {LogCode::kLeafRedirect, "LEAF_REDIRECT", 2, {Old, New}},
    {LogCode::kBnodeNew, "BNODE_NEW", 3, {B, LogFieldSpec{"owner", 8}, LogFieldSpec{"level", 2}}},
    {LogCode::kBnodeRedirect, "BNODE_REDIRECT", 2, {Old, New}},
    {LogCode::kBnodeAdd, "BNODE_ADD", 3, {Bn, Key, Child}},
    {LogCode::kBnodeUpdate, "BNODE_UPDATE", 3, {Bn, Key, Child}},
    {LogCode::kBnodeDel, "BNODE_DEL", 3, {Bn, Key, C2}},
    {LogCode::kBnodeFree, "BNODE_FREE", 1, {B}},
    {LogCode::kUnify, "UNIFY", 0, {}},
    {LogCode::kDelta, "DELTA", 1, {LogFieldSpec{"delta", 8}}},
    {LogCode::kStreamReserve, "STREAM_RESERVE", 2, {Stream, B}},
    {LogCode::kStreamRetire, "STREAM_RETIRE", 2, {Stream, Seq}},
    {LogCode::kRoots, "ROOTS", 8,
     {LogFieldSpec{"itree_root", 8}, LogFieldSpec{"itree_depth", 2},
      LogFieldSpec{"otree_root", 8}, LogFieldSpec{"otree_depth", 2},
      LogFieldSpec{"inode_count", 8}, LogFieldSpec{"free_blocks", 8},
      LogFieldSpec{"commit_sec", 8}, LogFieldSpec{"commit_nsec", 4}}},
};

// Codes are dense from 1, so the table is indexed by code - 1.
constexpr bool table_is_dense() {
  for (std::size_t i = 0; i < std::size(kKinds); ++i) {
    if (uint8_t(kKinds[i].code) != i + 1) return false;
  }
  return true;
}
static_assert(table_is_dense());

Status log_error(const Expect& e, std::string detail) {
  return Status::corruption(fmt::format("log block {}: {}", e.location, detail))
      .at_block(e.location);
}

}  // namespace

std::size_t LogRecordKind::size() const {
  std::size_t n = LogLayout::kRecordHeaderSize;
  for (std::size_t i = 0; i < field_count; ++i) n += fields[i].width;
  return n;
}

const LogRecordKind* log_record_kind(uint8_t code) {
  if (code == 0 || code > std::size(kKinds)) return nullptr;
  return &kKinds[code - 1];
}

std::span<const LogRecordKind> all_log_record_kinds() { return kKinds; }

LogRecord encode_roots(const DeltaRoots& r) {
  LogRecord out{LogCode::kRoots};
  out.fields[kRootsItreeRoot] = r.itree.block;
  out.fields[kRootsItreeDepth] = r.itree.depth;
  out.fields[kRootsOtreeRoot] = r.otree.block;
  out.fields[kRootsOtreeDepth] = r.otree.depth;
  out.fields[kRootsInodeCount] = r.inode_count;
  out.fields[kRootsFreeBlocks] = r.free_blocks;
  out.fields[kRootsCommitSec] = uint64_t(r.commit_time.sec);
  out.fields[kRootsCommitNsec] = r.commit_time.nsec;
  return out;
}

DeltaRoots decode_roots(const LogRecord& record) {
  const auto& f = record.fields;
  DeltaRoots r;
  r.itree = {f[kRootsItreeRoot], uint16_t(f[kRootsItreeDepth])};
  r.otree = {f[kRootsOtreeRoot], uint16_t(f[kRootsOtreeDepth])};
  r.inode_count = f[kRootsInodeCount];
  r.free_blocks = f[kRootsFreeBlocks];
  r.commit_time = {int64_t(f[kRootsCommitSec]), uint32_t(f[kRootsCommitNsec])};
  return r;
}

std::size_t encoded_size(const LogRecord& record) {
  const LogRecordKind* kind = log_record_kind(uint8_t(record.code));
  return kind ? kind->size() : 0;
}

Status encode_log_block(const LogBlock& block, std::span<uint8_t> out) {
  std::fill(out.begin(), out.end(), 0);
  encode_header(out, block.header);
  LogLayout::Prev::set(out, block.prev);
  ByteWriter w(out.subspan(LogLayout::kRecordsOffset));
  for (const LogRecord& record : block.records) {
    const LogRecordKind* kind = log_record_kind(uint8_t(record.code));
    if (!kind) {
      return Status::invalid_argument(fmt::format("log record code {:#x} is unknown",
                                                  int(record.code)));
    }
    w.u8(uint8_t(record.code));
    w.u8(uint8_t(kind->size()));
    for (std::size_t i = 0; i < kind->field_count; ++i) {
      uint64_t v = record.fields[i];
      switch (kind->fields[i].width) {
        case 2: w.be16(uint16_t(v)); break;
        case 4: w.be32(uint32_t(v)); break;
        default: w.be64(v); break;
      }
    }
  }
  if (!w.ok()) {
    return Status::no_space(fmt::format("log block {}: {} records do not fit",
                                        block.header.location, block.records.size()));
  }
  LogLayout::Used::set(out, uint16_t(w.position()));
  seal_block(out);
  return Status::ok();
}

Result<LogBlock> decode_log_block(std::span<const uint8_t> block, const Expect& expect,
                                  uint64_t vol_blocks) {
  TUX3_RETURN_IF_ERROR(verify_header(block, expect, "log"));
  if (block.size() < LogLayout::kRecordsOffset) return log_error(expect, "block too small");
  LogBlock out;
  out.header = decode_header(block);
  out.prev = LogLayout::Prev::get(block);
  if (out.prev >= vol_blocks) {
    return log_error(expect, fmt::format("prev {} is outside the volume", out.prev));
  }
  if (LogLayout::Reserved16::get(block) != 0 || LogLayout::Reserved32::get(block) != 0) {
    return log_error(expect, "reserved fields are not zero");
  }
  std::size_t used = LogLayout::Used::get(block);
  if (used > log_capacity(uint32_t(block.size()))) {
    return log_error(expect, fmt::format("used {} exceeds the block's {} record bytes", used,
                                         log_capacity(uint32_t(block.size()))));
  }
  auto records = block.subspan(LogLayout::kRecordsOffset, used);
  // Counted first, so the records take no more memory than they need: a chain's records
  // are all held while it is replayed, each several times its encoded size.
  std::size_t count = 0;
  for (std::size_t at = 0; at < records.size(); ++count) {
    const LogRecordKind* kind = log_record_kind(records[at]);
    if (!kind) break;  // reported below
    at += kind->size();
  }
  out.records.reserve(count + 1);
  ByteReader r(records);
  while (r.remaining() > 0) {
    std::size_t at = LogLayout::kRecordsOffset + r.position();
    uint8_t code = r.u8();
    uint8_t size = r.u8();
    const LogRecordKind* kind = log_record_kind(code);
    if (!kind) return log_error(expect, fmt::format("offset {}: unknown record code {:#x}", at, code));
    if (size != kind->size()) {
      return log_error(expect, fmt::format("offset {}: {} record has size {}, want {}", at,
                                           kind->name, size, kind->size()));
    }
    LogRecord record{kind->code};
    for (std::size_t i = 0; i < kind->field_count; ++i) {
      switch (kind->fields[i].width) {
        case 2: record.fields[i] = r.be16(); break;
        case 4: record.fields[i] = r.be32(); break;
        default: record.fields[i] = r.be64(); break;
      }
    }
    if (!r.ok()) return log_error(expect, fmt::format("offset {}: record overruns used bytes", at));
    out.records.push_back(record);
  }
  auto tail = block.subspan(LogLayout::kRecordsOffset + used);
  if (!all_zero(tail)) {
    return log_error(expect, "bytes after the records are not zero");
  }
  return out;
}

}  // namespace tux3::format
