#!/bin/bash
# replay_loop.sh: tux3-replay on a block device (a loop device over a crashed image): -n,
# --print and replay work as on the file and write the same bytes; a device another
# process holds open exclusively is refused for writing (8) but can be read; a mounted
# device is refused (8), named with its mount point. Needs root and losetup, else skips.
# Usage: replay_loop.sh REPLAY MKFS WRITER INSPECT [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/replay_lib.sh" "$@"

[[ $(id -u) -eq 0 ]] || skip "needs root for loop devices"
command -v losetup >/dev/null || skip "losetup not found"

# attach FILE: sets DEV to a new loop device on FILE, detached on exit.
attach() {
  DEV=$(losetup -f --show "$1" 2>/dev/null) || return 1
  on_exit "losetup -d '$DEV'"
}

crashed_image img
cp img file.img
attach img || skip "cannot attach a loop device (losetup -f --show failed)"
LOOP=$DEV
[[ -b $LOOP ]] || skip "$LOOP is not a block device"

rp -n "$LOOP"
expect_rc 1 "-n on $LOOP"
check "-n on the device: the dry-run line names it" grep -qx "dry run, nothing written: $LOOP" <(head -n1 "$OUT")
rp -p -j "$LOOP"
expect_ok "--print on $LOOP"
json_of file.img >file.json
check "--print on the device lists what it lists on the file" python3 -c '
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for d in (a, b):
    del d["device"]
assert a == b
' "$OUT" file.json

# Another process holds the device open exclusively (O_EXCL): reading still works.
python3 -c '
import os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_EXCL)
open(sys.argv[2], "w").close()
time.sleep(30)
' "$LOOP" held >/dev/null 2>&1 &
holder=$!
on_exit "kill $holder"
for _ in $(seq 50); do [[ -e held ]] && break; sleep 0.1; done
if [[ -e held ]]; then
  rp "$LOOP"
  rp_error 8 "$LOOP" "a device held exclusively by another process"
  rp -n "$LOOP"
  expect_rc 1 "-n on a device held by another process"
else
  note "could not hold $LOOP exclusively: sub-case skipped"
fi
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true

SOURCE_DATE_EPOCH=$TEST_TIME rp "$LOOP"
expect_rc 1 "replay on $LOOP"
out_has "replayed: $LOOP" "replay on the device"
rp "$LOOP"
expect_ok "a second replay on $LOOP"
out_has "clean, nothing to replay" "the device is clean after replay"
sync
SOURCE_DATE_EPOCH=$TEST_TIME rp -q file.img
expect_rc 1 "replay of the same image as a file"
check "replay wrote the same bytes through the device as to the file" cmp -s img file.img
verify_clean img "after replay on $LOOP"

# A mounted device: refused before anything is opened for writing.
if command -v mkfs.ext4 >/dev/null && command -v mount >/dev/null; then
  truncate -s 16M ext4.img
  mkfs.ext4 -q ext4.img
  attach ext4.img || skip "cannot attach a second loop device"
  EXT=$DEV
  mkdir mnt
  mnt=$PWD/mnt
  if mount "$EXT" mnt 2>/dev/null; then
    on_exit "umount '$mnt'"
    rp "$EXT"
    rp_error 8 "$EXT: is mounted on $mnt" "a mounted device"
    rp -n "$EXT"
    rp_error 8 "$EXT: no valid superblock slot" "-n on a mounted ext4 device reads it, finds no volume"
    umount "$mnt"
  else
    note "cannot mount ext4 here: mounted-device sub-case skipped"
  fi
else
  note "mkfs.ext4 or mount not found: mounted-device sub-case skipped"
fi

finish
