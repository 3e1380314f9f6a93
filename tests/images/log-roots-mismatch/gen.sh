#!/usr/bin/env bash
# log-roots-mismatch: the ROOTS record of the newest delta says 39 inodes, the superblock 38 (log block resealed)
# The inode_count of the newest ROOTS record is raised by one; the superblock is left alone.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
count=$(sbget slots.0.inode_count)
t3 roots-set inode_count $((count + 1)) >/dev/null
expect log roots.fields.inode_count=$((count + 1))
