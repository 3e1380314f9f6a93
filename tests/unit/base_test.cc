// base_test.cc: CRC32C vectors, big-endian fields, bounded byte readers and writers, sizes.
#include <array>
#include <numeric>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "helpers.h"
#include "tuxdisk/bytes.h"
#include "tuxdisk/crc32c.h"
#include "tuxdisk/endian.h"
#include "tuxdisk/size_parse.h"

namespace tux3 {
namespace {

using testing::bytes;

// Known answers: the CRC-32C check value and the iSCSI test vectors (RFC 3720, B.4).
TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(crc32c(bytes("123456789")), 0xE3069283u);
  EXPECT_EQ(crc32c({}), 0u);
  std::array<uint8_t, 32> zeros{};
  EXPECT_EQ(crc32c(zeros), 0x8A9136AAu);
  std::array<uint8_t, 32> ones;
  ones.fill(0xff);
  EXPECT_EQ(crc32c(ones), 0x62A8AB43u);
  std::array<uint8_t, 32> ascending;
  std::iota(ascending.begin(), ascending.end(), uint8_t(0));
  EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
  std::array<uint8_t, 32> descending;
  for (int i = 0; i < 32; ++i) descending[i] = uint8_t(31 - i);
  EXPECT_EQ(crc32c(descending), 0x113FDB5Cu);
}

TEST(Crc32c, HoleEqualsZeroedField) {
  std::vector<uint8_t> block(4096);
  for (std::size_t i = 0; i < block.size(); ++i) block[i] = uint8_t(i * 7 + 3);
  std::vector<uint8_t> zeroed = block;
  std::fill(zeroed.begin() + 4, zeroed.begin() + 8, 0);
  EXPECT_EQ(crc32c_with_hole(block, 4), crc32c(zeroed));
}

TEST(Endian, FieldsAreBigEndian) {
  std::array<uint8_t, 16> b{};
  BeField<uint32_t, 2>::set(b, 0x01020304);
  EXPECT_EQ(b[2], 1);
  EXPECT_EQ(b[5], 4);
  EXPECT_EQ((BeField<uint32_t, 2>::get(b)), 0x01020304u);
  BeField<uint64_t, 8>::set(b, 0x1122334455667788ull);
  EXPECT_EQ(b[8], 0x11);
  EXPECT_EQ(b[15], 0x88);
  BeField<uint16_t, 0>::set(b, 0xabcd);
  EXPECT_EQ(b[0], 0xab);
  static_assert(fields_contiguous<BeField<uint16_t, 0>, BeField<uint32_t, 2>,
                                  BeField<uint16_t, 6>>());
  static_assert(!fields_contiguous<BeField<uint16_t, 0>, BeField<uint32_t, 4>>());
}

TEST(ByteReader, OverrunFailsStickyAndReturnsZero) {
  std::array<uint8_t, 5> b{1, 2, 3, 4, 5};
  ByteReader r(b);
  EXPECT_EQ(r.be32(), 0x01020304u);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.be16(), 0u);  // only one byte left
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.u8(), 0u);  // sticky: even a read that would fit fails now
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ByteReader, BytesNeverPastEnd) {
  std::array<uint8_t, 4> b{1, 2, 3, 4};
  ByteReader r(b);
  EXPECT_EQ(r.bytes(4).size(), 4u);
  EXPECT_TRUE(r.at_end());
  EXPECT_TRUE(r.bytes(1).empty());
  EXPECT_FALSE(r.ok());
  ByteReader huge(b);
  EXPECT_TRUE(huge.bytes(SIZE_MAX).empty());
  EXPECT_FALSE(huge.ok());
}

TEST(ByteWriter, OverrunFailsWithoutWriting) {
  std::array<uint8_t, 3> b{9, 9, 9};
  ByteWriter w(b);
  w.be16(0x0102);
  w.be16(0x0304);
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(b[2], 9);  // the failed write left the byte alone
  EXPECT_EQ(b[0], 1);
}

TEST(SizeParse, SuffixesAndErrors) {
  EXPECT_EQ(*parse_size("512"), 512u);
  EXPECT_EQ(*parse_size("4k"), 4096u);
  EXPECT_EQ(*parse_size("64M"), 64ull << 20);
  EXPECT_EQ(*parse_size("16GiB"), 16ull << 30);
  EXPECT_EQ(*parse_size("1t"), 1ull << 40);
  EXPECT_EQ(*parse_size("2P"), 2ull << 50);
  EXPECT_EQ(*parse_size("100b"), 100u);
  EXPECT_FALSE(parse_size("").is_ok());
  EXPECT_FALSE(parse_size("k").is_ok());
  EXPECT_FALSE(parse_size("12q").is_ok());
  EXPECT_FALSE(parse_size("-1").is_ok());
  EXPECT_FALSE(parse_size("1.5G").is_ok());
  EXPECT_FALSE(parse_size("99999999999999999999").is_ok());
  EXPECT_FALSE(parse_size("20000000P").is_ok());
  EXPECT_EQ(parse_size("12q").status().code(), Errc::kInvalidArgument);
  EXPECT_NE(parse_size("12q").status().message().find("12q"), std::string::npos);
  EXPECT_EQ(format_size(512), "512 B");
  EXPECT_EQ(format_size(1ull << 30), "1.00 GiB");
}

}  // namespace
}  // namespace tux3
