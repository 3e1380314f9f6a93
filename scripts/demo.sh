#!/usr/bin/env bash
# demo.sh: install what is missing, build, and run the main job on a default image file.
# Today: make a 1 GiB sparse tux3 volume (demo.tux3 in the repository root, or the path
# given) and print its geometry. The demo grows with the suite (write, crash, replay, fsck).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
image=${1:-"$root/demo.tux3"}
"$root/scripts/setup-deps.sh"
dir=$("$root/scripts/build.sh" Release | tail -n 1)
rm -f "$image"
echo "== mkfs.tux3 $image 1G"
"$dir/mkfs/mkfs.tux3" -L demo "$image" 1G
echo "== the image is sparse: $(du -B1 "$image" | cut -f1) bytes allocated of $(stat -c %s "$image")"
