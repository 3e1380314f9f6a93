#!/usr/bin/env bash
# orphan-crash: normal after a crash: /tmp/scratch was unlinked while open; the orphan tree lists it (nlink 0) and replay destroys it
# A file is opened, unlinked and the delta committed; the writer then crashes with the file
# still open, leaving it in the orphan tree with a live log.
source "$(dirname "$0")/../lib.sh"
mkimg
write <<'EOS'
mkdir /tmp
write /tmp/keep 1k pattern=text
write /tmp/scratch 3k pattern=text
sync
open /tmp/scratch
unlink /tmp/scratch
sync
crash
EOS
expect orphans orphans.0.leaf=$(sbget slots.0.otree_root)
inum=$(get orphans orphans.0.inum)
expect inode "$inum" type=file
tux3img show "$OUT" inode "$inum" --expect nlink=0 >/dev/null
