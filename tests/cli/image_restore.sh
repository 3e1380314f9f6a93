#!/usr/bin/env bash
# tux3-image restore onto files: a new TARGET is a sparse file of the dump's device size;
# an empty one is filled the same way; one that is not empty is refused (8, left alone)
# unless -f, which leaves nothing of the old contents; a directory or a missing directory
# is refused. --zero changes nothing on a file.
source "$(dirname "${BASH_SOURCE[0]}")/image_lib.sh" "$@"
export SOURCE_DATE_EPOCH=$TEST_TIME

crashed_image vol.img
"$IMAGE_TOOL" dump -q vol.img vol.t3i

ti restore vol.t3i new.img
check "restore to a new file: exit 0" test "$RC" -eq 0
out_has "new.img: " "the summary names TARGET"
out_has "a sparse file of 16777216 bytes" "the summary says what TARGET is"
check "the new file has the device's size" test "$(file_size new.img)" -eq 16777216
check "the new file is sparse" test "$(allocated_bytes new.img)" -lt $((1 << 20))
verify_clean new.img "the restored image"

: >empty.img
ti restore -q vol.t3i empty.img
expect_ok "restore to an empty file"
check "an empty file gets the same image" cmp -s empty.img new.img

head -c $((20 << 20)) /dev/zero | tr '\0' '\252' >full.img
sum_before=$(sum full.img)
ti restore vol.t3i full.img
expect_error 8 "full.img: exists and is not empty (-f overwrites it)" "a non-empty file"
check "a refused TARGET is left alone" test "$(sum full.img)" = "$sum_before"
ti restore -q -f vol.t3i full.img
expect_ok "restore -f over a non-empty file"
check "-f leaves nothing of the old contents (and the device's size)" cmp -s full.img new.img

ti restore -q --zero vol.t3i zeroed.img
expect_ok "--zero on a file"
check "--zero on a file changes nothing" cmp -s zeroed.img new.img

mkdir adir
ti restore vol.t3i adir
expect_error 8 "adir: is neither a regular file nor a block device" "a directory"
ti restore vol.t3i no-such-dir/x.img
expect_error 8 "no-such-dir/x.img" "a missing directory"

finish
