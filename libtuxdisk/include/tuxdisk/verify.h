// verify.h: a whole-volume consistency check over a VolumeReader (read-only).
//
// This is the library check the tests and tools use until fsck's passes exist, and the core
// those passes grow from. It checks, in order:
//   1. superblock slots: at least one valid; both valid slots agree on the volume identity;
//   2. the inode table: every node verified, every record decodes, the count matches the
//      superblock, the bitmap (1) and root directory (2) exist with the right types;
//   3. every file's extent tree and every directory's index: nodes verified, extents inside
//      the volume and not overlapping, block counts, directory entries naming live inodes
//      of the type they claim, link counts;
//   4. the orphan tree and the log chain (read and replayed when the reader opened);
//   5. the allocation bitmap, as the last unify wrote it with the log's allocation changes
//      applied, against every block reached above.
// Memory: one bit per volume block, plus per-inode link counts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tuxdisk/status.h"
#include "tuxdisk/volume_reader.h"

namespace tux3 {

struct VerifyReport {
  std::vector<std::string> problems;  // empty when the volume is consistent
  uint64_t inodes = 0;
  uint64_t directories = 0;
  uint64_t regular_files = 0;
  uint64_t tree_nodes = 0;
  uint64_t data_blocks = 0;
  uint64_t log_blocks = 0;
  uint64_t blocks_in_use = 0;    // reached from the roots, reserved area included
  bool bitmap_checked = false;   // false when the bitmap or the log could not be read
  bool clean() const { return problems.empty(); }
};

// Runs the check. The Result fails only when the check could not run (I/O error); problems
// with the volume's contents go into the report.
Result<VerifyReport> verify_volume(VolumeReader& reader);

}  // namespace tux3
