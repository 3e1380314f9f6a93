#!/usr/bin/env bash
# orphan-missing-inode: the orphan tree lists inode 60, which does not exist
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
! tux3img locate "$OUT" inode 60 2>/dev/null || die "inode 60 exists"
t3 orphan-add 60 >/dev/null
expect orphans orphans.0.inum=60
