#!/usr/bin/env bash
# dleaf-bad-csum: the directory index leaf of /home/bob has a bad checksum (one byte of a name rotted)
# The last byte of the block (in an entry's name) changes; not resealed.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
expect extents /home/bob depth=0
leaf=$(get extents /home/bob root)
bs=$((1 << $(sbget slots.0.blockbits)))
t3 poke $((bs - 1)) 58 --block "$leaf" >/dev/null
tux3img show "$OUT" block "$leaf" --expect checksum_ok=False >/dev/null
