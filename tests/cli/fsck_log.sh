#!/bin/bash
# fsck_log.sh: a damaged delta log (garbage in the newest log block of a crashed volume).
# -n and -p stop after pass 1 with the damage as an error left (exit 4: "check stopped at
# the damaged log") and write nothing; -y rolls the volume back to the last valid point
# (exit 1), checks the result, and a second check is clean.
# Usage: fsck_log.sh FSCK MKFS WRITER REPLAY INSPECT [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/fsck_lib.sh" "$@"

crashed_image img
read -r committed newest < <(json_of img | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["committed_delta"], d["log"]["blocks"][-1]["block"])')
printf 'this is not a log record' | dd of=img bs=1 seek=$((newest * 4096 + 64)) conv=notrunc status=none
before=$(sum img)
want="P0101 log-damaged: delta $committed, block $newest: log at block $newest: bad checksum"

for mode in -n -fn; do
  fk "$mode" img
  expect_rc 4 "$mode on a damaged log"
  check "$mode: passes 0 and 1 only" test "$(pass_lines)" = "Pass 0: superblock
Pass 1: log and fsync streams"
  check "$mode: the damage" grep -qF "$want" "$OUT"
  check "$mode: the fix, not made" grep -qx "  Roll the volume back to the last valid point, losing the deltas after it? no" "$OUT"
  out_has "img: check stopped at the damaged log; 1 problem, 0 fixed, 1 left" "$mode: the summary"
done
fk -p img
expect_rc 4 "-p on a damaged log (rolling back needs a person)"
check "-p: the damage" grep -qF "img: $want" "$OUT"
out_has "img: UNEXPECTED INCONSISTENCY" "-p on a damaged log"
fk -n --json img
expect_rc 4 "-n --json on a damaged log"
check "-n --json: aborted, the block" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["aborted"] and d["exit_code"] == 4 and [p["pass"] for p in d["passes"]] == [0, 1], d
p, = d["problems"]
assert p["id"] == "log-damaged" and p["block"] == int(sys.argv[2]) and p["outcome"] == "reported", p
' "$OUT" "$newest"
unchanged img "$before" "-n and -p on a damaged log"

fk -y img
expect_rc 1 "-y on a damaged log: rolled back"
check "-y: the fix made" grep -qx "  Roll the volume back to the last valid point, losing the deltas after it? yes" "$OUT"
check "-y: every pass ran" test "$(pass_lines | wc -l)" -eq 9
out_has "img: ***** THE VOLUME WAS MODIFIED *****" "-y on a damaged log"
check "-y: the summary" grep -qE '^img: [0-9]+ inodes, [0-9]+/4096 blocks; log replayed; 1 problem, 1 fixed$' "$OUT"
fk -fn img
expect_ok "-fn after the roll back"
out_has "; no problems" "-fn after the roll back"
verify_clean img "after the roll back"

finish
