#!/bin/bash
# mkfs_dryrun.sh: -n / --dry-run prints the geometry and writes nothing: a missing file is
# not created, an existing one is left byte-identical (and not extended), and the usual
# refusals still apply.
# Usage: mkfs_dryrun.sh MKFS_BINARY [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

# Missing file with SIZE: geometry printed, no file.
for opt in -n --dry-run; do
  mk "$opt" -L dry new 64m
  expect_ok "$opt on a missing file"
  out_has "dry run, nothing written: new: new image file" "$opt first line"
  out_has "topology: logical sector 512" "$opt topology"
  expect_volume 16384 4096 "$opt on 64m"
  out_has "label: dry" "$opt label"
  out_has "inode table: root leaf at block 3" "$opt layout"
  check "$opt output has a 'would write' line" grep -qE '^would write: [0-9]+ bytes$' "$OUT"
  check "$opt prints no 'written:' line" not grep -q '^written:' "$OUT"
  check "$opt creates no file" test ! -e new
done

# Missing file without SIZE is still an error.
mk -n absent
expect_error 2 "absent: does not exist" "dry run on a missing file without SIZE"

# Existing file with content: byte-identical afterwards, even with SIZE larger than it.
yes 'precious data' | head -c $((2 << 20)) >keep || true
cp keep keep.orig
mk -n keep
expect_ok "dry run on an existing file"
out_has "dry run, nothing written: keep: image file" "existing file first line"
expect_volume 512 4096 "dry run on existing 2 MiB file"
check "dry run leaves the file byte-identical" cmp -s keep keep.orig
mk -n -b 1024 keep 8m
expect_ok "dry run with SIZE larger than the file"
expect_volume 8192 1024 "dry run plans for SIZE"
check "dry run does not extend the file" test "$(file_size keep)" -eq $((2 << 20))
check "dry run with SIZE leaves the file byte-identical" cmp -s keep keep.orig

# An existing tux3 volume or foreign signature is refused by a dry run too; with -f the dry
# run goes ahead and still touches nothing.
mk -q vol 4m
expect_ok "make a volume"
cp vol vol.orig
mk -n vol
expect_error 1 "vol: contains tux3 filesystem" "dry run on a tux3 volume without -f"
mk -n -f vol
expect_ok "dry run on a tux3 volume with -f"
out_has "dry run, nothing written: vol: image file" "dry run -f first line"
check "dry run -f leaves the volume byte-identical" cmp -s vol vol.orig

if command -v mkfs.ext4 >/dev/null; then
  truncate -s 64M ext
  mkfs.ext4 -q -F ext >/dev/null
  cp ext ext.orig
  mk -n ext
  expect_error 1 "ext: contains ext4 filesystem" "dry run on ext4 without -f"
  mk -n -f ext
  expect_ok "dry run on ext4 with -f"
  check "dry run -f does not wipe the ext4 signature" cmp -s ext ext.orig
else
  note "mkfs.ext4 not found: ext4 dry-run sub-case skipped"
fi

# -n with -q: silent, and still writes nothing.
mk -n -q quiet 1m
expect_ok "-n -q"
check "-n -q prints nothing" test ! -s "$OUT"
check "-n -q creates no file" test ! -e quiet

finish
