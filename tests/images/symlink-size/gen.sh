#!/usr/bin/env bash
# symlink-size: the symlink /home/alice/hosts-link has size 12 but its inline target /etc/hosts is 10 bytes
# The size field of the symlink's record is set to 12.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
expect path /home/alice/hosts-link size=10
t3 inode-set /home/alice/hosts-link size 12 >/dev/null
