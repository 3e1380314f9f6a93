#!/usr/bin/env bash
# sb-inode-count: the superblock's inode_count (and the log's ROOTS record) is 2 more than the number of records in the inode table
# inode_count is raised by 2 in the committed slot and in the newest ROOTS record alike.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
count=$(sbget slots.0.inode_count)
t3 counter inode_count +2 >/dev/null
sb slots.0.inode_count=$((count + 2))
