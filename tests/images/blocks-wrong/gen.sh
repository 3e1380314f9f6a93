#!/usr/bin/env bash
# blocks-wrong: the inode of /home/alice/docs/report says 7 blocks, its extents map 3
# The blocks field of the record is set to 7.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
expect inode /home/alice/docs/report type=file
expect extents /home/alice/docs/report extents.0.count=3
t3 inode-set /home/alice/docs/report blocks 7 >/dev/null
