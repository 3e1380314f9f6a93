#!/usr/bin/env bash
# orphan-leaf-bad-csum: the orphan tree leaf (listing /tmp/scratch, unlinked while open at a crash) has a bad checksum
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
t3 poke 40 5a --block "$leaf" >/dev/null
tux3img show "$OUT" block "$leaf" --expect checksum_ok=False >/dev/null
