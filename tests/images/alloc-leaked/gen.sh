#!/usr/bin/env bash
# alloc-leaked: block 1000 is marked allocated in the bitmap but nothing uses it (a leak; free_blocks counts it as used)
# The bit of the first free block at or after 1000 is set; free_blocks (slot and ROOTS) follows.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
f=$(get free-block 1 1000 first)
[[ $f -eq 1000 ]] || die "block 1000 is not free"
t3 bitmap-set "$f" 1 --adjust-free >/dev/null
expect bitmap-block "$f" allocated=True
