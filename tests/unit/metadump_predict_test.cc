// metadump_predict_test.cc: the dump's block filter (image/predict.h): it gives back every
// block exactly, sound, damaged or not metadata at all; on sound blocks the predicted
// fields (location, checksum, directory keys) become zeros.
#include <gtest/gtest.h>

#include <random>

#include "image/predict.h"
#include "samples.h"
#include "tuxdisk/endian.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/format/header.h"
#include "tuxdisk/format/node.h"
#include "tuxdisk/format/values.h"

namespace tux3 {
namespace {

using namespace format;

constexpr uint64_t kSeed = 0x27a4b0a65ccca8e7;
constexpr uint64_t kFirstData = 3;

// A sound directory leaf at `block` holding `names`.
std::vector<uint8_t> dleaf(uint64_t block, const std::vector<std::string>& names) {
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> entries;
  uint64_t inum = 100;
  for (const std::string& name : names) {
    Dirent d{0, inum++, FileType::kRegular, name};
    entries.emplace_back(dirent_key(name_hash(name, kSeed), 0), encode_dirent(d));
  }
  std::sort(entries.begin(), entries.end());
  std::vector<LeafItem> items;
  for (auto& [key, value] : entries) items.push_back({key, value});
  std::vector<uint8_t> out(4096);
  BlockHeader h{kMagicDleaf, block, testing::kSampleUuid, 9};
  EXPECT_TRUE(encode_leaf(h, 77, items, out).is_ok());
  return out;
}

std::vector<uint8_t> round_trip(std::vector<uint8_t> block, uint64_t number) {
  image::predict_encode(block, number, kFirstData, kSeed);
  image::predict_decode(block, number, kFirstData, kSeed);
  return block;
}

TEST(MetadumpPredict, SoundDirectoryLeafBecomesZerosWherePredicted) {
  auto block = dleaf(40, {"hello", "a", "file-with-a-longer-name.txt", "x.c"});
  auto filtered = block;
  image::predict_encode(filtered, 40, kFirstData, kSeed);
  EXPECT_EQ(load_be32(filtered.data() + 4), 0u) << "checksum";
  EXPECT_EQ(load_be64(filtered.data() + 8), 0u) << "location";
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(load_be64(filtered.data() + 56 + 10 * i), 0u) << "key of slot " << i;
    EXPECT_EQ(load_be16(filtered.data() + 64 + 10 * i), load_be16(block.data() + 64 + 10 * i));
  }
  EXPECT_EQ(load_be32(filtered.data()), kMagicDleaf);
  EXPECT_TRUE(std::equal(block.begin() + 96, block.end(), filtered.begin() + 96))
      << "names and the rest are untouched";
  EXPECT_EQ(round_trip(block, 40), block);
}

TEST(MetadumpPredict, AnythingComesBackExactly) {
  std::mt19937_64 rng(5);
  auto sound = dleaf(40, {"one", "two", "three"});
  std::vector<std::vector<uint8_t>> blocks;
  blocks.push_back(sound);
  for (int i = 0; i < 300; ++i) {
    auto b = sound;
    // Damage anywhere: counts, lengths, names, keys, header; and other magics.
    for (int k = 0; k < 1 + i % 4; ++k) b[rng() % b.size()] ^= uint8_t(1 + rng() % 255);
    if (i % 5 == 0) store_be16(b.data() + 50, uint16_t(rng()));
    if (i % 7 == 0) store_be32(b.data(), i % 2 ? kMagicIleaf : uint32_t(rng()));
    blocks.push_back(b);
  }
  std::vector<uint8_t> random(512);
  for (auto& c : random) c = uint8_t(rng());
  store_be32(random.data(), kMagicBnode);
  blocks.push_back(random);
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    EXPECT_EQ(round_trip(blocks[i], 40), blocks[i]) << "block " << i;
    EXPECT_EQ(round_trip(blocks[i], 2), blocks[i]) << "reserved area, block " << i;
  }
}

TEST(MetadumpPredict, ReservedAreaAndDataAreLeftAlone) {
  auto block = dleaf(2, {"name"});
  auto filtered = block;
  image::predict_encode(filtered, 2, kFirstData, kSeed);
  EXPECT_EQ(filtered, block) << "below the first data block";
  std::vector<uint8_t> data(4096, 0x5a);
  auto same = data;
  image::predict_encode(same, 50, kFirstData, kSeed);
  EXPECT_EQ(same, data) << "no tux3 magic";
}

}  // namespace
}  // namespace tux3
