#!/bin/bash
# fsck_usage.sh: --help, -V/--version and --list-problems exit 0; usage errors (no device,
# two devices, two modes, an unknown long option, a bad or closed -C descriptor) exit 16
# with one line on stderr, nothing on stdout, and leave the image untouched; a missing
# file or one that holds no tux3 volume exits 8 (one line); no mode without a terminal
# exits 8 at once, saying to use -n, -p or -y; a report that cannot be written (a full
# disk) exits 8 naming the status the check had; unknown single-letter flags are ignored
# (-v names them), as fsck(8) expects of helpers; fsck(8) itself runs it (`fsck -t tux3`).
# Usage: fsck_usage.sh FSCK MKFS WRITER REPLAY INSPECT [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/fsck_lib.sh" "$@"

base_image img
damage_preen img
before=$(sum img)

fk --help
expect_ok "--help"
out_has "Usage: fsck.tux3 " "--help"
for opt in -n -p -a -y -f "-C FD" --json --list-problems --version --help; do
  out_has "$opt" "--help lists $opt"
done
version=$("$MKFS" --version | sed 's/^mkfs.tux3 /fsck.tux3 /')
for opt in -V --version; do
  fk "$opt"
  expect_ok "$opt"
  check "$opt: one line, as the other tools' --version" test "$(cat "$OUT")" = "$version"
done
fk -V img
expect_ok "-V with a device: the version only"
fk --list-problems
expect_ok "--list-problems"
check "--list-problems: a header and tab-separated rows of 7 fields" python3 -c '
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
assert rows[0] == ["code", "id", "pass", "severity", "preen", "problem", "fix"], rows[0]
assert len(rows) > 30 and all(len(r) == 7 for r in rows), rows
assert ["P0601", "link-count", "6", "error", "yes"] == rows[[r[0] for r in rows].index("P0601")][:5]
' "$OUT"

fk
fk_error 16 "no DEVICE or FILE given" "no device"
fk -n img other.img
fk_error 16 "'other.img': only one DEVICE" "two devices"
for modes in "-n -y" "-p -y" "-a -n" "-ny" "-py" "-n -p"; do
  # shellcheck disable=SC2086
  fk $modes img
  fk_error 16 "contradict each other" "$modes"
done
fk --bogus img
fk_error 16 "--bogus" "an unknown long option"
fk -n --json=x img
fk_error 16 "json" "a value for --json"
fk -n -C x img
fk_error 16 "-C 'x'" "-C x"
fk -n -C -3 img
fk_error 16 "" "-C -3"
fk -n img -C
fk_error 16 "" "-C without a value"
fk -fn -C 7 img 7>&-
fk_error 16 "-C 7: file descriptor 7 is not open for writing" "-C on a closed descriptor"
fk -fn -C 7 img 7</dev/null
fk_error 16 "-C 7: file descriptor 7 is not open for writing" "-C on a read-only descriptor"
unchanged img "$before" "after the usage errors"

fk -n missing.img
fk_error 8 "missing.img: " "a missing file"
fk -y missing.img
fk_error 8 "missing.img: " "a missing file, -y"
head -c 1M /dev/zero >zero.img
fk -fn zero.img
fk_error 8 "zero.img: " "a file that holds no tux3 volume"
fk -fy zero.img
fk_error 8 "zero.img: " "no tux3 volume, -y"
check "zero.img untouched" cmp -s zero.img <(head -c 1M /dev/zero)
fk -fn .
fk_error 8 "" "a directory"

# No mode and standard input not a terminal: refused at once, nothing opened.
start=$SECONDS
RC=0
timeout 20 "$FSCK" -f img </dev/null >"$OUT" 2>"$ERR" || RC=$?
LAST="fsck.tux3 -f img </dev/null"
fk_error 8 "img: no terminal to ask on: give -n (check only), -p (fix what is safe) or -y" \
  "no mode, no terminal"
check "no mode, no terminal: at once" test $((SECONDS - start)) -lt 10
echo y | { RC=0; "$FSCK" -f img >"$OUT" 2>"$ERR" || RC=$?; echo "$RC" >rc; }
RC=$(cat rc)
fk_error 8 "no terminal to ask on" "no mode, answers on a pipe"
unchanged img "$before" "after the refusals"

# Flags fsck(8) passes on (or other checkers take) are ignored.
fk -fn img
expect_rc 4 "-fn on the damaged image"
cp "$OUT" plain.out
for flags in "-r" "-t -t" "-frtn" "-s -d -c -k -D -T -M -R" "-0"; do
  # shellcheck disable=SC2086
  fk -fn $flags img
  expect_rc 4 "-fn $flags"
  check "-fn $flags: the same report" cmp -s "$OUT" plain.out
  check "-fn $flags: nothing on stderr" test ! -s "$ERR"
done
fk -fnrv -t img
expect_rc 4 "-fnrv -t"
check "-v names each flag ignored" test "$(cat "$ERR")" = "fsck.tux3: -r ignored
fsck.tux3: -t ignored"
fk -fn -fn -C5 -C6 img
fk_error 16 "" "-C twice"
fk -fn -n -f -- img
expect_rc 4 "repeated flags and --"
unchanged img "$before" "after the ignored flags"

# The report cannot be written: an operational error naming the status the check had.
if [[ -w /dev/full ]]; then
  LAST="fsck.tux3 -fn img >/dev/full"
  RC=0
  "$FSCK" -fn img >/dev/full 2>"$ERR" </dev/null || RC=$?
  : >"$OUT"
  fk_error 8 "standard output: No space left on device; the check's exit status was 4" \
    "a report that cannot be written"
fi

# fsck(8) finds fsck.tux3 on PATH and passes it its flags.
if command -v fsck >/dev/null && fsck --version 2>/dev/null | grep -q util-linux; then
  LAST="fsck -t tux3 -fn $PWD/img"
  RC=0
  PATH=$(dirname "$FSCK"):$PATH fsck -t tux3 -fn "$PWD/img" >"$OUT" 2>"$ERR" </dev/null || RC=$?
  expect_rc 4 "fsck -t tux3 -fn"
  out_has "P0601 link-count: inode 17: link count 3, 1 found" "fsck -t tux3 -fn: the report"
  cp img via-fsck.img
  LAST="fsck -t tux3 -f -a $PWD/via-fsck.img"
  RC=0
  PATH=$(dirname "$FSCK"):$PATH fsck -t tux3 -f -a "$PWD/via-fsck.img" >"$OUT" 2>"$ERR" </dev/null || RC=$?
  expect_rc 1 "fsck -t tux3 -f -a: preen fixes"
  out_has "$PWD/via-fsck.img: 10 inodes, 67/4096 blocks; 2 problems, 2 fixed" "fsck -t tux3 -f -a"
else
  note "fsck (util-linux) not found: not run through fsck(8)"
fi

finish
