// target.cc: create/extend/open the mkfs target and look at what it holds.
#include "target.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

namespace tux3::mkfs {

Result<Target> prepare_target(const TargetRequest& req) {
  Target t;
  struct stat st;
  bool exists = ::stat(req.path.c_str(), &st) == 0;
  if (!exists && errno != ENOENT) return Status::from_errno(errno, req.path);
  if (!exists) {
    if (!req.size) {
      return Status::not_found(
          fmt::format("{}: does not exist (give a SIZE to create an image file)", req.path));
    }
    t.created = true;
    t.bytes = *req.size;
    if (req.dry_run) {
      // What the file would get: the host filesystem's block size, as FileDevice reports.
      std::string parent = req.path.find('/') == std::string::npos
                               ? std::string(".")
                               : req.path.substr(0, req.path.rfind('/') + 1);
      struct stat dir;
      uint32_t blksize = ::stat(parent.c_str(), &dir) == 0 && dir.st_blksize > 0
                             ? uint32_t(dir.st_blksize)
                             : 4096;
      t.topology.physical_sector = blksize;
      t.topology.io_min = blksize;
      t.topology.discard = true;
      return t;
    }
    int fd = ::open(req.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return Status::from_errno(errno, fmt::format("{}: cannot create", req.path));
    int rc = ::ftruncate(fd, off_t(*req.size));
    int err = errno;
    ::close(fd);
    if (rc != 0) return Status::from_errno(err, fmt::format("{}: cannot set size", req.path));
  } else if (S_ISREG(st.st_mode)) {
    if (req.size && *req.size > uint64_t(st.st_size) && !req.dry_run) {
      if (::truncate(req.path.c_str(), off_t(*req.size)) != 0) {
        return Status::from_errno(errno, fmt::format("{}: cannot extend", req.path));
      }
    }
  } else if (S_ISBLK(st.st_mode)) {
    t.is_block_device = true;
    if (auto mount_point = find_mount(req.path)) {
      return Status::busy(fmt::format("{}: is mounted on {}", req.path, *mount_point));
    }
  } else {
    return Status::invalid_argument(fmt::format("{}: not a regular file or block device",
                                                req.path));
  }

  FileDeviceOptions options;
  options.read_only = req.dry_run;
  options.exclusive = !req.dry_run && req.force < 2;
  TUX3_ASSIGN_OR_RETURN(t.device, FileDevice::open(req.path, options));
  t.topology = t.device->topology();
  t.bytes = t.device->size();
  if (req.size) {
    if (*req.size > t.bytes && !(req.dry_run && !t.is_block_device)) {
      return Status::invalid_argument(fmt::format(
          "{}: SIZE {} is larger than the device ({} bytes)", req.path, *req.size, t.bytes));
    }
    t.bytes = *req.size;
  }
  if (!t.created) {
    TUX3_ASSIGN_OR_RETURN(t.signatures, probe_signatures(t.device->fd()));
  }
  return t;
}

}  // namespace tux3::mkfs
