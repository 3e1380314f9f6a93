#!/usr/bin/env bash
# dirent-names-special: /etc holds an entry 'bitmap' naming inode 1, the allocation bitmap
# An entry for inode 1 (type regular file, as inode 1 is) is added to /etc, with its right
# key; /etc's size counts it.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
expect inode 1 type=file
t3 dirent-add /etc bitmap 1 file >/dev/null
expect dirent /etc bitmap inum=1
