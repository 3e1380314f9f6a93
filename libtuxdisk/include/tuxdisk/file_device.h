// file_device.h: a BlockDevice on a regular file or a block device node.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "tuxdisk/device.h"

struct io_uring;

namespace tux3 {

struct FileDeviceOptions {
  bool read_only = false;
  // O_DIRECT: bypass the page cache. Unaligned requests go through an aligned bounce buffer.
  bool direct = false;
  // Block devices: O_EXCL, which fails with Busy if the device is mounted or held open
  // exclusively by anyone else. Regular files: a non-blocking flock(LOCK_EX).
  bool exclusive = false;
};

class FileDevice final : public BlockDevice {
 public:
  // Opens an existing file or block device. Errors name the path and the reason.
  static Result<std::unique_ptr<FileDevice>> open(const std::string& path,
                                                  const FileDeviceOptions& options);
  ~FileDevice() override;
  FileDevice(const FileDevice&) = delete;
  FileDevice& operator=(const FileDevice&) = delete;

  uint64_t size() const override { return size_; }
  Topology topology() const override { return topology_; }
  std::string name() const override { return path_; }

  int fd() const { return fd_; }
  // Regular files only: grow (or shrink) the file to new_size bytes.
  Status resize(uint64_t new_size);

 private:
  Status do_read(uint64_t offset, std::span<uint8_t> out) override;
  // Through an io_uring made on first use (buffered files only); where the kernel refuses
  // one, read by read.
  void do_read_many(std::span<ReadRequest*> requests) override;
  Status do_write(uint64_t offset, std::span<const uint8_t> data, WriteFlags flags) override;
  Status do_flush() override;
  // Block devices: BLKDISCARD. Regular files: punch a hole (the file keeps its size).
  Status do_discard(uint64_t offset, uint64_t length) override;

  FileDevice(std::string path, int fd, uint64_t size, Topology topology, bool direct);
  Status transfer(bool is_write, uint64_t offset, uint8_t* buf, std::size_t length);
  Status raw_transfer(bool is_write, uint64_t offset, uint8_t* buf, std::size_t length);
  Status bounce(bool is_write, uint64_t offset, uint8_t* buf, std::size_t length);

  std::string path_;
  int fd_;
  uint64_t size_;
  Topology topology_;
  bool direct_;
  std::mutex ring_mutex_;  // guards the ring: one batch at a time
  std::unique_ptr<io_uring> ring_;
  bool ring_refused_ = false;
};

}  // namespace tux3
