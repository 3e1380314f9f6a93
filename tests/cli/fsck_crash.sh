#!/bin/bash
# fsck_crash.sh: a volume left by a crash (a log to replay, fsync streams, orphans) is not
# damaged. -n (with or without -f) replays it in memory: exit 0, "needs-replay" and the
# orphans reported as notes, "log not replayed (check only)", nothing written. -p and -y
# replay it (recovery, not repair: exit 0, "log replayed", the volume modified), leaving
# what tux3-replay leaves, with the files the crash kept; a check afterwards is clean.
# Usage: fsck_crash.sh FSCK MKFS WRITER REPLAY INSPECT [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/fsck_lib.sh" "$@"

crashed_image img
before=$(sum img)

for mode in -n -fn; do
  fk "$mode" img
  expect_ok "$mode on a crashed volume"
  check "$mode: the volume is checked (nine passes)" test "$(pass_lines | wc -l)" -eq 9
  check "$mode: needs replay" grep -qE '^P0103 needs-replay: delta [0-9]+: [0-9]+ log records, [0-9]+ fsyncs, 2 orphans to apply$' "$OUT"
  check "$mode: the orphans" test "$(grep -c '^P0704 orphan-pending: inode [0-9]*: unlinked, open at the crash; replay destroys it$' "$OUT")" -eq 2
  check "$mode: no fix line under notes" test -z "$(grep '^  ' "$OUT")"
  check "$mode: the summary" grep -qE '^img: [0-9]+ inodes, [0-9]+/4096 blocks; log not replayed \(check only\); no problems$' "$OUT"
  out_lacks "MODIFIED" "$mode"
done
fk -n --json img
expect_ok "-n --json on a crashed volume"
check "-n --json: notes only, exit code 0" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["exit_code"] == 0 and not d["modified"] and not d["replayed"] and not d["skipped"], d
assert d["totals"] == {"errors": 0, "fixed": 0, "left": 0, "notes": 3}, d["totals"]
assert sorted(p["id"] for p in d["problems"]) == ["needs-replay", "orphan-pending", "orphan-pending"]
assert all(p["severity"] == "info" and p["outcome"] == "reported" for p in d["problems"])
' "$OUT"
unchanged img "$before" "-n on a crashed volume"

cp img preen.img
cp img yes.img
cp img replayed.img
fk -p preen.img
expect_ok "-p on a crashed volume"
check "-p: the replay, prefixed" grep -qE '^preen.img: P0103 needs-replay: ' "$OUT"
out_has "preen.img:   Replay the log and the fsync streams? yes" "-p: the replay made"
out_has "preen.img: ***** THE VOLUME WAS MODIFIED *****" "-p: modified"
check "-p: the summary" grep -qE '^preen.img: [0-9]+ inodes, [0-9]+/4096 blocks; log replayed; no problems$' "$OUT"
out_lacks "UNEXPECTED" "-p on a crashed volume"
fk -y yes.img
expect_ok "-y on a crashed volume"
out_has "  Replay the log and the fsync streams? yes" "-y: the replay made"
out_has "yes.img: ***** THE VOLUME WAS MODIFIED *****" "-y: modified"
"$REPLAY" -q replayed.img || true
for f in preen.img yes.img; do
  fk -fn "$f"
  expect_ok "-fn after replay by fsck ($f)"
  out_has "; no problems" "-fn after replay ($f)"
  fk -n "$f"
  out_has "$f: clean, " "$f is clean after fsck"
  check "$f: the same tree as tux3-replay leaves" cmp -s <("$INSPECT" "$f" tree) <("$INSPECT" replayed.img tree)
  verify_clean "$f" "after fsck's replay"
  reads_back "$f" "$CRASH_CHECK" "the files the crash kept ($f)"
done

finish
