// mkfs_verify_test.cc: plan_volume/write_volume produce volumes the reader and verifier accept;
// damage is reported, never crashes; the work done does not grow with the volume size.
#include <unistd.h>

#include <filesystem>
#include <vector>

#include <gtest/gtest.h>

#include "fixture.h"
#include "helpers.h"
#include "samples.h"
#include "tuxdisk/file_device.h"
#include "tuxdisk/format/bitmap.h"
#include "tuxdisk/format/node.h"
#include "tuxdisk/memory_device.h"
#include "tuxdisk/mkfs.h"
#include "tuxdisk/trace_device.h"
#include "tuxdisk/verify.h"
#include "tuxdisk/volume_reader.h"

namespace tux3 {
namespace {

using testing::verify;

using namespace format;

MkfsOptions options(unsigned block_bits = 12) {
  MkfsOptions o;
  o.block_bits = block_bits;
  o.uuid = testing::kSampleUuid;
  o.label = "unit";
  o.now = {1700000000, 0};
  o.root_uid = 1000;
  o.root_gid = 1000;
  return o;
}

std::unique_ptr<MemoryDevice> make_volume(uint64_t bytes, const MkfsOptions& o) {
  auto dev = std::make_unique<MemoryDevice>(bytes);
  auto g = plan_volume(bytes, dev->topology(), o);
  EXPECT_TRUE(g.is_ok()) << g.status().to_string();
  EXPECT_TRUE(write_volume(*dev, *g, o).is_ok());
  return dev;
}

class EveryBlockSize : public ::testing::TestWithParam<unsigned> {};

TEST_P(EveryBlockSize, FreshVolumeOpensAndVerifiesClean) {
  unsigned bits = GetParam();
  auto dev = make_volume(uint64_t(256) << bits, options(bits));
  VerifyReport r = verify(*dev);
  EXPECT_TRUE(r.clean()) << (r.problems.empty() ? "" : r.problems.front());
  EXPECT_TRUE(r.bitmap_checked);
  EXPECT_EQ(r.inodes, 2u);
  EXPECT_EQ(r.directories, 0u);  // the root's index is empty: no tree to walk
  auto reader = VolumeReader::open(*dev);
  ASSERT_TRUE(reader.is_ok());
  const Superblock& sb = (*reader)->super();
  EXPECT_EQ(sb.delta, 1u);
  EXPECT_EQ(sb.block_bits, bits);
  EXPECT_EQ(sb.vol_blocks, 256u);
  EXPECT_EQ(sb.label, "unit");
  EXPECT_EQ(sb.free_blocks, 256u - r.blocks_in_use);
  auto root = (*reader)->lookup_inode(kInoRoot);
  ASSERT_TRUE(root.is_ok() && root->has_value());
  EXPECT_TRUE((*root)->is_dir());
  EXPECT_EQ((*root)->uid, 1000u);
  EXPECT_EQ((*root)->nlink, 2u);
  auto missing = (*reader)->lookup_inode(kFirstNormalIno);
  ASSERT_TRUE(missing.is_ok());
  EXPECT_FALSE(missing->has_value());
  // Both slots are valid and describe the same state.
  ASSERT_TRUE((*reader)->slots().slots[0].is_ok());
  Superblock s0 = *(*reader)->slots().slots[0];
  s0.delta = 1;
  s0.slot = 1;
  EXPECT_EQ(s0, sb);
}

INSTANTIATE_TEST_SUITE_P(Mkfs, EveryBlockSize, ::testing::Values(9u, 10u, 11u, 12u, 13u, 16u));

TEST(Mkfs, PlanRejectsBadGeometry) {
  Topology t;
  EXPECT_EQ(plan_volume(1 << 20, t, options(8)).status().code(), Errc::kInvalidArgument);
  EXPECT_EQ(plan_volume(1 << 20, t, options(17)).status().code(), Errc::kInvalidArgument);
  EXPECT_EQ(plan_volume(63 * 4096, t, options()).status().code(), Errc::kInvalidArgument);
  EXPECT_TRUE(plan_volume(64 * 4096, t, options()).is_ok());
  t.logical_sector = 4096;
  auto small_block = plan_volume(1 << 20, t, options(9));
  EXPECT_EQ(small_block.status().code(), Errc::kInvalidArgument);
  EXPECT_NE(small_block.status().message().find("logical sector"), std::string::npos);
  MkfsOptions o = options();
  o.label = std::string(64, 'x');
  EXPECT_EQ(plan_volume(1 << 20, Topology{}, o).status().code(), Errc::kInvalidArgument);
  o = options();
  o.vol_blocks = 1000;
  EXPECT_EQ(plan_volume(999 * 4096, Topology{}, o).status().code(), Errc::kInvalidArgument);
  // The format's block-count limit.
  EXPECT_EQ(plan_volume(uint64_t(1) << 61, Topology{}, options(12)).status().code(),
            Errc::kInvalidArgument);
}

TEST(Mkfs, ReproducibleByteForByte) {
  auto a = make_volume(8 << 20, options());
  auto b = make_volume(8 << 20, options());
  EXPECT_EQ(a->bytes(), b->bytes());
  MkfsOptions other = options();
  other.uuid[0] ^= 1;
  auto c = make_volume(8 << 20, other);
  EXPECT_NE(a->bytes(), c->bytes());
}

TEST(Mkfs, FixtureOfTheFirstBlocks) {
  auto dev = make_volume(64 * 512, options(9));
  // Superblock slots and the three metadata blocks of a 512-byte-block volume.
  testing::expect_fixture("mkfs-512-head", std::span(dev->bytes()).first(27 * 512));
}

// Writes and flushes are the same for 16 MiB and 1 TiB: no full-device initialisation.
TEST(Mkfs, WorkDoesNotGrowWithVolumeSize) {
  namespace fs = std::filesystem;
  std::string path = (fs::temp_directory_path() / "tux3-mkfs-big-XXXXXX").string();
  int fd = mkstemp(path.data());
  ASSERT_GE(fd, 0);
  close(fd);
  uint64_t sizes[] = {uint64_t(16) << 20, uint64_t(1) << 40};
  uint64_t written[2], writes[2];
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(truncate(path.c_str(), off_t(sizes[i])), 0);
    auto dev = FileDevice::open(path, {});
    ASSERT_TRUE(dev.is_ok()) << dev.status().to_string();
    TraceDevice trace(**dev);
    auto g = plan_volume(sizes[i], trace.topology(), options());
    ASSERT_TRUE(g.is_ok());
    ASSERT_TRUE(write_volume(trace, *g, options()).is_ok());
    written[i] = trace.bytes_written();
    writes[i] = trace.write_count();
    EXPECT_EQ(trace.flush_count(), 2u);
    EXPECT_LT(written[i], 64u * 1024);
    EXPECT_EQ(written[i], g->bytes_to_write);
    VerifyReport r = verify(**dev);
    EXPECT_TRUE(r.clean()) << (r.problems.empty() ? "" : r.problems.front());
    ASSERT_EQ(truncate(path.c_str(), 0), 0);
  }
  EXPECT_EQ(written[0], written[1]);
  EXPECT_EQ(writes[0], writes[1]);
  fs::remove(path);
}

// The superblock goes out last, after a flush: a crash before it leaves no valid volume.
TEST(Mkfs, SuperblocksAreWrittenLastAfterAFlush) {
  MemoryDevice mem(1 << 20);
  TraceDevice trace(mem);
  auto g = plan_volume(mem.size(), mem.topology(), options());
  ASSERT_TRUE(write_volume(trace, *g, options()).is_ok());
  const auto& ev = trace.events();
  ASSERT_GE(ev.size(), 4u);
  EXPECT_EQ(ev[ev.size() - 1].kind, TraceEvent::Kind::kFlush);
  EXPECT_EQ(ev[ev.size() - 2].offset, kSuperSlotOffset[1]);
  EXPECT_EQ(ev[ev.size() - 3].offset, kSuperSlotOffset[0]);
  EXPECT_EQ(ev[ev.size() - 4].kind, TraceEvent::Kind::kFlush);
  // Replaying only the writes before the first superblock write leaves an unrecognised device.
  MemoryDevice partial(1 << 20);
  for (std::size_t i = 0; i + 3 < ev.size(); ++i) {
    if (ev[i].kind == TraceEvent::Kind::kWrite) {
      ASSERT_TRUE(partial.write(ev[i].offset, ev[i].data).is_ok());
    }
  }
  EXPECT_EQ(VolumeReader::open(partial).status().code(), Errc::kNotFound);
}

TEST(Reader, EmptyDeviceIsNotATux3Volume) {
  MemoryDevice mem(1 << 20);
  auto r = VolumeReader::open(mem);
  EXPECT_EQ(r.status().code(), Errc::kNotFound);
  MemoryDevice tiny(100);
  EXPECT_EQ(VolumeReader::open(tiny).status().code(), Errc::kNotFound);
}

TEST(Reader, OneDamagedSlotFallsBackToTheOther) {
  auto dev = make_volume(1 << 20, options());
  dev->bytes()[kSuperSlotOffset[1] + 200] ^= 1;
  auto r = VolumeReader::open(*dev);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ((*r)->super().delta, 0u);
  VerifyReport report = verify(*dev);
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_NE(report.problems[0].find("slot 1"), std::string::npos);
}

TEST(Reader, BothSlotsDamagedIsCorruptionNamingBoth) {
  auto dev = make_volume(1 << 20, options());
  dev->bytes()[kSuperSlotOffset[0] + 200] ^= 1;
  dev->bytes()[kSuperSlotOffset[1] + 200] ^= 1;
  auto r = VolumeReader::open(*dev);
  EXPECT_EQ(r.status().code(), Errc::kCorruption);
  EXPECT_NE(r.status().message().find("slot 0"), std::string::npos);
  EXPECT_NE(r.status().message().find("slot 1"), std::string::npos);
}

TEST(Reader, TruncatedDeviceIsReported) {
  auto dev = make_volume(1 << 20, options());
  MemoryDevice shorter(std::vector<uint8_t>(dev->bytes().begin(),
                                            dev->bytes().begin() + (512 << 10)));
  auto r = VolumeReader::open(shorter);
  EXPECT_EQ(r.status().code(), Errc::kCorruption);
  EXPECT_NE(r.status().message().find("device has only"), std::string::npos);
}

// Damage to any byte of the metadata blocks mkfs writes is found by the verifier (or stops
// the open), and never crashes.
TEST(Verify, DamageToAnyMetadataByteIsReported) {
  auto pristine = make_volume(64 * 512, options(9));
  uint64_t first = 24 * 512, last = 27 * 512;  // itree leaf, bitmap xleaf, bitmap block
  for (uint64_t off = first; off < last; off += 7) {
    MemoryDevice dev(pristine->bytes());
    dev.bytes()[off] ^= 0x5a;
    auto reader = VolumeReader::open(dev);
    ASSERT_TRUE(reader.is_ok());
    auto report = verify_volume(**reader);
    ASSERT_TRUE(report.is_ok());
    EXPECT_FALSE(report->clean()) << "byte " << off << " damaged but not reported";
  }
}

TEST(Verify, MisdirectedLeafIsNamedAsSuch) {
  auto dev = make_volume(1 << 20, options());
  auto& bytes = dev->bytes();
  // Copy the itree leaf (block 3) over the bitmap extent leaf (block 4).
  std::copy(bytes.begin() + 3 * 4096, bytes.begin() + 4 * 4096, bytes.begin() + 4 * 4096);
  VerifyReport r = verify(*dev);
  ASSERT_FALSE(r.clean());
  bool named = false;
  for (const auto& p : r.problems) named |= p.find("wrong magic") != std::string::npos;
  EXPECT_TRUE(named) << r.problems.front();
}

TEST(Verify, LeakedAndMissingBitmapBitsAreReported) {
  auto dev = make_volume(1 << 20, options());
  uint64_t bitmap_block = 5;
  auto block = std::span(dev->bytes()).subspan(bitmap_block * 4096, 4096);
  set_bit(bitmap_bits(block), 100);  // a leaked block
  clear_bit(bitmap_bits(block), 3);  // the itree leaf marked free
  seal_block(block);
  VerifyReport r = verify(*dev);
  ASSERT_GE(r.problems.size(), 2u);
  std::string all;
  for (const auto& p : r.problems) all += p + "\n";
  EXPECT_NE(all.find("block 100 is marked allocated but unused"), std::string::npos) << all;
  EXPECT_NE(all.find("block 3 is in use but marked free"), std::string::npos) << all;
}

}  // namespace
}  // namespace tux3
