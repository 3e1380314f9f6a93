// ops.h: the FUSE low-level operations, each a call of the engine (tuxdisk/volume.h).
//
// The engine serialises its operations itself (one volume lock), so the operations may
// run on any of libfuse's worker threads. Errors are the engine's errno values
// (status_errno). Not served: lookup counts (forget is a no-op: the engine keeps an
// unlinked inode only while a handle is open), fallocate (EOPNOTSUPP from the kernel).
#pragma once

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

#include "tuxdisk/volume.h"

namespace tux3::fuse {

// What every operation reaches through fuse_req_userdata().
struct Bridge {
  Volume& volume;
  double timeout = 1.0;          // seconds the kernel may cache names and attributes
  bool writeback_cache = false;  // ask the kernel for its writeback cache at init
};

// The operations table; the session's userdata must be a Bridge.
fuse_lowlevel_ops make_ops();

}  // namespace tux3::fuse
