#!/usr/bin/env bash
# inode-bitmap-dir: inode 1 (the allocation bitmap) has mode 040000 (a directory)
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
t3 inode-set 1 mode $((8#40000)) >/dev/null
