// host_files.cc: files of the volume written to the host (host_files.h).
#include "host_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "names.h"

namespace tux3::debugfs {

using namespace format;

HostFile::~HostFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status HostFile::write_at(uint64_t offset, const uint8_t* bytes, uint64_t length) {
  while (length > 0) {
    ssize_t n = ::pwrite(fd_, bytes, length, off_t(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::from_errno(n < 0 ? errno : EIO, name_);
    bytes += n;
    offset += uint64_t(n);
    length -= uint64_t(n);
  }
  return Status::ok();
}

Status HostFile::set_size(uint64_t size) {
  if (::ftruncate(fd_, off_t(size)) != 0) return Status::from_errno(errno, name_);
  return Status::ok();
}

Status HostFile::set_mode(mode_t mode) {
  if (::fchmod(fd_, mode) != 0) return Status::from_errno(errno, name_);
  return Status::ok();
}

void host_times(const InodeRecord& rec, struct timespec out[2]) {
  out[0].tv_sec = time_t(rec.atime.sec);
  out[0].tv_nsec = long(rec.atime.nsec);
  out[1].tv_sec = time_t(rec.mtime.sec);
  out[1].tv_nsec = long(rec.mtime.nsec);
}

std::vector<std::string> HostFile::set_attributes(const InodeRecord& rec, bool xattrs) {
  std::vector<std::string> warnings;
  auto note = [&](const char* what) {
    warnings.push_back(fmt::format("{}: {}: {}", printable(name_), what, std::strerror(errno)));
  };
  if (::geteuid() == 0 && ::fchown(fd_, rec.uid, rec.gid) != 0) note("owner not kept");
  if (::fchmod(fd_, rec.mode & 07777) != 0) note("mode not kept");
  if (xattrs) {
    for (const Xattr& x : rec.xattrs) {
      std::string name = xattr_full_name(x);
      if (::fsetxattr(fd_, name.c_str(), x.value.data(), x.value.size(), 0) != 0) {
        warnings.push_back(fmt::format("{}: xattr {} not kept: {}", printable(name_),
                                       printable(name), std::strerror(errno)));
      }
    }
  }
  struct timespec times[2];
  host_times(rec, times);
  if (::futimens(fd_, times) != 0) note("times not kept");
  return warnings;
}

Status HostFile::close() {
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return Status::from_errno(errno, name_);
  return Status::ok();
}

Status write_file_data(Session& session, const InodeRef& inode, HostFile& file) {
  TUX3_RETURN_IF_ERROR(read_data(session, inode, [&](uint64_t offset, uint64_t length,
                                                     const uint8_t* bytes) {
    return bytes ? file.write_at(offset, bytes, length) : Status::ok();
  }));
  return file.set_size(inode.rec.size);
}

}  // namespace tux3::debugfs
