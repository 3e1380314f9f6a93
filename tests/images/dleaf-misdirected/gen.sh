#!/usr/bin/env bash
# dleaf-misdirected: the directory index leaf of /home/bob carries the location of the next block (a misdirected write), resealed
# The leaf's header location is its block number + 1; the checksum is recomputed.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
expect extents /home/bob depth=0
leaf=$(get extents /home/bob root)
t3 header-set "$leaf" location $((leaf + 1)) >/dev/null
tux3img show "$OUT" block "$leaf" --expect magic=T3DL --expect location=$((leaf + 1)) --expect checksum_ok=True >/dev/null
