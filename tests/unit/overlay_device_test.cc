// overlay_device_test.cc: the copy-on-write OverlayDevice: reads over writes, partial
// sectors, torn writes, discard, nesting, reset, whole images, threads; the base unchanged.
#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tuxdisk/memory_device.h"
#include "tuxdisk/overlay_device.h"

namespace tux3 {
namespace {

// A base whose every byte is distinct enough to catch a misplaced copy.
std::vector<uint8_t> patterned(std::size_t size, uint32_t seed = 7) {
  std::vector<uint8_t> bytes(size);
  std::mt19937 rng(seed);
  for (auto& b : bytes) b = uint8_t(rng());
  return bytes;
}

std::vector<uint8_t> read_all(BlockDevice& dev) {
  std::vector<uint8_t> out(dev.size());
  EXPECT_TRUE(dev.read(0, out).is_ok());
  return out;
}

// Lays `data` over `model` at `offset`, as a device should.
void put(std::vector<uint8_t>& model, uint64_t offset, const std::vector<uint8_t>& data) {
  std::copy(data.begin(), data.end(), model.begin() + std::ptrdiff_t(offset));
}

TEST(OverlayDevice, ReadsTheBaseUntilWrittenAndNeverWritesIt) {
  MemoryDevice base(patterned(64 << 10));
  const std::vector<uint8_t> original = base.bytes();
  OverlayDevice dev(base);
  EXPECT_EQ(dev.size(), base.size());
  EXPECT_EQ(dev.name(), "overlay of memory");
  EXPECT_EQ(dev.sectors_held(), 0u);
  EXPECT_EQ(read_all(dev), original);

  std::vector<uint8_t> model = original;
  std::vector<uint8_t> block(4096, 0xa5);
  ASSERT_TRUE(dev.write(8192, block).is_ok());
  put(model, 8192, block);
  std::vector<uint8_t> small(1024, 0x3c);
  ASSERT_TRUE(dev.write(1024, small).is_ok());
  put(model, 1024, small);
  EXPECT_EQ(read_all(dev), model);
  EXPECT_EQ(dev.sectors_held(), 8u + 2u);
  EXPECT_EQ(dev.write_count(), 2u);
  ASSERT_TRUE(dev.flush().is_ok());
  EXPECT_EQ(dev.flush_count(), 1u);
  EXPECT_EQ(base.bytes(), original) << "the base was written";
  EXPECT_EQ(base.flush_count(), 0u);

  // Reads that cover written and unwritten sectors, starting and ending mid-sector.
  std::vector<uint8_t> part(5000);
  ASSERT_TRUE(dev.read(7000, part).is_ok());
  EXPECT_TRUE(std::equal(part.begin(), part.end(), model.begin() + 7000));
  ASSERT_TRUE(dev.read(1100, std::span(part).first(700)).is_ok());
  EXPECT_TRUE(std::equal(part.begin(), part.begin() + 700, model.begin() + 1100));
  // Out of range: refused, as on every device.
  EXPECT_EQ(dev.read(dev.size() - 10, part).code(), Errc::kInvalidArgument);
  EXPECT_EQ(dev.write(dev.size(), small).code(), Errc::kInvalidArgument);
}

TEST(OverlayDevice, PartialSectorWritesKeepTheRestOfTheSector) {
  MemoryDevice base(patterned(16 << 10));
  const std::vector<uint8_t> original = base.bytes();
  OverlayDevice dev(base);
  std::vector<uint8_t> model = original;
  // Inside one sector; across a sector boundary; across a 4 KiB page boundary, unaligned
  // at both ends; then over a sector already held.
  const std::vector<std::pair<uint64_t, std::size_t>> writes = {
      {100, 10}, {1000, 100}, {4000, 300}, {510, 4}, {4090, 9000}, {105, 3}};
  uint8_t fill = 1;
  for (auto [offset, length] : writes) {
    std::vector<uint8_t> data(length, fill++);
    ASSERT_TRUE(dev.write(offset, data).is_ok());
    put(model, offset, data);
    ASSERT_EQ(read_all(dev), model) << "after the write at " << offset;
  }
  EXPECT_EQ(base.bytes(), original);
  // Sectors 0 .. 2 and 7 .. 25 (the 9000-byte write at 4090 ends in sector 25).
  EXPECT_EQ(dev.sectors_held(), 3u + 19u);
}

TEST(OverlayDevice, TornWritesLandOnlyTheMaskedSectors) {
  MemoryDevice base(patterned(32 << 10));
  const std::vector<uint8_t> original = base.bytes();
  OverlayDevice dev(base);
  std::vector<uint8_t> data = patterned(8 * 512, 99);
  ASSERT_TRUE(dev.write_torn(4096, data, 0b10100101).is_ok());
  std::vector<uint8_t> model = original;
  for (unsigned s : {0u, 2u, 5u, 7u}) {
    std::copy(data.begin() + s * 512, data.begin() + (s + 1) * 512,
              model.begin() + 4096 + s * 512);
  }
  EXPECT_EQ(read_all(dev), model);
  EXPECT_EQ(dev.sectors_held(), 4u);
  EXPECT_EQ(dev.write_count(), 1u);
  // 64 sectors, every other one: allowed; 65 sectors, unaligned, or ragged: refused.
  std::vector<uint8_t> big = patterned(64 * 512, 5);
  ASSERT_TRUE(dev.write_torn(0, big, 0x5555555555555555ull).is_ok());
  for (unsigned s = 0; s < 64; s += 2) {
    std::copy(big.begin() + s * 512, big.begin() + (s + 1) * 512, model.begin() + s * 512);
  }
  EXPECT_EQ(read_all(dev), model);
  std::vector<uint8_t> too_big(65 * 512);
  EXPECT_EQ(dev.write_torn(0, too_big, ~0ull).code(), Errc::kInvalidArgument);
  EXPECT_EQ(dev.write_torn(100, std::span(big).first(512), 1).code(), Errc::kInvalidArgument);
  EXPECT_EQ(dev.write_torn(0, std::span(big).first(700), 1).code(), Errc::kInvalidArgument);
  EXPECT_EQ(dev.write_torn(dev.size() - 512, std::span(big).first(1024), 1).code(),
            Errc::kInvalidArgument);
  EXPECT_EQ(read_all(dev), model) << "a refused torn write changed something";
  EXPECT_EQ(base.bytes(), original);
}

TEST(OverlayDevice, DiscardReadsAsZeros) {
  MemoryDevice base(patterned(16 << 10));
  const std::vector<uint8_t> original = base.bytes();
  OverlayDevice dev(base);
  std::vector<uint8_t> model = original;
  std::vector<uint8_t> data(2048, 0x77);
  ASSERT_TRUE(dev.write(2048, data).is_ok());
  put(model, 2048, data);
  // Over held sectors, base sectors, and partial sectors at both ends.
  ASSERT_TRUE(dev.discard(1000, 5000).is_ok());
  std::fill(model.begin() + 1000, model.begin() + 6000, 0);
  EXPECT_EQ(read_all(dev), model);
  EXPECT_EQ(base.bytes(), original);
}

TEST(OverlayDevice, OverlaysNest) {
  MemoryDevice base(patterned(32 << 10));
  const std::vector<uint8_t> original = base.bytes();
  OverlayDevice lower(base);
  std::vector<uint8_t> model = original;
  std::vector<uint8_t> a(4096, 0xaa), b(1024, 0xbb), c(300, 0xcc);
  ASSERT_TRUE(lower.write(4096, a).is_ok());
  put(model, 4096, a);
  const std::vector<uint8_t> lower_model = model;
  OverlayDevice upper(lower);
  EXPECT_EQ(upper.name(), "overlay of overlay of memory");
  ASSERT_TRUE(upper.write(5120, b).is_ok());
  put(model, 5120, b);
  ASSERT_TRUE(upper.write(8000, c).is_ok());  // partial sectors read from the lower overlay
  put(model, 8000, c);
  EXPECT_EQ(read_all(upper), model);
  EXPECT_EQ(read_all(lower), lower_model) << "the upper overlay wrote into the lower one";
  EXPECT_EQ(base.bytes(), original);
  EXPECT_EQ(upper.sectors_held(), 2u + 2u);
}

TEST(OverlayDevice, ResetDropsEveryWrite) {
  MemoryDevice base(patterned(16 << 10));
  OverlayDevice dev(base);
  std::vector<uint8_t> data(3000, 0x11);
  ASSERT_TRUE(dev.write(777, data).is_ok());
  ASSERT_TRUE(dev.flush().is_ok());
  dev.reset();
  EXPECT_EQ(read_all(dev), base.bytes());
  EXPECT_EQ(dev.sectors_held(), 0u);
  EXPECT_EQ(dev.write_count(), 0u);
  EXPECT_EQ(dev.flush_count(), 0u);
  // Usable again afterwards.
  ASSERT_TRUE(dev.write(0, data).is_ok());
  std::vector<uint8_t> model = base.bytes();
  put(model, 0, data);
  EXPECT_EQ(read_all(dev), model);
}

TEST(OverlayDevice, ReadImageIsTheWholeDeviceAsItReads) {
  MemoryDevice base(patterned(20 << 10));
  OverlayDevice dev(base);
  std::vector<uint8_t> model = base.bytes();
  std::vector<uint8_t> data(1536, 0x42);
  ASSERT_TRUE(dev.write(10000, data).is_ok());
  put(model, 10000, data);
  std::vector<uint8_t> image{1, 2, 3};
  ASSERT_TRUE(dev.read_image(image).is_ok());
  EXPECT_EQ(image, model);
}

// I/O threads write their own blocks while readers read the whole device: every read sees
// each block either as the base had it or as written (never a mix within a sector), and
// at the end everything written is there.
TEST(OverlayDevice, ConcurrentWritersAndReaders) {
  constexpr uint32_t kBlock = 1024;
  constexpr int kWriters = 4, kBlocksEach = 200;
  MemoryDevice base(patterned(std::size_t(kWriters) * kBlocksEach * kBlock));
  const std::vector<uint8_t> original = base.bytes();
  OverlayDevice dev(base);
  std::atomic<bool> done{false}, bad{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kBlocksEach; ++i) {
        uint64_t block = uint64_t(i) * kWriters + uint64_t(t);
        std::vector<uint8_t> data(kBlock, uint8_t(block * 7 + 1));
        if (!dev.write(block * kBlock, data).is_ok()) bad = true;
      }
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      std::vector<uint8_t> image(dev.size());
      while (!done) {
        if (!dev.read(0, image).is_ok()) bad = true;
        for (std::size_t s = 0; s < image.size(); s += 512) {
          uint8_t want = uint8_t((s / kBlock) * 7 + 1);
          bool as_base = std::equal(image.begin() + std::ptrdiff_t(s),
                                    image.begin() + std::ptrdiff_t(s + 512),
                                    original.begin() + std::ptrdiff_t(s));
          bool as_written = std::all_of(image.begin() + std::ptrdiff_t(s),
                                        image.begin() + std::ptrdiff_t(s + 512),
                                        [&](uint8_t b) { return b == want; });
          if (!as_base && !as_written) bad = true;
        }
      }
    });
  }
  for (int t = 0; t < kWriters; ++t) threads[std::size_t(t)].join();
  done = true;
  for (std::size_t t = kWriters; t < threads.size(); ++t) threads[t].join();
  EXPECT_FALSE(bad);
  std::vector<uint8_t> image = read_all(dev);
  for (std::size_t at = 0; at < image.size(); ++at) {
    ASSERT_EQ(image[at], uint8_t((at / kBlock) * 7 + 1)) << "byte " << at;
  }
  EXPECT_EQ(dev.sectors_held(), uint64_t(kWriters) * kBlocksEach * 2);
  EXPECT_EQ(dev.write_count(), uint64_t(kWriters) * kBlocksEach);
  EXPECT_EQ(base.bytes(), original);
}

}  // namespace
}  // namespace tux3
