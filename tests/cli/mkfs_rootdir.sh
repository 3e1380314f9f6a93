#!/bin/bash
# mkfs_rootdir.sh: --root-dir copies a host tree with every kind of entry (see make_tree in
# mkfs_rootdir_lib.sh): the volume verifies clean and `tux3-inspect tree` matches a listing
# computed from the host (type, mode, owner, link count, size, mtime, XXH64 of the data,
# symlink target, device numbers, xattrs). Holes stay holes. Times are clamped to
# SOURCE_DATE_EPOCH. The dry run predicts the counts, writes nothing. The summary line.
# Usage: mkfs_rootdir.sh MKFS_BINARY INSPECT_BINARY [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/mkfs_rootdir_lib.sh" "$@"

UUID=0b9d2f64-4c1e-4f0a-9d3b-5e6f7a8b9c0d
make_tree tree
if ((!IS_ROOT)); then note "not root: no device nodes, other owners or trusted.* xattrs"; fi

# SOURCE_DATE_EPOCH in the far future: every time is copied exactly (nanoseconds too) but
# those of a/x and readonly, which are later still and are clamped.
SOURCE_DATE_EPOCH=4050000000 mk -U "$UUID" --root-dir tree img 64m
expect_ok "--root-dir with every kind of entry"
expect_same_tree img tree 4050000000 "every kind, times kept"
out_has "written: " "the empty volume's line is still printed"
summary=$(sed -n 's/^copied from tree: //p' "$OUT")
check "one summary line '$summary'" test -n "$summary"
specials=2
((IS_ROOT)) && specials=5
for part in "files, 11 directories," "4 symlinks, 3 hard links, $specials special files"; do
  check "summary has '$part': $summary" grep -qF -- "$part" <<<"$summary"
done
check "the summary counts deltas" grep -qE '; [1-9][0-9]* deltas, [0-9]+ bytes written$' <<<"$summary"

# Sparse: 24 + 3 + 2 MiB of apparent size in files with holes, about 5 MiB of data in all:
# the holes are not written, so the image stays small (data blocks and a little metadata).
alloc=$(allocated_bytes img)
check "image allocates $alloc bytes: the holes stay holes (< 8 MiB)" test "$alloc" -lt $((8 << 20))
inspect img tree >tree.vol
check "the sparse file keeps its size" grep -q '^/sparse file 0644 [0-9:]* 1 25165824 ' tree.vol

# SOURCE_DATE_EPOCH earlier than the tree: every time is clamped to it, and the volume's own
# times (the root's creation, ctime) are it.
SOURCE_DATE_EPOCH=1620000000 mk -q -U "$UUID" --root-dir tree clamped 64m
expect_ok "-q --root-dir, times clamped"
check "-q prints nothing" test ! -s "$OUT"
expect_same_tree clamped tree 1620000000 "times clamped to SOURCE_DATE_EPOCH"

# Without SOURCE_DATE_EPOCH nothing is clamped.
mk -q --root-dir tree now 64m
expect_ok "--root-dir without SOURCE_DATE_EPOCH"
expect_same_tree now tree "" "no SOURCE_DATE_EPOCH, no clamping"

# 64 KiB blocks hold the same tree (small blocks have smaller limits: see _errors).
for bs in 65536; do
  SOURCE_DATE_EPOCH=4050000000 mk -q -b "$bs" --root-dir tree "img-$bs" 128m
  expect_ok "--root-dir with $bs-byte blocks"
  expect_same_tree "img-$bs" tree 4050000000 "$bs-byte blocks"
done

# --root-owner overrides the root's owner; -d is --root-dir.
SOURCE_DATE_EPOCH=4050000000 mk -q --root-owner 321:654 -d tree owned 64m
expect_ok "-d with --root-owner"
check "--root-owner sets the root's owner" grep -q '^/ dir [0-7]* 321:654 ' <(inspect owned tree)

# The dry run: the same counts, nothing written, no file made.
SOURCE_DATE_EPOCH=4050000000 mk -U "$UUID" --root-dir tree real.img 64m
expect_ok "real run to compare with the dry run"
real=$(sed -n 's/^copied from tree: \(.*\); [0-9]* deltas.*/\1/p' "$OUT")
SOURCE_DATE_EPOCH=4050000000 mk -n -U "$UUID" --root-dir tree dry.img 64m
expect_ok "dry run with --root-dir"
check "a dry run creates no image" test ! -e dry.img
dry=$(sed -n 's/^would copy from tree: //p' "$OUT")
check "the dry run predicts what is copied: '$dry' vs '$real'" test -n "$dry" -a "$dry" == "$real"
mk -n --root-dir tree small.img 1m
expect_ok "dry run of a tree too big for the volume"
out_has "warning: the data alone needs" "the dry run warns that the tree does not fit"

# A tree in which the image itself is made: it is not copied into itself.
mkdir inside
echo data >inside/file
(cd inside && SOURCE_DATE_EPOCH=4050000000 "$MKFS" -U "$UUID" --root-dir . self.img 16m) >"$OUT" 2>"$ERR" || RC=$?
expect_ok "image inside the tree"
out_has "note: the image file lies inside . and is not copied into itself" "says the image is left out"
check "the image does not hold itself" not grep -q '^/self.img ' <(inspect inside/self.img tree)
check "the image holds the file beside it" grep -q '^/file file ' <(inspect inside/self.img tree)

# An empty tree: only the root, with the tree's mode.
mkdir -m 0700 empty
mk --root-dir empty e.img 1m
expect_ok "empty tree"
out_has "copied from empty: 0 files, 0 directories, 0 symlinks, 0 hard links, 0 special files, 0 xattrs, 0 bytes of data in 0 blocks" "empty tree summary"
out_has "root directory: inode 2, mode 0700" "the root takes the tree's mode"

finish
