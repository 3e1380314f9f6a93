// volume_bigdir_test.cc: a directory of 100,000 entries: every name is created, found after
// reopen, and listed once; lookups cost O(log n) block reads, counted (not timed) through
// a device that counts reads.
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "samples.h"
#include "tuxdisk/memory_device.h"
#include "tuxdisk/mkfs.h"
#include "tuxdisk/verify.h"
#include "tuxdisk/volume.h"
#include "tuxdisk/volume_reader.h"

namespace tux3 {
namespace {

class CountingDevice final : public BlockDevice {
 public:
  explicit CountingDevice(BlockDevice& inner) : inner_(inner) {}
  uint64_t size() const override { return inner_.size(); }
  Topology topology() const override { return inner_.topology(); }
  std::string name() const override { return inner_.name(); }
  uint64_t reads = 0;

 private:
  Status do_read(uint64_t offset, std::span<uint8_t> out) override {
    ++reads;
    return inner_.read(offset, out);
  }
  Status do_write(uint64_t offset, std::span<const uint8_t> data, WriteFlags flags) override {
    return inner_.write(offset, data, flags);
  }
  Status do_flush() override { return inner_.flush(); }
  BlockDevice& inner_;
};

TEST(VolumeBigDir, HundredThousandEntries) {
  constexpr int kEntries = 100000;
  MkfsOptions o;
  o.uuid = testing::kSampleUuid;
  o.now = {1700000000, 0};
  MemoryDevice mem(256 << 20);
  auto g = plan_volume(mem.size(), mem.topology(), o);
  ASSERT_TRUE(write_volume(mem, *g, o).is_ok());
  VolumeOptions opt;
  opt.delta_interval_ms = 1u << 30;
  {
    auto vol = Volume::open(mem, opt);
    ASSERT_TRUE(vol.is_ok());
    auto dir = (*vol)->mkdir(kRootIno, "big", 0755, 0, 0);
    ASSERT_TRUE(dir.is_ok());
    for (int i = 0; i < kEntries; ++i) {
      auto f = (*vol)->create(dir->ino, "entry-" + std::to_string(i), 0644, 0, 0);
      ASSERT_TRUE(f.is_ok()) << i << ": " << f.status().to_string();
      if (i % 20000 == 19999) {
        ASSERT_TRUE((*vol)->sync().is_ok());
      }
    }
    ASSERT_TRUE((*vol)->close().is_ok());
  }
  CountingDevice counting(mem);
  auto vol = Volume::open(counting, opt);
  ASSERT_TRUE(vol.is_ok());
  auto dir = (*vol)->lookup(kRootIno, "big");
  ASSERT_TRUE(dir.is_ok());
  EXPECT_EQ(dir->nlink, 2u);
  // Cold lookups of names spread over the directory: each reads at most the index path
  // (depth + 1 blocks) plus the inode table path, never a scan.
  uint64_t worst = 0;
  for (int i = 0; i < kEntries; i += 9973) {
    uint64_t before = counting.reads;
    auto f = (*vol)->lookup(dir->ino, "entry-" + std::to_string(i));
    ASSERT_TRUE(f.is_ok()) << i;
    worst = std::max(worst, counting.reads - before);
  }
  EXPECT_LE(worst, 8u) << "a lookup read " << worst << " blocks";
  for (int i = 0; i < kEntries; ++i) {
    ASSERT_TRUE((*vol)->lookup(dir->ino, "entry-" + std::to_string(i)).is_ok()) << i;
  }
  EXPECT_EQ(status_errno((*vol)->lookup(dir->ino, "entry-100000").status()), ENOENT);
  std::set<std::string> seen;
  uint64_t offset = 0;
  bool more = true;
  while (more) {  // resumable listing, 1000 entries at a time
    int batch = 0;
    more = false;
    ASSERT_TRUE((*vol)->readdir(dir->ino, offset, [&](const DirEntry& e) {
      if (batch == 1000) {
        more = true;
        return false;
      }
      if (e.name != "." && e.name != "..") {
        EXPECT_TRUE(seen.insert(e.name).second) << e.name;
      }
      offset = e.next_offset;
      ++batch;
      return true;
    }).is_ok());
  }
  EXPECT_EQ(seen.size(), std::size_t(kEntries));
  ASSERT_TRUE((*vol)->close().is_ok());
  auto reader = VolumeReader::open(mem);
  auto report = verify_volume(**reader);
  ASSERT_TRUE(report.is_ok());
  EXPECT_TRUE(report->clean()) << report->problems.front();
  EXPECT_EQ(report->inodes, uint64_t(kEntries) + 3);
}

}  // namespace
}  // namespace tux3
