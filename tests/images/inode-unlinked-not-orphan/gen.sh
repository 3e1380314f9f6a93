#!/usr/bin/env bash
# inode-unlinked-not-orphan: a regular file (formerly /var/log/old.7) has nlink 0 and no entry, but the orphan tree does not list it
# The entry old.7 is removed from /var/log (whose size follows) and the inode's nlink set to 0.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
inum=$(get path /var/log/old.7 inum)
t3 dirent-del /var/log old.7 >/dev/null
t3 inode-set "$inum" nlink 0 >/dev/null
expect orphans root=0
