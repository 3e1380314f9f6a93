// outcome.h: what a check came to, as fsck(8) exit codes and the counts every output
// prints, computed once from the library's report.
#pragma once

#include <cstdint>

#include "tuxdisk/check.h"

namespace tux3::fsck {

// fsck(8) exit codes: a bitmask. 2 (fixed, reboot needed) is never used: tux3 has no
// kernel mount that could hold a stale view of the volume.
inline constexpr int kExitClean = 0, kExitFixed = 1, kExitLeft = 4, kExitError = 8,
                     kExitUsage = 16, kExitCancelled = 32;

struct Outcome {
  uint64_t errors = 0;  // problems of severity error
  uint64_t fixed = 0;   // ... fixed
  uint64_t left = 0;    // ... not fixed (reported, declined, or found again after repair)
  uint64_t notes = 0;   // problems of severity info (a volume needing replay, say)
  bool modified = false;  // anything written: the log replayed, or repairs
  uint64_t blocks_in_use = 0;  // as checked (a skipped clean volume: as its superblock says)
  int exit_code = kExitClean;
};

// 32 when cancelled; else 1 if an error was fixed, | 4 if one is left. Replaying the log
// is recovery, not repair: alone it exits 0 (as e2fsck's journal replay).
Outcome outcome_of(const CheckReport& report);

}  // namespace tux3::fsck
