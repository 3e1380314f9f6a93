#!/usr/bin/env bash
# tux3-image dump -> restore: on a volume left by a crash (log, fsync streams, orphans) and
# on a populated one (mkfs.tux3 --root-dir), the restored image gives exactly what the
# original gives to fsck.tux3 -fn, tux3-replay (-n, -p, -p -j, --until-delta of every logged
# delta) and tux3-inspect (verify; tree without file contents); and after tux3-replay has
# written both, they still agree. With --data, restore is byte-identical (cmp). A dump through a pipe (OUT -, IN -) is the same bytes as through files.
source "$(dirname "${BASH_SOURCE[0]}")/image_lib.sh" "$@"
export SOURCE_DATE_EPOCH=$TEST_TIME

mkdir orig
crashed_image orig/crashed.img
populated_image orig/populated.img

for name in crashed populated; do
  img=orig/$name.img
  dump_restore "$img" "meta-$name"
  expect_same_results "$img" "meta-$name/$name.img" "metadata dump of $name"
  check "$name: the dump is much smaller than the image's allocated bytes" \
    test "$(file_size "meta-$name/dump.t3i")" -lt "$(($(allocated_bytes "$img") / 4))"

  # Byte for byte: every tool then says the same, file contents included.
  dump_restore "$img" "data-$name" --data
  check "$name: --data restores byte for byte" cmp -s "$img" "data-$name/$name.img"
  check "$name: the restored image is sparse" \
    test "$(allocated_bytes "data-$name/$name.img")" -le "$(allocated_bytes "$img")"
done

# Replay writes the same state on the original and on the restored copy of the crash.
cp orig/crashed.img replayed-orig.img
mkdir -p replayed
cp meta-crashed/crashed.img replayed/replayed-orig.img
for img in replayed-orig.img replayed/replayed-orig.img; do
  SOURCE_DATE_EPOCH=$TEST_TIME "$REPLAY" -q "$img" || true
done
expect_same_results replayed-orig.img replayed/replayed-orig.img "after replay"

# Standard output and standard input: the same stream, the same restore.
"$IMAGE_TOOL" dump -q orig/crashed.img - >piped.t3i
check "dump to standard output is the dump to a file" \
  cmp -s piped.t3i meta-crashed/dump.t3i
mkdir -p piped
"$IMAGE_TOOL" dump -q orig/crashed.img - | "$IMAGE_TOOL" restore -q - piped/crashed.img
check "a piped dump restores the same image" cmp -s piped/crashed.img meta-crashed/crashed.img

# The summary names what was dumped; with OUT -, it goes to standard error.
ti dump orig/populated.img summary.t3i
expect_ok "dump with a summary"
out_has "orig/populated.img: " "the summary names SOURCE"
out_has "blocks of metadata" "the summary says what it holds"
out_has ": summary.t3i" "the summary names OUT"
"$IMAGE_TOOL" dump orig/populated.img - >/dev/null 2>stderr.txt
check "with OUT -, the summary is on standard error" grep -q "standard output" stderr.txt

finish
