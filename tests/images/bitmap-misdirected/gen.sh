#!/usr/bin/env bash
# bitmap-misdirected: the (only) allocation bitmap block carries the location of the next block (a misdirected write), resealed
# The bitmap block's header location is its block number + 1; the checksum is recomputed.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
bm=$(get extents 1 extents.0.physical)
vol=$(sbget slots.0.vol_blocks)
expect bitmap-block $((vol - 1)) bitmap_block=$bm
t3 header-set "$bm" location $((bm + 1)) >/dev/null
tux3img show "$OUT" block "$bm" --expect magic=T3BM --expect location=$((bm + 1)) --expect checksum_ok=True >/dev/null
