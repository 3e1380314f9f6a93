// metadump.h: tux3-image dumps: a volume's metadata (or, with data, every block that holds
// anything) as one zstd-compressed, self-describing stream, for bug reports.
//
// The stream (specified in man/tux3-image.8, FORMAT): a 256-byte header that is not
// compressed (magic "TUX3DUMP", dump version, flags, geometry, UUID, committed delta, label,
// producer, CRC32C), then independent zstd frames. Each frame decompresses to one chunk of
// at most header.chunk_bytes bytes holding whole records: RUN (a run of consecutive blocks,
// its first block given as the gap after the previous run of the chunk, then the blocks'
// bytes as they are on the volume), ZERO (a run of blocks the dump holds that are all
// zeros, without their bytes) and, last of all, END (the totals). Blocks are stored
// unchanged, so every checksum in them still holds; blocks that are not stored read as
// zeros.
//
// Contract:
//  - Writing reads the source only (never writes to it). Metadata is found by walking the
//    volume as it is on disk and as its log and fsync streams make it (see write_metadump).
//  - Reading never trusts the stream: every length, block number and count is bounds-checked
//    and a bad, truncated or foreign stream is a Status naming the stream and the reason
//    (Corruption; NotSupported for a newer dump version), never a crash or an out-of-bounds
//    read. Memory while reading is bounded by the chunk size (a few chunks at a time).
//  - Nothing here keeps global state; objects are not shared between threads unless said.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tuxdisk/device.h"
#include "tuxdisk/format/header.h"
#include "tuxdisk/status.h"

namespace tux3 {

// True if `head` (the first bytes of a file) begins a tux3-image dump stream.
bool is_metadump(std::span<const uint8_t> head);
// Reads a whole dump (a path; "-" is not accepted here) and presents the volume it
// describes as a read-only BlockDevice of the volume's size: blocks stored in the dump read
// as stored, every other block reads as zeros. Writes and flushes fail (NotSupported or
// ReadOnly, whichever tux3::Status code fits). A bad, truncated or foreign stream gives a
// Status naming the file and the reason, never a crash.
Result<std::unique_ptr<BlockDevice>> open_metadump(const std::string& path);

// ---- The header ----

inline constexpr uint16_t kMetadumpVersion = 1;
inline constexpr std::size_t kMetadumpHeaderSize = 256;
inline constexpr std::size_t kMetadumpMagicSize = 8;  // "TUX3DUMP"

// Header flags: what the dump holds.
inline constexpr uint32_t kDumpData = 1 << 0;       // every block that is not all zeros
inline constexpr uint32_t kDumpScrambled = 1 << 1;  // names, xattrs, symlinks, label replaced
inline constexpr uint32_t kDumpReplayed = 1 << 2;   // the volume as replay leaves it
// Stored blocks are filtered: predictable fields XORed with their prediction (see
// man/tux3-image.8, FORMAT); readers give back the blocks as they were.
inline constexpr uint32_t kDumpPredicted = 1 << 3;
inline constexpr uint32_t kDumpFlagsKnown =
    kDumpData | kDumpScrambled | kDumpReplayed | kDumpPredicted;

struct MetadumpHeader {
  uint16_t version = kMetadumpVersion;
  uint32_t flags = 0;
  uint16_t block_bits = 12;
  uint16_t volume_version = 0;  // the on-disk format version of the volume
  uint32_t chunk_bytes = 0;     // the largest decompressed chunk
  uint64_t vol_blocks = 0;
  uint64_t device_bytes = 0;    // the size of the device the volume was on (>= the volume)
  format::Uuid uuid{};
  uint64_t delta = 0;           // the volume's committed delta
  uint64_t hash_seed = 0;       // the volume's directory hash seed (for kDumpPredicted)
  int64_t created_sec = 0;      // when the dump was made (seconds since the epoch)
  std::string label;            // the volume label (replaced in a scrambled dump)
  std::string producer;         // the program that wrote the dump, with its version

  uint32_t block_size() const { return uint32_t(1) << block_bits; }
  uint64_t volume_bytes() const { return vol_blocks << block_bits; }
};

// ---- Byte streams a dump is written to and read from ----

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // All of `bytes`, or an IoError naming the stream.
  virtual Status write(std::span<const uint8_t> bytes) = 0;
  virtual Status finish() { return Status::ok(); }  // at the end: flush what is buffered
};

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Up to out.size() bytes; 0 only at the end of the stream.
  virtual Result<std::size_t> read(std::span<uint8_t> out) = 0;
  virtual std::string name() const = 0;
};

// A file descriptor, not owned (the caller opens and closes it); `name` is used in messages.
std::unique_ptr<ByteSink> fd_sink(int fd, std::string name);
std::unique_ptr<ByteSource> fd_source(int fd, std::string name);

// In memory: a sink that keeps what it is given.
class VectorSink final : public ByteSink {
 public:
  Status write(std::span<const uint8_t> bytes) override;
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

// In memory: a source over borrowed bytes (which must outlive it), read at most max_read
// bytes at a time (as a pipe may hand them out).
class SpanSource final : public ByteSource {
 public:
  explicit SpanSource(std::span<const uint8_t> bytes, std::string name = "memory",
                      std::size_t max_read = SIZE_MAX)
      : bytes_(bytes), name_(std::move(name)), max_read_(max_read) {}
  Result<std::size_t> read(std::span<uint8_t> out) override;
  std::string name() const override { return name_; }

 private:
  std::span<const uint8_t> bytes_;
  std::string name_;
  std::size_t max_read_;
  std::size_t pos_ = 0;
};

// ---- What a dump holds ----

// A stored block's kind, by its contents (its magic; the reserved area by its place).
enum class DumpBlockKind : uint8_t {
  kReserved, kBnode, kIleaf, kXleaf, kDleaf, kOleaf, kBitmap, kLog, kStream, kOther,
};
inline constexpr std::size_t kDumpBlockKinds = 10;
std::string_view dump_block_kind_name(DumpBlockKind kind);  // "reserved", "bnode", ...
DumpBlockKind classify_dump_block(uint64_t block, std::span<const uint8_t> bytes,
                                  unsigned block_bits);

struct DumpCounts {
  std::array<uint64_t, kDumpBlockKinds> by_kind{};
  uint64_t blocks = 0;       // stored with their bytes (RUN)
  uint64_t zero_blocks = 0;  // held as zeros (ZERO)
  uint64_t runs = 0;         // RUN and ZERO records
  uint64_t chunks = 0;
  uint64_t stream_bytes = 0;  // the whole stream, header included
};

// ---- Writing ----

struct DumpProgress {
  enum class Phase : uint8_t { kScan, kWrite };
  Phase phase = Phase::kScan;
  uint64_t done = 0;   // scan: blocks of metadata found; write: blocks written
  uint64_t total = 0;  // write: blocks to write; scan: 0 (unknown)
};

struct DumpOptions {
  // Every block of the volume that is not all zeros, allocated or not: restore gives a
  // byte-identical copy. Without it, the metadata only (see write_metadump).
  bool data = false;
  // Replace names (directory entries, user and trusted xattr names, symlink targets, the
  // label) by a keyed hash of the same length, zero xattr values (not ACLs). Implies the
  // volume as replay leaves it (see write_metadump). Not with data.
  bool scramble = false;
  std::string scramble_key;  // empty: a random key, forgotten after the dump
  // Also the previous unify cycle (see write_metadump). Not with scramble.
  bool previous_cycle = false;
  int level = 3;             // zstd compression level, 1 to 22
  // Threads compressing chunks: 0, one per CPU (at most 4); 1, the caller's thread only.
  unsigned threads = 0;
  int64_t created_sec = 0;
  std::string producer;
  // Called during the dump, often; may be empty.
  std::function<void(const DumpProgress&)> progress;
};

struct DumpReport {
  MetadumpHeader header;
  DumpCounts counts;
  uint64_t metadata_blocks = 0;  // blocks the walk found (stored ones: counts.blocks)
  // With scramble: what was rewritten.
  struct Scrambled {
    uint64_t entries = 0;      // directory entries renamed
    uint64_t directories = 0;  // directory indexes re-keyed
    uint64_t resalted = 0;     // ... with names of their own (see man/tux3-image.8)
    uint64_t xattrs = 0;       // xattrs renamed or zeroed
    uint64_t symlinks = 0;     // symlink targets renamed
  } scrambled;
  // What the walk could not follow (damage it met): the dump still holds the blocks as
  // they are, so a checker finds the same damage on the restored image.
  std::vector<std::string> problems;
};

// Writes a dump of `source` to `out`. What a metadata dump holds: the reserved area (boot
// area and both superblock slots); every node of the inode table, of every file's extent
// tree and directory index, of the orphan tree, and the bitmap blocks, reached through the
// committed state (the log replayed in memory) and through the trees as they are on disk
// (bnodes as the last unify wrote them) and through the other superblock slot's state; long
// symlink targets; the log chain and every block its records name as a tree node; the
// fsync stream blocks of both slots' stream tables, the first block after each stream's
// end, and the data blocks the stream records map (so that replay checks the same data
// checksums). When a unify separates the other slot's delta from the committed one, its
// log chain is the previous cycle, whose older blocks the unify freed: only with
// previous_cycle are it, the blocks its records name and its state dumped. A block named as
// a tree node or stream block that carries no tux3 magic is stored with its first four
// bytes only (the rest zero), so a checker sees the same wrong magic without the data.
// Blocks that are all zeros are never stored: those of a metadata dump are listed (ZERO),
// so that restore onto a device zeroes them. NotFound: the source holds no tux3 volume;
// Corruption: neither superblock slot is usable.
Result<DumpReport> write_metadump(BlockDevice& source, const DumpOptions& options,
                                  ByteSink& out);

// ---- Reading ----

// A run of consecutive blocks the dump holds; `bytes` is count × block size, valid until
// the next call of MetadumpReader::next, or empty when the blocks are all zeros (zero).
struct MetadumpRun {
  uint64_t first = 0;
  uint64_t count = 0;
  std::span<const uint8_t> bytes;
  bool zero = false;
};

// Reads a stream from start to end, verifying as it goes.
class MetadumpReader {
 public:
  // Reads and checks the header. Corruption (not a dump, a bad header), NotSupported (a
  // newer dump version or unknown flags), IoError; all name the source.
  static Result<std::unique_ptr<MetadumpReader>> open(ByteSource& in);
  virtual ~MetadumpReader() = default;

  virtual const MetadumpHeader& header() const = 0;
  // The next run (ascending, never overlapping), or nullopt once the END record was read,
  // its totals matched and nothing follows it.
  virtual Result<std::optional<MetadumpRun>> next() = 0;
  // Counts so far (complete after next() returned nullopt).
  virtual const DumpCounts& counts() const = 0;
};

// What a restore target holds where nothing is written, and so what restore writes.
enum class RestoreTarget : uint8_t {
  kSparseFile,   // zeros (a new or emptied file): the stored blocks only
  kDevice,       // old contents: the stored blocks, and zeros over the dump's zero blocks;
                 // every other block is left as it is
  kZeroedDevice, // old contents, all replaced: zeros over every block not stored
};

// Reads every run of `reader` and writes it to `target` at its place, as `kind` says.
// InvalidArgument if the target is smaller than the volume.
Status restore_metadump(MetadumpReader& reader, BlockDevice& target, RestoreTarget kind,
                        const std::function<void(uint64_t done, uint64_t total)>& progress = {});

}  // namespace tux3
