# writer_lib.sh: helpers shared by the tux3-writer tests (tests/cli/writer_*.sh; this file
# is not a test). Each test starts with
#
#   source "$(dirname "${BASH_SOURCE[0]}")/writer_lib.sh" "$@"
#
# where "$@" is WRITER_BINARY MKFS_BINARY INSPECT_BINARY [SCRATCH_DIR]. It loads lib.sh (the
# checks, skip/finish, scratch directory, mk for mkfs.tux3) and adds:
#   tw ARGS...        run tux3-writer; sets RC, OUT, ERR like mk (stdin is passed through)
#   tw_ok DESC        the last tw exited 0 with an empty stderr
#   tw_error CODE SUBSTRING DESC
#                     the last tw exited CODE, printed nothing on stdout and exactly one
#                     line on stderr, starting "tux3-writer: " and containing SUBSTRING
#   new_image FILE SIZE   a reproducible empty volume (fixed UUID, time and root owner)
#   verify_clean FILE DESC   tux3-inspect FILE verify reports a clean volume
#   tree FILE         tux3-inspect FILE tree on stdout

WRITER=${1:?usage: $0 WRITER_BINARY MKFS_BINARY INSPECT_BINARY [SCRATCH_DIR]}
INSPECT=${3:?usage: $0 WRITER_BINARY MKFS_BINARY INSPECT_BINARY [SCRATCH_DIR]}
if [[ $WRITER != /* ]]; then WRITER=$PWD/$WRITER; fi
if [[ $INSPECT != /* ]]; then INSPECT=$PWD/$INSPECT; fi
SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")/scripts" && pwd)
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$2" "${4:-}"
[[ -x $WRITER ]] || { echo "FAIL: $WRITER is not an executable" >&2; exit 1; }
[[ -x $INSPECT ]] || { echo "FAIL: $INSPECT is not an executable" >&2; exit 1; }

# Timestamps and UUID of every image the tests make, so images and listings are repeatable.
TEST_TIME=1700000000
TEST_UUID=6d1f0a52-8c3b-4e27-9f14-2b5a7c9e0d31

tw() {
  LAST="tux3-writer $*"
  RC=0
  "$WRITER" "$@" >"$OUT" 2>"$ERR" || RC=$?
}

# The writer's success and error checks are lib.sh's, for tux3-writer's messages.
TOOL_NAME=tux3-writer
tw_ok() { expect_ok "$@"; }
tw_error() { expect_error "$@"; }

new_image() {
  rm -f "$1"
  SOURCE_DATE_EPOCH=$TEST_TIME "$MKFS" -q -U "$TEST_UUID" --root-owner 0:0 "$1" "$2" ||
    { echo "FAIL: mkfs.tux3 $1 $2 failed" >&2; exit 1; }
}

verify_clean() {
  local report
  CHECKS=$((CHECKS + 1))
  if ! report=$("$INSPECT" "$1" verify 2>&1); then
    fail "$2: $1 is not clean"
    sed -n '1,10s/^/  verify: /p' <<<"$report" >&2
  fi
}

tree() { "$INSPECT" "$1" tree; }
