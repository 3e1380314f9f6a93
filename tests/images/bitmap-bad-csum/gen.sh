#!/usr/bin/env bash
# bitmap-bad-csum: the (only) allocation bitmap block has a bad checksum (one byte of bits rotted: blocks 1600-1607 read as allocated)
# Byte 56 + 200 of the bitmap block (blocks 1600-1607, free) becomes 0xff; not resealed.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
bm=$(get extents 1 extents.0.physical)
expect bitmap-block 1600 bitmap_block=$bm
t3 poke 256 ff --block "$bm" >/dev/null
tux3img show "$OUT" block "$bm" --expect checksum_ok=False >/dev/null
