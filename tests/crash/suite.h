// suite.h: running many workloads through the recorder and the checker, with the scale
// chosen by TUX3_CRASH_LEVEL, and reporting what was checked.
//
// TUX3_CRASH_LEVEL:
//   quick    for the sanitizer builds: fewer subsets and workloads;
//   default  the normal test run (scripts/test.sh): at least 50,000 crash states in all;
//   long     scripts/crash-long.sh: every subset up to 10 writes, every workload, G5 on
//            more states (a million states or more).
// TUX3_CRASH_ONLY=NAME runs only the workload called NAME (see a saved failure's .txt).
// TUX3_CRASH_SAVE_DIR: where failing states are saved (default: crash-failures in the
// current directory, which ctest sets to the build's tests/crash).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "checker.h"
#include "recorder.h"

namespace tux3::crash {

enum class Level { kQuick, kDefault, kLong };
Level level();

// The checker's options for a level.
CheckOptions check_options(Level level);

struct SuiteResult {
  CheckResult check;
  uint64_t workloads = 0;
  uint64_t skipped = 0;  // workloads whose commands conflict (ENOENT, EEXIST, ...)
  double seconds = 0;
  std::vector<std::string> errors;  // recording failures that are not conflicts
};

// Records and checks each workload (skipping those TUX3_CRASH_ONLY excludes). With
// allow_conflicts, a workload whose command fails with ENOENT, EEXIST, ENOTEMPTY,
// ENOTDIR, EISDIR or ENODATA is skipped (two generated operations that cannot follow each
// other, such as removing one extended attribute twice).
SuiteResult run_suite(const std::vector<Workload>& workloads, const CheckOptions& options,
                      bool allow_conflicts = false);

// One line: workloads, states, G5 states, seconds, states per second.
std::string summary(const std::string& name, const SuiteResult& result);

}  // namespace tux3::crash
