// target.cc: inspect the mkfs target without changing it, then create or extend it.
#include "target.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <limits>

#include <fmt/format.h>

namespace tux3::mkfs {
namespace {

// The topology a new image file will have: FileDevice reports the host filesystem's block
// size for regular files, so predict it from the directory the file will be made in.
Topology new_file_topology(const std::string& path) {
  std::string parent = path.find('/') == std::string::npos ? std::string(".")
                                                           : path.substr(0, path.rfind('/') + 1);
  struct stat dir;
  uint32_t blksize = ::stat(parent.c_str(), &dir) == 0 && dir.st_blksize > 0
                         ? uint32_t(dir.st_blksize)
                         : 4096;
  Topology t;
  t.physical_sector = blksize;
  t.io_min = blksize;
  t.discard = true;
  return t;
}

FileDeviceOptions open_options(const TargetRequest& req) {
  FileDeviceOptions options;
  options.read_only = req.dry_run;
  options.exclusive = !req.dry_run && req.force < 2;
  return options;
}

}  // namespace

Result<Target> inspect_target(const TargetRequest& req) {
  Target t;
  if (req.size && *req.size > uint64_t(std::numeric_limits<off_t>::max())) {
    return Status::invalid_argument(fmt::format("{}: SIZE {} is larger than a file can be",
                                                req.path, *req.size));
  }
  struct stat st;
  if (::stat(req.path.c_str(), &st) != 0) {
    if (errno != ENOENT) return Status::from_errno(errno, req.path);
    if (!req.size) {
      return Status::not_found(
          fmt::format("{}: does not exist (give a SIZE to create an image file)", req.path));
    }
    t.create = true;
    t.bytes = *req.size;
    t.topology = new_file_topology(req.path);
    return t;
  }
  if (S_ISBLK(st.st_mode)) {
    t.is_block_device = true;
    if (auto mount_point = find_mount(req.path)) {
      return Status::busy(fmt::format("{}: is mounted on {}", req.path, *mount_point));
    }
  } else if (!S_ISREG(st.st_mode)) {
    return Status::invalid_argument(fmt::format("{}: not a regular file or block device",
                                                req.path));
  }
  // Opened read-only for inspection, exclusively when formatting: a device or file someone
  // else holds is refused before anything is looked at or changed.
  FileDeviceOptions options = open_options(req);
  TUX3_ASSIGN_OR_RETURN(t.device, FileDevice::open(req.path, options));
  t.topology = t.device->topology();
  t.bytes = t.device->size();
  if (req.size) {
    if (*req.size > t.bytes && t.is_block_device) {
      return Status::invalid_argument(fmt::format(
          "{}: SIZE {} is larger than the device ({} bytes)", req.path, *req.size, t.bytes));
    }
    t.extend = *req.size > t.bytes;
    t.bytes = *req.size;
  }
  TUX3_ASSIGN_OR_RETURN(t.signatures, probe_signatures(t.device->fd()));
  return t;
}

Status materialize_target(const TargetRequest& req, Target& t) {
  if (t.create) {
    int fd = ::open(req.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return Status::from_errno(errno, fmt::format("{}: cannot create", req.path));
    int rc = ::ftruncate(fd, off_t(t.bytes));
    int err = errno;
    ::close(fd);
    if (rc != 0) {
      ::unlink(req.path.c_str());
      return Status::from_errno(err, fmt::format("{}: cannot set size", req.path));
    }
    auto device = FileDevice::open(req.path, open_options(req));
    if (!device) {
      ::unlink(req.path.c_str());
      return device.status();
    }
    t.device = std::move(*device);
    t.topology = t.device->topology();
  } else if (t.extend) {
    TUX3_RETURN_IF_ERROR(t.device->resize(t.bytes));
  }
  return Status::ok();
}

}  // namespace tux3::mkfs
