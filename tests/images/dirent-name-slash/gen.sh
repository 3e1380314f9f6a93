#!/usr/bin/env bash
# dirent-name-slash: the entry for /etc/passwd is named 'pass/wd', a name containing '/' (its key is that name's hash)
# The entry is renamed in place with its key recomputed.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
t3 dirent-set /etc passwd --new-name pass/wd >/dev/null
expect dirent /etc pass/wd hash_ok=True
