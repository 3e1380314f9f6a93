#!/usr/bin/env bash
# itree-bnode-misdirected: the inode table's root bnode carries the location of the next block (a misdirected write), resealed
# The root bnode's header location is its block number + 1; the checksum is recomputed.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
expect itree depth=1
root=$(get itree root)
t3 header-set "$root" location $((root + 1)) >/dev/null
tux3img show "$OUT" block "$root" --expect magic=T3BN --expect location=$((root + 1)) --expect checksum_ok=True >/dev/null
