#!/bin/bash
# mkfs_basic.sh: --help, --version, -q, and what a default run writes and prints: the
# superblock magic in both slots, label, UUID, fsync mode, root owner and io_min recorded in
# the superblock, and the geometry listing.
# Usage: mkfs_basic.sh MKFS_BINARY [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

# Superblock field offsets within a slot (see libtuxdisk/include/tuxdisk/format/superblock.h).
SB_UUID=16 SB_IO_MIN=184 SB_FSYNC_MODE=192 SB_LABEL=256

# --help / --version: exit 0, name the tool, nothing on stderr.
for opt in --help -h; do
  mk "$opt"
  expect_ok "$opt"
  out_has "mkfs.tux3" "$opt names the tool"
  out_has "Usage: mkfs.tux3 [options] DEVICE|FILE [SIZE]" "$opt usage line"
  for o in --block-size --label --uuid --force --dry-run --discard --root-owner --fsync-mode \
           --quiet --version --help; do
    out_has "$o" "$opt lists $o"
  done
done
for opt in --version -V; do
  mk "$opt"
  expect_ok "$opt"
  out_has "mkfs.tux3 (tux3-tools) " "$opt names the tool"
  out_has "on-disk format 1" "$opt names the format version"
  check "$opt prints one line" test "$(wc -l <"$OUT")" -eq 1
done
check "--help creates no file" test -z "$(ls)"

# A default run on a new image file.
mk img 64m
expect_ok "default run"
expect_tux3 img "default run"
check "image is 64 MiB" test "$(file_size img)" -eq $((64 << 20))
out_has "img: new image file" "default run: first line"
expect_volume 16384 4096 "default run"
out_has "label: (none)" "default run: no label"
out_has "fsync: stream mode by default" "default run: fsync mode"
out_has "root directory: inode 2, mode 0755, owner $(id -u):$(id -g)" "root owner defaults to the caller"
out_has "reserved: blocks 0..2 (boot area; superblock slots at bytes 4096 and 8192)" "reserved area"
check "written line" grep -qE '^written: [0-9]+ bytes in [0-9]+ writes, [0-9]+ flushes$' "$OUT"
uuid=$(out_value "uuid: ")
check "printed UUID is a UUID ($uuid)" \
  grep -qE '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' <<<"$uuid"
for slot in 4096 8192; do
  check "slot $slot records the printed UUID" \
    test "$(hex img $((slot + SB_UUID)) 16)" == "${uuid//-/}"
  check "slot $slot label is empty" test "$(hex img $((slot + SB_LABEL)) 64)" == "$(printf '0%.0s' {1..128})"
  check "slot $slot fsync mode is stream (0)" test "$(hex img $((slot + SB_FSYNC_MODE)) 1)" == 00
done
# For a regular file the topology's io_min is the file's st_blksize; it is recorded.
io_min=$(stat -c %o img)
out_has "io min $io_min," "topology line shows io min = st_blksize"
check "superblock records io_min $io_min" \
  test "$(hex img $((4096 + SB_IO_MIN)) 4)" == "$(printf '%08x' "$io_min")"
check "boot area (bytes 0..4095) is zeroed" test "$(hex img 0 4096)" == "$(printf '0%.0s' {1..8192})"

# Label, UUID, fsync mode and root owner as given.
label=$(printf "label with spaces %045d" 7)
check "test label is 63 bytes" test "${#label}" -eq 63
mk -L "$label" -U 0123456789ABCDEF0123456789abcdef --fsync-mode delta --root-owner 1234:5678 \
  img2 1m
expect_ok "run with label, uuid, fsync mode, root owner"
expect_tux3 img2 "labelled run"
out_has "label: $label" "label printed"
out_has "uuid: 01234567-89ab-cdef-0123-456789abcdef" "UUID printed in canonical form"
out_has "fsync: delta mode by default" "fsync mode printed"
out_has "owner 1234:5678" "root owner printed"
for slot in 4096 8192; do
  check "slot $slot holds the label" test "$(ascii img2 $((slot + SB_LABEL)) 64)" == "$label"
  check "slot $slot holds the UUID" \
    test "$(hex img2 $((slot + SB_UUID)) 16)" == 0123456789abcdef0123456789abcdef
  check "slot $slot fsync mode is delta (1)" test "$(hex img2 $((slot + SB_FSYNC_MODE)) 1)" == 01
done
mk -U 01234567-89ab-cdef-0123-456789abcdef -f img2
expect_ok "dashed UUID form"
out_has "uuid: 01234567-89ab-cdef-0123-456789abcdef" "dashed UUID accepted"

# Long option spellings and --opt=value.
mk --block-size=1024 --label=L --uuid=00000000-0000-0000-0000-000000000001 --fsync-mode=stream \
  --root-owner=0:0 img3 1m
expect_ok "long options with ="
expect_volume 1024 1024 "--block-size=1024"
out_has "label: L" "--label=L"

# -q: nothing at all on success; errors still reported.
mk -q img4 1m
expect_ok "-q run"
check "-q prints nothing on stdout" test ! -s "$OUT"
expect_tux3 img4 "-q run"
mk --quiet -n img5 1m
expect_ok "--quiet dry run"
check "--quiet dry run prints nothing" test ! -s "$OUT"
mk -q img4
expect_error 1 "img4: contains tux3" "-q still reports a refusal"

# --discard on a regular file: the old contents are punched out, the size stays.
yes 'old contents' | head -c $((4 << 20)) >junk || true
mk --discard -q junk
expect_ok "--discard on a file of old contents"
expect_tux3 junk "--discard run"
check "--discard keeps the file size" test "$(file_size junk)" -eq $((4 << 20))
check "--discard zeroed the tail" test "$(hex junk $(((4 << 20) - 4096)) 4096)" == \
  "$(printf '0%.0s' {1..8192})"
check "--discard leaves the file sparse (<= 256 KiB allocated)" \
  test "$(allocated_bytes junk)" -le $((256 << 10))

finish
