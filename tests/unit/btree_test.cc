// btree_test.cc: the in-memory btree against a std::map model, with every commit checked by
// rebuilding the tree from what reached "disk" (leaves, bnodes written at unify) plus the
// replayed log alone, exactly as recovery after a crash would.
#include <map>
#include <random>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "btree/btree.h"
#include "delta/bnode_replay.h"
#include "samples.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/format/node.h"

namespace tux3 {
namespace {

using namespace format;

constexpr uint64_t kOwner = 77;
constexpr uint64_t kVolBlocks = 1 << 20;

// A volume reduced to what a btree needs: blocks, an allocator, a log.
struct Harness : NodeSource, TreeCommitter {
  explicit Harness(uint32_t bs) : block_size(bs) {}

  uint32_t block_size;
  std::map<uint64_t, std::vector<uint8_t>> disk;  // block -> bytes as written
  std::map<uint64_t, BnodeImage> overlay;         // replayed bnodes of this cycle
  uint64_t delta_ = 1;
  uint64_t next_block = 100;
  std::set<uint64_t> live;                        // allocated, not freed
  std::set<uint64_t> pending_delta, pending_unify;

  uint64_t delta() const override { return delta_; }
  Result<uint64_t> allocate_node() override {
    uint64_t b = next_block++;
    live.insert(b);
    return b;
  }
  void free_after_delta(uint64_t b) override {
    EXPECT_TRUE(live.count(b)) << "free of a block not in use: " << b;
    pending_delta.insert(b);
  }
  void free_after_unify(uint64_t b) override { pending_unify.insert(b); }
  void log(const LogRecord& r) override { log_.push_back(r); }
  std::vector<LogRecord> log_;  // this unify cycle's records

  Result<std::unique_ptr<BtreeNode>> load(uint64_t block, uint16_t level, uint64_t owner,
                                          uint32_t leaf_magic) override {
    auto node = std::make_unique<BtreeNode>();
    node->block = block;
    node->level = level;
    if (level > 0) {
      if (auto it = overlay.find(block); it != overlay.end()) {
        EXPECT_EQ(it->second.level, level);
        for (const auto& e : it->second.entries) node->children.push_back({e.key, e.child, {}});
        node->logged = it->second.entries;
        node->cycle_owned = true;
        return node;
      }
      auto it = disk.find(block);
      if (it == disk.end()) return Status::corruption(fmt::format("bnode {} never written", block));
      TUX3_ASSIGN_OR_RETURN(Bnode b, decode_bnode(it->second, {{kMagicBnode, block, testing::kSampleUuid, delta_}, owner, kVolBlocks}));
      for (const auto& e : b.entries) node->children.push_back({e.key, e.child, {}});
      node->logged = b.entries;
      return node;
    }
    auto it = disk.find(block);
    if (it == disk.end()) return Status::corruption(fmt::format("leaf {} never written", block));
    TUX3_ASSIGN_OR_RETURN(LeafView v, LeafView::decode(it->second, {{leaf_magic, block, testing::kSampleUuid, delta_}, owner, kVolBlocks}));
    for (std::size_t i = 0; i < v.size(); ++i) {
      node->items.push_back({v.key(i), {v.value(i).begin(), v.value(i).end()}});
      node->value_bytes += v.value(i).size();
    }
    return node;
  }

  // One delta: commit, write leaves, optionally unify (write bnodes, restart the log).
  Status commit(Btree& tree, bool unify) {
    std::vector<BtreeNode*> leaves;
    TUX3_RETURN_IF_ERROR(tree.commit(*this, leaves));
    for (BtreeNode* leaf : leaves) {
      std::vector<LeafItem> items;
      for (const auto& i : leaf->items) items.push_back({i.key, i.value});
      std::vector<uint8_t> block(block_size);
      TUX3_RETURN_IF_ERROR(encode_leaf({kMagicXleaf, leaf->block, testing::kSampleUuid, delta_}, kOwner, items, block));
      EXPECT_FALSE(disk.count(leaf->block)) << "leaf written over block " << leaf->block;
      disk[leaf->block] = std::move(block);
      leaf->dirty = false;
    }
    if (unify) {
      std::vector<BtreeNode*> bnodes;
      tree.collect_unify_bnodes(bnodes);
      for (BtreeNode* n : bnodes) {
        Bnode b{{kMagicBnode, n->block, testing::kSampleUuid, delta_}, kOwner, n->level, n->logged};
        std::vector<uint8_t> block(block_size);
        encode_bnode(b, block);
        EXPECT_FALSE(disk.count(n->block)) << "bnode written over block " << n->block;
        disk[n->block] = std::move(block);
        n->cycle_owned = false;
      }
      log_.clear();
      for (uint64_t b : pending_unify) release(b);
      pending_unify.clear();
    }
    for (uint64_t b : pending_delta) release(b);
    pending_delta.clear();
    ++delta_;
    return rebuild_overlay();
  }

  void release(uint64_t b) {
    live.erase(b);
    disk.erase(b);  // a freed block's contents must never be needed again
  }

  Status rebuild_overlay() {
    BnodeReplay replay([&](uint64_t block) -> Result<Bnode> {
      auto it = disk.find(block);
      if (it == disk.end()) return Status::corruption("redirect source not on disk");
      return decode_bnode(it->second, {{kMagicBnode, block, testing::kSampleUuid, delta_}, kOwner, kVolBlocks});
    });
    for (const LogRecord& r : log_) TUX3_RETURN_IF_ERROR(replay.apply(r));
    overlay = replay.images();
    return Status::ok();
  }
};

std::map<uint64_t, std::vector<uint8_t>> contents(Btree& tree) {
  std::map<uint64_t, std::vector<uint8_t>> out;
  Status s = tree.for_each_item([&](const BtreeItem& i) {
    out[i.key] = i.value;
    return Status::ok();
  });
  EXPECT_TRUE(s.is_ok()) << s.to_string();
  return out;
}

std::vector<uint8_t> value_for(uint64_t key, std::size_t size) {
  std::vector<uint8_t> v(size);
  for (std::size_t i = 0; i < size; ++i) v[i] = uint8_t(key * 31 + i);
  return v;
}

TEST(Btree, EmptyTree) {
  Harness h(512);
  Btree t(h, 512, kMagicXleaf, kOwner, {});
  EXPECT_TRUE(t.empty());
  EXPECT_FALSE(t.get(5)->has_value());
  EXPECT_FALSE(t.lower_bound(0)->has_value());
  EXPECT_FALSE(*t.erase(5));
  ASSERT_TRUE(h.commit(t, false).is_ok());
  EXPECT_TRUE(t.root().empty());
}

TEST(Btree, PointOperationsAndOrderQueries) {
  Harness h(512);
  Btree t(h, 512, kMagicXleaf, kOwner, {});
  for (uint64_t k = 0; k < 400; k += 4) ASSERT_TRUE(t.put(k, value_for(k, 12)).is_ok());
  EXPECT_GE(t.depth(), 1u);  // 100 items of 22 bytes do not fit one 512-byte leaf
  EXPECT_EQ(*t.get(40), value_for(40, 12));
  EXPECT_FALSE(t.get(41)->has_value());
  EXPECT_EQ((*t.lower_bound(41))->key, 44u);
  EXPECT_EQ((*t.floor(41))->key, 40u);
  EXPECT_EQ((*t.floor(40))->key, 40u);
  EXPECT_EQ((*t.floor(0))->key, 0u);
  EXPECT_FALSE(t.lower_bound(397)->has_value());
  ASSERT_TRUE(t.put(40, value_for(1, 30)).is_ok());  // replace
  EXPECT_EQ(*t.get(40), value_for(1, 30));
  EXPECT_TRUE(*t.erase(40));
  EXPECT_FALSE(*t.erase(40));
  EXPECT_EQ((*t.lower_bound(40))->key, 44u);
  EXPECT_EQ(t.put(1, std::vector<uint8_t>(max_leaf_value(512) + 1)).code(),
            Errc::kInvalidArgument);
}

// The property at the heart of the commit protocol: after every commit, the tree rebuilt
// from disk plus the replayed log equals the tree in memory, and no block is written twice.
class BtreeRandom : public ::testing::TestWithParam<uint32_t> {};

TEST_P(BtreeRandom, ReplayedTreeEqualsMemoryAfterEveryCommit) {
  uint32_t bs = GetParam();
  Harness h(bs);
  Btree t(h, bs, kMagicXleaf, kOwner, {});
  std::map<uint64_t, std::vector<uint8_t>> model;
  std::mt19937_64 rng(bs * 7919);
  std::size_t max_value = std::min<std::size_t>(max_leaf_value(bs), 300);
  for (int round = 0; round < 60; ++round) {
    int ops = 1 + int(rng() % 200);
    for (int i = 0; i < ops; ++i) {
      uint64_t key = rng() % 3000;
      if (rng() % 3 == 0) {
        bool had = model.erase(key) > 0;
        ASSERT_EQ(*t.erase(key), had);
      } else {
        auto v = value_for(key + rng() % 5, rng() % (max_value + 1));
        ASSERT_TRUE(t.put(key, v).is_ok());
        model[key] = v;
      }
    }
    if (round % 17 == 16) {  // empty the tree entirely now and then
      for (auto& [k, v] : model) ASSERT_TRUE(*t.erase(k));
      model.clear();
    }
    bool unify = round % 5 == 4;
    ASSERT_TRUE(h.commit(t, unify).is_ok());
    ASSERT_EQ(contents(t), model) << "memory differs from the model at round " << round;
    Btree reopened(h, bs, kMagicXleaf, kOwner, t.root());
    ASSERT_EQ(contents(reopened), model) << "replayed tree differs at round " << round
                                         << " (unify " << unify << ")";
  }
  EXPECT_GT(t.depth(), 0u);
}

INSTANTIATE_TEST_SUITE_P(BlockSizes, BtreeRandom, ::testing::Values(512u, 1024u, 4096u));

TEST(Btree, DestroyFreesEveryNode) {
  Harness h(512);
  Btree t(h, 512, kMagicXleaf, kOwner, {});
  for (uint64_t k = 0; k < 2000; ++k) ASSERT_TRUE(t.put(k, value_for(k, 8)).is_ok());
  ASSERT_TRUE(h.commit(t, true).is_ok());
  for (uint64_t k = 2000; k < 2100; ++k) ASSERT_TRUE(t.put(k, value_for(k, 8)).is_ok());
  ASSERT_TRUE(h.commit(t, false).is_ok());
  ASSERT_GE(t.depth(), 2u);
  std::size_t before = h.live.size();
  ASSERT_GT(before, 10u);
  Btree reopened(h, 512, kMagicXleaf, kOwner, t.root());
  ASSERT_TRUE(reopened.destroy(h).is_ok());
  ASSERT_TRUE(h.commit(reopened, true).is_ok());
  EXPECT_TRUE(h.live.empty()) << h.live.size() << " blocks still in use";
  EXPECT_TRUE(reopened.root().empty());
}

}  // namespace
}  // namespace tux3
