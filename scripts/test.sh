#!/usr/bin/env bash
# test.sh: install what is missing, build, and run every test (unit and tool-level).
# Usage: scripts/test.sh [--sanitize|--tsan]
#   --sanitize: AddressSanitizer + UBSan build, every test
#   --tsan: ThreadSanitizer build, only the engine's concurrency tests (stress, forking,
#           volume, crash)
# Tests that need root, loop devices or FUSE print SKIP when those are unavailable.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup-deps.sh"
type=Debug
filter=()
case "${1:-}" in
  "") ;;
  --sanitize)
    type=Sanitize
    # The crash-state suites at their quick scale (tests/crash/suite.h): the default
    # scale runs in the plain build.
    export TUX3_CRASH_LEVEL=quick
    export TUX3_MUTATE_ITERATIONS=40  # random-damage images (tests/images/mutate.py)
    # Left to the plain build: the FUSE server killed with SIGKILL (no sanitizer report
    # can come from it), the real programs (cli_fuse_basic covers the same operations
    # here), the differential test's long random runs, and mkfs's byte-for-byte
    # reproducibility runs (the same code paths as cli_mkfs_rootdir); CI's time is short.
    filter=(-E 'cli_fuse_(kill|programs|diff)|cli_mkfs_rootdir_repro')
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    ;;
  --tsan)
    type=Thread
    export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
    filter=(-R 'VolumeStress|VolumeFork|VolumeTest|VolumeCrash|VolumeFsync')
    ;;
  *) echo "test.sh: unknown option '$1' (--sanitize or --tsan)" >&2; exit 16 ;;
esac
targets=()
# The ThreadSanitizer run needs only the engine's unit tests: build just those.
[[ $type == Thread ]] && targets=(--target tuxdisk_unit_tests)
# One compiler run per batch of source files: CI builds from scratch twice (plain and
# sanitized), and a unity build takes half the time. The setting stays in the build
# directory; TUX3_UNITY_BUILD=OFF scripts/build.sh compiles file by file again, which
# also checks that every file includes what it uses.
export TUX3_UNITY_BUILD=ON
dir=$("$root/scripts/build.sh" "$type" "${targets[@]}" | tail -n 1)
ctest --test-dir "$dir" --output-on-failure -j2 "${filter[@]}"
