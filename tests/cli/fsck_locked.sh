#!/bin/bash
# fsck_locked.sh: a volume another process holds. An image file locked (flock(2), as
# tux3-writer and tux3-replay lock it) is refused by every writing mode (exit 8, one line,
# nothing written) but -n reads it. As root with loop devices: the same through a block
# device (O_EXCL held by another process), a loop device checked and repaired like the
# file, and a mounted device refused (8, naming the mount point).
# Usage: fsck_locked.sh FSCK MKFS WRITER REPLAY INSPECT [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/fsck_lib.sh" "$@"

# hold FILE [EXTRA]: a background process holds FILE (flock, or with EXTRA=excl an O_EXCL
# open) until killed; returns once it does. Sets HOLDER.
hold() {
  rm -f held
  python3 -c '
import fcntl, os, sys, time
if sys.argv[3] == "excl":
    fd = os.open(sys.argv[1], os.O_RDONLY | os.O_EXCL)
else:
    fd = os.open(sys.argv[1], os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(60)
' "$1" held "${2:-flock}" >/dev/null 2>&1 &
  HOLDER=$!
  on_exit "kill $HOLDER"
  for _ in $(seq 100); do [[ -e held ]] && return 0; sleep 0.05; done
  return 1
}
release() { kill "$HOLDER" 2>/dev/null || true; wait "$HOLDER" 2>/dev/null || true; }

base_image img
damage_preen img
before=$(sum img)
hold img || { fail "could not lock img"; finish; }
for mode in -fy -fp -fa -y; do
  fk "$mode" img
  fk_error 8 "img: " "$mode on a locked image"
done
fk -fn img
expect_rc 4 "-fn on a locked image reads it"
fk -fy --json img
expect_rc 8 "-fy --json on a locked image"
check "-fy --json: the error object" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["exit_code"] == 8 and d["error"].startswith("img: "), d
' "$OUT"
release
unchanged img "$before" "a locked image"
fk -fy img
expect_rc 1 "-fy once the lock is gone"

if [[ $(id -u) -ne 0 ]] || ! command -v losetup >/dev/null; then
  note "not root or no losetup: the block device cases are skipped"
  finish
fi
attach() {
  DEV=$(losetup -f --show "$1" 2>/dev/null) || return 1
  on_exit "losetup -d '$DEV'"
}
base_image loop.img
damage_preen loop.img
if ! attach loop.img || [[ ! -b $DEV ]]; then
  note "cannot attach a loop device: the block device cases are skipped"
  finish
fi
LOOP=$DEV
loop_before=$(sum loop.img)
fk -fn "$LOOP"
expect_rc 4 "-fn on $LOOP"
out_has "P0601 link-count: inode 17: link count 3, 1 found" "-fn on $LOOP"
out_has "$LOOP: 10 inodes, 67/4096 blocks; 2 problems, 0 fixed, 2 left" "-fn on $LOOP"
if hold "$LOOP" excl; then
  fk -fy "$LOOP"
  fk_error 8 "$LOOP" "-fy on a device held exclusively"
  fk -fn "$LOOP"
  expect_rc 4 "-fn on a device held exclusively"
else
  note "could not hold $LOOP exclusively: sub-case skipped"
fi
release
unchanged loop.img "$loop_before" "a held device"
fk -fy "$LOOP"
expect_rc 1 "-fy on $LOOP"
fk -fn "$LOOP"
expect_ok "-fn on $LOOP after -fy"

if command -v mkfs.ext4 >/dev/null && command -v mount >/dev/null; then
  truncate -s 16M ext4.img
  mkfs.ext4 -q ext4.img
  attach ext4.img || skip "cannot attach a second loop device"
  EXT=$DEV
  mkdir mnt
  mnt=$PWD/mnt
  if mount "$EXT" mnt 2>/dev/null; then
    on_exit "umount '$mnt'"
    fk -fy "$EXT"
    fk_error 8 "$EXT: is mounted on $mnt" "-fy on a mounted device"
    fk -fp "$EXT"
    fk_error 8 "$EXT: is mounted on $mnt" "-fp on a mounted device"
    fk -fn "$EXT"
    fk_error 8 "$EXT: no valid superblock slot" "-fn on a mounted ext4 device reads it, finds no volume"
    umount "$mnt"
  else
    note "cannot mount ext4 here: mounted-device sub-case skipped"
  fi
else
  note "mkfs.ext4 or mount not found: mounted-device sub-case skipped"
fi

finish
