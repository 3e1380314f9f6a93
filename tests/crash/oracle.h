// oracle.h: may a recovered volume be what a crash of a recorded run left? (TESTING.md §2,
// O4 to O6; the fsync modes as man/tux3-writer.1, FSYNC, documents them.)
//
// The recovered volume must hold, for each thread's subtree, the state after some prefix
// of the thread's commands, except that a file fsynced after that prefix may hold the
// size, data and mode of one of those fsyncs (an fsync stream, replayed on top of the
// committed delta) and must if the fsync had returned:
//   - one thread: the prefix is fixed by the recovered delta: the commands up to the one
//     during which that delta became durable (or the one before it), and that delta is
//     not older than the one durable when the last returned command returned (O4, O5);
//   - several threads: each thread's prefix includes every command that returned before
//     an acknowledged sync began (O4, O5), and if command A returned before command B
//     began and B is in its thread's prefix, A is in its own (O6, the ordering guarantee).
// In fsync mode delta every fsync commits the delta, so no file is ever ahead of its
// prefix (a stream fsync is never taken; a run that did take one fails elsewhere).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "recorder.h"
#include "tree.h"

namespace tux3::crash {

struct CrashPoint {
  std::vector<std::size_t> completed;  // per thread: how many commands had returned
  uint64_t recovered_delta = 0;        // the committed delta of the crash image
};

// Reads the crash point's per-thread progress from the trace marks before it ("T<t> <i>").
CrashPoint crash_point(const Recording& rec, const std::vector<std::string>& marks,
                       uint64_t recovered_delta);

// "" if `recovered` (one Tree per thread, in the order of rec.threads) may be what the run
// left at `point`; otherwise why not, naming the closest allowed state's difference.
std::string judge(const Recording& rec, const CrashPoint& point,
                  const std::vector<Tree>& recovered);

}  // namespace tux3::crash
