#!/usr/bin/env bash
# symlink-long-size: the long symlink /home/bob/long-link (target of 293 bytes in one data block) has size 1500: its extents hold 1 of the 2 blocks that size needs
# The size field of the record is changed; its one-block extent is kept.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
expect path /home/bob/long-link size=293
expect extents /home/bob/long-link extents.0.count=1
t3 inode-set /home/bob/long-link size 1500 >/dev/null
expect path /home/bob/long-link size=1500
