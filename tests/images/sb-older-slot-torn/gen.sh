#!/usr/bin/env bash
# sb-older-slot-torn: the older superblock slot (delta 2, slot 0) is torn: its checksum fails, on a volume closed cleanly in delta 3 (slot 1) that needs no replay
# After the volume is closed, slot 0 keeps delta 2's first 96 bytes and the rest of what
# mkfs wrote there (delta 0). The committed slot 1 is intact: nothing needs replay.
source "$(dirname "$0")/../lib.sh"
mkimg
old=$(mktemp)
trap 'rm -f "$old"' EXIT
dd if="$OUT" of="$old" bs=4096 skip=1 count=1 status=none   # slot 0 as mkfs left it
populate
clean
sb committed_slot=1 slots.0.delta=3 slots.0.state=1 slots.0.otree_root=0 slots.1.delta=2
dd if="$old" of="$OUT" bs=1 skip=96 seek=$((4096 + 96)) count=$((4096 - 96)) conv=notrunc status=none
sb committed_slot=1 slots.0.delta=3 slots.1.valid=False "slots.1.error=bad checksum"
