// device.cc: opening the volume to check (device.h), as tux3-replay does.
#include "device.h"

#include <sys/stat.h>

#include <fmt/format.h>

#include "tuxdisk/probe.h"

namespace tux3::fsck {

Result<std::unique_ptr<FileDevice>> open_device(const std::string& path, bool write) {
  FileDeviceOptions options;
  options.read_only = !write;
  options.exclusive = write;
  struct stat st;
  if (write && ::stat(path.c_str(), &st) == 0 && S_ISBLK(st.st_mode)) {
    if (auto mount_point = find_mount(path)) {
      return Status::busy(fmt::format("{}: is mounted on {}", path, *mount_point));
    }
  }
  return FileDevice::open(path, options);
}

}  // namespace tux3::fsck
