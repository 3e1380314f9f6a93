#!/bin/bash
# mkfs_refuse.sh: without -f, mkfs.tux3 refuses (exit 1) a target holding a filesystem, swap,
# partition table or tux3 volume, names what it found, and leaves the target untouched. With
# -f it formats and wipes the foreign signatures, so libblkid no longer sees them. A regular
# file locked by another process is refused too, unless -f is given twice.
# Usage: mkfs_refuse.sh MKFS_BINARY [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

have() { command -v "$1" >/dev/null; }
# shellcheck disable=SC2317  # the helpers below are run through check
# blkid_sees FILE: libblkid (blkid -p, low-level probing) reports any signature or table.
blkid_sees() { [[ -n $(blkid -p "$1" 2>/dev/null || true) ]]; }
# shellcheck disable=SC2317  # run through check
wipefs_clean() { [[ -z $(wipefs -n "$1" 2>/dev/null || true) ]]; }

# refused FILE SUBSTRING DESCRIPTION [ARGS...]: mkfs without -f exits 1 naming SUBSTRING and
# leaves FILE byte-identical.
refused() {
  local file=$1 want=$2 what=$3
  shift 3
  cp "$file" "$file.orig"
  mk "$@" "$file"
  expect_error 1 "$file: contains $want" "$what without -f"
  check "$what: stderr ends with the -f hint" grep -q 'use -f to overwrite$' "$ERR"
  check "$what: refusal leaves the target byte-identical" cmp -s "$file" "$file.orig"
  rm -f "$file.orig"
}

# forced FILE DESCRIPTION: mkfs -f formats FILE; libblkid sees nothing on it afterwards.
forced() {
  local file=$1 what=$2
  mk -f "$file"
  expect_ok "$what with -f"
  expect_tux3 "$file" "$what with -f"
  if have blkid; then
    check "$what: blkid -p sees nothing after mkfs -f (saw: $(blkid -p "$file" 2>&1 || true))" \
      not blkid_sees "$file"
  fi
  if have wipefs; then
    check "$what: wipefs -n lists nothing after mkfs -f" wipefs_clean "$file"
  fi
}

# --- an existing tux3 volume ---
mk -q -L first tux 8m
expect_ok "make a tux3 volume"
refused tux "tux3 filesystem (magic at byte 4096)" "tux3 volume"
mk -f -L second tux
expect_ok "tux3 volume with -f"
check "tux3 volume with -f: new label" test "$(ascii tux $((4096 + 256)) 64)" == second
# A volume whose slot 0 was lost is still recognised by slot 1.
dd if=/dev/zero of=tux bs=4096 seek=1 count=1 conv=notrunc status=none
refused tux "tux3 filesystem (magic at byte 8192)" "tux3 volume with only slot 1"

# --- ext4, with a label ---
if have mkfs.ext4; then
  truncate -s 64M ext
  mkfs.ext4 -q -F -L mydata ext >/dev/null
  if have blkid; then check "blkid sees the ext4 image" blkid_sees ext; fi
  refused ext "ext4 filesystem labelled 'mydata' (magic at byte 1080)" "ext4 image"
  mk -n ext
  expect_error 1 "ext4" "dry run on ext4 without -f"
  forced ext "ext4 image"
  check "ext4 magic (0xef53 at byte 1080) is gone" test "$(hex ext 1080 2)" != 53ef

  # Refusing must not change the target at all, not even extend it to SIZE.
  truncate -s 64M ext2
  mkfs.ext4 -q -F ext2 >/dev/null
  cp ext2 ext2.orig
  mk ext2 128m
  expect_error 1 "ext2: contains ext4" "ext4 image with a larger SIZE, without -f"
  check "refused run with SIZE 128m leaves the 64 MiB ext4 image at 64 MiB (is $(file_size ext2))" \
    test "$(file_size ext2)" -eq $((64 << 20))
  check "refused run with SIZE leaves the ext4 image byte-identical" cmp -s ext2 ext2.orig
  rm -f ext2.orig
else
  note "mkfs.ext4 not found: ext4 sub-cases skipped"
fi

# --- swap ---
if have mkswap; then
  truncate -s 8M swap
  mkswap -q swap >/dev/null
  refused swap "swap" "swap area"
  forced swap "swap area"
else
  note "mkswap not found: swap sub-case skipped"
fi

# --- a DOS partition table, built by hand: one Linux partition from sector 2048 ---
truncate -s 64M mbr
printf '\x00\x00\x00\x00\x83\x00\x00\x00\x00\x08\x00\x00\x00\xf8\x01\x00' |
  dd of=mbr bs=1 seek=446 conv=notrunc status=none
printf '\x55\xaa' | dd of=mbr bs=1 seek=510 conv=notrunc status=none
if have blkid; then check "blkid sees the hand-made DOS table" blkid_sees mbr; fi
refused mbr "dos partition table (magic at byte 510)" "DOS partition table"
forced mbr "DOS partition table"

# --- DOS and GPT tables made by sfdisk, if it is installed ---
if have sfdisk; then
  truncate -s 64M sfdos sfgpt
  printf 'label: dos\n,,L\n' | sfdisk -q sfdos >/dev/null
  printf 'label: gpt\n,,L\n' | sfdisk -q sfgpt >/dev/null
  refused sfdos "dos partition table" "sfdisk DOS table"
  forced sfdos "sfdisk DOS table"
  refused sfgpt "gpt partition table" "sfdisk GPT"
  forced sfgpt "sfdisk GPT"
else
  note "sfdisk not found: sfdisk DOS/GPT sub-cases skipped (the hand-made DOS table is tested)"
fi

# --- a regular file locked (flock) by someone else: busy, exit 1; -ff skips the lock ---
if have flock; then
  truncate -s 4M locked
  exec 9<locked
  flock -n 9
  mk locked
  expect_error 1 "locked: file is locked by another process" "locked file"
  mk -f locked
  expect_error 1 "file is locked" "locked file with one -f"
  mk locked 8m
  expect_error 1 "file is locked" "locked file with SIZE"
  check "refused run on a locked file does not extend it (is $(file_size locked))" \
    test "$(file_size locked)" -eq $((4 << 20))
  mk -ff locked
  expect_ok "locked file with -ff"
  expect_tux3 locked "locked file with -ff"
  mk -f -f -f locked
  expect_ok "locked file with -f -f -f (tux3 signature overwritten, lock skipped)"
  mk --force --force locked
  expect_ok "locked file with --force --force"
  exec 9<&-
  mk -f locked
  expect_ok "file after the lock is released, -f"
else
  note "flock not found: locked-file sub-case skipped"
fi

finish
