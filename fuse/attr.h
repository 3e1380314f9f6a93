// attr.h: the engine's inode numbers and attributes in the kernel's terms.
#pragma once

#include <sys/stat.h>

#include <cstdint>

#include "tuxdisk/volume.h"

namespace tux3::fuse {

// FUSE calls the root node 1; the engine's root is inode 2, and its inode 1 (the
// allocation bitmap) is never named, so every other number is the same in both.
inline uint64_t engine_ino(uint64_t nodeid) { return nodeid == 1 ? kRootIno : nodeid; }
inline uint64_t fuse_nodeid(uint64_t ino) { return ino == kRootIno ? 1 : ino; }

// stat(2) fields from the engine's attributes: st_ino is the engine's number (the root
// shows as 2, as on the volume), st_blocks in 512-byte units, st_rdev as the kernel's dev_t.
struct stat to_stat(const Attr& attr);

}  // namespace tux3::fuse
