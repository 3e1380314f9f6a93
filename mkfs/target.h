// target.h: preparing what mkfs.tux3 formats: create or extend an image file, open the
// device, refuse mounted devices, and find what is already on it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tuxdisk/file_device.h"
#include "tuxdisk/probe.h"
#include "tuxdisk/status.h"

namespace tux3::mkfs {

struct TargetRequest {
  std::string path;
  std::optional<uint64_t> size;  // SIZE argument: create or extend a file; cap a device
  int force = 0;                 // -f count
  bool dry_run = false;
};

struct Target {
  std::unique_ptr<FileDevice> device;  // null only for a dry run on a file not yet created
  uint64_t bytes = 0;                  // bytes the volume may use
  Topology topology;
  bool is_block_device = false;
  bool created = false;                // this run created (or would create) the file
  std::vector<Signature> signatures;   // what is on it now
};

// Errors: NotFound (missing file and no SIZE), InvalidArgument (not a file or device, SIZE
// larger than the device), Busy (mounted or held exclusively; -ff skips the exclusive open,
// a mounted device is always refused), IoError.
Result<Target> prepare_target(const TargetRequest& request);

}  // namespace tux3::mkfs
