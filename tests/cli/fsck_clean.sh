#!/bin/bash
# fsck_clean.sh: a volume closed cleanly. Without -f it is not checked, in every mode: exit
# 0, no pass lines, one summary line "IMAGE: clean, N inodes, USED/TOTAL blocks" (with -p
# the only line), nothing written. With -f every pass runs and finds nothing (exit 0, the
# report pinned below), and -fy writes nothing either.
# Usage: fsck_clean.sh FSCK MKFS WRITER REPLAY INSPECT [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/fsck_lib.sh" "$@"

base_image img
before=$(sum img)
version=$("$FSCK" -V)

for mode in -n -y; do
  fk "$mode" img
  expect_ok "$mode on a clean volume"
  check "$mode: the version, then the summary" test "$(cat "$OUT")" = "$version
img: clean, 10 inodes, 67/4096 blocks"
done
for mode in -p -a; do
  fk "$mode" img
  expect_ok "$mode on a clean volume"
  check "$mode: one line" test "$(cat "$OUT")" = "img: clean, 10 inodes, 67/4096 blocks"
done
fk -n -v img
expect_ok "-nv on a clean volume"
check "-nv: nothing checked, no pass lines" test -z "$(pass_lines)"
out_has "img: clean, 10 inodes, 67/4096 blocks" "-nv"
unchanged img "$before" "a clean volume without -f"

fk -fn img
expect_ok "-fn on a clean volume"
check "-fn: the report" test "$(cat "$OUT")" = "$version
Pass 0: superblock
Pass 1: log and fsync streams
Pass 2: inode table
Pass 3: files
Pass 4: directories
Pass 5: connectivity
Pass 6: link counts
Pass 7: orphans
Pass 8: allocation
img: 10 inodes, 67/4096 blocks; no problems"
fk -fp img
expect_ok "-fp on a clean volume"
check "-fp: one line" test "$(cat "$OUT")" = "img: 10 inodes, 67/4096 blocks; no problems"
fk -fy img
expect_ok "-fy on a clean volume"
out_lacks "MODIFIED" "-fy on a clean volume"
check "-fy: nine pass lines" test "$(pass_lines | wc -l)" -eq 9
unchanged img "$before" "-f on a clean volume"

fk -fnv img
expect_ok "-fnv"
check "-fnv: each pass line with a time" test "$(grep -cE '^Pass [0-8]: .* \([0-9]+\.[0-9]{3} s\)$' "$OUT")" -eq 9
out_has "inodes: 10 (3 directories, 4 regular files, 1 symlink, 1 other)" "-fnv: what was found"
check "-fnv: blocks" grep -qE '^blocks: 67 in use \([0-9]+ tree nodes, [0-9]+ file data\), 4029 free, 4096 in all$' "$OUT"
check "-fnv: checker state" grep -qE '^checker state: [0-9]+ bytes$' "$OUT"
out_has "deltas: committed " "-fnv: deltas"
check "-fnv: the time" grep -qE '^time: [0-9]+\.[0-9]{3} s$' "$OUT"
verify_clean img "after every mode"

finish
