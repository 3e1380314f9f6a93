#!/usr/bin/env bash
# alloc-used-free: the data block of /var/log/old.6 is marked free in the bitmap (free_blocks counts it as free)
# The bit of the file's only data block is cleared; free_blocks (slot and ROOTS) follows.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
b=$(get extents /var/log/old.6 extents.0.physical)
t3 bitmap-set "$b" 0 --adjust-free >/dev/null
expect bitmap-block "$b" allocated=False
