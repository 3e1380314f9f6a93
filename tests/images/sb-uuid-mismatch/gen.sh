#!/usr/bin/env bash
# sb-uuid-mismatch: the two superblock slots disagree on the volume UUID: the older slot (delta 2) carries another one, resealed
# Slot 0 (delta 2, the older valid slot) gets another UUID and a good checksum.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
sb committed_slot=1 slots.1.delta=2
t3 sb-set uuid 7e57da7a-0000-4000-8000-0000deadbeef --slot other >/dev/null
sb committed_slot=1 slots.1.valid=True slots.1.uuid=7e57da7a-0000-4000-8000-0000deadbeef
