#!/usr/bin/env bash
# inode-root-not-dir: inode 2 (the root directory) has mode 0100755 (a regular file)
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
t3 inode-set 2 mode $((8#100755)) >/dev/null
expect inode 2 type=file
