// checker.h: every crash state of a recorded run, recovered and judged (TESTING.md §2).
//
// For each state (tuxdisk/crash_states.h: G1 barriers, G2 write prefixes, G3 subsets, G4
// torn writes, as an overlay over the start image), after the run's "start" mark:
//   O1 replay (tuxdisk/replay.h, as tux3-replay runs it) succeeds and writes a clean state;
//   O2 fsck's check (check_volume, read-only and forced, as fsck.tux3 -fn) finds nothing;
//   O3 a second replay finds a clean volume and writes nothing;
//   O4-O6 the recovered namespace and contents are allowed by the oracle (oracle.h);
//   O7 (G5) for chosen states, a crash during replay (every G1-G4 state of replay's own
//      writes), followed by another replay, ends where the uninterrupted replay ended.
// A failing state is saved (image and a text file saying how to reproduce it) under
// CheckOptions::save_dir.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "recorder.h"
#include "tuxdisk/crash_states.h"

namespace tux3::crash {

// Which log records and stream blocks the replays applied, summed over states.
struct Coverage {
  std::array<uint64_t, 16> records{};  // by LogCode value
  uint64_t fsyncs_applied = 0;
  uint64_t continued_fsyncs = 0;       // fsyncs of more than one stream block
  std::array<uint64_t, 16> stream_flags{};  // by bit of the stream block flags
  uint64_t orphans = 0;
  void add(const Coverage& other);
};

struct CheckOptions {
  CrashStateOptions states;
  // G5: how many of a recording's states also get their replay crashed (the end state
  // first, then barrier states from the last back).
  unsigned g5_states = 1;
  CrashStateOptions g5;  // the G1-G4 states of replay's own writes
  std::string save_dir;  // failing states go here ("": not saved)
  unsigned save_limit = 3;
};

struct CheckResult {
  uint64_t states = 0;     // crash states judged (G1-G4)
  uint64_t g5_states = 0;  // crash states of interrupted replays judged
  std::vector<std::string> failures;  // "workload: state: what"
  Coverage coverage;
  void add(const CheckResult& other);
};

// Judges every state of `rec` after its "start" mark; adds to `out`.
void check_recording(const Recording& rec, const CheckOptions& options, CheckResult& out);

// A description of a workload (its scripts), for messages and saved failures.
std::string describe(const Workload& workload);

}  // namespace tux3::crash
