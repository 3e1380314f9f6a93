// workload.h: timed multi-threaded workloads for measuring the engine (bench/rewrite.sh).
#pragma once

#include <cstdint>
#include <string>

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

}  // namespace tux3::writer
