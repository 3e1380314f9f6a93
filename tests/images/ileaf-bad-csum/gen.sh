#!/usr/bin/env bash
# ileaf-bad-csum: the inode table leaf holding /var/log/old.5 and three neighbours has a bad checksum (one byte rotted)
# One byte of /var/log/old.5's record (in its mtime) changes without resealing the leaf.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
off=$(get inode /var/log/old.5 offset)
t3 poke $((off + 50)) 5a >/dev/null
expect itree root=$(sbget slots.0.itree_root)
! tux3img locate "$OUT" inode /var/log/old.5 2>/dev/null || die "the leaf still reads"
