// workload.h: timed multi-threaded workloads for measuring the engine (bench/rewrite.sh,
// bench/fsync.sh).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tuxdisk/status.h"
#include "tuxdisk/volume.h"

namespace tux3::writer {

struct RewriteParams {
  uint64_t ino = 0;        // a regular file
  uint64_t size = 0;       // hot: the hot set, rewritten; fresh: the most written in all
  uint64_t block = 4096;   // bytes per write
  unsigned threads = 2;
  uint64_t millis = 5000;  // run this long (fresh: or until size is written)
  bool fresh = false;      // every write to a new offset: nothing is ever rewritten
};

struct RewriteReport {
  uint64_t writes = 0;
  uint64_t bytes = 0;
  double seconds = 0;
  uint64_t p50_ns = 0, p99_ns = 0, max_ns = 0;  // per write() call
  std::string summary() const;  // one line: "rewrite: ..."
};

// Hot: the file is first filled to `size` and synced; then each thread writes `block`
// bytes at random block-aligned offsets inside it until the time is up. Fresh: the threads
// write consecutive new blocks past the end (no block twice). Every write's latency is
// recorded. Errors stop the run and are returned.
Result<RewriteReport> run_rewrite(Volume& volume, const RewriteParams& params);

struct FsyncLoopParams {
  std::vector<uint64_t> jobs;     // regular files, one per fsync job (may be empty)
  std::vector<uint64_t> writers;  // regular files, one per plain writer (may be empty)
  uint64_t size = 0;              // append: the most each job writes; overwrite and
                                  // writers: the region written, rounded down to `block`
  uint64_t block = 4096;          // bytes per write
  uint64_t millis = 5000;         // run this long (append: or until each job wrote size)
  bool overwrite = false;
};

struct FsyncLoopReport {
  uint64_t fsyncs = 0;         // write+fsync iterations, all jobs
  double seconds = 0;          // the timed part: from the start to the last thread's end
  uint64_t p50_ns = 0, p99_ns = 0, max_ns = 0;  // per iteration: the write and the fsync
  uint64_t writer_bytes = 0;   // written by the plain writers
  std::string summary() const;  // one line: "fsyncloop: ..."
  std::string json() const;     // the same values as one JSON object
};

// Each job loops: write `block` bytes (append: at its file's end; overwrite: at a random
// block-aligned offset below size, the file first filled to size and synced), then
// fsync(datasync=false), until the time is up (append: or size is written); each
// iteration's latency is recorded. Each writer meanwhile writes `block` bytes at a time,
// never fsyncing, consecutively through the first `size` bytes of its file and round
// again (the first pass allocates, later passes rewrite), until the time is up. Errors
// stop the run and are returned.
Result<FsyncLoopReport> run_fsyncloop(Volume& volume, const FsyncLoopParams& params);

}  // namespace tux3::writer
