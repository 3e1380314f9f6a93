// check.h: fsck.tux3's engine: the passes that check a volume, the table of problems they
// find, and the repairs, written as deltas through the writer engine.
//
// A check, in passes (each says what it hands to the next):
//   0 superblock  both slots, the chosen one, geometry against the device;
//   1 log         the log chain and fsync streams (the shared replay); a damaged log
//                 stops the check unless it is rolled back to the last valid point; a
//                 log that is merely not yet replayed is replayed first when repairing,
//                 in memory otherwise (fsync streams are then checked, not applied);
//   2 inodes      the inode table: every node, key order, depth, every record decodes,
//                 inode numbers, the count;
//   3 files       every file's extent tree or inline extents: inside the volume, no
//                 overlap within or between files (one bit per block, the only state
//                 kept per block), block counts, sizes, symlinks, xattrs;
//   4 directories every index: nodes, keys against name hashes, names, duplicates,
//                 entries naming live inodes of the type they claim;
//   5 connectivity every directory reachable from the root along entries and PARENT,
//                 no cycles; anything unreachable is reconnected under /lost+found;
//   6 link counts  against the entries found;
//   7 orphans      the orphan tree: only unlinked inodes;
//   8 allocation   the bitmap (as the log leaves it) against the blocks reached; free
//                 block and inode counts.
// Memory: one bit per volume block, and about 32 bytes per inode (numbers, link counts,
// parents, types), never a structure per block.
//
// Problems come from one table (all_problems()): a stable code, what is wrong, what the fix
// does, and whether preen (-p) may apply it. Repairs are collected during the passes and
// written, after the last pass, as one delta through the engine's commit path, then a
// unify marks the volume clean: a crash during repair leaves the volume as it was or
// repaired. The volume is then checked again, read-only: an error found then that is not
// one the caller declined is appended as "after the repairs: ..." (left, not fixed).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tuxdisk/device.h"
#include "tuxdisk/status.h"

namespace tux3 {

enum class CheckPass : uint8_t {
  kSuperblock, kLog, kInodes, kFiles, kDirectories, kConnectivity, kLinks, kOrphans,
  kAllocation,
};
inline constexpr unsigned kCheckPasses = 9;
std::string_view check_pass_name(CheckPass pass);

// Every problem fsck knows. The numbers are stable (they appear in --json output and in
// the test corpus); new problems get new numbers.
enum class ProblemCode : uint16_t {
  // Pass 0: superblock.
  kSlotUnreadable = 0x0001,      // a slot is damaged (the other is used)
  kSlotsDisagree = 0x0002,       // both valid, different UUID / block size / volume size
  kSuperFreeCount = 0x0003,      // free_blocks differs from the bitmap
  kSuperInodeCount = 0x0004,     // inode_count differs from the inode table
  kSuperNextInum = 0x0005,       // next_inum lies below inodes in use (a hint, harmless)
  // Pass 1: log and streams.
  kLogDamaged = 0x0101,          // the log cannot be read or applied
  kStreamRecordRejected = 0x0102,  // a complete fsync that does not fit the state
  kLogNotReplayed = 0x0103,      // the volume needs replay (not an error: recovery)
  kLogDoesNotApply = 0x0104,     // the log reads, but what it edits is damaged
  // Pass 2: inode table.
  kInodeTableNode = 0x0201,      // a node of the inode table is damaged
  kInodeRecord = 0x0202,         // a record does not decode
  kInodeNumber = 0x0203,         // a reserved or out-of-range inode number
  kBitmapInodeBad = 0x0204,      // inode 1 missing or not a regular file
  kRootInodeBad = 0x0205,        // inode 2 missing or not a directory
  // Pass 3: files.
  kExtentTreeNode = 0x0301,      // a node of a file's extent tree is damaged
  kExtentOutside = 0x0302,       // an extent outside the data area
  kExtentOverlap = 0x0303,       // extents of one file overlap
  kBlockCrossLinked = 0x0304,    // a block used by two structures
  kBlockCount = 0x0305,          // the inode's blocks field differs from its extents
  kExtentPastSize = 0x0306,      // a written extent past the file size
  kSymlinkSize = 0x0307,         // a symlink's size does not match its target
  // Pass 4: directories.
  kDirTreeNode = 0x0401,         // a node of a directory index is damaged
  kEntryDangling = 0x0402,       // an entry names an inode that does not exist
  kEntryType = 0x0403,           // an entry's type differs from its inode's
  kEntryName = 0x0404,           // an invalid name
  kEntryDuplicate = 0x0405,      // two entries of one directory with the same name
  kEntryKey = 0x0406,            // an entry's key does not match its name's hash
  kEntrySpecial = 0x0407,        // an entry names inode 1 or the root
  // Pass 5: connectivity.
  kDirDisconnected = 0x0501,     // a directory no entry names (or only a cycle does)
  kDirParent = 0x0502,           // a directory's PARENT is not the directory naming it
  kDirHardLinked = 0x0503,       // a directory named by more than one entry
  kFileDisconnected = 0x0504,    // a linked inode that no entry names
  // Pass 6: link counts.
  kLinkCount = 0x0601,
  // Pass 7: orphans.
  kOrphanLinked = 0x0701,        // the orphan tree lists an inode that has names
  kOrphanMissing = 0x0702,       // the orphan tree lists an inode that does not exist
  kOrphanTreeNode = 0x0703,      // a node of the orphan tree is damaged
  kOrphanPending = 0x0704,       // an unlinked inode awaiting destruction (not an error)
  // Pass 8: allocation.
  kBitmapBlock = 0x0801,         // a bitmap block is damaged
  kBlockLeaked = 0x0802,         // allocated, used by nothing
  kBlockUnmarked = 0x0803,       // in use, marked free
  kBitmapBeyondEnd = 0x0804,     // bits set for blocks beyond the volume
};

enum class Severity : uint8_t {
  kInfo,     // normal state worth saying (a volume that needs replay); not an error
  kError,    // an inconsistency
};

struct ProblemInfo {
  ProblemCode code;
  std::string_view id;       // stable short name, e.g. "link-count"
  CheckPass pass;
  Severity severity;
  std::string_view summary;  // what is wrong, in general
  std::string_view fix;      // what repairing does ("" when it cannot be repaired)
  bool preen = false;        // safe to repair without asking (-p, -a)
};
std::span<const ProblemInfo> all_problems();
const ProblemInfo& problem_info(ProblemCode code);
// "P0601" style: the code as printed.
std::string problem_label(ProblemCode code);

struct Problem {
  ProblemCode code;
  std::string detail;       // one line: what, where ("inode 17: link count 3, 2 names")
  uint64_t inode = 0;       // the inode concerned, when one is
  uint64_t block = 0;       // the block concerned, when one is
  enum class Outcome : uint8_t {
    kReported,   // checked only (-n), or not fixable
    kFixed,
    kDeclined,   // the fix was not wanted (-p for a non-preen fix, or "no")
  } outcome = Outcome::kReported;
};

enum class CheckMode : uint8_t {
  kReadOnly,  // -n: write nothing; the log is replayed in memory
  kPreen,     // -p / -a: fix what is preen-safe, leave the rest
  kRepair,    // -y: fix everything fixable
  kAsk,       // ask for each fix (CheckOptions::ask)
};

enum class Answer : uint8_t { kYes, kNo, kYesToAll, kCancel };

struct CheckProgress {
  CheckPass pass;
  uint64_t done = 0;
  uint64_t total = 0;
};

struct CheckOptions {
  CheckMode mode = CheckMode::kReadOnly;
  bool force = false;  // check a clean volume too
  // kAsk: called for each fixable problem, before the repairs are written.
  std::function<Answer(const Problem&, const ProblemInfo&)> ask;
  // Called often during each pass (the caller throttles its output).
  std::function<void(const CheckProgress&)> progress;
};

struct CheckReport {
  bool skipped = false;      // clean and not forced: nothing checked
  bool replayed = false;     // the log was replayed (written) before checking
  bool cancelled = false;    // the person answering asked to stop: nothing written
  bool aborted = false;      // damage stopped the check early (see problems)
  std::vector<Problem> problems;
  uint64_t committed_delta = 0;
  uint64_t written_delta = 0;  // after repairs (0: nothing written)
  // What was found.
  uint64_t inodes = 0, directories = 0, regular_files = 0, symlinks = 0, others = 0;
  uint64_t tree_nodes = 0, data_blocks = 0, blocks_in_use = 0, free_blocks = 0;
  uint64_t vol_blocks = 0;
  uint64_t peak_state_bytes = 0;  // the checker's own per-block and per-inode state

  bool errors_found() const;   // any problem of severity error
  bool errors_left() const;    // any such problem not fixed
  bool fixed_any() const;
};

// Checks (and per options.mode repairs) the volume on `device`. The Result fails only
// when the check cannot run: no tux3 volume, an unsupported feature, both superblock slots
// unreadable (Corruption), an I/O error; every inconsistency is a Problem.
Result<CheckReport> check_volume(BlockDevice& device, const CheckOptions& options);

}  // namespace tux3
