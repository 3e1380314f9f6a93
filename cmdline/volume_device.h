// volume_device.h: how the tools that repair or replay a volume open it, and word errors
// about it.
#pragma once

#include <memory>
#include <string>

#include "tuxdisk/file_device.h"
#include "tuxdisk/status.h"

namespace tux3::cmdline {

// Read-only: no lock, so a volume in use can be looked at. Writing: exclusively (a block
// device with O_EXCL, a file with a non-blocking flock), and a mounted block device (found
// by device number in /proc/self/mountinfo) is refused first (Busy). Errors name `path`.
// direct: O_DIRECT (writes reach the device, not the host's page cache).
Result<std::unique_ptr<FileDevice>> open_volume_device(const std::string& path, bool write,
                                                       bool direct = false);

// "PATH: reason", unless the message names the path already.
std::string about(const std::string& path, const Status& status);

}  // namespace tux3::cmdline
