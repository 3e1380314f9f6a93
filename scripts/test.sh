#!/usr/bin/env bash
# test.sh: install what is missing, build, and run every test (unit and tool-level).
# Usage: scripts/test.sh [--sanitize]   (--sanitize: AddressSanitizer + UBSan build)
# Tests that need root, loop devices or FUSE print SKIP when those are unavailable.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup-deps.sh"
type=Debug
if [[ "${1:-}" == "--sanitize" ]]; then
  type=Sanitize
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
dir=$("$root/scripts/build.sh" "$type" | tail -n 1)
ctest --test-dir "$dir" --output-on-failure -j2
