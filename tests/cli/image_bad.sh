#!/usr/bin/env bash
# Bad dump streams, read by info (from a file and from standard input) and by restore:
# truncated at several points, a byte flipped in the compressed stream and in the header,
# bytes after the end, a foreign file, an empty file, a dump of a newer version. Each is
# exit 8 with one line naming the stream and the reason, never a crash; restore leaves no
# new TARGET behind and says an existing one is incomplete.
source "$(dirname "${BASH_SOURCE[0]}")/image_lib.sh" "$@"
export SOURCE_DATE_EPOCH=$TEST_TIME

crashed_image vol.img
"$IMAGE_TOOL" dump -q vol.img good.t3i
size=$(file_size good.t3i)
check "the good dump reads" "$IMAGE_TOOL" info good.t3i >/dev/null

# cut FILE N: the first N bytes of good.t3i.
cut_at() { head -c "$2" good.t3i >"$1"; }
# flip FILE OFFSET: good.t3i with the byte at OFFSET inverted.
flip_at() {
  cp good.t3i "$1"
  printf "$(printf '\\%03o' $((0xff ^ $(od -An -tu1 -j "$2" -N1 good.t3i))))" |
    dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

cut_at empty.t3i 0
cut_at magic-only.t3i 8
cut_at in-header.t3i 100
cut_at header-only.t3i 256
cut_at in-frame.t3i 300
cut_at half.t3i $((size / 2))
cut_at last-byte.t3i $((size - 1))
flip_at flipped-frame-start.t3i 260
flip_at flipped-middle.t3i $((256 + (size - 256) / 2))
flip_at flipped-end.t3i $((size - 3))
flip_at flipped-header.t3i 20
flip_at flipped-magic.t3i 3
{ cat good.t3i; printf 'trailing garbage'; } >trailing.t3i
cat good.t3i good.t3i >twice.t3i
cp "$(command -v bash)" foreign.t3i
cp vol.img volume.t3i
cp good.t3i newer.t3i
printf '\000\002' | dd of=newer.t3i bs=1 seek=8 conv=notrunc status=none

# info of each; restore of some (restore reads the stream as info does).
while IFS='|' read -r file restore want; do
  ti info "$file"
  expect_error 8 "$file: $want" "info of $file"
  [[ $restore == restore ]] || continue
  ti restore "$file" "restored-$file.img"
  expect_error 8 "$file: $want" "restore of $file"
  check "a failed restore leaves no new target ($file)" test ! -e "restored-$file.img"
done <<'CASES'
empty.t3i|restore|empty: not a tux3-image dump
magic-only.t3i||truncated: the header is 8 bytes of 256
in-header.t3i|restore|truncated: the header is 100 bytes of 256
header-only.t3i||truncated: the stream ends after 256 bytes, before its END record
in-frame.t3i||truncated: the stream ends inside the compressed frame that starts at byte 256
half.t3i|restore|truncated
last-byte.t3i||truncated
flipped-frame-start.t3i||compressed data damaged
flipped-middle.t3i|restore|compressed data damaged
flipped-end.t3i||compressed data damaged
flipped-header.t3i|restore|header checksum mismatch
flipped-magic.t3i||not a tux3-image dump
trailing.t3i|restore|data follows the end of the dump at byte
twice.t3i||data follows the end of the dump at byte
foreign.t3i|restore|not a tux3-image dump
volume.t3i||not a tux3-image dump
newer.t3i|restore|dump format version 2 is newer than this program reads (version 1)
CASES

# From standard input, the same reasons.
while IFS='|' read -r file want; do
  ti info - <"$file"
  expect_error 8 "standard input: $want" "info of $file from standard input"
done <<'CASES'
empty.t3i|empty: not a tux3-image dump
in-frame.t3i|truncated: the stream ends inside the compressed frame that starts at byte 256
foreign.t3i|not a tux3-image dump
CASES
ti restore - restored-from-stdin.img <flipped-middle.t3i
expect_error 8 "standard input: compressed data damaged" "restore of a damaged stream from standard input"
check "a failed restore from standard input leaves no new target" test ! -e restored-from-stdin.img

# An existing TARGET is said to be incomplete when the stream fails part way.
: >existing.img
ti restore half.t3i existing.img
expect_error 8 "(existing.img is incomplete)" "restore over an existing file"

finish
