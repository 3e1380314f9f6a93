#!/usr/bin/env bash
# extent-past-size: /etc/hosts (300 bytes) has a written extent at logical block 4, past its size (block allocated, blocks field counts it)
# A free block is allocated (bitmap, free_blocks) and mapped at logical 4; blocks goes from 1 to 2.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
expect path /etc/hosts size=300
f=$(get free-block 1 1000 first)
t3 bitmap-set "$f" 1 --adjust-free >/dev/null
t3 extent-add /etc/hosts 4 "$f" 1 >/dev/null
t3 inode-adjust /etc/hosts blocks 1 >/dev/null
expect extents /etc/hosts extents.1.logical=4
