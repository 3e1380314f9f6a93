#!/usr/bin/env bash
# regen.sh BUILD_DIR [CASE...]: remake the image of every case (or of those named) with its
# gen.sh and store it as CASE/image.zst (zstd -19). An image.zst whose contents are already
# those gen.sh makes is left untouched, so regenerating an unchanged corpus changes no file.
set -euo pipefail
if [[ $# -lt 1 ]]; then
  echo "usage: regen.sh BUILD_DIR [CASE...]" >&2
  exit 16
fi
images=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
shift
if [[ $# -gt 0 ]]; then
  cases=("${@%/}")
else
  cases=()
  for g in "$images"/*/gen.sh; do cases+=("$(basename "$(dirname "$g")")"); done
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0 updated=0
for c in "${cases[@]}"; do
  c=$(basename "$c")
  if [[ ! -f $images/$c/gen.sh ]]; then
    echo "regen: no case $c" >&2
    failed=$((failed + 1))
    continue
  fi
  if ! bash "$images/$c/gen.sh" "$build" "$tmp/$c.img" >"$tmp/$c.log" 2>&1; then
    echo "regen: $c: gen.sh failed:" >&2
    sed 's/^/  /' "$tmp/$c.log" >&2
    failed=$((failed + 1))
    continue
  fi
  if [[ -f $images/$c/image.zst ]] && zstd -dcq "$images/$c/image.zst" | cmp -s - "$tmp/$c.img"; then
    echo "unchanged: $c"
  else
    zstd -19 -q -f "$tmp/$c.img" -o "$images/$c/image.zst"
    echo "updated: $c ($(stat -c %s "$images/$c/image.zst") bytes)"
    updated=$((updated + 1))
  fi
done
echo "regen: ${#cases[@]} cases, $updated updated, $failed failed"
[[ $failed -eq 0 ]]
