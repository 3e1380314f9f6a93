#!/usr/bin/env bash
# log-oldest-bad-csum: the oldest block of the live delta log (delta 2, needed by every state of the log) has a bad checksum
# A crash left a log of three deltas (2, 3, 4), one block each; bytes of the oldest block
# are changed without resealing: no state of the log can be rebuilt.
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
oldest=$(get log oldest)
# the block field of the first LEAF_REDIRECT (or whatever record follows DELTA)
t3 poke 70 5a --block "$oldest" >/dev/null
expect log "damage.1=bad checksum"
