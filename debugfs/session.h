// session.h: the volume tux3-debugfs has open, and the state of it the commands see.
//
// Opening never gives up while something can still be shown: the device opens (an image,
// a block device, or a tux3-image dump), both superblock slots are read, and the reader
// is opened at the state asked for (the committed delta with its log replayed in memory,
// the on-disk state with --no-replay, or an older delta with --delta N). Each part that
// fails leaves a warning and what is left: a log that does not replay gives the on-disk
// state; no valid superblock leaves the raw blocks (super and block still work).
//
// With -w the device is opened exclusively and the writer engine is opened when a command
// first needs it. Every command that changes the volume through the engine is committed
// as one delta before the next command runs; a raw edit (set_super, corrupt) first closes
// the engine (its close commits a unify), then writes the bytes itself. After any change
// the reader is opened again, so every command sees the volume as it now is on disk.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "alloc_map.h"
#include "chain.h"
#include "fsync_overlay.h"
#include "tuxdisk/device.h"
#include "tuxdisk/format/superblock.h"
#include "tuxdisk/status.h"
#include "tuxdisk/volume.h"
#include "tuxdisk/volume_reader.h"

namespace tux3::debugfs {

struct OpenOptions {
  std::string path;
  bool write = false;
  bool replay = true;                   // false: --no-replay
  std::optional<uint64_t> delta;        // --delta N
  std::optional<format::Timestamp> clock;  // -w: a fixed clock for the engine's times
};

// The block geometry: from the superblock in use, else guessed from the raw slots.
struct Geometry {
  unsigned block_bits = 12;
  uint32_t block_size = 4096;
  uint64_t vol_blocks = 0;
  uint64_t first_data_block = 3;
  bool from_superblock = false;
};

// Which state of the volume the commands see.
struct ViewInfo {
  uint64_t delta = 0;            // the state's delta
  bool committed = true;         // the committed delta (not an older one)
  bool log_replayed = false;     // the log chain was applied in memory
  std::string no_reader;         // why there is no reader at all (empty: there is one)
  std::string log_note;          // why the log was not replayed although it was wanted
  std::string streams_note;      // why the fsync streams were not applied
};

class Session {
 public:
  // Errors: the device cannot be opened (IoError, NotFound, Busy); a request that cannot
  // be met (InvalidArgument: -w on a dump, --delta N not in the log). Warnings about what
  // could not be opened are appended to `warnings`.
  static Result<std::unique_ptr<Session>> open(const OpenOptions& options,
                                               std::vector<std::string>& warnings);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const std::string& path() const { return options_.path; }
  BlockDevice& device() { return *device_; }
  bool writable() const { return options_.write; }
  bool is_dump() const { return is_dump_; }
  const format::SlotPair& slots() const { return slots_; }
  const Geometry& geometry() const { return geometry_; }
  const ViewInfo& view() const { return view_; }

  // The reader, or Corruption/NotFound saying why there is none.
  Result<VolumeReader*> reader();
  // The superblock of the state shown. REQUIRES: reader() succeeded.
  const format::Superblock& super() const { return reader_->super(); }
  const FsyncOverlay& overlay() const { return overlay_; }
  // The log chain of the state shown (read on first use). REQUIRES: reader() succeeded.
  const LogChain& chain();
  // The allocation map of the state shown (built on first use).
  Result<const AllocMap*> alloc_map();

  uint64_t cwd() const { return cwd_; }
  const std::string& cwd_path() const { return cwd_path_; }
  void set_cwd(uint64_t inum, std::string path);

  // -w: the engine, opened on first use. InvalidArgument without -w.
  Result<Volume*> engine();
  // After a command changed the volume through the engine: commit its delta, wait until
  // it is durable, and open the reader again.
  Status commit_engine_change(std::vector<std::string>& warnings);
  // Before a raw edit reads what it changes: closes the engine if it is open (its close
  // commits a unify, which moves the volume to the other superblock slot and may rewrite
  // blocks), and opens the reader on the result. Nothing to do when it is not open.
  Status settle_for_raw_edit(std::vector<std::string>& warnings);
  // A raw write of `bytes` at byte `offset` of the device (closing the engine first), made
  // durable; then the reader is opened again. InvalidArgument without -w.
  Status write_raw(uint64_t offset, std::span<const uint8_t> bytes,
                   std::vector<std::string>& warnings);
  // Closes the engine if it is open (a unify). Called once at exit.
  Status close();

 private:
  explicit Session(OpenOptions options) : options_(std::move(options)) {}
  Status open_device();
  // Reads the slots and opens the reader at the state asked for. InvalidArgument: --delta
  // names a delta that is not there.
  Status load(std::vector<std::string>& warnings);
  Result<format::Superblock> state_for_delta(uint64_t delta);

  OpenOptions options_;
  std::unique_ptr<BlockDevice> device_;
  bool is_dump_ = false;
  format::SlotPair slots_;
  Geometry geometry_;
  ViewInfo view_;
  std::unique_ptr<VolumeReader> reader_;
  Status reader_error_;
  FsyncOverlay overlay_;
  std::optional<LogChain> chain_;
  std::optional<AllocMap> alloc_;
  Status alloc_error_;
  std::unique_ptr<Volume> engine_;
  uint64_t cwd_ = format::kInoRoot;
  std::string cwd_path_ = "/";
};

}  // namespace tux3::debugfs
