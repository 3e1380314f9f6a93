#!/usr/bin/env bash
# dir-disconnected: the directory /home/alice/docs is named by no entry (its entry in /home/alice removed; its PARENT still says /home/alice)
# The entry docs is removed from /home/alice, whose size and nlink follow.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
docs=$(get path /home/alice/docs inum)
t3 dirent-del /home/alice docs >/dev/null
t3 inode-adjust /home/alice nlink -1 >/dev/null
expect inode "$docs" type=dir
