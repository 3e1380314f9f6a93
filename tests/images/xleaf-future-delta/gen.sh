#!/usr/bin/env bash
# xleaf-future-delta: the extent tree leaf of /home/bob/frag carries delta 4, newer than the committed delta 3 (resealed)
# The leaf's header delta is the committed delta + 1; the checksum is recomputed.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
expect extents /home/bob/frag where=tree
expect extents /home/bob/frag depth=0
leaf=$(get extents /home/bob/frag leaves.0)
delta=$(sbget slots.0.delta)
t3 header-set "$leaf" delta $((delta + 1)) >/dev/null
tux3img show "$OUT" block "$leaf" --expect magic=T3XL --expect delta=$((delta + 1)) --expect checksum_ok=True >/dev/null
