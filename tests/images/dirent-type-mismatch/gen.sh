#!/usr/bin/env bash
# dirent-type-mismatch: the entry /etc/hosts says FIFO (type 5); the inode is a regular file
# The type byte of the entry becomes 5.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
t3 dirent-set /etc hosts --type fifo >/dev/null
expect dirent /etc hosts type=5
