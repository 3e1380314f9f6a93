// volume_device.cc: opening a volume for a tool (volume_device.h).
#include "volume_device.h"

#include <sys/stat.h>

#include <fmt/format.h>

#include "tuxdisk/probe.h"

namespace tux3::cmdline {

Result<std::unique_ptr<FileDevice>> open_volume_device(const std::string& path, bool write,
                                                       bool direct) {
  FileDeviceOptions options;
  options.direct = direct;
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

std::string about(const std::string& path, const Status& status) {
  if (status.message().starts_with(path + ":")) return status.message();
  return fmt::format("{}: {}", path, status.message());
}

}  // namespace tux3::cmdline
