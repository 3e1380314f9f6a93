// host_files.h: writing a file of the volume into the host filesystem (dump, rdump):
// its data (holes left as holes), then its owner (only when running as root), mode, times
// and extended attributes, all through the open descriptor, so nothing is ever written
// through a path that could have become a symlink.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "fs.h"
#include "tuxdisk/status.h"

namespace tux3::debugfs {

class HostFile {
 public:
  // Takes ownership of `fd` (closed by close() or the destructor). `name` is for messages.
  HostFile(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  ~HostFile();
  HostFile(const HostFile&) = delete;
  HostFile& operator=(const HostFile&) = delete;

  int fd() const { return fd_; }
  const std::string& name() const { return name_; }
  Status write_at(uint64_t offset, const uint8_t* bytes, uint64_t length);
  Status set_size(uint64_t size);
  Status set_mode(mode_t mode);
  // Owner (as root), mode, times, xattrs of `rec`; what could not be set comes back as
  // warnings, one line each (an unprivileged copy cannot keep owners or trusted xattrs).
  std::vector<std::string> set_attributes(const format::InodeRecord& rec, bool xattrs = false);
  Status close();

 private:
  int fd_;
  std::string name_;
};

// Writes the data of regular file `inode` into `file`: mapped blocks written, holes left
// unwritten, the size set last.
Status write_file_data(Session& session, const InodeRef& inode, HostFile& file);

// Times as utimensat wants them: {atime, mtime}.
void host_times(const format::InodeRecord& rec, struct timespec out[2]);

}  // namespace tux3::debugfs
