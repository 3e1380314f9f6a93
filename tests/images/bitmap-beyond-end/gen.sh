#!/usr/bin/env bash
# bitmap-beyond-end: the bitmap block has bits set for blocks 2048-2055, beyond the end of the 2048-block volume (resealed)
# Eight bits past vol_blocks are set in the last bitmap block; free_blocks is unchanged.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
vb=$(sbget slots.0.vol_blocks)
t3 bitmap-set "$vb" 1 --count 8 >/dev/null
tux3img show "$OUT" bitmap --get beyond_end | grep -q "$vb" || die "bits not set"
