#!/bin/bash
# replay_usage.sh: tux3-replay's command line: --help and --version, usage errors (exit 16,
# one line, nothing touched), and devices it cannot use (exit 8, one line): a missing file,
# a directory, files that hold no tux3 volume, a volume with an unknown incompat feature
# in both superblock slots, and an image another process holds locked (write mode only).
# Usage: replay_usage.sh REPLAY MKFS WRITER INSPECT [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/replay_lib.sh" "$@"

rp --help
expect_ok "--help"
out_has "Usage: tux3-replay [options] DEVICE|FILE" "--help: the usage line"
for opt in --dry-run --print --json --until-delta --until-stream --no-streams --force \
           --verbose --quiet --version --help; do
  out_has "$opt" "--help lists $opt"
done
rp -h
expect_ok "-h"

rp --version
expect_ok "--version"
check "--version: 'tux3-replay (tux3-tools) VERSION, on-disk format N'" \
  grep -qE '^tux3-replay \(tux3-tools\) [0-9]+\.[0-9]+\.[0-9]+, on-disk format [0-9]+$' "$OUT"
version=$(cut -d' ' -f3 "$OUT")
mk --version
check "--version: the same version as mkfs.tux3" grep -qF "(tux3-tools) $version" "$OUT"
rp -V
expect_ok "-V"

# Usage errors: exit 16, one line, the image untouched (it is a crashed volume: anything
# that replayed it would change it).
crashed_image img
img_sum=$(sum img)
while IFS='|' read -r args want; do
  # shellcheck disable=SC2086
  rp $args
  rp_error 16 "$want" "usage: '$args'"
done <<'CASES'
|no DEVICE or FILE given
--bogus img|unrecognised option '--bogus'
-x img|unrecognised option '-x'
img other.img|'other.img': only one DEVICE or FILE
img --until-delta|the required argument for option '--until-delta' is missing
--until-delta x img|--until-delta 'x': expected a delta number
--until-delta -1 img|--until-delta '-1'
--until-delta 99999999999999999999 img|--until-delta '99999999999999999999'
--until-stream 3 img|--until-stream '3': expected STREAM:SEQ
--until-stream 32:1 img|--until-stream '32:1'
--until-stream 1:x img|--until-stream '1:x'
--until-stream :1 img|--until-stream ':1'
--until-stream 1:1 --until-stream 1:2 img|stream 1 is limited twice
--no-streams --until-stream 0:1 img|--until-stream and --no-streams contradict each other
-q -v img|-q and -v contradict each other
-p --until-delta 3 img|--until-delta: --print applies nothing
-p --force img|--force: --print applies nothing
-p --no-streams img|--no-streams: --print applies nothing
-p --until-stream 0:1 img|--until-stream: --print applies nothing
CASES
SOURCE_DATE_EPOCH=soon rp img
rp_error 16 "SOURCE_DATE_EPOCH 'soon'" "a bad SOURCE_DATE_EPOCH"
check "usage errors left the image as it was" test "$(sum img)" = "$img_sum"

# Devices it cannot use: exit 8, one line naming the device.
rp missing.img
rp_error 8 "missing.img: No such file or directory" "a missing file"
rp -n missing.img
rp_error 8 "missing.img" "-n: a missing file"
rp -p missing.img
rp_error 8 "missing.img" "--print: a missing file"
mkdir dir.img
rp dir.img
rp_error 8 "dir.img: not a regular file or block device" "a directory"
head -c 1M /dev/zero >zeros.img
rp zeros.img
rp_error 8 "zeros.img: no tux3 superblock" "1 MiB of zeros"
head -c 5000 /dev/urandom >small.img
rp -p small.img
rp_error 8 "small.img: 5000 bytes is too small" "a file too small for a volume"
check "nothing was written to the files that are not volumes" \
  test "$(head -c 1M /dev/zero | sha256sum | cut -d' ' -f1)" = "$(sum zeros.img)"

# An incompat feature this version does not know, in both slots: refused whatever the mode.
cp img feature.img
image_py incompat feature.img 7
before=$(sum feature.img)
for mode in "" -n -p "-p -j" -j; do
  # shellcheck disable=SC2086
  rp $mode feature.img
  rp_error 8 "unknown incompatible features 0x80" "unknown incompat feature, mode '$mode'"
done
check "the volume with an unknown feature is untouched" test "$(sum feature.img)" = "$before"

# A file locked by another process (a writer, another replay): writing is refused, reading
# is not.
(exec 9<img && flock -x 9 && exec sleep 30) >/dev/null 2>&1 &
locker=$!
on_exit "kill $locker"
for _ in $(seq 50); do flock -n img true 2>/dev/null || break; sleep 0.1; done
rp img
rp_error 8 "img: file is locked by another process" "a locked image"
rp -n img
expect_rc 1 "-n reads a locked image"
rp -p img
expect_rc 0 "--print reads a locked image"
kill "$locker"
wait "$locker" 2>/dev/null || true
check "the locked image is untouched" test "$(sum img)" = "$img_sum"

finish
