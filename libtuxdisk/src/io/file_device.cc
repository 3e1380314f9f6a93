// file_device.cc: BlockDevice on a regular file or block device node (pread/pwrite/fdatasync).
#include "tuxdisk/file_device.h"

#include <fcntl.h>
#include <liburing.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include <fmt/format.h>

namespace tux3 {
namespace {

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

Topology block_device_topology(int fd) {
  Topology t;
  t.is_block_device = true;
  int logical = 0;
  unsigned int physical = 0, io_min = 0, io_opt = 0;
  int align = 0;
  if (ioctl(fd, BLKSSZGET, &logical) == 0 && logical > 0) t.logical_sector = uint32_t(logical);
  if (ioctl(fd, BLKPBSZGET, &physical) == 0 && physical > 0) t.physical_sector = physical;
  if (ioctl(fd, BLKIOMIN, &io_min) == 0) t.io_min = io_min;
  if (ioctl(fd, BLKIOOPT, &io_opt) == 0) t.io_opt = io_opt;
  if (ioctl(fd, BLKALIGNOFF, &align) == 0 && align > 0) t.alignment_offset = uint32_t(align);
  // BLKDISCARDZEROES is deprecated; whether discard works is learnt by trying it.
  t.discard = true;
  return t;
}

Topology regular_file_topology(const struct stat& st) {
  Topology t;
  t.logical_sector = 512;
  t.physical_sector = st.st_blksize > 0 ? uint32_t(st.st_blksize) : 4096;
  t.io_min = t.physical_sector;
  t.discard = true;  // hole punching, where the host filesystem supports it
  return t;
}

}  // namespace

Result<std::unique_ptr<FileDevice>> FileDevice::open(const std::string& path,
                                                     const FileDeviceOptions& options) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Status::from_errno(errno, path);
  bool is_block = S_ISBLK(st.st_mode);
  if (!is_block && !S_ISREG(st.st_mode)) {
    return Status::invalid_argument(
        fmt::format("{}: not a regular file or block device", path));
  }
  int flags = (options.read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC;
  if (options.direct) flags |= O_DIRECT;
  if (options.exclusive && is_block) flags |= O_EXCL;
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) {
    int err = errno;
    if (err == EBUSY) {
      return Status::busy(
          fmt::format("{}: device is in use (mounted, or held open exclusively)", path), err);
    }
    return Status::from_errno(err, path);
  }
  if (options.exclusive && !is_block && ::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Status::busy(fmt::format("{}: file is locked by another process", path), err);
    }
    return Status::from_errno(err, path);
  }
  uint64_t size = 0;
  Topology topology;
  if (is_block) {
    if (ioctl(fd, BLKGETSIZE64, &size) != 0) {
      int err = errno;
      ::close(fd);
      return Status::from_errno(err, fmt::format("{}: cannot read device size", path));
    }
    topology = block_device_topology(fd);
  } else {
    size = uint64_t(st.st_size);
    topology = regular_file_topology(st);
  }
  return std::unique_ptr<FileDevice>(new FileDevice(path, fd, size, topology, options.direct));
}

FileDevice::FileDevice(std::string path, int fd, uint64_t size, Topology topology, bool direct)
    : path_(std::move(path)), fd_(fd), size_(size), topology_(topology), direct_(direct) {}

FileDevice::~FileDevice() {
  if (ring_) io_uring_queue_exit(ring_.get());
  ::close(fd_);
}

void FileDevice::do_read_many(std::span<ReadRequest*> requests) {
  constexpr unsigned kRingEntries = 64;
  std::unique_lock lock(ring_mutex_);
  if (!ring_ && !ring_refused_ && !direct_ && requests.size() > 1) {
    auto ring = std::make_unique<io_uring>();
    if (io_uring_queue_init(kRingEntries, ring.get(), 0) == 0) ring_ = std::move(ring);
    else ring_refused_ = true;  // no io_uring here (old kernel, seccomp, disabled)
  }
  std::size_t next = 0;
  while (ring_ && next < requests.size()) {
    unsigned n = unsigned(std::min<std::size_t>(kRingEntries, requests.size() - next));
    for (unsigned i = 0; i < n; ++i) {
      ReadRequest& r = *requests[next + i];
      io_uring_sqe* sqe = io_uring_get_sqe(ring_.get());
      io_uring_prep_read(sqe, fd_, r.out.data(), unsigned(r.out.size()), r.offset);
      io_uring_sqe_set_data64(sqe, next + i);
    }
    int submitted = io_uring_submit(ring_.get());
    unsigned reaped = 0;
    while (submitted > 0 && reaped < unsigned(submitted)) {
      io_uring_cqe* cqe = nullptr;
      int w = io_uring_wait_cqe(ring_.get(), &cqe);
      if (w == -EINTR) continue;
      if (w < 0) break;
      ReadRequest& r = *requests[io_uring_cqe_get_data64(cqe)];
      // A short or failed read is made again by read(), whose error says what happened.
      r.status = cqe->res == int(r.out.size()) ? Status::ok()
                                               : transfer(false, r.offset, r.out.data(),
                                                          r.out.size());
      io_uring_cqe_seen(ring_.get(), cqe);
      ++reaped;
    }
    if (submitted != int(n) || reaped != unsigned(submitted)) {
      // The ring failed part way: whatever it did not complete is read below, and the
      // ring is not used again (requests still queued in it die with it).
      io_uring_queue_exit(ring_.get());
      ring_.reset();
      ring_refused_ = true;
      // Which of this batch completed is not known for certain: read it all again.
      break;
    }
    next += n;
  }
  lock.unlock();
  for (std::size_t i = next; i < requests.size(); ++i) {
    requests[i]->status = transfer(false, requests[i]->offset, requests[i]->out.data(),
                                   requests[i]->out.size());
  }
}

Status FileDevice::do_read(uint64_t offset, std::span<uint8_t> out) {
  return transfer(false, offset, out.data(), out.size());
}

Status FileDevice::do_write(uint64_t offset, std::span<const uint8_t> data, WriteFlags flags) {
  TUX3_RETURN_IF_ERROR(transfer(true, offset, const_cast<uint8_t*>(data.data()), data.size()));
  if (flags == WriteFlags::kFua) return flush();
  return Status::ok();
}

Status FileDevice::transfer(bool is_write, uint64_t offset, uint8_t* buf, std::size_t length) {
  if (direct_) {
    uint64_t align = topology_.logical_sector;
    bool aligned = offset % align == 0 && length % align == 0 &&
                   reinterpret_cast<uintptr_t>(buf) % align == 0;
    if (!aligned) return bounce(is_write, offset, buf, length);
  }
  return raw_transfer(is_write, offset, buf, length);
}

Status FileDevice::raw_transfer(bool is_write, uint64_t offset, uint8_t* buf,
                                std::size_t length) {
  std::size_t done = 0;
  while (done < length) {
    ssize_t n = is_write ? ::pwrite(fd_, buf + done, length - done, off_t(offset + done))
                         : ::pread(fd_, buf + done, length - done, off_t(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::from_errno(errno, fmt::format("{}: {} of {} bytes at offset {}", path_,
                                                   is_write ? "write" : "read", length, offset));
    }
    if (n == 0) {
      return Status::io_error(fmt::format("{}: short {} at offset {} ({} of {} bytes)", path_,
                                          is_write ? "write" : "read", offset + done, done,
                                          length));
    }
    done += std::size_t(n);
  }
  return Status::ok();
}

// O_DIRECT needs sector-aligned offsets, lengths and buffers: widen the request to whole
// sectors in an aligned buffer (read-modify-write for writes).
Status FileDevice::bounce(bool is_write, uint64_t offset, uint8_t* buf, std::size_t length) {
  uint64_t align = topology_.logical_sector;
  uint64_t start = offset / align * align;
  uint64_t end = (offset + length + align - 1) / align * align;
  std::size_t span = std::size_t(end - start);
  std::unique_ptr<uint8_t, FreeDeleter> tmp(
      static_cast<uint8_t*>(std::aligned_alloc(std::max<uint64_t>(align, 4096),
                                               (span + 4095) / 4096 * 4096)));
  if (!tmp) return Status::io_error(fmt::format("{}: out of memory for bounce buffer", path_));
  if (!is_write || start != offset || end != offset + length) {
    TUX3_RETURN_IF_ERROR(raw_transfer(false, start, tmp.get(), span));
  }
  if (!is_write) {
    std::memcpy(buf, tmp.get() + (offset - start), length);
    return Status::ok();
  }
  std::memcpy(tmp.get() + (offset - start), buf, length);
  return raw_transfer(true, start, tmp.get(), span);
}

Status FileDevice::resize(uint64_t new_size) {
  if (topology_.is_block_device) {
    return Status::invalid_argument(fmt::format("{}: a block device cannot be resized", path_));
  }
  if (::ftruncate(fd_, off_t(new_size)) != 0) {
    return Status::from_errno(errno, fmt::format("{}: cannot resize to {} bytes", path_,
                                                 new_size));
  }
  size_ = new_size;
  return Status::ok();
}

Status FileDevice::do_flush() {
  if (::fdatasync(fd_) != 0) return Status::from_errno(errno, fmt::format("{}: flush", path_));
  return Status::ok();
}

Status FileDevice::do_discard(uint64_t offset, uint64_t length) {
  if (length == 0) return Status::ok();
  int rc;
  if (topology_.is_block_device) {
    uint64_t range[2] = {offset, length};
    rc = ioctl(fd_, BLKDISCARD, &range);
  } else {
    rc = ::fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off_t(offset),
                     off_t(length));
  }
  if (rc != 0) {
    int err = errno;
    if (err == EOPNOTSUPP || err == ENOTTY) {
      return Status::not_supported(fmt::format("{}: discard is not supported", path_));
    }
    return Status::from_errno(err, fmt::format("{}: discard", path_));
  }
  return Status::ok();
}

}  // namespace tux3
