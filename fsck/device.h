// device.h: opening the volume to check.
#pragma once

#include <memory>
#include <string>

#include "tuxdisk/file_device.h"

namespace tux3::fsck {

// Read-only (-n): no lock, so a volume in use can be looked at. Otherwise exclusively (a
// block device with O_EXCL, a file with a non-blocking flock), and a mounted block device
// (found by device number in /proc/self/mountinfo) is refused first. Errors name `path`.
Result<std::unique_ptr<FileDevice>> open_device(const std::string& path, bool write);

}  // namespace tux3::fsck
