// format_header_test.cc: the common header, its checksum and the block fault classes.
#include <vector>

#include <gtest/gtest.h>

#include "tuxdisk/format/constants.h"
#include "tuxdisk/format/header.h"

namespace tux3::format {
namespace {

const Uuid kUuid = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                    0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};

std::vector<uint8_t> sealed_block() {
  std::vector<uint8_t> b(512);
  for (std::size_t i = 40; i < b.size(); ++i) b[i] = uint8_t(i);
  encode_header(b, {kMagicBnode, 77, kUuid, 5});
  seal_block(b);
  return b;
}

TEST(Header, RoundTrip) {
  auto b = sealed_block();
  BlockHeader h = decode_header(b);
  EXPECT_EQ(h.magic, kMagicBnode);
  EXPECT_EQ(h.location, 77u);
  EXPECT_EQ(h.uuid, kUuid);
  EXPECT_EQ(h.delta, 5u);
  EXPECT_TRUE(checksum_ok(b));
  EXPECT_EQ(classify_block(b, {kMagicBnode, 77, kUuid, 5}), BlockFault::kOk);
}

TEST(Header, EachFaultIsDistinguished) {
  auto b = sealed_block();
  EXPECT_EQ(classify_block(b, {kMagicIleaf, 77, kUuid, 5}), BlockFault::kWrongMagic);
  EXPECT_EQ(classify_block(b, {kMagicBnode, 78, kUuid, 5}), BlockFault::kMisdirected);
  Uuid other = kUuid;
  other[15] ^= 1;
  EXPECT_EQ(classify_block(b, {kMagicBnode, 77, other, 5}), BlockFault::kForeignVolume);
  EXPECT_EQ(classify_block(b, {kMagicBnode, 77, kUuid, 4}), BlockFault::kFutureDelta);
  EXPECT_EQ(classify_block(std::span(b).first(20), {kMagicBnode, 77, kUuid, 5}),
            BlockFault::kShort);
  b[300] ^= 0x10;
  EXPECT_EQ(classify_block(b, {kMagicBnode, 77, kUuid, 5}), BlockFault::kBadChecksum);
}

TEST(Header, EveryFlippedBitIsCaught) {
  auto good = sealed_block();
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      auto b = good;
      b[i] ^= uint8_t(1 << bit);
      EXPECT_NE(classify_block(b, {kMagicBnode, 77, kUuid, 5}), BlockFault::kOk)
          << "byte " << i << " bit " << bit;
    }
  }
}

TEST(Header, VerifyMessageNamesKindBlockAndReason) {
  auto b = sealed_block();
  Status s = verify_header(b, {kMagicBnode, 78, kUuid, 5}, "bnode");
  EXPECT_EQ(s.code(), Errc::kCorruption);
  EXPECT_EQ(s.message(), "bnode at block 78: misdirected (records another block number) "
                         "(records 77)");
  ASSERT_TRUE(s.block());
  EXPECT_EQ(*s.block(), 78u);
}

TEST(Uuid, ParseAndFormat) {
  auto u = parse_uuid("01234567-89ab-cdef-0123-456789ABCDEF");
  ASSERT_TRUE(u);
  EXPECT_EQ(*u, kUuid);
  EXPECT_EQ(uuid_to_string(*u), "01234567-89ab-cdef-0123-456789abcdef");
  EXPECT_TRUE(parse_uuid("0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(parse_uuid("01234567-89ab-cdef-0123-456789abcde"));
  EXPECT_FALSE(parse_uuid("01234567-89ab-cdef-0123-456789abcdeg"));
  EXPECT_FALSE(parse_uuid("01234567-89ab-cdef-0123-456789abcdef0"));
  EXPECT_FALSE(parse_uuid(""));
}

}  // namespace
}  // namespace tux3::format
