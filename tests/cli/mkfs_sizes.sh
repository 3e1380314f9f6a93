#!/bin/bash
# mkfs_sizes.sh: SIZE with and without suffixes, creating, extending and reusing image files,
# sparse 1 TiB images (mkfs writes a fixed handful of blocks whatever the size), and the
# smallest volume (64 blocks).
# Usage: mkfs_sizes.sh MKFS_BINARY [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

# SIZE suffix -> bytes -> 4096-byte blocks, on new files.
while read -r size bytes; do
  rm -f "img-$size"
  mk -q "img-$size" "$size"
  expect_ok "new file of $size"
  expect_tux3 "img-$size" "new file of $size"
  check "img-$size is $bytes bytes" test "$(file_size "img-$size")" -eq "$bytes"
  mk -n -f "img-$size"
  expect_ok "dry run on img-$size"
  expect_volume $((bytes / 4096)) 4096 "img-$size without SIZE"
done <<'EOF'
1M 1048576
64m 67108864
1G 1073741824
1048576 1048576
262144 262144
1000000 1000000
1024k 1048576
1MiB 1048576
1mb 1048576
1048576b 1048576
EOF

# 1 TiB: sparse, and mkfs writes only a few blocks.
mk big 1t
expect_ok "1 TiB image"
expect_tux3 big "1 TiB image"
expect_volume 268435456 4096 "1 TiB image"
check "1 TiB image is 2^40 bytes" test "$(file_size big)" -eq $((1 << 40))
check "1 TiB image is sparse: $(allocated_bytes big) bytes allocated (< 1 MiB)" \
  test "$(allocated_bytes big)" -lt $((1 << 20))
written=$(out_value "written: " | cut -d' ' -f1)
check "written: reports $written bytes for 1 TiB (< 65536)" test "${written:-999999}" -lt 65536
out_has "8306 bitmap blocks of 32320 bits, 1 written (block 5), the rest sparse" \
  "1 TiB bitmap is mostly holes"
# The same with upper-case T and with 64 KiB blocks.
mk -q -b 64k big2 1T
expect_ok "1T with 64k blocks"
expect_tux3 big2 "1T with 64k blocks"
check "1T/64k image is sparse" test "$(allocated_bytes big2)" -lt $((1 << 20))

# p (PiB) is accepted; a dry run does not create the file.
mk -n huge 1p
expect_ok "dry run of 1 PiB"
expect_volume 274877906944 4096 "1p"
check "dry run of 1p creates no file" test ! -e huge

# An existing smaller file is extended to SIZE; its start is rewritten, nothing else lost.
truncate -s 1M grow
mk -q grow 8m
expect_ok "extend 1M file to 8m"
check "extended file is 8 MiB" test "$(file_size grow)" -eq $((8 << 20))
expect_tux3 grow "extended file"
mk -n -f grow
expect_volume 2048 4096 "extended file"

# An existing file without SIZE: its own size is used.
truncate -s 96M have
mk have
expect_ok "existing 96M file without SIZE"
out_has "have: image file" "existing file is reported as such"
expect_volume 24576 4096 "existing 96M file"
check "existing file keeps its size" test "$(file_size have)" -eq $((96 << 20))

# An existing larger file with a smaller SIZE: the volume covers SIZE; no truncation.
truncate -s 96M cap
mk cap 32m
expect_ok "96M file with SIZE 32m"
expect_volume 8192 4096 "SIZE caps the volume"
check "file is not truncated" test "$(file_size cap)" -eq $((96 << 20))

# A size that is not a multiple of the block size rounds down.
mk -n odd $((1000 * 4096 + 4095))
expect_ok "dry run, odd byte count"
expect_volume 1000 4096 "odd size rounds down"

# The smallest volume is 64 blocks.
mk -q min 256k
expect_ok "64 blocks of 4096"
expect_tux3 min "64-block volume"
mk -q -b 512 min512 32k
expect_ok "64 blocks of 512"
expect_tux3 min512 "64-block volume of 512-byte blocks"
mk small $((63 * 4096))
expect_error 2 "too small" "63 blocks of 4096"
mk -b 512 small512 $((63 * 512))
expect_error 2 "too small" "63 blocks of 512"
mk small16 16k
expect_error 2 "small16: volume of 16384 bytes is too small" "16K with 4096-byte blocks"
mk zero 0
expect_error 2 "too small" "SIZE 0"

finish
