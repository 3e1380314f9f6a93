#!/usr/bin/env bash
# sb-newer-slot-torn: the newer superblock slot (delta 3, slot 1) is torn: its checksum fails, the volume falls back to delta 2 in slot 0
# The write of slot 1 stopped part way: its first 96 bytes are delta 3's, the rest still
# holds what mkfs wrote there (delta 1). A reader falls back to delta 2, a consistent state.
source "$(dirname "$0")/../lib.sh"
mkimg
old=$(mktemp)
trap 'rm -f "$old"' EXIT
dd if="$OUT" of="$old" bs=4096 skip=2 count=1 status=none   # slot 1 as mkfs left it
populate
clean
sb committed_slot=1 slots.0.delta=3 slots.1.delta=2
dd if="$old" of="$OUT" bs=1 skip=96 seek=$((8192 + 96)) count=$((4096 - 96)) conv=notrunc status=none
sb committed_slot=0 slots.0.delta=2 slots.1.valid=False "slots.1.error=bad checksum"
