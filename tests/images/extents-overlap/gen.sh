#!/usr/bin/env bash
# extents-overlap: the two extents of /var/log/messages overlap: logical blocks 0-2 and 2-3
# The second extent (logical 3, 2 blocks) is moved to logical 2 in the EXTENTS attribute.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
expect extents /var/log/messages extents.1.logical=3
expect extents /var/log/messages extents.0.count=3
t3 extent-set /var/log/messages 1 --logical 2 >/dev/null
expect extents /var/log/messages extents.1.logical=2
