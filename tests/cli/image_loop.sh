#!/usr/bin/env bash
# tux3-image on a block device (a loop device): dump from it is the dump of the file;
# restore onto it writes the blocks the dump holds and leaves the others as they were
# (--zero writes zeros over them: the device then reads as the restored file); a device
# another process holds exclusively is refused (8) unless -f; a mounted one is refused.
# Needs root and losetup, else skips.
source "$(dirname "${BASH_SOURCE[0]}")/image_lib.sh" "$@"
export SOURCE_DATE_EPOCH=$TEST_TIME

[[ $(id -u) -eq 0 ]] || skip "needs root for loop devices"
command -v losetup >/dev/null || skip "losetup not found"

# attach FILE: sets DEV to a new loop device on FILE, detached on exit.
attach() {
  DEV=$(losetup -f --show "$1" 2>/dev/null) || return 1
  on_exit "losetup -d '$DEV'"
}

crashed_image vol.img
"$IMAGE_TOOL" dump -q vol.img vol.t3i
"$IMAGE_TOOL" restore -q vol.t3i file.img
attach vol.img || skip "cannot attach a loop device (losetup -f --show failed)"
ti dump -q "$DEV" dev.t3i
expect_ok "dump of a loop device"
check "the dump of the device is the dump of the file" cmp -s dev.t3i vol.t3i
losetup -d "$DEV"

head -c $((16 << 20)) /dev/zero | tr '\0' '\252' >disk.img
attach disk.img || skip "cannot attach a loop device"
LOOP=$DEV
ti restore vol.t3i "$LOOP"
check "restore onto a device: exit 0" test "$RC" -eq 0
out_has "other blocks of the volume were left as they were (--zero writes zeros over them)" \
  "the summary says what became of the other blocks"
sync
check "the blocks the dump holds are written" cmp -s <(head -c 12288 "$LOOP") <(head -c 12288 file.img)
check "a block the dump does not hold is left as it was" \
  test "$(od -An -tx1 -j $((4000 * 4096)) -N4 "$LOOP" | tr -d ' ')" = aaaaaaaa
ti restore -q --zero vol.t3i "$LOOP"
expect_ok "restore --zero onto a device"
sync
check "with --zero the device reads as the restored file" cmp -s "$LOOP" file.img

# Held exclusively by another process: refused, then -f.
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
  ti restore vol.t3i "$LOOP"
  expect_error 8 "(-f restores onto it anyway)" "a device held by another process"
  ti restore -q -f vol.t3i "$LOOP"
  expect_ok "restore -f onto a device held by another process"
else
  note "could not hold $LOOP exclusively: sub-case skipped"
fi
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true

if command -v mkfs.ext4 >/dev/null && command -v mount >/dev/null; then
  truncate -s 16M ext4.img
  mkfs.ext4 -q ext4.img
  attach ext4.img || skip "cannot attach a second loop device"
  EXT=$DEV
  mkdir mnt
  mnt=$PWD/mnt
  if mount "$EXT" mnt 2>/dev/null; then
    on_exit "umount '$mnt'"
    ti restore vol.t3i "$EXT"
    expect_error 8 "is mounted on $mnt" "a mounted device"
    umount "$mnt"
  else
    note "cannot mount ext4 here: mounted-device sub-case skipped"
  fi
fi

finish
