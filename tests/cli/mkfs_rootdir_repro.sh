#!/bin/bash
# mkfs_rootdir_repro.sh: with -U and SOURCE_DATE_EPOCH, --root-dir gives byte-identical
# images: two runs on one tree (large enough to span several deltas), and a run on a copy of
# the tree made with `cp -a` (other host inode numbers, another readdir order). A change
# to one byte of one file, or another SOURCE_DATE_EPOCH, gives a different image.
# Usage: mkfs_rootdir_repro.sh MKFS_BINARY INSPECT_BINARY [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/mkfs_rootdir_lib.sh" "$@"

export SOURCE_DATE_EPOCH=1700000000
fixed=(-U 5a1c3e7f-2b4d-4a6c-8e0f-1a2b3c4d5e6f --root-owner 0:0)
make_tree tree big

mk "${fixed[@]}" --root-dir tree a.img 256m
expect_ok "first run"
deltas=$(sed -n 's/^copied from tree: .*; \([0-9]*\) deltas, .*/\1/p' "$OUT")
check "the copy spans several deltas (${deltas:-none})" test "${deltas:-0}" -ge 2
mk "${fixed[@]}" --root-dir tree b.img 256m
expect_ok "second run"
check "two runs give cmp-identical images" cmp a.img b.img

# mkfs.tux3 reading the tree did not change it for the next run (it opens with O_NOATIME,
# takes a symlink's times after reading it). Anything else that reads the tree may change
# atimes, and so the image: the listing below, which reads every file, comes last.
mk "${fixed[@]}" --root-dir tree c.img 256m
expect_ok "third run"
check "a third run still gives the same image" cmp a.img c.img

# The same tree copied elsewhere: other inode numbers, another directory order.
cp -a tree copy
mk "${fixed[@]}" --root-dir copy d.img 256m
expect_ok "run on a cp -a copy of the tree"
check "a copy of the tree gives the same image" cmp a.img d.img

# One byte changed (same size and times): a different image.
python3 - copy/a/b/block <<'EOF'
import os, sys
st = os.stat(sys.argv[1])
with open(sys.argv[1], "r+b") as f:
    f.seek(100); b = f.read(1); f.seek(100); f.write(bytes([b[0] ^ 1]))
os.utime(sys.argv[1], ns=(st.st_atime_ns, st.st_mtime_ns))
EOF
mk "${fixed[@]}" --root-dir copy e.img 256m
expect_ok "run on the changed copy"
check "one byte changed gives a different image" not cmp -s a.img e.img

SOURCE_DATE_EPOCH=1700000001 mk "${fixed[@]}" --root-dir tree f.img 256m
expect_ok "another SOURCE_DATE_EPOCH"
check "another SOURCE_DATE_EPOCH gives a different image" not cmp -s a.img f.img

expect_same_tree a.img tree "$SOURCE_DATE_EPOCH" "the reproducible image"

finish
