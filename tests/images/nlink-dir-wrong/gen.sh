#!/usr/bin/env bash
# nlink-dir-wrong: the directory /home has nlink 6; with two subdirectories it should be 4
# The nlink field of /home goes from 4 to 6.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
expect path /home nlink=4
t3 inode-set /home nlink 6 >/dev/null
