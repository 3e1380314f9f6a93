#!/usr/bin/env bash
# nlink-file-high: /home/alice/notes has nlink 3 but two entries name it (it and /home/bob/notes-link)
# The nlink field of the record goes from 2 to 3.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
expect path /home/alice/notes nlink=2
t3 inode-set /home/alice/notes nlink 3 >/dev/null
