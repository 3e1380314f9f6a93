#!/usr/bin/env bash
# dirent-missing-inode: /etc holds an entry 'ghost' naming inode 60, which does not exist
# An entry for inode 60 (type regular file) is added to /etc, with its right key; /etc's size counts it.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
! tux3img locate "$OUT" inode 60 2>/dev/null || die "inode 60 exists"
t3 dirent-add /etc ghost 60 file >/dev/null
expect dirent /etc ghost inum=60
