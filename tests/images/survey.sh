#!/usr/bin/env bash
# survey.sh BUILD_DIR [CASE...]: for each case, what the checkers say about its image:
#   the name line; the first line of `tux3-inspect IMAGE verify` (the library verifier);
#   the first problem tux3img.py check reports (the independent reader). A case whose name
#   starts with "normal after a crash" is then replayed with tux3-replay and verified again:
#   it must come out clean. Exit status 1 if a damaged case reads clean to tux3img.py check,
#   or a normal case does not replay to a clean volume.
set -euo pipefail
if [[ $# -lt 1 ]]; then
  echo "usage: survey.sh BUILD_DIR [CASE...]" >&2
  exit 16
fi
images=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
shift
inspect=$build/tests/tools/tux3-inspect
replay=$build/replay/tux3-replay
py=$(python3 -c 'import sys; print(sys.executable)')
export PYTHONDONTWRITEBYTECODE=1 SOURCE_DATE_EPOCH=1700000000
cases=("${@%/}")
if [[ ${#cases[@]} -eq 0 ]]; then
  for z in "$images"/*/image.zst; do cases+=("$(basename "$(dirname "$z")")"); done
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0
for c in "${cases[@]}"; do
  c=$(basename "$c")
  img=$tmp/$c.img
  zstd -dcq "$images/$c/image.zst" >"$img"
  name=$(cat "$images/$c/name")
  echo "$c: $name"
  echo "  tux3-inspect: $("$inspect" "$img" verify 2>&1 | head -1 || true)"
  mine=$("$py" "$images/tux3img.py" check --quiet-info "$img" 2>&1 | head -1 || true)
  echo "  tux3img.py:   ${mine:-clean}"
  if [[ $name == "normal after a crash"* ]]; then
    rc=0
    "$replay" -q "$img" || rc=$?
    after=$("$inspect" "$img" verify 2>&1 | tail -1 || true)
    mine=$("$py" "$images/tux3img.py" check --quiet-info "$img" 2>&1 | head -1 || true)
    echo "  after tux3-replay (exit $rc): $after; tux3img.py: ${mine:-clean}"
    [[ $rc -le 1 && $after == clean* && -z $mine ]] || bad=$((bad + 1))
  elif [[ -z $mine ]]; then
    bad=$((bad + 1))
  fi
done
[[ $bad -eq 0 ]]
