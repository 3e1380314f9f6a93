// ops.h: the FUSE low-level operations, each a call of the engine (tuxdisk/volume.h).
//
// The engine serialises its operations itself (one volume lock), so the operations may
// run on any of libfuse's worker threads. Errors are the engine's errno values
// (status_errno). An inode lives while it has a name or the kernel holds it (its lookup
// count, lookup_counts.h); open and opendir hold nothing. Not served: fallocate (EOPNOTSUPP
// from the kernel), flush (closing promises nothing).
#pragma once

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

#include <atomic>

#include "lookup_counts.h"
#include "tuxdisk/volume.h"

namespace tux3::fuse {

// What every operation reaches through fuse_req_userdata().
struct Bridge {
  explicit Bridge(Volume& v) : volume(v) {}
  Volume& volume;
  double timeout = 60.0;         // seconds the kernel may cache names and attributes
  bool writeback_cache = false;  // ask the kernel for its writeback cache at init
  LookupCounts lookups;          // what the kernel holds; unlinked inodes pinned for it
  // Set at init: the kernel can do without open / opendir requests.
  std::atomic<bool> no_open = false, no_opendir = false;
};

// The operations table; the session's userdata must be a Bridge.
fuse_lowlevel_ops make_ops();

}  // namespace tux3::fuse
