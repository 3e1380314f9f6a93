#!/usr/bin/env bash
# crash-long.sh: the long crash-state run kept out of the default test suite: every
# subset of up to 10 unflushed writes, subsets at every write, more torn masks, crashes
# during replay for more states, all two-operation sequences with G5, 40 seeded
# multi-threaded runs and 200 kills of the writer (tests/crash/suite.h, level "long").
# A million crash states or more; a Release build, both cores.
# Usage: scripts/crash-long.sh [CTEST_REGEX]   (default: every crash test)
# Failing states are saved under the build's tests/crash/crash-failures/ with a .txt
# saying how to look at them (tux3-replay --print) and run the workload alone.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup-deps.sh"
dir=$("$root/scripts/build.sh" Release | tail -n 1)
start=$(date +%s)
TUX3_CRASH_LEVEL=long ctest --test-dir "$dir" -L crash -j2 --output-on-failure -V \
  ${1:+-R "$1"} | tee "$dir/crash-long.log" | grep -E "^[0-9]+: .*(states|killed)|tests passed|FAILED"
echo "crash-long: $(( $(date +%s) - start )) s; the states each test checked are in $dir/crash-long.log"
