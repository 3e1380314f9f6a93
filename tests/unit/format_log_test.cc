// format_log_test.cc: bitmap blocks, delta log blocks and fsync stream blocks.
#include <vector>

#include <gtest/gtest.h>

#include "fixture.h"
#include "samples.h"
#include "tuxdisk/crc32c.h"
#include "tuxdisk/format/bitmap.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/format/log.h"
#include "tuxdisk/format/node.h"
#include "tuxdisk/format/stream.h"

namespace tux3::format {
namespace {

using testing::kSampleUuid;

TEST(Bitmap, RoundTripCoverageAndFixture) {
  std::vector<uint8_t> block(512);
  auto bits = bitmap_bits(std::span<uint8_t>(block));
  EXPECT_EQ(bits_per_bitmap_block(512), 3648u);
  EXPECT_EQ(bits_per_bitmap_block(4096), 32320u);
  for (uint64_t b : {0, 1, 2, 9, 100}) set_bit(bits, b);
  clear_bit(bits, 9);
  encode_bitmap_header(block, {kMagicBitmap, 30, kSampleUuid, 2}, 3648);
  testing::expect_fixture("bitmap", block);
  Expect e{kMagicBitmap, 30, kSampleUuid, 2};
  ASSERT_TRUE(verify_bitmap_block(block, e, 3648, 100000).is_ok());
  auto cbits = bitmap_bits(std::span<const uint8_t>(block));
  EXPECT_TRUE(bit_is_set(cbits, 2));
  EXPECT_FALSE(bit_is_set(cbits, 9));
  EXPECT_EQ(block[56], 0x07);  // LSB first
  EXPECT_EQ(verify_bitmap_block(block, e, 0, 100000).code(), Errc::kCorruption);  // wrong base
  // A bit at or past the end of the volume must be clear.
  EXPECT_EQ(verify_bitmap_block(block, e, 3648, 3648 + 100).code(), Errc::kCorruption);
  EXPECT_TRUE(verify_bitmap_block(block, e, 3648, 3648 + 101).is_ok());
}

LogBlock sample_log_block() {
  LogBlock lb;
  lb.header = {kMagicLog, 40, kSampleUuid, 12};
  lb.prev = 39;
  lb.records = {
      {LogCode::kUnify, {}},
      {LogCode::kDelta, {12}},
      {LogCode::kAlloc, {1000, 16}},
      {LogCode::kLeafRedirect, {500, 501}},
      {LogCode::kBnodeRedirect, {400, 402}},
      {LogCode::kBnodeUpdate, {402, 64, 501}},
      {LogCode::kBnodeNew, {403, 77, 1}},
      {LogCode::kBnodeDel, {403, 64, 2}},
      {LogCode::kStreamReserve, {1, 2000}},
      encode_roots({{600, 1}, {0, 0}, 42, 3000, {1700000000, 500}}),
  };
  return lb;
}

TEST(Log, RecordTableIsCompleteAndSized) {
  auto kinds = all_log_record_kinds();
  EXPECT_EQ(kinds.size(), 14u);
  EXPECT_EQ(log_record_kind(uint8_t(LogCode::kAlloc))->size(), 14u);
  EXPECT_EQ(log_record_kind(uint8_t(LogCode::kBnodeNew))->size(), 20u);
  EXPECT_EQ(log_record_kind(uint8_t(LogCode::kBnodeAdd))->size(), 26u);
  EXPECT_EQ(log_record_kind(uint8_t(LogCode::kUnify))->size(), 2u);
  EXPECT_EQ(log_record_kind(uint8_t(LogCode::kStreamReserve))->size(), 12u);
  EXPECT_EQ(log_record_kind(0), nullptr);
  EXPECT_EQ(log_record_kind(uint8_t(LogCode::kRoots))->size(), 50u);
  EXPECT_EQ(log_record_kind(0x0f), nullptr);
  EXPECT_EQ(log_record_kind(0xff), nullptr);
}

TEST(Log, RoundTripAndFixture) {
  std::vector<uint8_t> block(512);
  LogBlock lb = sample_log_block();
  ASSERT_TRUE(encode_log_block(lb, block).is_ok());
  testing::expect_fixture("log", block);
  auto back = decode_log_block(block, {kMagicLog, 40, kSampleUuid, 12}, 10000);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->prev, 39u);
  EXPECT_EQ(back->records, lb.records);
}

TEST(Log, RootsRecordRoundTrips) {
  DeltaRoots roots{{600, 2}, {700, 1}, 123456, 99, {-5, 999999999}};
  LogRecord record = encode_roots(roots);
  EXPECT_EQ(record.code, LogCode::kRoots);
  EXPECT_EQ(decode_roots(record), roots);
  std::vector<uint8_t> block(512);
  LogBlock lb;
  lb.header = {kMagicLog, 40, kSampleUuid, 12};
  lb.records = {record};
  ASSERT_TRUE(encode_log_block(lb, block).is_ok());
  auto back = decode_log_block(block, {kMagicLog, 40, kSampleUuid, 12}, 10000);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  ASSERT_EQ(back->records.size(), 1u);
  EXPECT_EQ(decode_roots(back->records[0]), roots);
}

TEST(Log, EveryRecordKindRoundTrips) {
  std::vector<uint8_t> block(4096);
  LogBlock lb;
  lb.header = {kMagicLog, 40, kSampleUuid, 12};
  for (const LogRecordKind& kind : all_log_record_kinds()) {
    LogRecord r{kind.code};
    for (std::size_t i = 0; i < kind.field_count; ++i) {
      r.fields[i] = kind.fields[i].width == 2 ? 0xbeef : kind.fields[i].width == 4 ? 0xdeadbeef
                                                                                  : 0x0000123456789abcull;
    }
    lb.records.push_back(r);
  }
  ASSERT_TRUE(encode_log_block(lb, block).is_ok());
  auto back = decode_log_block(block, {kMagicLog, 40, kSampleUuid, 12}, 10000);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->records, lb.records);
}

TEST(Log, OverfullBlockIsNoSpace) {
  std::vector<uint8_t> block(512);
  LogBlock lb;
  lb.header = {kMagicLog, 40, kSampleUuid, 12};
  lb.records.assign(40, LogRecord{LogCode::kAlloc, {1, 1}});  // 40 * 14 > 456
  EXPECT_EQ(encode_log_block(lb, block).code(), Errc::kNoSpace);
}

TEST(Log, CorruptRecordsEndDecodingWithCorruption) {
  auto corrupt = [](auto mutate) {
    std::vector<uint8_t> block(512);
    EXPECT_TRUE(encode_log_block(sample_log_block(), block).is_ok());
    mutate(block);
    seal_block(block);
    return decode_log_block(block, {kMagicLog, 40, kSampleUuid, 12}, 10000).status();
  };
  EXPECT_EQ(corrupt([](auto& b) { b[56] = 0x7f; }).code(), Errc::kCorruption);   // unknown code
  EXPECT_EQ(corrupt([](auto& b) { b[57] = 3; }).code(), Errc::kCorruption);      // wrong size
  EXPECT_EQ(corrupt([](auto& b) { LogLayout::Used::set(b, 500); }).code(), Errc::kCorruption);
  EXPECT_EQ(corrupt([](auto& b) { LogLayout::Used::set(b, 57); }).code(), Errc::kCorruption);
  EXPECT_EQ(corrupt([](auto& b) { b[511] = 1; }).code(), Errc::kCorruption);     // tail garbage
  EXPECT_EQ(corrupt([](auto& b) { LogLayout::Prev::set(b, 10000); }).code(), Errc::kCorruption);
  Status s = corrupt([](auto& b) { b[56] = 0x7f; });
  EXPECT_NE(s.message().find("offset 56"), std::string::npos) << s.message();
}

TEST(Log, EveryFlippedByteIsRejected) {
  std::vector<uint8_t> good(512);
  ASSERT_TRUE(encode_log_block(sample_log_block(), good).is_ok());
  for (std::size_t i = 0; i < good.size(); ++i) {
    auto b = good;
    b[i] ^= 0x21;
    EXPECT_FALSE(decode_log_block(b, {kMagicLog, 40, kSampleUuid, 12}, 10000).is_ok()) << i;
  }
}

StreamBlock sample_stream_block() {
  StreamBlock sb;
  sb.header = {kMagicStream, 700, kSampleUuid, 12};
  sb.stream = 1;
  sb.flags = kStreamHasSize | kStreamHasMtime | kStreamHasCtime;
  sb.seq = 3;
  sb.next = 701;
  sb.inum = 77;
  sb.size = 10000;
  sb.mtime = {1700000000, 10};
  sb.ctime = {1700000000, 20};
  sb.mode = 0100644;
  sb.extents = {{0, 800, 2, 0}, {5, 900, 1, 0}};
  return sb;
}

StreamExpect stream_expect() {
  return {{kMagicStream, 700, kSampleUuid, 12}, 1, 3, 10000, 3};
}

TEST(Stream, RoundTripAndFixture) {
  std::vector<uint8_t> block(512);
  ASSERT_TRUE(encode_stream_block(sample_stream_block(), block).is_ok());
  testing::expect_fixture("stream", block);
  auto back = decode_stream_block(block, stream_expect());
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->inum, 77u);
  EXPECT_EQ(back->next, 701u);
  EXPECT_EQ(back->extents, sample_stream_block().extents);
  EXPECT_EQ(stream_extent_capacity(512), 16u);
  EXPECT_EQ(stream_extent_capacity(4096), 166u);
}

TEST(Stream, OnlyTheExpectedSequenceStreamAndDeltaCount) {
  std::vector<uint8_t> block(512);
  ASSERT_TRUE(encode_stream_block(sample_stream_block(), block).is_ok());
  StreamExpect e = stream_expect();
  e.seq = 4;  // a stale block from an earlier round of the stream
  EXPECT_EQ(decode_stream_block(block, e).status().code(), Errc::kCorruption);
  e = stream_expect();
  e.stream = 2;
  EXPECT_EQ(decode_stream_block(block, e).status().code(), Errc::kCorruption);
  e = stream_expect();
  e.header.max_delta = 13;  // written for another delta
  EXPECT_EQ(decode_stream_block(block, e).status().code(), Errc::kCorruption);
  std::vector<uint8_t> never_written(512);
  EXPECT_EQ(decode_stream_block(never_written, stream_expect()).status().code(),
            Errc::kCorruption);
}

TEST(Stream, BadContentsAreRejected) {
  auto bad = [](auto mutate) {
    StreamBlock sb = sample_stream_block();
    mutate(sb);
    std::vector<uint8_t> block(512);
    EXPECT_TRUE(encode_stream_block(sb, block).is_ok());
    return decode_stream_block(block, stream_expect()).status().code();
  };
  EXPECT_EQ(bad([](StreamBlock& s) { s.extents[1].logical = 1; }), Errc::kCorruption);  // overlap
  EXPECT_EQ(bad([](StreamBlock& s) { s.extents[0].physical = 9999; }), Errc::kCorruption);
  EXPECT_EQ(bad([](StreamBlock& s) { s.next = 700; }), Errc::kCorruption);  // points at itself
  EXPECT_EQ(bad([](StreamBlock& s) { s.inum = 2; }), Errc::kCorruption);
  EXPECT_EQ(bad([](StreamBlock& s) { s.flags |= 1 << 9; }), Errc::kCorruption);
  EXPECT_EQ(bad([](StreamBlock& s) { s.data_crc = 5; }), Errc::kCorruption);  // without the flag
  EXPECT_EQ(bad([](StreamBlock& s) {
              s.flags |= kStreamHasDataCrc;
              s.data_crc = 5;
            }),
            Errc::kOk);
  StreamBlock big = sample_stream_block();
  big.extents.assign(17, Extent{0, 800, 1, 0});
  std::vector<uint8_t> block(512);
  EXPECT_EQ(encode_stream_block(big, block).code(), Errc::kNoSpace);
}

// The data checksum: CRC32C over the blocks' own CRC32Cs, big-endian, in order.
TEST(Stream, DataCrcCoversEveryBlockInOrder) {
  std::vector<uint8_t> a(512, 'a'), b(512, 'b');
  StreamDataCrc ab, ba, one;
  ab.add_block(a);
  ab.add_block(b);
  ba.add_block(b);
  ba.add_block(a);
  one.add_block(a);
  EXPECT_NE(ab.value(), ba.value());
  EXPECT_NE(ab.value(), one.value());
  uint32_t ca = crc32c(a), cb = crc32c(b);
  std::vector<uint8_t> concat;
  for (uint32_t c : {ca, cb}) {
    for (int shift = 24; shift >= 0; shift -= 8) concat.push_back(uint8_t(c >> shift));
  }
  EXPECT_EQ(ab.value(), crc32c(concat));
}

// A block cut short (a short read, a truncated image) is rejected by every decoder, even when
// its checksum has been recomputed over the short length, and never read past its end.
TEST(AllKinds, TruncatedBlocksAreRejected) {
  for (std::size_t len : {0, 1, 39, 40, 41, 48, 55, 56, 57, 100, 511}) {
    for (uint32_t magic : {kMagicBnode, kMagicIleaf, kMagicBitmap, kMagicLog, kMagicStream}) {
      std::vector<uint8_t> b(len, 0);
      if (len >= 40) {
        encode_header(b, {magic, 5, kSampleUuid, 1});
        if (len >= 56 && magic == kMagicIleaf) b[50] = 0xff;  // a count the block cannot hold
        seal_block(b);
      }
      Expect e{magic, 5, kSampleUuid, 1};
      NodeExpect ne{e, kOwnerInodeTable, 10000};
      Status s;
      switch (magic) {
        case kMagicBnode: s = decode_bnode(b, ne).status(); break;
        case kMagicIleaf: s = LeafView::decode(b, ne).status(); break;
        case kMagicBitmap: s = verify_bitmap_block(b, e, 0, 10000); break;
        case kMagicLog: s = decode_log_block(b, e, 10000).status(); break;
        default: s = decode_stream_block(b, {e, 0, 0, 10000, 3}).status(); break;
      }
      EXPECT_EQ(s.code(), Errc::kCorruption) << magic_name(magic) << " of " << len << " bytes";
    }
  }
}

}  // namespace
}  // namespace tux3::format
