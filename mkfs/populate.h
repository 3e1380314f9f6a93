// populate.h: copying a host directory tree into a new tux3 volume (mkfs.tux3 --root-dir).
//
// Contract:
//  - What is copied: every entry under the directory, recursively, without following
//    symlinks and without skipping mount points: regular files (their data; holes the host
//    reports through SEEK_DATA/SEEK_HOLE stay holes, only data regions are written),
//    directories, symlinks, character and block devices, FIFOs and sockets. Names that are
//    hard links of one host inode (same st_dev and st_ino) become hard links of one volume
//    inode. Each inode keeps its permission bits (set-id and sticky included), numeric owner
//    and group, atime and mtime, and its extended attributes (llistxattr/lgetxattr); names
//    the engine rejects with EOPNOTSUPP are skipped and counted. ctime and btime are the
//    volume clock's. The root directory's own mode and owner are the caller's business
//    (mkfs writes them with the empty volume); its times and xattrs are copied here.
//  - Order: each directory's entries are visited in byte order of their names, depth first,
//    so inode numbers, allocation and hence the image depend only on the tree's contents.
//  - Reproducibility: with source_date_epoch set, the volume clock returns it and every
//    copied time later than it is clamped to it (Reproducible Builds practice); the engine
//    commits deltas only when dirty data reaches a fixed limit, never on elapsed time.
//  - Errors: the first failure stops the copy and is returned with the host path it
//    concerns in the message: an entry that cannot be read or opened (IoError with errno),
//    a name or xattr the volume cannot hold, or the volume running out of space (NoSpace).
//    The volume is then left as its last committed delta; the caller discards the image.
//  - Durability: each delta commits with the full protocol, so an interrupted copy leaves
//    the volume as of its last committed delta; the copy is complete only when
//    populate_volume returns OK.
//  - Threads: populate_volume reads the host on a second thread it starts and joins; the
//    volume is used from the calling thread only. Memory: at most 64 MiB of file data
//    waits between the two, and the engine holds up to its 64 MiB dirty limit.
//  - scan_tree() makes the same walk without a volume (the dry run): it opens every regular
//    file (so unreadable ones fail the same way) and finds its data regions, but reads no
//    data and writes nothing.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "tuxdisk/device.h"
#include "tuxdisk/status.h"

namespace tux3::mkfs {

struct PopulateOptions {
  std::string root_dir;
  uint32_t block_size = 4096;               // the volume's, for counting data blocks
  std::optional<int64_t> source_date_epoch;  // clock and upper bound of copied times
  // The image being made, when it lies inside the tree: never copied into itself.
  std::optional<std::pair<dev_t, ino_t>> exclude;
};

struct PopulateStats {
  uint64_t files = 0;        // regular files (inodes, not names)
  uint64_t directories = 0;  // not counting the root
  uint64_t symlinks = 0;
  uint64_t hard_links = 0;   // names beyond the first of an inode
  uint64_t specials = 0;     // character and block devices, FIFOs, sockets
  uint64_t xattrs = 0;       // extended attributes copied
  uint64_t data_bytes = 0;   // file data copied (holes not counted)
  uint64_t data_blocks = 0;  // volume blocks that data fills
  uint64_t xattrs_skipped = 0;
  std::string first_skipped;  // "HOST_PATH: NAME" of the first skipped xattr
  uint64_t shrunk = 0;        // files that ended before their stat size while copied
  std::string first_shrunk;
  bool excluded_image = false;  // the image itself was found in the tree and left out
  uint64_t deltas = 0;          // populate_volume only: deltas committed, final unify included
  uint64_t bytes_written = 0;   // populate_volume only: bytes the engine sent to the device
};

// The directory to copy: InvalidArgument if it is not a directory, else the errno of stat
// (NotFound for a missing one). Messages start with the path.
Status check_root_dir(const std::string& root_dir, uint32_t& mode, uint32_t& uid, uint32_t& gid);

// Copies options.root_dir into the volume on `device` (mkfs just wrote it, empty), then
// closes the volume (a final unify).
Result<PopulateStats> populate_volume(BlockDevice& device, const PopulateOptions& options);

// The dry run: what populate_volume would copy.
Result<PopulateStats> scan_tree(const PopulateOptions& options);

}  // namespace tux3::mkfs
