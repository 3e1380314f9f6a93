#!/bin/bash
# mkfs_repro.sh: with -U, SOURCE_DATE_EPOCH and --root-owner, two runs on two files give
# byte-identical images; change any of the three (or leave the UUID random) and they differ.
# --discard -f on a used file gives the same image as a fresh file.
# Usage: mkfs_repro.sh MKFS_BINARY [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

UUID=3f8e2c1a-5b7d-4e9f-8a6c-0d1e2f3a4b5c
export SOURCE_DATE_EPOCH=1700000000
same=(-U "$UUID" --root-owner 0:0 -L repro)

for bs in 512 4096 65536; do
  mk "${same[@]}" -b "$bs" "a-$bs" 64m
  expect_ok "first run, $bs-byte blocks"
  cp "$OUT" "a-$bs.out"
  mk "${same[@]}" -b "$bs" "b-$bs" 64m
  expect_ok "second run, $bs-byte blocks"
  expect_tux3 "a-$bs" "reproducible image, $bs-byte blocks"
  check "$bs-byte blocks: two runs give cmp-identical images" cmp "a-$bs" "b-$bs"
  check "$bs-byte blocks: two runs print the same listing (but for the file name)" \
    cmp -s <(tail -n +2 "a-$bs.out") <(tail -n +2 "$OUT")
done
out_has "created: 1700000000.000000000 (seconds since the epoch)" "SOURCE_DATE_EPOCH is the creation time"
out_has "uuid: $UUID" "the given UUID"

# Without -U the UUID is random: the images differ.
mk --root-owner 0:0 -L repro r1 64m
expect_ok "random UUID, first run"
u1=$(out_value "uuid: ")
mk --root-owner 0:0 -L repro r2 64m
expect_ok "random UUID, second run"
u2=$(out_value "uuid: ")
check "without -U the UUIDs differ ($u1, $u2)" test "$u1" != "$u2"
check "without -U the images differ" not cmp -s r1 r2

# A different creation time, root owner or UUID gives a different image.
SOURCE_DATE_EPOCH=1700000001 mk "${same[@]}" t1 64m
expect_ok "other SOURCE_DATE_EPOCH"
check "SOURCE_DATE_EPOCH changes the image" not cmp -s t1 a-4096
mk -U "$UUID" --root-owner 1:1 -L repro o1 64m
expect_ok "other root owner"
check "--root-owner changes the image" not cmp -s o1 a-4096
mk -U 3f8e2c1a-5b7d-4e9f-8a6c-0d1e2f3a4b5d --root-owner 0:0 -L repro u3 64m
expect_ok "other UUID"
check "-U changes the image" not cmp -s u3 a-4096

# The creation time is taken from SOURCE_DATE_EPOCH only when it is set.
unset SOURCE_DATE_EPOCH
mk -n now 1m
expect_ok "dry run without SOURCE_DATE_EPOCH"
check "without SOURCE_DATE_EPOCH the creation time is now" \
  test "$(out_value "created: " | cut -d. -f1)" -ge "$(($(date +%s) - 60))"
export SOURCE_DATE_EPOCH=1700000000

# A used file, formatted with -f --discard, ends up identical to a fresh image.
yes 'old contents' | head -c $((8 << 20)) >used || true
truncate -s 64M used
mk -q -L old used
expect_ok "format a used file"
mk "${same[@]}" -f --discard used
expect_ok "-f --discard on a used file"
check "-f --discard gives the same image as a fresh file" cmp used a-4096

finish
