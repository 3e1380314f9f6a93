#!/bin/bash
# mkfs_blocksizes.sh: every power of two from 512 to 65536 works (also with suffixes) and is
# recorded in the superblock; anything else is a usage error (exit 16). Block sizes below
# the target's physical sector size draw a warning.
# Usage: mkfs_blocksizes.sh MKFS_BINARY [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

SB_BLOCK_BITS=42  # u16, big-endian, within a superblock slot

bits=9
for bs in 512 1024 2048 4096 8192 16384 32768 65536; do
  mk -b "$bs" "img-$bs" 64m
  expect_ok "block size $bs"
  expect_tux3 "img-$bs" "block size $bs"
  expect_volume $(((64 << 20) / bs)) "$bs" "64 MiB of $bs-byte blocks"
  for slot in 4096 8192; do
    check "block size $bs: slot $slot records block_bits $bits" \
      test "$(hex "img-$bs" $((slot + SB_BLOCK_BITS)) 2)" == "$(printf '%04x' "$bits")"
  done
  bits=$((bits + 1))
done

# Suffixes go through the same size parser as SIZE.
while read -r text bs; do
  mk -n -b "$text" "new-$text" 64m
  expect_ok "-b $text"
  expect_volume $(((64 << 20) / bs)) "$bs" "-b $text"
done <<'EOF'
4k 4096
4K 4096
4KiB 4096
1k 1024
64k 65536
512b 512
EOF
mk -q --block-size 4k suffixed 1m
expect_ok "--block-size 4k"
expect_tux3 suffixed "--block-size 4k"

# Refused: not a power of two, or out of range, or not a size at all.
for bs in 256 3000 131072 128k 0 1 4097 abc 4q ""; do
  mk -b "$bs" "bad-$bs" 64m
  expect_error 16 "block size '$bs': must be a power of two from 512 to 65536" "-b '$bs'"
  check "-b '$bs' creates no file" test ! -e "bad-$bs"
done

# A block size below the physical sector size (for a file: st_blksize) draws a warning.
phys=$(stat -c %o img-4096)
# shellcheck disable=SC2317  # run through check
out_has_warning() { grep -q "^warning: block size $1 is below the physical sector size $phys" "$OUT"; }
mk -n -f -b 512 img-512
expect_ok "dry run, 512-byte blocks"
if ((512 < phys)); then
  check "warning for 512 < physical sector $phys" out_has_warning 512
else
  note "st_blksize here is $phys: no warning expected for 512"
fi
if ((phys >= 512 && phys <= 65536 && (phys & (phys - 1)) == 0)); then
  mk -n -f -b "$phys" img-4096
  expect_ok "dry run, block size = st_blksize"
  out_lacks "warning:" "no warning when block size = physical sector size"
fi

finish
