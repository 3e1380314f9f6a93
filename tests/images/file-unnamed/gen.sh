#!/usr/bin/env bash
# file-unnamed: a regular file (formerly /var/log/old.2) has nlink 1 but no entry names it, and it is not an orphan
# The entry old.2 is removed from /var/log (whose size follows); the inode is left as it was.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
inum=$(get path /var/log/old.2 inum)
t3 dirent-del /var/log old.2 >/dev/null
expect inode "$inum" type=file
