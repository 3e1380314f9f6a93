#!/usr/bin/env bash
# itree-bnode-bad-csum: the inode table's root bnode has a bad checksum (its last byte rotted; the entries are intact)
# The last byte of the root bnode (unused, zero) is changed without resealing.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
expect itree depth=1
root=$(get itree root)
bs=$((1 << $(sbget slots.0.blockbits))); t3 poke $((bs - 1)) 5a --block "$root" >/dev/null
tux3img show "$OUT" block "$root" --expect checksum_ok=False >/dev/null
