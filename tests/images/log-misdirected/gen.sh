#!/usr/bin/env bash
# log-misdirected: the newest block of the live delta log (delta 4, the committed delta) carries the location of the next block (a misdirected write), resealed
# A crash left a log of three deltas (2, 3, 4), one block each; the newest block's (log_head's)
# header location is its block number + 1, the checksum recomputed. The other slot holds delta 3.
source "$(dirname "$0")/../lib.sh"
mkimg
# three deltas after a crash: a live log of three blocks (no unify since mkfs)
write --unify-every 100 <<'EOS'
mkdir /d
write /d/a 2k pattern=text
sync
write /d/b 2k pattern=text
sync
write /d/c 2k pattern=text
sync
crash
EOS
clean
expect log count=3
head=$(get log newest)
t3 header-set "$head" location $((head + 1)) >/dev/null
tux3img show "$OUT" block "$head" --expect magic=T3LG --expect location=$((head + 1)) --expect checksum_ok=True >/dev/null
