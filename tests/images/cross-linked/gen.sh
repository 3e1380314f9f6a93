#!/usr/bin/env bash
# cross-linked: /var/log/old.0 and /var/log/old.1 share their data block (cross-linked; old.1's own block freed)
# old.1's extent is pointed at old.0's block; the block old.1 had is marked free.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
a=$(get extents /var/log/old.0 extents.0.physical)
b=$(get extents /var/log/old.1 extents.0.physical)
t3 extent-set /var/log/old.1 0 --physical "$a" >/dev/null
t3 bitmap-set "$b" 0 --adjust-free >/dev/null
expect extents /var/log/old.1 extents.0.physical=$a
