// format_node_test.cc: bnodes and slotted leaves: round trip, limits, corruption.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fixture.h"
#include "samples.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/format/node.h"

namespace tux3::format {
namespace {

using testing::kSampleUuid;

constexpr uint64_t kVolBlocks = 100000;

NodeExpect expect_at(uint32_t magic, uint64_t block, uint64_t owner = kOwnerInodeTable) {
  return {{magic, block, kSampleUuid, 9}, owner, kVolBlocks};
}

Bnode sample_bnode() {
  Bnode n;
  n.header = {kMagicBnode, 50, kSampleUuid, 9};
  n.owner = kOwnerInodeTable;
  n.level = 1;
  n.entries = {{0, 60}, {64, 61}, {4096, 62}};
  return n;
}

TEST(Bnode, RoundTripAndFixture) {
  std::vector<uint8_t> block(512);
  Bnode n = sample_bnode();
  encode_bnode(n, block);
  auto back = decode_bnode(block, expect_at(kMagicBnode, 50));
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->entries, n.entries);
  EXPECT_EQ(back->level, 1);
  testing::expect_fixture("bnode", block);
}

TEST(Bnode, CapacityAtEveryBlockSize) {
  EXPECT_EQ(bnode_capacity(512), 28u);
  EXPECT_EQ(bnode_capacity(4096), 252u);
  EXPECT_EQ(bnode_capacity(65536), 4092u);
  // A full node round-trips.
  std::vector<uint8_t> block(4096);
  Bnode n = sample_bnode();
  n.entries.clear();
  for (uint64_t i = 0; i < bnode_capacity(4096); ++i) n.entries.push_back({i * 10, 100 + i});
  encode_bnode(n, block);
  auto back = decode_bnode(block, expect_at(kMagicBnode, 50));
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->entries.size(), bnode_capacity(4096));
}

TEST(Bnode, StructuralCorruptionIsRejected) {
  auto check = [](auto mutate, const char* what) {
    Bnode n = sample_bnode();
    mutate(n);
    std::vector<uint8_t> block(512);
    encode_bnode(n, block);
    auto r = decode_bnode(block, expect_at(kMagicBnode, 50));
    EXPECT_EQ(r.status().code(), Errc::kCorruption) << what;
  };
  check([](Bnode& n) { n.entries[1].key = n.entries[2].key; }, "duplicate keys");
  check([](Bnode& n) { std::swap(n.entries[0], n.entries[2]); }, "descending keys");
  check([](Bnode& n) { n.entries[1].child = 0; }, "null child");
  check([](Bnode& n) { n.entries[1].child = kVolBlocks; }, "child beyond volume");
  check([](Bnode& n) { n.entries.clear(); }, "empty bnode");
  check([](Bnode& n) { n.level = 0; }, "level 0");
  check([](Bnode& n) { n.level = kMaxTreeDepth + 1; }, "too deep");
  check([](Bnode& n) { n.owner = 77; }, "wrong owner");
}

TEST(Bnode, CountBeyondCapacityIsRejected) {
  std::vector<uint8_t> block(512);
  encode_bnode(sample_bnode(), block);
  NodeLayout::Count::set(block, 29);
  seal_block(block);
  EXPECT_EQ(decode_bnode(block, expect_at(kMagicBnode, 50)).status().code(),
            Errc::kCorruption);
}

// Recovery: keys out of order, or a header that fails (misdirected, stale, torn), still
// give the children; nothing without the bnode magic does.
TEST(Bnode, RecoveryDecodersKeepTheChildren) {
  Bnode n = sample_bnode();
  std::swap(n.entries[0].key, n.entries[2].key);
  std::vector<uint8_t> block(512);
  encode_bnode(n, block);
  EXPECT_EQ(decode_bnode(block, expect_at(kMagicBnode, 50)).status().code(), Errc::kCorruption);
  auto unordered = decode_bnode_pointers(block, expect_at(kMagicBnode, 50));
  ASSERT_TRUE(unordered.is_ok()) << unordered.status().to_string();
  EXPECT_EQ(unordered->entries, n.entries);

  // Misdirected: the header names block 51.
  auto misdirected = expect_at(kMagicBnode, 51);
  EXPECT_FALSE(decode_bnode(block, misdirected).is_ok());
  auto pointers = decode_bnode_pointers(block, misdirected);
  ASSERT_TRUE(pointers.is_ok()) << pointers.status().to_string();
  EXPECT_EQ(pointers->entries, n.entries);

  // Torn: a bad checksum does not stop the pointers either.
  block[block.size() - 1] ^= 0x5a;
  EXPECT_TRUE(decode_bnode_pointers(block, expect_at(kMagicBnode, 50)).is_ok());

  // But the children must lie inside the volume, and the block must be a bnode at all.
  encode_bnode(sample_bnode(), block);
  NodeLayout::EntryChild::set(
      std::span<uint8_t>(block).subspan(NodeLayout::kSize + NodeLayout::kEntrySize,
                                        NodeLayout::kEntrySize),
      kVolBlocks + 5);
  EXPECT_EQ(decode_bnode_pointers(block, expect_at(kMagicBnode, 50)).status().code(),
            Errc::kCorruption);
  std::vector<uint8_t> leaf(512);
  LeafItem item{16, {}};
  ASSERT_TRUE(encode_leaf({kMagicIleaf, 50, kSampleUuid, 9}, kOwnerInodeTable,
                          std::span<const LeafItem>(&item, 1), leaf)
                  .is_ok());
  EXPECT_FALSE(decode_bnode_pointers(leaf, expect_at(kMagicBnode, 50)).is_ok());
}

std::vector<uint8_t> sample_leaf(uint32_t block_size = 512) {
  std::vector<uint8_t> block(block_size);
  static const std::vector<uint8_t> v1 = {1, 2, 3}, v2 = {}, v3 = {9, 9, 9, 9, 9};
  LeafItem items[] = {{16, v1}, {17, v2}, {40, v3}};
  Status s = encode_leaf({kMagicIleaf, 51, kSampleUuid, 9}, kOwnerInodeTable, items, block);
  EXPECT_TRUE(s.is_ok());
  return block;
}

TEST(Leaf, RoundTripAndFixture) {
  auto block = sample_leaf();
  auto view = LeafView::decode(block, expect_at(kMagicIleaf, 51));
  ASSERT_TRUE(view.is_ok()) << view.status().to_string();
  ASSERT_EQ(view->size(), 3u);
  EXPECT_EQ(view->key(0), 16u);
  EXPECT_EQ(std::vector<uint8_t>(view->value(0).begin(), view->value(0).end()),
            (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_TRUE(view->value(1).empty());
  EXPECT_EQ(view->value(2).size(), 5u);
  EXPECT_EQ(view->lower_bound(17), 1u);
  EXPECT_EQ(view->lower_bound(18), 2u);
  EXPECT_EQ(view->lower_bound(41), 3u);
  EXPECT_EQ(view->bytes_used(), 56u + 30 + 8);
  // Values are packed from the end in slot order.
  EXPECT_EQ(block[509], 1);
  EXPECT_EQ(block[504], 9);
  testing::expect_fixture("ileaf-generic", block);
}

TEST(Leaf, EmptyLeafIsValid) {
  std::vector<uint8_t> block(512);
  ASSERT_TRUE(encode_leaf({kMagicOleaf, 52, kSampleUuid, 9}, kOwnerOrphans, {}, block).is_ok());
  auto view = LeafView::decode(block, expect_at(kMagicOleaf, 52, kOwnerOrphans));
  ASSERT_TRUE(view.is_ok());
  EXPECT_EQ(view->size(), 0u);
}

TEST(Leaf, TooMuchDataIsNoSpaceNotCorruption) {
  std::vector<uint8_t> block(512);
  std::vector<uint8_t> big(max_leaf_value(512));
  LeafItem items[] = {{1, big}, {2, big}, {3, big}};
  Status s = encode_leaf({kMagicIleaf, 51, kSampleUuid, 9}, kOwnerInodeTable, items, block);
  EXPECT_EQ(s.code(), Errc::kNoSpace);
  // Two maximal values always fit: that is what makes a split always possible.
  EXPECT_TRUE(encode_leaf({kMagicIleaf, 51, kSampleUuid, 9}, kOwnerInodeTable,
                          std::span(items).first(2), block)
                  .is_ok());
}

TEST(Leaf, StructuralCorruptionIsRejected) {
  auto corrupt = [](auto mutate) {
    auto block = sample_leaf();
    mutate(block);
    seal_block(block);
    return LeafView::decode(block, expect_at(kMagicIleaf, 51)).status().code();
  };
  // Keys out of order.
  EXPECT_EQ(corrupt([](auto& b) { NodeLayout::SlotKey::set(std::span(b).subspan(66), 16); }),
            Errc::kCorruption);
  // A value length that runs into the slot table.
  EXPECT_EQ(corrupt([](auto& b) { NodeLayout::SlotLength::set(std::span(b).subspan(56), 500); }),
            Errc::kCorruption);
  // A count that overruns the block.
  EXPECT_EQ(corrupt([](auto& b) { NodeLayout::Count::set(b, 60000); }), Errc::kCorruption);
  // Garbage in the free gap.
  EXPECT_EQ(corrupt([](auto& b) { b[200] = 7; }), Errc::kCorruption);
  // A leaf claiming to be an index level.
  EXPECT_EQ(corrupt([](auto& b) { NodeLayout::Level::set(b, 1); }), Errc::kCorruption);
  // Reserved field.
  EXPECT_EQ(corrupt([](auto& b) { NodeLayout::Reserved::set(b, 1); }), Errc::kCorruption);
}

TEST(Leaf, EveryFlippedByteIsRejectedAndNeverCrashes) {
  auto good = sample_leaf();
  for (std::size_t i = 0; i < good.size(); ++i) {
    auto b = good;
    b[i] ^= 0xff;
    EXPECT_FALSE(LeafView::decode(b, expect_at(kMagicIleaf, 51)).is_ok()) << "byte " << i;
  }
}

// With checksums recomputed, random garbage must still decode safely (the fuzzing stance:
// structure checks alone keep readers in bounds).
TEST(Leaf, ResealedGarbageNeverReadsOutOfBounds) {
  uint64_t seed = 12345;
  auto next = [&] {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return uint8_t(seed >> 56);
  };
  for (int round = 0; round < 2000; ++round) {
    auto b = sample_leaf();
    for (int k = 0; k < 8; ++k) b[56 + next() % (512 - 56)] = next();
    seal_block(b);
    auto view = LeafView::decode(b, expect_at(kMagicIleaf, 51));
    if (!view.is_ok()) continue;
    std::size_t total = 0;
    for (std::size_t i = 0; i < view->size(); ++i) total += view->value(i).size();
    EXPECT_LE(total, 512u);
  }
}

}  // namespace
}  // namespace tux3::format
