#!/usr/bin/env bash
# inode-bad-attr-tag: the inode record of /home/alice/docs/draft has an attribute with the unknown tag 9 (it was its EXTENTS attribute)
# The tag byte of the record's EXTENTS attribute becomes 9; the leaf is resealed.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
inum=$(get path /home/alice/docs/draft inum)
i=$(get attr "$inum" EXTENTS attr_index)
t3 attr-set "$inum" "$i" --tag 9 >/dev/null
tux3img show "$OUT" inode "$inum" --expect attrs.$i.tag=9 >/dev/null
