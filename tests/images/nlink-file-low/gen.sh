#!/usr/bin/env bash
# nlink-file-low: /home/alice/notes has nlink 1 but two entries name it (it and /home/bob/notes-link)
# The nlink field of the record goes from 2 to 1.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
expect path /home/alice/notes nlink=2
t3 inode-set /home/alice/notes nlink 1 >/dev/null
