#!/usr/bin/env bash
# sb-free-blocks: the superblock's free_blocks (and the log's ROOTS record) count 10 more free blocks than the bitmap has
# free_blocks is raised by 10 in the committed slot and in the newest ROOTS record alike.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
free=$(sbget slots.0.free_blocks)
t3 counter free_blocks +10 >/dev/null
sb slots.0.free_blocks=$((free + 10))
