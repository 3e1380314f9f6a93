#!/usr/bin/env bash
# build.sh: configure and build one build type into its own directory.
# Usage: scripts/build.sh [Debug|Release|Sanitize|Thread] [cmake --build options, e.g.
#        --target NAME]   (default Debug, every target)
# Prints the build directory on the last line of stdout.
# TUX3_UNITY_BUILD=ON|OFF (environment) sets CMAKE_UNITY_BUILD in that directory: several
# source files compiled as one, which halves a full build. scripts/test.sh turns it on; the
# setting stays in the directory, and since an edit then rebuilds its whole batch,
# TUX3_UNITY_BUILD=OFF turns it back off for day-to-day work.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
type=${1:-Debug}
case "$type" in
  Debug) dir="$root/build" ;;
  Release) dir="$root/build-release" ;;
  Sanitize) dir="$root/build-sanitize" ;;
  Thread) dir="$root/build-tsan" ;;
  *) echo "build.sh: unknown build type '$type' (Debug, Release, Sanitize or Thread)" >&2; exit 16 ;;
esac
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
unity=()
[[ -n "${TUX3_UNITY_BUILD:-}" ]] && unity=(-DCMAKE_UNITY_BUILD:BOOL="$TUX3_UNITY_BUILD")
if [[ ! -f "$dir/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE="$type" "${unity[@]}" >&2
elif [[ -n "${TUX3_UNITY_BUILD:-}" ]] &&
     ! grep -qx "CMAKE_UNITY_BUILD:BOOL=$TUX3_UNITY_BUILD" "$dir/CMakeCache.txt"; then
  cmake -S "$root" -B "$dir" "${unity[@]}" >&2
fi
cmake --build "$dir" -j2 "${@:2}" >&2
echo "$dir"
