#!/usr/bin/env bash
# sb-next-inum-low: next_inum of the committed slot is 20, below inodes in use (up to 51)
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
sb committed_slot=1 slots.0.next_inum=52
t3 sb-set next_inum 20 --slot committed >/dev/null
sb slots.0.next_inum=20
