#!/usr/bin/env bash
# itree-bnode-future-delta: the inode table's root bnode carries delta 4, newer than the committed delta 3 (resealed)
# The root bnode's header delta is the committed delta + 1; the checksum is recomputed.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
expect itree depth=1
root=$(get itree root)
t3 header-set "$root" delta $(( $(sbget slots.0.delta) + 1 )) >/dev/null
tux3img show "$OUT" block "$root" --expect checksum_ok=True >/dev/null
