// volume.h: the filesystem engine: a tux3 volume opened for reading and writing.
//
// Every operation changes the open delta in memory. A trigger (dirty bytes, dirty inodes,
// elapsed time) or sync() hands it to the backend thread, which commits it atomically as
// described in man/tux3-format.5, COMMIT PROTOCOL, while operations go on into the next
// delta; every few deltas a unify writes the bnodes and the bitmap and restarts the log.
// open() replays the log first, so the engine always starts from the last committed delta,
// and destroys orphans left by a crash.
//
// Page forking: at most one delta is under commit. A data block it is writing is never
// changed and never waited for: a write to it gets a copy (a fork) in the open delta, and
// the old copy lives until its write completes. The commit writes data in requests of at
// most 1 MiB; once a block's request has completed, a write changes it in place. Metadata (inode records, directory and
// extent leaves, bnodes, bitmap blocks, log blocks) is encoded into new buffers when a
// delta is marshalled, so nothing the frontend edits is ever shared with I/O. An operation
// waits only when the open delta passes twice the dirty limit while the previous one is
// still being written (it would need a third delta), in stable-pages mode, or when space
// can only come from a commit; VolumeStats counts every wait and its duration.
//
// Inode numbers: the root directory is kRootIno (2). Errors carry POSIX errno values
// (status_errno()); on-disk damage is Corruption (EIO) and never asserts.
//
// Thread safety: every method may be called from any thread at any time; operations are
// serialised by one volume lock (each is atomic with respect to deltas).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <limits>
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
  // Commit a delta when this much data is dirty; writers wait (throttled) while twice this
  // much is dirty and the previous delta is still being written (a writer to a file holding
  // under an eighth of this much, such as one fsyncing as it goes, only past three times).
  uint64_t dirty_limit_bytes = 64ull << 20;
  uint32_t delta_interval_ms = 5000;         // commit a delta this long after its first change
  uint32_t unify_every_deltas = 32;          // unify after this many deltas ...
  uint32_t unify_log_blocks = 256;           // ... or this many log blocks, whichever first
  // Clean cached data and inodes are evicted to stay under this many bytes (an estimate:
  // block buffers plus a fixed cost per cached inode). Dirty and in-flight state is
  // bounded by dirty_limit_bytes instead, never evicted.
  uint64_t cache_bytes = 256ull << 20;
  // Stable pages: a write to a block under I/O waits for that block's write request to
  // complete (as the kernel waits for a page's writeback) instead of forking it. For
  // measuring what forking buys; slower, never more correct.
  bool stable_pages = false;
  // Threads writing a delta's blocks (0: the backend thread writes them one at a time).
  unsigned io_threads = 4;
  // Reproducible deltas: an operation that triggers a commit waits for it, so where deltas
  // begin and end depends only on the operations, never on timing (mkfs --root-dir with
  // SOURCE_DATE_EPOCH). The delta timer still applies unless delta_interval_ms is huge.
  bool deterministic_deltas = false;
  // How fsync() makes a file durable (see fsync()); default: the volume's mkfs setting.
  std::optional<format::FsyncMode> fsync_mode;
  // fsync log streams to use, 1 to 32 (0: the volume's stream_count, or 4 if it has none).
  unsigned fsync_streams = 0;
  // A clock for timestamps (nanoseconds since the epoch); default: the real-time clock.
  std::function<format::Timestamp()> clock;
};

// A reader's reference to one version of a data block: its bytes stay as they were when
// pinned, whatever is written to the file afterwards (page forking), until released.
using BlockRef = std::shared_ptr<const std::vector<uint8_t>>;

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
  // Page forking and the backend.
  uint64_t forks = 0;                // writes that copied a block under I/O or pinned
  uint64_t fork_bytes = 0;           // bytes those copies moved
  uint64_t stable_waits = 0;         // stable-pages mode: writes that waited for I/O ...
  uint64_t stable_wait_ns = 0;       // ... and for how long in all
  uint64_t throttle_waits = 0;       // operations that waited for a third delta ...
  uint64_t throttle_wait_ns = 0;
  uint64_t commit_waits = 0;         // sync, commit_delta, or space: waited for a commit
  uint64_t commit_wait_ns = 0;
  uint64_t marshal_ns = 0;           // time the frontend was held while deltas were marshalled
  uint64_t marshal_max_ns = 0;       // the longest single hold
  uint64_t inflight_writes_peak = 0; // most block writes in flight at once
  uint64_t inflight_bytes_peak = 0;  // largest delta under commit, in bytes
  uint64_t pages_evicted = 0;
  uint64_t inodes_evicted = 0;
  // fsync, by the path taken (each call counts once, under the path it finally took; the
  // two waits count waits, and the call still counts under its path).
  uint64_t fsync_calls = 0;
  uint64_t fsync_stream = 0;          // written through an fsync stream
  uint64_t fsync_clean = 0;           // nothing to write (already durable)
  uint64_t fsync_waited_delta = 0;    // waits for the delta in flight holding the file
  uint64_t fsync_delta_mode = 0;      // fsync mode `delta`: committed the delta
  uint64_t fsync_fallback_new = 0;    // fell back to a delta: file not yet durable and linked
  uint64_t fsync_fallback_dir = 0;    // ... a directory or other non-regular file
  uint64_t fsync_fallback_meta = 0;   // ... a change a stream block cannot carry
  uint64_t fsync_fallback_unreserved = 0;  // ... no stream reserved by the durable delta yet
  uint64_t fsync_fallback_nospace = 0;     // ... no space for the stream's blocks
  uint64_t fsync_stream_waits = 0;    // waits for a busy stream, the same file's fsync, or
                                      // a marshal
  uint64_t stream_blocks_written = 0; // stream log blocks
  uint64_t stream_data_blocks = 0;    // data blocks written by fsync streams
  uint64_t stream_bytes = 0;          // both, in bytes
  uint64_t stream_flushes = 0;        // device flushes issued by stream fsyncs (shared ones
                                      // count once)
  uint64_t stream_records_replayed = 0;  // complete fsyncs applied from streams at open
  // fsync latency: bucket i counts calls that took [2^i, 2^(i+1)) microseconds (the last
  // bucket: 2^23 us and more).
  std::array<uint64_t, 24> fsync_latency_us_log2{};
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
  // Makes one file durable: its data, size, times and mode as of the call. In fsync mode
  // `stream` (the default) a regular file that is already durable and linked is written
  // through an fsync stream: its dirty blocks go to new locations and one checksummed
  // stream block records its new size, times, mode and mappings, then a flush; no other
  // file is written and the delta is not committed. Everything else (a new file, a
  // directory, changes a stream block cannot carry: owner, xattrs, a shrink) falls
  // back to committing the delta, as does mode `delta` always; so does a file linked,
  // unlinked or renamed since the last delta (its names are directory changes). A stream
  // fsync can make the file durable ahead of earlier operations on other files still in
  // the open delta; mode `delta` keeps the delta order for every operation. datasync
  // (fdatasync): a file whose only changes are its times is not written. Counted in
  // VolumeStats. O_SYNC/O_DSYNC writes and sync_file_range are this call after the write.
  virtual Status fsync(uint64_t ino, bool datasync) = 0;
  // Commits a delta now and waits until it is durable; unify forces a unify in it.
  virtual Status commit_delta(bool unify) = 0;
  // Hands the open delta to the backend (once the one in flight, if any, is done) and
  // returns without waiting; operations from now on belong to the next delta.
  virtual Status start_commit(bool unify) = 0;

  // The current version of data block `index` of a regular file, pinned (see BlockRef).
  // A hole reads as zeros.
  virtual Result<BlockRef> pin_block(uint64_t ino, uint64_t index) = 0;

  virtual VolumeStats stats() const = 0;
  // The superblock of the last durable delta.
  virtual format::Superblock super() const = 0;
};

}  // namespace tux3
