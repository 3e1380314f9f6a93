#!/usr/bin/env bash
# tux3-image dump -> restore: on a volume left by a crash (log, fsync streams, orphans) and
# on a populated one (mkfs.tux3 --root-dir), the restored image gives exactly what the
# original gives to fsck.tux3 -fn, tux3-replay (-n, -p, -p -j, --until-delta of every logged
# delta) and tux3-inspect (verify; tree without file contents); and after tux3-replay has
# written both, they still agree. With --data, restore is byte-identical (cmp). With
# --previous-cycle, a delta before the last unify replays as on the original too. An
# empty 4 GiB volume dumps small. A dump through a pipe (OUT -, IN -) is the same bytes as
# through files.
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

# The previous cycle: a volume closed cleanly ends with a unify, so the other slot's delta
# (the last before it) is in the previous cycle. Its older states are in a dump only with
# --previous-cycle; without, the dump is smaller and the committed state the same.
new_image orig/closed.img 16m
"$WRITER" -q --time "$TEST_TIME" orig/closed.img - >/dev/null <<'EOS'
mkdir /a
write /a/one 8k
sync
write /a/two 8k
sync
rename /a/one /a/three
sync
EOS
older=$("$REPLAY" -p orig/closed.img | sed -n 's/^superblock slot [01]: delta \([0-9]*\)$/\1/p')
dump_restore orig/closed.img previous --previous-cycle
dump_restore orig/closed.img current
check "--previous-cycle makes a larger dump" \
  test "$(file_size previous/dump.t3i)" -gt "$(file_size current/dump.t3i)"
for dir in orig previous current; do
  rc=0
  (cd "$dir" && "$REPLAY" -n -v --until-delta "$older" closed.img) >"until-$dir.txt" 2>&1 || rc=$?
  echo "exit $rc" >>"until-$dir.txt"
done
check "--previous-cycle: --until-delta $older as on the original" \
  cmp -s until-orig.txt until-previous.txt
check "without it, delta $older does not replay as on the original" \
  not cmp -s until-orig.txt until-current.txt

# Replay writes the same state on the original and on the restored copy of the crash.
cp orig/crashed.img replayed-orig.img
mkdir -p replayed
cp meta-crashed/crashed.img replayed/replayed-orig.img
for img in replayed-orig.img replayed/replayed-orig.img; do
  SOURCE_DATE_EPOCH=$TEST_TIME "$REPLAY" -q "$img" || true
done
expect_same_results replayed-orig.img replayed/replayed-orig.img "after replay"

# A 4 GiB volume with little metadata makes a small dump (and a sparse restore).
new_image big.img 4g
"$IMAGE_TOOL" dump -q big.img big.t3i
check "a dump of an empty 4 GiB volume is under 1 KiB ($(file_size big.t3i) bytes)" \
  test "$(file_size big.t3i)" -lt 1024
mkdir -p bigcopy
"$IMAGE_TOOL" restore -q big.t3i bigcopy/big.img
check "its restore is a sparse file of 4 GiB" \
  test "$(file_size bigcopy/big.img)" -eq $((4 << 30)) -a "$(allocated_bytes bigcopy/big.img)" -lt 65536
# (mkfs.tux3 writes only the first few blocks: they are all a dump of it holds.)
check "the restored empty volume begins as the original" \
  cmp -s <(head -c 65536 big.img) <(head -c 65536 bigcopy/big.img)

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
