#!/bin/bash
# mkfs_loop.sh: mkfs.tux3 on a block device (a loop device): the topology it reports and
# records, refusing an existing volume, SIZE on a device, block sizes below the logical sector
# size, and refusing a mounted device even with -f -f. Needs root and losetup, else skips.
# (A device held open O_EXCL by another process is not tested here.)
# Usage: mkfs_loop.sh MKFS_BINARY [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

SB_IO_MIN=184 SB_IO_OPT=188

[[ $(id -u) -eq 0 ]] || skip "needs root for loop devices"
command -v losetup >/dev/null || skip "losetup not found"
command -v blockdev >/dev/null || skip "blockdev not found"

# attach FILE [LOSETUP_OPTIONS...]: sets DEV to a new loop device on FILE, detached on exit.
attach() {
  local file=$1
  shift
  DEV=$(losetup -f --show "$@" "$file" 2>/dev/null) || return 1
  on_exit "losetup -d '$DEV'"
}

truncate -s 64M backing
attach backing || skip "cannot attach a loop device (losetup -f --show failed)"
LOOP=$DEV
[[ -b $LOOP ]] || skip "$LOOP is not a block device"

# The topology line reports what the kernel says about the device.
topology="topology: logical sector $(blockdev --getss "$LOOP"), physical sector $(blockdev --getpbsz "$LOOP"), io min $(blockdev --getiomin "$LOOP"), io opt $(blockdev --getioopt "$LOOP"), alignment offset $(blockdev --getalignoff "$LOOP")"

mk -L looped "$LOOP"
expect_ok "mkfs on $LOOP"
out_has "$LOOP: block device" "first line names a block device"
out_has "$topology" "topology line matches blockdev"
expect_volume 16384 4096 "64 MiB loop device"
out_has "label: looped" "label"
expect_tux3 "$LOOP" "loop device"
check "superblock records io_min $(blockdev --getiomin "$LOOP")" \
  test "$(hex "$LOOP" $((4096 + SB_IO_MIN)) 4)" == "$(printf '%08x' "$(blockdev --getiomin "$LOOP")")"
check "superblock records io_opt $(blockdev --getioopt "$LOOP")" \
  test "$(hex "$LOOP" $((4096 + SB_IO_OPT)) 4)" == "$(printf '%08x' "$(blockdev --getioopt "$LOOP")")"
check "written: reports < 65536 bytes" \
  test "$(out_value "written: " | cut -d' ' -f1)" -lt 65536

# A second mkfs without -f is refused; the device is unchanged.
head -c 1M "$LOOP" >before
mk "$LOOP"
expect_error 1 "$LOOP: contains tux3 filesystem (magic at byte 4096); use -f to overwrite" \
  "second mkfs without -f"
mk -n "$LOOP"
expect_error 1 "contains tux3" "dry run without -f"
mk -n -f "$LOOP"
expect_ok "dry run with -f"
out_has "dry run, nothing written: $LOOP: block device" "dry run first line"
check "refusals and dry run leave the device unchanged" cmp -s before <(head -c 1M "$LOOP")

# -f reformats; SIZE may cap the volume but not exceed the device.
mk -f -q "$LOOP"
expect_ok "mkfs -f on the device"
mk -f "$LOOP" 32m
expect_ok "SIZE 32m on a 64 MiB device"
expect_volume 8192 4096 "SIZE caps the volume on a device"
mk -f "$LOOP" 128m
expect_error 2 "$LOOP: SIZE 134217728 is larger than the device (67108864 bytes)" \
  "SIZE larger than the device"
mk -f -q --discard "$LOOP"
expect_ok "--discard on the device"
expect_tux3 "$LOOP" "after --discard"

# A device with 4096-byte logical sectors: smaller block sizes are target errors (exit 2).
truncate -s 64M backing4k
if attach backing4k --sector-size 4096 && LOOP4K=$DEV && [[ $(blockdev --getss "$LOOP4K") -eq 4096 ]]; then
  for bs in 512 1024 2048; do
    mk -b "$bs" "$LOOP4K"
    expect_error 2 "$LOOP4K: block size $bs is smaller than the device's logical sector size 4096" \
      "-b $bs on 4096-byte sectors"
  done
  mk "$LOOP4K"
  expect_ok "4096-byte blocks on 4096-byte sectors"
  out_has "topology: logical sector 4096" "4096-byte sector topology"
  expect_tux3 "$LOOP4K" "4096-sector loop device"
  mk -f -b 64k "$LOOP4K"
  expect_ok "64k blocks on 4096-byte sectors"
else
  note "cannot attach a loop device with 4096-byte sectors: sub-case skipped"
fi

# A mounted device is refused, with any number of -f, and named with its mount point.
if command -v mkfs.ext4 >/dev/null && command -v mount >/dev/null; then
  mkfs.ext4 -q -F "$LOOP" >/dev/null 2>&1
  mkdir mnt
  mnt=$(cd mnt && pwd -P)
  if mount "$LOOP" mnt 2>/dev/null; then
    on_exit "umount '$mnt'"
    for force in "" -f "-f -f" -ff "-f -f -f"; do
      # shellcheck disable=SC2086  # $force is zero or more words
      mk $force "$LOOP"
      expect_error 1 "$LOOP: is mounted on $mnt" "mounted device with '$force'"
    done
    mk -n -f "$LOOP"
    expect_error 1 "is mounted on" "dry run on a mounted device"
    check "the mounted ext4 is intact" test "$(hex "$LOOP" 1080 2)" == 53ef
    umount "$mnt"
    mk -f -q "$LOOP"
    expect_ok "mkfs -f after unmounting"
    expect_tux3 "$LOOP" "after unmounting"
  else
    note "cannot mount ext4 here: mounted-device sub-case skipped"
  fi
else
  note "mkfs.ext4 or mount not found: mounted-device sub-case skipped"
fi

finish
