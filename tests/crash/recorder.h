// recorder.h: running a workload on the engine with every write, flush and FUA recorded,
// and the state of the volume after every command, for the crash checker (checker.h).
//
// A workload is tux3-writer scripts (man/tux3-writer.1), so any workload, and any failing
// crash state, can be run again by hand with tux3-writer and tux3-replay. One script is run
// in the calling thread; several run at once, one thread each, each on its own subtree.
//
// Recording, in steps:
//   1. the start image: mkfs, the setup script, a sync; then an fsync (which commits the
//      delta that reserves the fsync streams) and a crash, so the streams are live;
//   2. the engine opens the start image through an overlay and a TraceDevice, replays,
//      reserves the streams again (an fsync and a sync), and marks the trace "start";
//   3. the scripts run; after each command the recorder snapshots the thread's subtree,
//      notes the durable delta, and marks the trace "T<thread> <command index>";
//   4. the run ends in a crash: the engine is dropped without a close (the delta in flight,
//      if any, finishes), so the trace ends where a power loss at the end would.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tree.h"
#include "tuxdisk/memory_device.h"
#include "tuxdisk/trace_device.h"
#include "tuxdisk/volume.h"

namespace tux3::crash {

struct Workload {
  std::string name;
  std::string setup;                 // script run before recording (made durable)
  std::vector<std::string> scripts;  // one per thread
  // Thread t works under roots[t] ("/" for a single thread); the oracle compares each
  // thread's subtree on its own. Default: "/" for one script, "/t<N>" for several (the
  // setup must make them).
  std::vector<std::string> roots;
  uint32_t block_bits = 10;
  uint64_t volume_bytes = 4u << 20;
  format::FsyncMode fsync_mode = format::FsyncMode::kStream;
  uint32_t unify_every_deltas = 32;
  uint64_t dirty_limit_bytes = 64u << 20;  // crash workloads commit where they say
  unsigned io_threads = 0;                 // 0: writes in a fixed order (repeatable traces)
  // Deltas commit in the background when the dirty limit says (never waited for), so
  // frontend writes meet blocks under I/O and fork. With one script the oracle then
  // judges by prefixes, as for several threads.
  bool async_commits = false;
  uint64_t seed = 1;
  // Only crash states after this trace mark are checked ("start", or "T<t> <i>": after
  // thread t's command i returned).
  std::string check_from_mark = "start";
};

// One command that ran, in one thread.
struct StepRecord {
  int line = 0;               // in its script
  std::string command;        // "write", "fsync", ...
  std::string path;           // its first argument (fsync's file), as written
  uint64_t start_seq = 0;     // global order of starts and ends across threads
  uint64_t end_seq = 0;
  uint64_t durable_delta = 0; // the volume's durable delta when it returned
  bool mutating = true;       // changes the namespace or contents
  bool fsync = false;         // fsync or fdatasync of `path`
  bool datasync = false;      // fdatasync: makes data and size durable, not the mode
  bool sync = false;          // sync, unify, or (delta mode) an fsync: commits
  Tree state;                 // the thread's subtree after it
};

struct ThreadRecord {
  std::string root;
  Tree initial;                   // its subtree at "start"
  std::vector<StepRecord> steps;
};

struct Recording {
  Workload workload;
  std::shared_ptr<MemoryDevice> start;  // the image the trace starts from
  std::vector<TraceEvent> events;
  uint64_t start_delta = 0;             // durable at "start"
  std::vector<ThreadRecord> threads;
  VolumeOptions options;                // the engine options of the run (and of replay)
};

// The image a workload's recording starts from (step 1 above).
Result<std::shared_ptr<MemoryDevice>> make_start_image(const Workload& workload);

// Start images by what makes them (setup script, geometry, fsync mode, seed): workloads
// that share a setup share one image, which is only ever read.
class StartImages {
 public:
  Result<std::shared_ptr<MemoryDevice>> get(const Workload& workload);

 private:
  std::map<std::string, std::shared_ptr<MemoryDevice>> images_;
};

// Records `workload` (its start image from `cache` when given). Errors: a command failed
// (with its errno when it has one; the message names script and line), or the engine did.
Result<Recording> record(const Workload& workload, StartImages* cache = nullptr);

// The engine options a workload runs with.
VolumeOptions workload_options(const Workload& workload);

}  // namespace tux3::crash
