#!/usr/bin/env bash
# inode-bitmap-not-file: inode 1 (the allocation bitmap) has the mode of a symbolic link (0120000), not a regular file; its size, blocks and extent tree are unchanged
# The mode field of inode 1's record changes from 0100000 to 0120000. (A symlink keeps the
# record valid: a data tree is allowed and its size is a valid symlink size.)
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
expect inode 1 type=file
t3 inode-set 1 mode $((8#120000)) >/dev/null
expect inode 1 type=symlink
tux3img show "$OUT" inode 1 --expect error=None >/dev/null || die "inode 1's record does not decode"
