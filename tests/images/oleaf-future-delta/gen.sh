#!/usr/bin/env bash
# oleaf-future-delta: the orphan tree leaf (listing /tmp/scratch, unlinked while open at a crash) carries delta 4, newer than the committed delta 3 (resealed)
# The leaf's header delta is the committed delta + 1; the checksum is recomputed.
source "$(dirname "$0")/../lib.sh"
mkimg
write <<'EOS'
mkdir /tmp
write /tmp/keep 1k pattern=text
write /tmp/scratch 3k pattern=text
sync
open /tmp/scratch
unlink /tmp/scratch
sync
crash
EOS
leaf=$(sbget slots.0.otree_root)
expect orphans orphans.0.leaf=$leaf
delta=$(sbget slots.0.delta)
t3 header-set "$leaf" delta $((delta + 1)) >/dev/null
tux3img show "$OUT" block "$leaf" --expect magic=T3OL --expect delta=$((delta + 1)) --expect checksum_ok=True >/dev/null
