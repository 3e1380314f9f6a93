#!/usr/bin/env bash
# demo.sh: install what is missing, build, and run the main job on a default image file.
# Today: make a 1 GiB sparse tux3 volume (demo.tux3 in the repository root, or the path
# given), write a small tree into it with tux3-writer (scripts/demo.tw), then open it again
# (replaying its log), list it and check it; then rewrite a hot 8 MiB file from two threads
# while deltas commit every 50 ms, in forking mode and in stable-pages mode, and compare.
# The demo grows with the suite (fsync streams, a crash, tux3-replay, fsck.tux3).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
image=${1:-"$root/demo.tux3"}
"$root/scripts/setup-deps.sh"
dir=$("$root/scripts/build.sh" Release | tail -n 1)
rm -f "$image"
echo "== mkfs.tux3 -L demo $image 1G"
"$dir/mkfs/mkfs.tux3" -L demo "$image" 1G
echo
echo "== tux3-writer $image scripts/demo.tw"
"$dir/writer/tux3-writer" "$image" "$root/scripts/demo.tw"
echo
echo "== reopen (replaying the log) and list the tree"
printf 'ls -R /home\ncheck /home/demo/notes.txt nlink=2\ncheck /home/demo/sparse size=1073741825\n' |
  "$dir/writer/tux3-writer" -q "$image" - | sed -n '1,14p;$p'
echo "   ..."
echo
for mode in "" --stable-pages; do
  echo "== page forking: 2 threads rewrite an 8 MiB file for 2 s, deltas every 50 ms ${mode:+($mode)}"
  "$dir/writer/tux3-writer" --delta-interval 50 $mode "$image" - \
    <<<'rewrite /hot 8m threads=2 seconds=2' |
    grep -E '^(rewrite|deltas|forks|stable waits|stable wait us|marshal max us):'
done
echo
echo "== the image is sparse: $(du -B1 "$image" | cut -f1) bytes allocated of $(stat -c %s "$image")"
