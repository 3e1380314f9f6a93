#!/bin/bash
# fsck_repair.sh: a volume closed cleanly with two preen-safe problems (a link count of 3
# for a file one entry names; a block count of 7 for a file of one block). Without -f it
# looks clean (exit 0: fsck(8) semantics). -fn reports both, "? no", exit 4, and writes
# nothing; -fy fixes both (exit 1, the report pinned below, which must not change without
# a reason); a second -fn finds nothing (0) and the tree is the undamaged one.
# Usage: fsck_repair.sh FSCK MKFS WRITER REPLAY INSPECT [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/fsck_lib.sh" "$@"

base_image good.img
"$INSPECT" good.img tree >good.tree
cp good.img img
damage_preen img
before=$(sum img)
version=$("$FSCK" -V)

fk -n img
expect_ok "-n without -f: a volume closed cleanly is not checked"
out_has "img: clean, " "-n without -f"

fk -fn img
expect_rc 4 "-fn on the damaged volume"
check "-fn: the report" test "$(cat "$OUT")" = "$version
Pass 0: superblock
Pass 1: log and fsync streams
Pass 2: inode table
Pass 3: files
P0305 block-count: inode 21: records 7 blocks, its extents hold 1
  Set it from the extents? no
Pass 4: directories
Pass 5: connectivity
Pass 6: link counts
P0601 link-count: inode 17: link count 3, 1 found
  Set it to the number found? no
Pass 7: orphans
Pass 8: allocation
img: 10 inodes, 67/4096 blocks; 2 problems, 0 fixed, 2 left"
check "-fn: nothing on stderr" test ! -s "$ERR"
unchanged img "$before" "-fn"

cp img second.img
fk -fy img
expect_rc 1 "-fy on the damaged volume"
check "-fy: the report" test "$(cat "$OUT")" = "$version
Pass 0: superblock
Pass 1: log and fsync streams
Pass 2: inode table
Pass 3: files
P0305 block-count: inode 21: records 7 blocks, its extents hold 1
  Set it from the extents? yes
Pass 4: directories
Pass 5: connectivity
Pass 6: link counts
P0601 link-count: inode 17: link count 3, 1 found
  Set it to the number found? yes
Pass 7: orphans
Pass 8: allocation

img: ***** THE VOLUME WAS MODIFIED *****
img: 10 inodes, 67/4096 blocks; 2 problems, 2 fixed"
fk -fn img
expect_ok "-fn after -fy"
out_has "img: 10 inodes, 67/4096 blocks; no problems" "-fn after -fy"
fk -fy img
expect_ok "-fy again: nothing to do"
out_lacks "MODIFIED" "-fy again"
check "the repaired tree is the undamaged one" cmp -s <("$INSPECT" img tree) good.tree
verify_clean img "after -fy"
check "the repaired inode records" test "$(python3 "$FSCK_IMAGE_PY" inodes img | python3 -c '
import json, sys
r = {d["size"]: d for d in map(json.loads, sys.stdin)}
print(r[12345]["nlink"], r[3000]["blocks"])')" = "1 1"

# -y without -f on a damaged volume that looks clean: skipped, nothing written.
fk -y second.img
expect_ok "-y without -f"
out_has "second.img: clean, " "-y without -f"
unchanged second.img "$before" "-y without -f"

finish
