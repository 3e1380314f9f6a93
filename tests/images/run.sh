#!/usr/bin/env bash
# run.sh: the corpus runner. One case of tests/images/ through fsck.tux3, against its
# expected outputs.
#
# Usage: run.sh FSCK CASE_DIR SCRATCH_DIR [--update]
#
# For the case's image.zst:
#   1. `fsck.tux3 -fn`: output must equal expect.0; must write nothing, and exit 4 when
#      the case has errors (0 when the first repair run exits 0: a volume that only needs
#      replay);
#   2. `fsck.tux3 -fy`: output (filtered) must equal expect.1, exit status expect.1.rc;
#   3. `fsck.tux3 -fy` again: output must equal expect.2, exit status 0 (or the one in
#      expect.2.rc, which only a case beyond repair has, with its reason in `unrepairable`);
#   4. `fsck.tux3 -fn` once more: exit as step 3 did, writing nothing.
# The filter drops the version line and names the image IMG. --update rewrites the
# expected files from this run instead of comparing (review the diff before committing).
# Exit 0 pass, 1 fail, 16 usage.
set -uo pipefail

usage() { echo "usage: run.sh FSCK CASE_DIR SCRATCH_DIR [--update]" >&2; exit 16; }
[[ $# -eq 3 || ( $# -eq 4 && $4 == --update ) ]] || usage
fsck=$1 case_dir=${2%/} scratch=$3 update=${4:-}
name=$(basename "$case_dir")
[[ -f $case_dir/image.zst ]] || { echo "run.sh: $case_dir: no image.zst" >&2; exit 16; }
[[ -x $fsck ]] || { echo "run.sh: $fsck: not an executable" >&2; exit 16; }
mkdir -p "$scratch"
img=$scratch/$name.img
failed=0
fail() { echo "FAIL $name: $*"; failed=1; }

# Runs fsck.tux3 with the given flags on the image; sets out (filtered) and rc.
run_fsck() {
  local raw
  raw=$("$fsck" "$@" "$img" 2>&1 </dev/null)
  rc=$?
  out=$(printf '%s\n' "$raw" | sed -e '/^fsck\.tux3 (tux3-tools) /d' -e "s|$img|IMG|g")
}

# Compares $out with the expected file $1 (or writes it with --update).
expect_output() {
  local file=$case_dir/$1 what=$2
  if [[ -n $update ]]; then
    printf '%s\n' "$out" > "$file"
  elif [[ ! -f $file ]]; then
    fail "$what: no $1 (make it with --update)"
  elif ! diff -u --label "$1 (expected)" --label "$what" "$file" <(printf '%s\n' "$out"); then
    fail "$what: output differs from $1"
  fi
}

# Compares $rc with the number in file $1, or with $2 when the file is absent.
expect_rc() {
  local file=$case_dir/$1 default=$2 what=$3 want
  if [[ -n $update && $1 == expect.1.rc ]]; then
    echo "$rc" > "$file"
  fi
  want=$default
  [[ -f $file ]] && want=$(<"$file")
  [[ $rc == "$want" ]] || fail "$what: exit $rc, expected $want"
}

zstd -q -dc "$case_dir/image.zst" > "$img" || { echo "run.sh: $name: cannot decompress" >&2; exit 1; }

# 1. Check only: nothing written.
before=$(sha256sum < "$img")
run_fsck -fn
n_rc=$rc
expect_output expect.0 "first -fn"
[[ $(sha256sum < "$img") == "$before" ]] || fail "-fn wrote to the image"

# 2. The repair.
run_fsck -fy
expect_output expect.1 "first -fy"
expect_rc expect.1.rc 1 "first -fy"
first_rc=$rc
if [[ $first_rc == 0 ]]; then want_n=0; else want_n=4; fi
[[ $n_rc == "$want_n" ]] || fail "-fn exited $n_rc, expected $want_n"

# 3. The second run finds nothing (or, beyond repair, what it found before).
run_fsck -fy
expect_output expect.2 "second -fy"
if [[ -f $case_dir/expect.2.rc && ! -f $case_dir/unrepairable ]]; then
  fail "expect.2.rc without an 'unrepairable' file saying why"
fi
expect_rc expect.2.rc 0 "second -fy"
second_rc=$rc

# 4. A check-only run agrees, and writes nothing.
before=$(sha256sum < "$img")
run_fsck -fn
[[ $(sha256sum < "$img") == "$before" ]] || fail "the last -fn wrote to the image"
if [[ $second_rc == 0 && $rc != 0 ]]; then fail "-fn after the repair exited $rc"; fi

rm -f "$img"
[[ $failed == 0 ]] && echo "PASS $name"
exit "$failed"
