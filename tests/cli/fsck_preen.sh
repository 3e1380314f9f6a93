#!/bin/bash
# fsck_preen.sh: -p (and -a) fix what is preen-safe without a person: exit 1, no version
# or pass lines, every line prefixed "IMAGE: ". When any problem needs a person (here a
# symlink record whose size disagrees with its target), preen fixes nothing at all, as
# e2fsck -p: every problem "? no", exit 4, the "UNEXPECTED INCONSISTENCY" line, nothing
# written; -y then fixes everything and a check is clean.
# Usage: fsck_preen.sh FSCK MKFS WRITER REPLAY INSPECT [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/fsck_lib.sh" "$@"

base_image good.img
for mode in -p -a; do
  cp good.img img
  damage_preen img
  fk -f "$mode" img
  expect_rc 1 "-f$mode on preen-safe damage"
  check "-f$mode: the report" test "$(cat "$OUT")" = "img: P0305 block-count: inode 21: records 7 blocks, its extents hold 1
img:   Set it from the extents? yes
img: P0601 link-count: inode 17: link count 3, 1 found
img:   Set it to the number found? yes
img: ***** THE VOLUME WAS MODIFIED *****
img: 10 inodes, 67/4096 blocks; 2 problems, 2 fixed"
  check "-f$mode: nothing on stderr" test ! -s "$ERR"
  fk -fn img
  expect_ok "-fn after -f$mode"
done

cp good.img img
damage_person img
before=$(sum img)
for mode in -fp -fa -fpa; do
  fk "$mode" img
  expect_rc 4 "$mode when a problem needs a person"
  check "$mode: the report" test "$(cat "$OUT")" = "img: P0202 inode-record: inode 19: inline symlink of 4 bytes (size 5); kept with: symlink size set to its target's
img:   Rewrite it without what is invalid (an inode with no valid type is deleted)? no
img: P0305 block-count: inode 21: records 7 blocks, its extents hold 1
img:   Set it from the extents? no
img: P0601 link-count: inode 17: link count 3, 1 found
img:   Set it to the number found? no
img: 10 inodes, 67/4096 blocks; 3 problems, 0 fixed, 3 left
img: UNEXPECTED INCONSISTENCY; RUN fsck.tux3 MANUALLY (without -a or -p)"
  unchanged img "$before" "$mode when a problem needs a person"
done
fk -fp --json img
expect_rc 4 "-fp --json"
check "-fp --json: every fix declined" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["mode"] == "preen" and d["exit_code"] == 4 and not d["modified"], d
assert [(p["id"], p["preen"], p["outcome"]) for p in d["problems"]] == [
    ("inode-record", False, "declined"), ("block-count", True, "declined"),
    ("link-count", True, "declined")], d["problems"]
' "$OUT"
unchanged img "$before" "-fp --json"
fk -fy img
expect_rc 1 "-fy after preen refused"
out_has "img: 10 inodes, 67/4096 blocks; 3 problems, 3 fixed" "-fy fixes all three"
fk -fp img
expect_ok "-fp after -fy"
check "-fp after -fy: one line" test "$(cat "$OUT")" = "img: 10 inodes, 67/4096 blocks; no problems"
verify_clean img "after -fy"

finish
