#!/usr/bin/env bash
# extent-beyond-volume: the extent of /etc/passwd maps block 2148, beyond the end of the 2048-block volume (its old block freed)
# The physical block of /etc/passwd's only extent is set to vol_blocks + 100; the block it had is marked free.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
old=$(get extents /etc/passwd extents.0.physical)
vb=$(sbget slots.0.vol_blocks)
t3 extent-set /etc/passwd 0 --physical $((vb + 100)) >/dev/null
t3 bitmap-set "$old" 0 --adjust-free >/dev/null
expect extents /etc/passwd extents.0.physical=$((vb + 100))
