// device_test.cc: the BlockDevice implementations: memory, file, tracing.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>

#include "tuxdisk/file_device.h"
#include "tuxdisk/memory_device.h"
#include "tuxdisk/trace_device.h"

namespace tux3 {
namespace {

namespace fs = std::filesystem;

class TempFile {
 public:
  explicit TempFile(uint64_t size) {
    std::string tmpl = (fs::temp_directory_path() / "tux3-devtest-XXXXXX").string();
    int fd = mkstemp(tmpl.data());
    EXPECT_GE(fd, 0);
    EXPECT_EQ(ftruncate(fd, off_t(size)), 0);
    close(fd);
    path_ = tmpl;
  }
  ~TempFile() { fs::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(MemoryDevice, ReadWriteAndBounds) {
  MemoryDevice dev(8192);
  std::vector<uint8_t> data(100, 0xab), back(100);
  ASSERT_TRUE(dev.write(4000, data).is_ok());
  ASSERT_TRUE(dev.read(4000, back).is_ok());
  EXPECT_EQ(back, data);
  EXPECT_EQ(dev.write(8100, data).code(), Errc::kInvalidArgument);
  EXPECT_EQ(dev.read(UINT64_MAX - 10, back).code(), Errc::kInvalidArgument);
  ASSERT_TRUE(dev.flush().is_ok());
  EXPECT_EQ(dev.flush_count(), 1u);
  ASSERT_TRUE(dev.discard(4000, 100).is_ok());
  ASSERT_TRUE(dev.read(4000, back).is_ok());
  EXPECT_EQ(back, std::vector<uint8_t>(100, 0));
}

TEST(FileDevice, ReadWriteFlushOnRegularFile) {
  TempFile file(1 << 20);
  auto dev = FileDevice::open(file.path(), {});
  ASSERT_TRUE(dev.is_ok()) << dev.status().to_string();
  EXPECT_EQ((*dev)->size(), 1u << 20);
  EXPECT_FALSE((*dev)->topology().is_block_device);
  std::vector<uint8_t> data(5000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i);
  ASSERT_TRUE((*dev)->write(12345, data, WriteFlags::kFua).is_ok());
  ASSERT_TRUE((*dev)->flush().is_ok());
  std::vector<uint8_t> back(5000);
  ASSERT_TRUE((*dev)->read(12345, back).is_ok());
  EXPECT_EQ(back, data);
  EXPECT_EQ((*dev)->read((1 << 20) - 10, back).code(), Errc::kInvalidArgument);
}

// Scattered reads in one call: each gets the bytes read() would give, or its own error.
void expect_read_many(BlockDevice& dev) {
  const uint64_t size = dev.size();
  std::vector<uint8_t> pattern(size);
  for (std::size_t i = 0; i < pattern.size(); ++i) pattern[i] = uint8_t(i * 7 + i / 4096);
  ASSERT_TRUE(dev.write(0, pattern).is_ok());
  // More requests than one io_uring submission holds, out of order, one out of range.
  std::vector<std::vector<uint8_t>> bufs(150, std::vector<uint8_t>(4096));
  std::vector<ReadRequest> reqs(bufs.size());
  for (std::size_t i = 0; i < reqs.size(); ++i) {
    reqs[i].offset = ((i * 37) % (size / 4096)) * 4096;
    reqs[i].out = bufs[i];
  }
  reqs[70].offset = size - 100;  // runs past the end
  dev.read_many(reqs);
  for (std::size_t i = 0; i < reqs.size(); ++i) {
    if (i == 70) {
      EXPECT_EQ(reqs[i].status.code(), Errc::kInvalidArgument);
      continue;
    }
    ASSERT_TRUE(reqs[i].status.is_ok()) << i << ": " << reqs[i].status.to_string();
    EXPECT_TRUE(std::equal(bufs[i].begin(), bufs[i].end(), pattern.begin() + long(reqs[i].offset)))
        << "request " << i;
  }
  dev.read_many({});  // nothing to do
}

TEST(MemoryDevice, ReadManyReadsEachRequest) {
  MemoryDevice dev(1 << 20);
  expect_read_many(dev);
}

TEST(FileDevice, ReadManyReadsEachRequest) {
  TempFile file(1 << 20);
  auto dev = FileDevice::open(file.path(), {});
  ASSERT_TRUE(dev.is_ok()) << dev.status().to_string();
  expect_read_many(**dev);
}

TEST(FileDevice, ReadManyWithDirectIo) {
  TempFile file(1 << 20);
  FileDeviceOptions o;
  o.direct = true;
  auto dev = FileDevice::open(file.path(), o);
  if (!dev) GTEST_SKIP() << "O_DIRECT not supported here: " << dev.status().to_string();
  expect_read_many(**dev);
}

TEST(FileDevice, DirectIoBouncesUnalignedRequests) {
  TempFile file(1 << 20);
  FileDeviceOptions options;
  options.direct = true;
  auto dev = FileDevice::open(file.path(), options);
  if (!dev.is_ok()) GTEST_SKIP() << "O_DIRECT unavailable here: " << dev.status().to_string();
  std::vector<uint8_t> data(777, 0x5a), back(777);
  Status w = (*dev)->write(1001, data);
  if (w.code() == Errc::kInvalidArgument) GTEST_SKIP() << "O_DIRECT rejected by the host fs";
  ASSERT_TRUE(w.is_ok()) << w.to_string();
  ASSERT_TRUE((*dev)->read(1001, back).is_ok());
  EXPECT_EQ(back, data);
  std::vector<uint8_t> edge(2);
  ASSERT_TRUE((*dev)->read(1000, edge).is_ok());
  EXPECT_EQ(edge[0], 0);  // the byte before the write is untouched
  EXPECT_EQ(edge[1], 0x5a);
}

TEST(FileDevice, MissingFileAndDirectoryAreClearErrors) {
  auto missing = FileDevice::open("/nonexistent/tux3-image", {});
  EXPECT_EQ(missing.status().code(), Errc::kNotFound);
  EXPECT_NE(missing.status().message().find("/nonexistent/tux3-image"), std::string::npos);
  auto dir = FileDevice::open(fs::temp_directory_path().string(), {});
  EXPECT_EQ(dir.status().code(), Errc::kInvalidArgument);
}

TEST(FileDevice, ExclusiveOpenOfLockedFileIsBusy) {
  TempFile file(4096);
  FileDeviceOptions options;
  options.exclusive = true;
  auto first = FileDevice::open(file.path(), options);
  ASSERT_TRUE(first.is_ok());
  auto second = FileDevice::open(file.path(), options);
  EXPECT_EQ(second.status().code(), Errc::kBusy);
}

TEST(FileDevice, ReadOnlyRefusesWrites) {
  TempFile file(4096);
  FileDeviceOptions options;
  options.read_only = true;
  auto dev = FileDevice::open(file.path(), options);
  ASSERT_TRUE(dev.is_ok());
  std::vector<uint8_t> data(16);
  Status s = (*dev)->write(0, data);
  EXPECT_FALSE(s.is_ok());
  EXPECT_EQ(s.sys_errno(), EBADF);
}

TEST(TraceDevice, RecordsWritesFlushesAndMarksInOrder) {
  MemoryDevice mem(65536);
  TraceDevice trace(mem);
  std::vector<uint8_t> a(512, 1), b(1024, 2);
  ASSERT_TRUE(trace.write(0, a).is_ok());
  trace.mark("delta 1 committed");
  ASSERT_TRUE(trace.flush().is_ok());
  ASSERT_TRUE(trace.write(4096, b, WriteFlags::kFua).is_ok());
  const auto& ev = trace.events();
  ASSERT_EQ(ev.size(), 4u);
  EXPECT_EQ(ev[0].kind, TraceEvent::Kind::kWrite);
  EXPECT_EQ(ev[0].data, a);
  EXPECT_EQ(ev[1].kind, TraceEvent::Kind::kMark);
  EXPECT_EQ(ev[1].label, "delta 1 committed");
  EXPECT_EQ(ev[2].kind, TraceEvent::Kind::kFlush);
  EXPECT_TRUE(ev[3].fua);
  EXPECT_EQ(ev[3].offset, 4096u);
  EXPECT_EQ(trace.bytes_written(), 1536u);
  EXPECT_EQ(trace.write_count(), 2u);
  EXPECT_EQ(trace.flush_count(), 1u);
  EXPECT_EQ(mem.bytes()[4096], 2);  // writes reach the inner device
  // A failed write is not recorded.
  EXPECT_FALSE(trace.write(65536, a).is_ok());
  EXPECT_EQ(trace.events().size(), 4u);
}

}  // namespace
}  // namespace tux3
