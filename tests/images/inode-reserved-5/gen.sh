#!/usr/bin/env bash
# inode-reserved-5: the inode table holds a record for inode 5, a reserved number: an empty regular file, nlink 1, named by no entry (inode_count counts it)
# A copy of /var/log/empty's record is inserted as inode 5; inode_count is raised to match.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
t3 inode-add 5 --copy-of /var/log/empty --count >/dev/null
expect inode 5 type=file
