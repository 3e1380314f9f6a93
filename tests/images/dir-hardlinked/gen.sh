#!/usr/bin/env bash
# dir-hardlinked: the directory /etc/conf.d is named by two entries: /etc/conf.d and /var/conf.d (a hard link to a directory)
# An entry conf.d for /etc/conf.d is added to /var, whose size and nlink count it as a subdirectory.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
t3 dirent-add /var conf.d /etc/conf.d dir >/dev/null
t3 inode-adjust /var nlink 1 >/dev/null
[[ $(get path /var/conf.d inum) == $(get path /etc/conf.d inum) ]] || die "not the same directory"
