// volume.h: the filesystem engine: a tux3 volume opened for reading and writing.
//
// Every operation changes the current delta in memory; commit_delta() (or a trigger: dirty
// bytes, elapsed time, an explicit sync) writes it out atomically as described in
// man/tux3-format.5, COMMIT PROTOCOL, and every few deltas a unify writes the bnodes and
// the bitmap and restarts the log. open() replays the log first, so the engine always
// starts from the last committed delta, and destroys orphans left by a crash.
//
// Inode numbers: the root directory is kRootIno (2). Errors carry POSIX errno values
// (status_errno()); on-disk damage is Corruption (EIO) and never asserts.
//
// Thread safety: none; one caller at a time (the FUSE layer serialises).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tuxdisk/device.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/format/superblock.h"
#include "tuxdisk/status.h"

namespace tux3 {

inline constexpr uint64_t kRootIno = format::kInoRoot;

// errno for a Status: its own errno if it has one, else one that fits its kind.
int status_errno(const Status& status);

struct VolumeOptions {
  bool read_only = false;
  uint64_t dirty_limit_bytes = 64ull << 20;  // commit a delta when this much data is dirty
  uint32_t delta_interval_ms = 5000;         // commit a delta this long after its first change
  uint32_t unify_every_deltas = 32;          // unify after this many deltas ...
  uint32_t unify_log_blocks = 256;           // ... or this many log blocks, whichever first
  // A clock for timestamps (nanoseconds since the epoch); default: the real-time clock.
  std::function<format::Timestamp()> clock;
};

struct Attr {
  uint64_t ino = 0;
  uint32_t mode = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t nlink = 0;
  uint64_t size = 0;
  uint64_t blocks = 0;  // in units of the volume block size
  uint64_t rdev = 0;    // major << 32 | minor
  format::Timestamp atime, mtime, ctime, btime;
  uint32_t block_size = 0;
};

struct SetAttr {
  std::optional<uint32_t> mode;  // permission bits only
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  std::optional<uint64_t> size;
  std::optional<format::Timestamp> atime;
  std::optional<format::Timestamp> mtime;
};

struct DirEntry {
  std::string name;
  uint64_t ino = 0;
  format::FileType type = format::FileType::kUnknown;
  uint64_t next_offset = 0;  // pass to readdir to continue after this entry
};

struct VolumeStatFs {
  uint32_t block_size = 0;
  uint64_t blocks = 0;
  uint64_t free_blocks = 0;
  uint64_t inodes = 0;
  uint64_t free_inodes = 0;
  uint32_t name_max = 0;
};

struct VolumeStats {
  uint64_t deltas = 0;
  uint64_t unifies = 0;
  uint64_t data_blocks_written = 0;
  uint64_t leaves_written = 0;
  uint64_t bnodes_written = 0;
  uint64_t bitmap_blocks_written = 0;
  uint64_t log_blocks_written = 0;
  uint64_t log_records = 0;
  uint64_t bytes_written = 0;  // everything sent to the device
  uint64_t flushes = 0;
  uint64_t replayed_records = 0;
  uint64_t orphans_destroyed_at_open = 0;
};

// rename flags
inline constexpr unsigned kRenameNoReplace = 1;
inline constexpr unsigned kRenameExchange = 2;

class Volume {
 public:
  // Opens the volume on `device` (which must outlive it), replaying the log. Refuses an
  // unknown feature or damaged superblocks; read_only never writes.
  static Result<std::unique_ptr<Volume>> open(BlockDevice& device, const VolumeOptions& options);
  virtual ~Volume() = default;

  // Commits what is pending with a unify, so the volume is left with a short log.
  virtual Status close() = 0;

  virtual Result<Attr> lookup(uint64_t dir, std::string_view name) = 0;
  virtual Result<Attr> getattr(uint64_t ino) = 0;
  virtual Result<Attr> setattr(uint64_t ino, const SetAttr& changes) = 0;

  virtual Result<Attr> create(uint64_t dir, std::string_view name, uint32_t mode, uint32_t uid,
                              uint32_t gid) = 0;
  virtual Result<Attr> mkdir(uint64_t dir, std::string_view name, uint32_t mode, uint32_t uid,
                             uint32_t gid) = 0;
  // mode includes the type: S_IFCHR/S_IFBLK (with rdev), S_IFIFO, S_IFSOCK, or S_IFREG.
  virtual Result<Attr> mknod(uint64_t dir, std::string_view name, uint32_t mode, uint64_t rdev,
                             uint32_t uid, uint32_t gid) = 0;
  virtual Result<Attr> symlink(uint64_t dir, std::string_view name, std::string_view target,
                               uint32_t uid, uint32_t gid) = 0;
  virtual Result<std::string> readlink(uint64_t ino) = 0;
  virtual Result<Attr> link(uint64_t ino, uint64_t dir, std::string_view name) = 0;
  virtual Status unlink(uint64_t dir, std::string_view name) = 0;
  virtual Status rmdir(uint64_t dir, std::string_view name) = 0;
  virtual Status rename(uint64_t old_dir, std::string_view old_name, uint64_t new_dir,
                        std::string_view new_name, unsigned flags = 0) = 0;
  // Calls `emit` for each entry from `offset` (0: the start, with "." and ".."), until it
  // returns false or the directory ends.
  virtual Status readdir(uint64_t dir, uint64_t offset,
                         const std::function<bool(const DirEntry&)>& emit) = 0;

  virtual Result<std::size_t> read(uint64_t ino, uint64_t offset, std::span<uint8_t> out) = 0;
  virtual Result<std::size_t> write(uint64_t ino, uint64_t offset,
                                    std::span<const uint8_t> data) = 0;

  // name is the full name ("user.foo"); flags: 0, XATTR_CREATE (1) or XATTR_REPLACE (2).
  virtual Result<std::vector<uint8_t>> getxattr(uint64_t ino, std::string_view name) = 0;
  virtual Status setxattr(uint64_t ino, std::string_view name, std::span<const uint8_t> value,
                          int flags) = 0;
  virtual Result<std::vector<std::string>> listxattr(uint64_t ino) = 0;
  virtual Status removexattr(uint64_t ino, std::string_view name) = 0;

  // An open file handle keeps an unlinked inode alive (an orphan) until released.
  virtual Status open_file(uint64_t ino) = 0;
  virtual Status release_file(uint64_t ino) = 0;

  virtual VolumeStatFs statfs() = 0;
  // Commits the current delta (and every earlier one) and returns when it is durable.
  virtual Status sync() = 0;
  // Commits a delta now; unify forces a unify in it.
  virtual Status commit_delta(bool unify) = 0;

  virtual const VolumeStats& stats() const = 0;
  virtual const format::Superblock& super() const = 0;
};

}  // namespace tux3
