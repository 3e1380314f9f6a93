// target.h: preparing what mkfs.tux3 formats, in two steps so that nothing on the target is
// created, extended or locked-and-changed until every check has passed:
//   1. inspect_target: open what exists (exclusively), refuse mounted devices, find the
//      signatures already there, work out the size the volume may use. Changes nothing.
//   2. materialize_target: create the image file or extend it to SIZE, and open it.
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
  std::unique_ptr<FileDevice> device;  // null until materialized when the file is new
  uint64_t bytes = 0;                  // bytes the volume may use
  Topology topology;
  bool is_block_device = false;
  bool create = false;                 // the file does not exist yet
  bool extend = false;                 // the file must grow to `bytes`
  std::vector<Signature> signatures;   // what is on it now
};

// Errors: NotFound (missing file and no SIZE), InvalidArgument (not a file or device, SIZE
// larger than a block device or than the host can address), Busy (mounted, or held
// exclusively: -ff skips the exclusive open; a mounted device is always refused), IoError.
Result<Target> inspect_target(const TargetRequest& request);

// Creates or extends the file as inspected and opens it. REQUIRES: not a dry run.
Status materialize_target(const TargetRequest& request, Target& target);

}  // namespace tux3::mkfs
