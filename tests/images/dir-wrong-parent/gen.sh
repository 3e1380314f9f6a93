#!/usr/bin/env bash
# dir-wrong-parent: the directory /etc/conf.d has PARENT /home, but /etc names it
# The PARENT attribute of /etc/conf.d is set to /home's inode number.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
t3 parent-set /etc/conf.d /home >/dev/null
