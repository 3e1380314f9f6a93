// chain_shape_test.cc: reading the log chain checks its shape (man/tux3-format.5, "Shape of
// the chain"): each delta is DELTA ... ROOTS in blocks of its own, deltas grow, and the
// newest ROOTS is the superblock's. Every departure is Corruption naming the block.
#include <gtest/gtest.h>

#include "delta/chain_replay.h"
#include "helpers.h"
#include "samples.h"
#include "tuxdisk/memory_device.h"
#include "tuxdisk/mkfs.h"
#include "tuxdisk/superblock_io.h"
#include "tuxdisk/volume.h"

namespace tux3 {
namespace {

using testing::bytes;

using namespace format;

class ChainShape : public ::testing::Test {
 protected:
  // A volume whose log holds a unify delta and then three more deltas; left without a
  // close, so the chain is live.
  void SetUp() override {
    MkfsOptions o;
    o.block_bits = 10;
    o.uuid = testing::kSampleUuid;
    o.now = {1700000000, 0};
    auto g = plan_volume(dev.size(), dev.topology(), o);
    ASSERT_TRUE(g.is_ok() && write_volume(dev, *g, o).is_ok());
    VolumeOptions opt;
    opt.delta_interval_ms = 1u << 30;
    auto vol = Volume::open(dev, opt);
    ASSERT_TRUE(vol.is_ok());
    Volume& v = **vol;
    auto f = v.create(kRootIno, "f", 0644, 0, 0);
    ASSERT_TRUE(f.is_ok());
    ASSERT_TRUE(v.commit_delta(true).is_ok());
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(v.write(f->ino, uint64_t(i) * 1024, bytes(std::string(1024, char('a' + i)))).is_ok());
      ASSERT_TRUE(v.mkdir(kRootIno, "d" + std::to_string(i), 0755, 0, 0).is_ok());
      ASSERT_TRUE(v.sync().is_ok());
    }
    auto slots = read_superblock(dev);
    ASSERT_TRUE(slots.is_ok());
    sb = *slots->slots[*slots->chosen];
  }

  Result<ChainReplay> read() { return read_chain(dev, sb); }

  // Rewrites log block `index` of the chain (oldest first) after `edit`, resealed.
  void rewrite(std::size_t index, const std::function<void(LogBlock&)>& edit) {
    auto chain = read();
    ASSERT_TRUE(chain.is_ok()) << chain.status().to_string();
    LogBlock lb = chain->blocks.at(index);
    edit(lb);
    std::vector<uint8_t> buf(sb.block_size());
    ASSERT_TRUE(encode_log_block(lb, buf).is_ok());
    ASSERT_TRUE(dev.write(chain->chain[index] << sb.block_bits, buf).is_ok());
    target = chain->chain[index];
  }

  void expect_corruption(const std::string& words) {
    auto chain = read();
    ASSERT_FALSE(chain.is_ok());
    EXPECT_EQ(chain.status().code(), Errc::kCorruption);
    EXPECT_NE(chain.status().message().find(words), std::string::npos)
        << chain.status().message();
    EXPECT_TRUE(chain.status().block().has_value());
  }

  MemoryDevice dev{2 << 20};
  Superblock sb;
  uint64_t target = 0;
};

TEST_F(ChainShape, AHealthyChainListsEveryDeltaWithItsRoots) {
  auto chain = read();
  ASSERT_TRUE(chain.is_ok()) << chain.status().to_string();
  ASSERT_EQ(chain->deltas.size(), 4u);
  EXPECT_TRUE(chain->deltas[0].unify);
  for (std::size_t i = 1; i < chain->deltas.size(); ++i) {
    EXPECT_FALSE(chain->deltas[i].unify);
    EXPECT_EQ(chain->deltas[i].delta, chain->deltas[i - 1].delta + 1);
    EXPECT_GE(chain->deltas[i].block_count, 1u);
  }
  const LoggedDelta& last = chain->deltas.back();
  EXPECT_EQ(last.delta, sb.delta);
  EXPECT_EQ(last.roots.itree, sb.itree);
  EXPECT_EQ(last.roots.inode_count, sb.inode_count);
  EXPECT_EQ(last.roots.free_blocks, sb.free_blocks);
  EXPECT_EQ(last.roots.commit_time, sb.commit_time);
  // Each mkdir adds an inode: the ROOTS records follow the state delta by delta.
  EXPECT_EQ(chain->deltas[1].roots.inode_count + 2, last.roots.inode_count);
}

TEST_F(ChainShape, DeltaWithoutRootsIsCorrupt) {
  rewrite(1, [](LogBlock& lb) { lb.records.pop_back(); });
  expect_corruption("without ROOTS");
}

TEST_F(ChainShape, RecordAfterRootsIsCorrupt) {
  rewrite(1, [](LogBlock& lb) { lb.records.push_back({LogCode::kFree, {100, 1}}); });
  expect_corruption("follows the delta's ROOTS");
}

TEST_F(ChainShape, DeltaRecordNamingAnotherDeltaIsCorrupt) {
  rewrite(2, [](LogBlock& lb) { lb.records.front().fields[0] += 5; });
  expect_corruption("in a block written by delta");
}

TEST_F(ChainShape, DeltaWithoutLeadingDeltaRecordIsCorrupt) {
  rewrite(2, [](LogBlock& lb) { lb.records.erase(lb.records.begin()); });
  expect_corruption("must begin with DELTA");
}

TEST_F(ChainShape, UnifyInsideTheChainIsCorrupt) {
  rewrite(2, [](LogBlock& lb) { lb.records.insert(lb.records.begin(), {LogCode::kUnify, {}}); });
  expect_corruption("UNIFY is not the first record");
}

TEST_F(ChainShape, RootsDisagreeingWithTheSuperblockIsCorrupt) {
  auto chain = read();
  ASSERT_TRUE(chain.is_ok());
  rewrite(chain->blocks.size() - 1, [](LogBlock& lb) {
    lb.records.back().fields[kRootsInodeCount] += 1;
  });
  expect_corruption("does not match the superblock");
}

TEST_F(ChainShape, ImpossibleRootsValuesAreCorrupt) {
  rewrite(1, [](LogBlock& lb) { lb.records.back().fields[kRootsItreeRoot] = 0; });
  expect_corruption("impossible inode table root");
}

TEST_F(ChainShape, OlderDeltaAfterNewerIsCorrupt) {
  // Block 2 claims the delta before block 1's: deltas must grow along the chain.
  auto chain = read();
  ASSERT_TRUE(chain.is_ok());
  uint64_t older = chain->deltas[0].delta;
  rewrite(2, [&](LogBlock& lb) {
    lb.header.delta = older;
    lb.records.front().fields[0] = older;
  });
  expect_corruption("older than delta");
}

}  // namespace
}  // namespace tux3
