#!/usr/bin/env bash
# log-newest-bad-csum: the newest block of the live delta log (delta 4, the committed delta) has a bad checksum
# A crash left a log of three deltas (2, 3, 4), one block each; bytes of the newest block
# (log_head) are changed without resealing. The other slot holds delta 3.
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
# the delta field of the block's DELTA record (at offset 58): 4 becomes 0x0100...04
t3 poke 58 01 --block "$head" >/dev/null
expect log "damage.1=bad checksum"
