#!/usr/bin/env bash
# xleaf-bad-csum: the extent tree leaf of /home/bob/frag has a bad checksum (one byte rotted)
# A byte of the physical block of one extent in /home/bob/frag's xleaf changes; not resealed.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
expect extents /home/bob/frag where=tree
leaf=$(get extents /home/bob/frag leaves.0)
bs=$((1 << $(sbget slots.0.blockbits)))
t3 poke $((bs - 10)) 5a --block "$leaf" >/dev/null
tux3img show "$OUT" block "$leaf" --expect checksum_ok=False >/dev/null
