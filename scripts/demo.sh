#!/usr/bin/env bash
# demo.sh: install what is missing, build, and run the main job on a default image file.
# Today: make a 1 GiB sparse tux3 volume (demo.tux3 in the repository root, or the path
# given), write a small tree into it with tux3-writer (scripts/demo.tw), then open it again
# (replaying its log), list it and check it; then rewrite a hot 8 MiB file from two threads
# while deltas commit every 50 ms, in forking mode and in stable-pages mode, and compare.
# Then fsync a log file through fsync streams, crash the writer, and reopen: the streams
# are replayed and every fsynced append is there.
# The demo grows with the suite (tux3-replay, fsck.tux3).
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
echo "== fsync streams: append 8 blocks to a log with an fsync after each, create a file never"
echo "   synced, then crash (the process stops dead: no commit, no close)"
"$dir/writer/tux3-writer" -q "$image" - <<'EOF'
write /home/demo/journal.log 64k pattern=text seed=1
sync
append /home/demo/journal.log 32k pattern=text seed=2 bs=4k sync=fsync
write /home/demo/unsynced.txt 4k pattern=text
crash
EOF
echo
echo "== reopen: the fsync streams are replayed; every fsynced append is there"
"$dir/writer/tux3-writer" "$image" - <<'EOF' | grep -E '^(check|stream records replayed):'
check /home/demo/journal.log size=98304
EOF
"$dir/writer/tux3-writer" -q "$image" - <<<'ls /home/demo' | sed 's/^/   /'
echo
echo "== the image is sparse: $(du -B1 "$image" | cut -f1) bytes allocated of $(stat -c %s "$image")"
