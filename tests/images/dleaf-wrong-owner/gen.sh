#!/usr/bin/env bash
# dleaf-wrong-owner: the directory index leaf of /home/bob records /home/alice as its owner (resealed)
# The leaf's owner field (u64 at offset 40) is set to /home/alice's inode number; resealed.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
expect extents /home/bob depth=0
leaf=$(get extents /home/bob root)
bob=$(get path /home/bob inum)
alice=$(get path /home/alice inum)
tux3img show "$OUT" block "$leaf" --expect owner=$bob >/dev/null || die "the leaf of /home/bob is not owned by it"
t3 poke 40 "$(printf '%016x' "$alice")" --block "$leaf" >/dev/null
t3 seal "$leaf" >/dev/null
tux3img show "$OUT" block "$leaf" --expect magic=T3DL --expect owner=$alice --expect checksum_ok=True >/dev/null
