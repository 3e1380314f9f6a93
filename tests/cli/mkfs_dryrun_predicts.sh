#!/bin/bash
# mkfs_dryrun_predicts.sh: a dry run describes exactly what the real run then does: the same
# listing (topology, geometry, layout) and a "would write" byte count equal to the real
# run's "written" count. Compared on a new file and on an existing one, with -U and
# SOURCE_DATE_EPOCH so the UUID and creation-time lines match too.
# Usage: mkfs_dryrun_predicts.sh MKFS_BINARY [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

export SOURCE_DATE_EPOCH=1700000000
fixed=(-U 6d0cc3a2-7f1e-4c3b-9a55-3e2f7b1d0c42 --root-owner 0:0)

# compare NAME: dry.out (dry run) and real.out (real run) describe the same volume.
compare() {
  local name=$1 would written
  sed -e 's/^dry run, nothing written: //' -e '/^would write: /d' dry.out >dry.cmp
  sed -e '/^written: /d' real.out >real.cmp
  if ! diff -u dry.cmp real.cmp >diff.out; then
    fail "$name: the dry-run listing differs from the real run's:"
    sed 's/^/  /' diff.out >&2
  fi
  pass
  would=$(sed -n 's/^would write: \([0-9]*\) bytes$/\1/p' dry.out)
  written=$(sed -n 's/^written: \([0-9]*\) bytes in .*/\1/p' real.out)
  check "$name: dry run says 'would write: $would bytes', the real run 'written: $written bytes'" \
    test "${would:-x}" == "${written:-y}"
}

for bs in 512 4096 65536; do
  # A file that does not exist yet.
  mk "${fixed[@]}" -b "$bs" -n "new-$bs" 64m
  expect_ok "dry run, new file, $bs-byte blocks"
  cp "$OUT" dry.out
  mk "${fixed[@]}" -b "$bs" "new-$bs" 64m
  expect_ok "real run, new file, $bs-byte blocks"
  cp "$OUT" real.out
  compare "new file, $bs-byte blocks"

  # An existing file.
  truncate -s 64M "old-$bs"
  mk "${fixed[@]}" -b "$bs" -n "old-$bs"
  expect_ok "dry run, existing file, $bs-byte blocks"
  cp "$OUT" dry.out
  mk "${fixed[@]}" -b "$bs" "old-$bs"
  expect_ok "real run, existing file, $bs-byte blocks"
  cp "$OUT" real.out
  compare "existing file, $bs-byte blocks"
done

finish
