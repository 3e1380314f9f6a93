// format_superblock_test.cc: superblock slots: round trip, validation, corruption, slot choice.
#include <vector>

#include <gtest/gtest.h>

#include "fixture.h"
#include "samples.h"
#include "tuxdisk/endian.h"
#include "tuxdisk/format/superblock.h"

namespace tux3::format {
namespace {

using testing::sample_superblock;

std::vector<uint8_t> encoded(const Superblock& sb) {
  std::vector<uint8_t> out(kSuperSlotSize);
  encode_superblock(sb, out);
  return out;
}

TEST(Superblock, RoundTripAndFixture) {
  Superblock sb = sample_superblock();
  auto image = encoded(sb);
  auto back = decode_superblock(image, 1);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(*back, sb);
  testing::expect_fixture("superblock", image);
}

TEST(Superblock, WrongSlotIsMisdirected) {
  auto image = encoded(sample_superblock());  // delta 7: slot 1
  auto back = decode_superblock(image, 0);
  EXPECT_EQ(back.status().code(), Errc::kCorruption);
  EXPECT_NE(back.status().message().find("misdirected"), std::string::npos);
}

TEST(Superblock, AllZeroSlotIsNeverWritten) {
  std::vector<uint8_t> zeros(kSuperSlotSize);
  EXPECT_EQ(decode_superblock(zeros, 0).status().code(), Errc::kNotFound);
}

TEST(Superblock, EveryFlippedByteIsRejected) {
  auto good = encoded(sample_superblock());
  for (std::size_t i = 0; i < good.size(); ++i) {
    auto b = good;
    b[i] ^= 0x40;
    auto r = decode_superblock(b, 1);
    EXPECT_FALSE(r.is_ok()) << "byte " << i;
    EXPECT_EQ(r.status().code(), Errc::kCorruption) << "byte " << i;
  }
}

TEST(Superblock, TruncatedImageIsRejected) {
  auto image = encoded(sample_superblock());
  auto r = decode_superblock(std::span(image).first(4000), 1);
  EXPECT_FALSE(r.is_ok());
}

// Re-seal after editing a field, so the field check (not the checksum) is what fails.
template <typename Field>
Result<Superblock> with_field(typename Field::value_type value) {
  auto image = encoded(sample_superblock());
  Field::set(image, value);
  seal_block(image);
  return decode_superblock(image, 1);
}

TEST(Superblock, FieldValidationNamesTheField) {
  using L = SuperLayout;
  auto bits = with_field<L::BlockBits>(17);
  EXPECT_EQ(bits.status().code(), Errc::kCorruption);
  EXPECT_NE(bits.status().message().find("blockbits"), std::string::npos);
  EXPECT_FALSE(with_field<L::VolBlocks>(10).is_ok());
  EXPECT_FALSE(with_field<L::FreeBlocks>(262144).is_ok());
  EXPECT_FALSE(with_field<L::ItreeRoot>(0).is_ok());
  EXPECT_FALSE(with_field<L::ItreeRoot>(262144).is_ok());
  EXPECT_FALSE(with_field<L::LogCount>(0).is_ok());  // head set, count zero
  EXPECT_FALSE(with_field<L::NextInum>(3).is_ok());
  EXPECT_FALSE(with_field<L::UnifyDelta>(8).is_ok());
  EXPECT_FALSE(with_field<L::CreateNsec>(1000000000).is_ok());
  EXPECT_FALSE(with_field<L::FsyncModeField>(2).is_ok());
  EXPECT_FALSE(with_field<L::StreamCount>(1).is_ok());  // stream 1 set beyond the count
  EXPECT_FALSE(with_field<L::ItreeDepth>(9).is_ok());
  EXPECT_FALSE(with_field<L::State>(1 << 7).is_ok());
}

TEST(Superblock, UnknownVersionAndIncompatAreNotSupported) {
  using L = SuperLayout;
  auto version = with_field<L::Version>(2);
  EXPECT_EQ(version.status().code(), Errc::kNotSupported);
  auto incompat = with_field<L::FeatureIncompat>(kIncompatStreams | 1u << 5);
  EXPECT_EQ(incompat.status().code(), Errc::kNotSupported);
  EXPECT_NE(incompat.status().message().find("0x20"), std::string::npos);
  // Unknown compat bits are fine.
  EXPECT_TRUE(with_field<L::FeatureCompat>(1u << 9).is_ok());
}

TEST(Superblock, ReservedBytesMustBeZero) {
  auto image = encoded(sample_superblock());
  image[3000] = 1;
  seal_block(image);
  EXPECT_EQ(decode_superblock(image, 1).status().code(), Errc::kCorruption);
}

TEST(Superblock, ChooseTakesNewestValidSlot) {
  Superblock a = sample_superblock();
  a.delta = 8;
  Superblock b = sample_superblock();  // delta 7
  auto s0 = encoded(a), s1 = encoded(b);
  auto pair = choose_superblock(s0, s1);
  ASSERT_TRUE(pair.chosen);
  EXPECT_EQ(*pair.chosen, 0u);
  s0[100] ^= 1;  // a torn newest slot: fall back to the older one
  pair = choose_superblock(s0, s1);
  ASSERT_TRUE(pair.chosen);
  EXPECT_EQ(*pair.chosen, 1u);
  EXPECT_EQ(pair.slots[0].status().code(), Errc::kCorruption);
  s1[200] ^= 1;
  EXPECT_FALSE(choose_superblock(s0, s1).chosen);
}

}  // namespace
}  // namespace tux3::format
