#!/usr/bin/env bash
# tux3-image's command lines: --help and --version (top level and per command), usage
# errors (exit 16, one line, nothing written), and what it cannot use (exit 8, one line): a
# missing SOURCE, a directory, a file that holds no tux3 volume, an existing OUT without
# -f, OUT that is SOURCE, a TARGET that is IN. A failed dump leaves no OUT behind.
source "$(dirname "${BASH_SOURCE[0]}")/image_lib.sh" "$@"

ti --help
expect_ok "--help"
for line in "Usage: tux3-image dump [options] SOURCE OUT|-" \
            "tux3-image restore [options] IN|- TARGET" "tux3-image info [options] IN|-"; do
  out_has "$line" "--help: '$line'"
done
ti -h
expect_ok "-h"
ti dump --help
expect_ok "dump --help"
for opt in --data --scramble --scramble-key --level --force --quiet --version --help; do
  out_has "$opt" "dump --help lists $opt"
done
ti restore --help
expect_ok "restore --help"
for opt in --force --zero --quiet; do out_has "$opt" "restore --help lists $opt"; done
ti info --help
expect_ok "info --help"
out_has "--json" "info --help lists --json"

ti --version
expect_ok "--version"
check "--version: 'tux3-image (tux3-tools) VERSION, on-disk format N'" \
  grep -qE '^tux3-image \(tux3-tools\) [0-9]+\.[0-9]+\.[0-9]+, on-disk format [0-9]+$' "$OUT"
version=$(cut -d' ' -f3 "$OUT")
mk --version
check "--version: the same version as mkfs.tux3" grep -qF "(tux3-tools) $version" "$OUT"
ti dump -V
expect_ok "dump -V"

new_image vol.img 8m
"$IMAGE_TOOL" dump -q vol.img good.t3i
while IFS='|' read -r args want; do
  # shellcheck disable=SC2086
  ti $args
  expect_error 16 "$want" "usage: '$args'"
done <<'CASES'
|no command given
frobnicate vol.img|'frobnicate': unknown command
dump|no SOURCE and OUT given
dump vol.img|no OUT given
dump vol.img a b|'b': one SOURCE and one OUT
dump --bogus vol.img new.t3i|unrecognised option '--bogus'
dump --level 0 vol.img new.t3i|--level '0': expected 1 to
dump --level 99 vol.img new.t3i|--level '99'
dump --level x vol.img new.t3i|--level 'x'
dump --data --scramble vol.img new.t3i|contradict
dump --scramble-key k vol.img new.t3i|--scramble-key without --scramble
dump - new.t3i|SOURCE '-'
restore good.t3i|no TARGET given
restore good.t3i -|TARGET '-'
restore good.t3i a b|'b': one IN and one TARGET
info|no IN given
info a b|'b': info reads one dump
info --bogus good.t3i|unrecognised option '--bogus'
CASES
check "usage errors wrote no OUT" test ! -e new.t3i
SOURCE_DATE_EPOCH=soon ti dump vol.img new.t3i
expect_error 16 "SOURCE_DATE_EPOCH 'soon'" "a bad SOURCE_DATE_EPOCH"

ti dump missing.img new.t3i
expect_error 8 "missing.img: " "a missing SOURCE"
mkdir adir
ti dump adir new.t3i
expect_error 8 "adir" "a directory as SOURCE"
head -c 1048576 /dev/zero >zeros.img
ti dump zeros.img new.t3i
expect_error 8 "zeros.img: not a tux3 volume" "a file of zeros"
head -c 1048576 /dev/urandom >random.img
ti dump random.img new.t3i
expect_error 8 "random.img: no valid superblock slot" "a file of random bytes"
check "a failed dump leaves no OUT" test ! -e new.t3i

echo "precious" >kept.t3i
ti dump vol.img kept.t3i
expect_error 8 "kept.t3i: exists and is not empty (-f overwrites it)" "an existing OUT"
check "an existing OUT is left alone" grep -q precious kept.t3i
ti dump -q -f vol.img kept.t3i
expect_ok "-f overwrites OUT"
check "the overwritten OUT is a dump" cmp -s <(head -c 8 kept.t3i) <(printf TUX3DUMP)
: >empty.t3i
ti dump -q vol.img empty.t3i
expect_ok "an empty OUT needs no -f"
ti dump -f vol.img vol.img
expect_error 8 "vol.img: is SOURCE itself" "OUT is SOURCE"
ti dump -q vol.img adir
expect_error 8 "adir: is a directory" "OUT is a directory"
ti restore good.t3i good.t3i
expect_error 8 "good.t3i: is IN itself" "TARGET is IN"
ti restore missing.t3i new.img
expect_error 8 "missing.t3i: " "a missing IN"
check "nothing restored from a missing IN" test ! -e new.img
ti info missing.t3i
expect_error 8 "missing.t3i: " "info of a missing IN"

finish
