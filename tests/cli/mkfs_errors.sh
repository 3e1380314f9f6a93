#!/bin/bash
# mkfs_errors.sh: bad command lines exit 16, bad targets exit 2; every error is exactly one
# line on stderr starting "mkfs.tux3: " that names the thing and the reason, with nothing on
# stdout. Usage errors write nothing.
# Usage: mkfs_errors.sh MKFS_BINARY [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

# usage CODE SUBSTRING ARGS...: mkfs ARGS exits CODE with SUBSTRING in its one-line error.
usage() {
  local code=$1 want=$2
  shift 2
  mk "$@"
  expect_error "$code" "$want" "mkfs.tux3 $*"
}

# --- usage errors: exit 16, and no file is created ---
usage 16 "unrecognised option '--bogus'" --bogus img 1m
usage 16 "(try --help)" -z img 1m
usage 16 "no DEVICE or FILE given" 
usage 16 "no DEVICE or FILE given" -L x
usage 16 "too many positional options" img 1m extra
usage 16 "size '12q': unknown suffix" img 12q
usage 16 "size 'm': expected a number" img m
usage 16 "size '-1'" img -- -1
usage 16 "size '1mm': unknown suffix" img 1mm
usage 16 "size '99999999999999999999': too large" img 99999999999999999999
usage 16 "size '16777216t': too large" img 16777216t
usage 16 "block size '3000'" -b 3000 img 1m
usage 16 "UUID 'zz': not a valid UUID" -U zz img 1m
usage 16 "not a valid UUID" -U 0123456789abcdef0123456789abcde img 1m
usage 16 "not a valid UUID" -U 0123456789abcdef0123456789abcdef0 img 1m
usage 16 "not a valid UUID" -U 01234567-89ab-cdef-0123-456789abcdeg img 1m
usage 16 "not a valid UUID" -U 0123-4567-89ab-cdef-0123456789abcdef img 1m
label64=$(printf 'L%.0s' {1..64})
usage 16 "label '$label64': longer than 63 bytes" -L "$label64" img 1m
usage 16 "fsync mode 'sync': must be stream or delta" --fsync-mode sync img 1m
usage 16 "root owner '0': expected UID:GID" --root-owner 0 img 1m
usage 16 "root owner 'root:root': expected UID:GID" --root-owner root:root img 1m
usage 16 "root owner '1:2:3': expected UID:GID" --root-owner 1:2:3 img 1m
usage 16 "root owner '1:2x': expected UID:GID" --root-owner 1:2x img 1m
# Negative or out-of-range ids are not UIDs; they must not wrap (-1 to 4294967295,
# 4294967296 to 0 = root).
usage 16 "root owner '-1:0': expected UID:GID" --root-owner -1:0 -n neg 1m
usage 16 "root owner '0:-1': expected UID:GID" --root-owner 0:-1 -n neg 1m
usage 16 "root owner '4294967296:0': expected UID:GID" --root-owner 4294967296:0 -n neg 1m
usage 16 "root owner '0:99999999999': expected UID:GID" --root-owner 0:99999999999 -n neg 1m
usage 16 "option '--label' is missing" img 1m --label
for epoch in abc -5 "" 12x 99999999999999999999; do
  SOURCE_DATE_EPOCH=$epoch mk img 1m
  expect_error 16 "SOURCE_DATE_EPOCH '$epoch' is not a non-negative integer" \
    "SOURCE_DATE_EPOCH='$epoch'"
done
check "usage errors create no file" test ! -e img

# --- target errors: exit 2 ---
mk missing
expect_error 2 "missing: does not exist (give a SIZE to create an image file)" \
  "missing file without SIZE"
check "missing file is still missing" test ! -e missing
mkdir dir
mk dir
expect_error 2 "dir: not a regular file or block device" "directory as target"
mk dir 1m
expect_error 2 "dir: not a regular file or block device" "directory as target, with SIZE"
mk /dev/null
expect_error 2 "/dev/null: not a regular file or block device" "character device as target"
mkfifo fifo
mk fifo
expect_error 2 "fifo: not a regular file or block device" "FIFO as target"
mk no/such/dir/img 1m
expect_error 2 "no/such/dir/img: cannot create" "file in a missing directory"
mk small 16k
expect_error 2 "small: volume of 16384 bytes is too small: at least 64 blocks of 4096 bytes" \
  "16K volume of 4096-byte blocks"
truncate -s 100k tiny
mk tiny
expect_error 2 "tiny: volume of 102400 bytes is too small" "existing 100K file"
mk -n huge 2000p
expect_error 2 "exceeds the format's limit of 2^48 blocks" "2000 PiB"
check "dry run of 2000p creates no file" test ! -e huge
mk huge 9000p
expect_error 2 "is larger than a file can be" "9000 PiB, beyond off_t"
check "9000p creates no file" test ! -e huge
mk -n -b 512 huge 1000p
expect_error 2 "exceeds the format's limit of 2^48 blocks" "1000 PiB of 512-byte blocks"
if [[ $(id -u) -ne 0 ]]; then
  truncate -s 1M ro
  chmod 0444 ro
  mk ro
  expect_error 2 "ro: " "read-only file"
else
  note "running as root: read-only file sub-case skipped"
fi

# --- the error line itself: one line, the prefix, nothing on stdout (also checked above) ---
mk --bogus
check "error output has no trailing blank line" test "$(wc -c <"$ERR")" -eq \
  "$(head -n1 "$ERR" | wc -c)"

finish
