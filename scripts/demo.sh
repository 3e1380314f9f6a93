#!/usr/bin/env bash
# demo.sh: install what is missing, build, and run the main job on a default image file.
# Today: make a 1 GiB sparse tux3 volume (demo.tux3 in the repository root, or the path
# given), write a small tree into it with tux3-writer (scripts/demo.tw), then open it again
# (replaying its log), list it and check it; then rewrite a hot 8 MiB file from two threads
# while deltas commit every 50 ms, in forking mode and in stable-pages mode, and compare.
# Then fsync a log file through fsync streams and crash the writer; tux3-replay shows what
# it will apply (-n -v), replays, and fsck.tux3 checks every structure of the volume
# (-f: even though it is clean), with every fsynced append there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
image=${1:-"$root/demo.tux3"}
"$root/scripts/setup-deps.sh"
dir=$("$root/scripts/build.sh" Release | tail -n 1)
rm -f "$image"
# tux3-replay exits 1 when it replayed something (or, with -n, would): that is success here.
replay() { "$dir/replay/tux3-replay" "$@" || { local rc=$?; [[ $rc -eq 1 ]] || exit $rc; }; }
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
echo "== tux3-replay -n -v: what replay will apply (nothing written)"
replay -n -v "$image" | sed 's/^/   /'
echo
echo "== tux3-replay: replay the log and the fsync streams, write a clean state"
replay "$image" | sed 's/^/   /'
echo
echo "== fsck.tux3 -fn: check every structure (nine passes), write nothing"
"$dir/fsck/fsck.tux3" -fn "$image" | sed 's/^/   /'
echo
echo "== every fsynced append is there; the unsynced file is not"
"$dir/writer/tux3-writer" -q "$image" - <<'EOF' | sed 's/^/   /'
check /home/demo/journal.log size=98304 content=text:2 offset=65536
expect-error ENOENT check /home/demo/unsynced.txt
ls /home/demo
EOF
echo
echo "== the image is sparse: $(du -B1 "$image" | cut -f1) bytes allocated of $(stat -c %s "$image")"
