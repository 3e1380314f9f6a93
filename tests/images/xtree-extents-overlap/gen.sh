#!/usr/bin/env bash
# xtree-extents-overlap: two extents in the extent tree leaf of /home/bob/frag overlap: logical blocks 0-1 and 1 (the first grew over the second's physical block)
# In the xleaf, the first extent (logical 0, 1 block) grows to 2 blocks, over the physical
# block of the second, whose key moves from logical 10 to 1. Blocks are not cross-linked:
# the overlap is found first and the second extent dropped.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
expect extents /home/bob/frag where=tree
expect extents /home/bob/frag extents.0.logical=0
expect extents /home/bob/frag extents.0.count=1
expect extents /home/bob/frag extents.1.logical=10
expect extents /home/bob/frag extents.1.count=1
second=$(get extents /home/bob/frag extents.1.physical)
[[ $second -eq $(($(get extents /home/bob/frag extents.0.physical) + 1)) ]] \
  || die "the two extents are not physically adjacent"
t3 extent-set /home/bob/frag 0 --count 2 >/dev/null
t3 extent-set /home/bob/frag 1 --logical 1 >/dev/null
expect extents /home/bob/frag extents.0.count=2
expect extents /home/bob/frag extents.1.logical=1
expect extents /home/bob/frag extents.1.where.0=leaf
