# fsck_lib.sh: helpers shared by the fsck.tux3 tests (tests/cli/fsck_*.sh; this file is not
# a test). Each test starts with
#
#   source "$(dirname "${BASH_SOURCE[0]}")/fsck_lib.sh" "$@"
#
# where "$@" is FSCK MKFS WRITER REPLAY INSPECT [SCRATCH_DIR]. It loads replay_lib.sh (and so
# lib.sh: the checks, skip/finish, the scratch directory; new_image, crashed_image, tw,
# reads_back, verify_clean, sum, jq_py, expect_rc) and adds:
#   fk ARGS...            run fsck.tux3 with standard input from /dev/null (never a
#                         terminal); sets RC, OUT, ERR like mk
#   fk_error CODE SUBSTRING DESC
#                         the last fk exited CODE, printed nothing on stdout and one line
#                         on stderr, starting "fsck.tux3: " and containing SUBSTRING
#   base_image FILE       a reproducible volume closed cleanly, holding BASE_SCRIPT's tree
#   ino FILE KEY=VALUE... the inode number of the one record with those fields
#                         (fsck_image.py find: size=12345, mode=0120777, ...)
#   set_field FILE INUM FIELD VALUE   change an inode record (fsck_image.py set)
#   damage_preen FILE     two preen-safe problems: /d/a's link count (3, one name) and
#                         /d/sub/c's block count (7, one block mapped)
#   damage_person FILE    damage_preen plus one that needs a person: the symlink /d/sym's
#                         size no longer matches its target (its record does not decode)
#   unchanged FILE SUM DESC   FILE's SHA-256 is still SUM
#   pass_lines            the "Pass N: ..." lines of the last fk's stdout
#   fsck_pty TRANSCRIPT ANSWERS ARGS...
#                         run fsck.tux3 ARGS on a pseudo-terminal answering ANSWERS
#                         (fsck_pty.py); sets RC; the test SKIPs if no terminal can be made
FSCK=${1:?usage: $0 FSCK MKFS WRITER REPLAY INSPECT [SCRATCH_DIR]}
if [[ $FSCK != /* ]]; then FSCK=$PWD/$FSCK; fi
CLI_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FSCK_IMAGE_PY=$CLI_DIR/fsck_image.py
FSCK_PTY_PY=$CLI_DIR/fsck_pty.py
# shellcheck source=replay_lib.sh
source "$CLI_DIR/replay_lib.sh" "$4" "$2" "$3" "$5" "${6:-}"
[[ -x $FSCK ]] || { echo "FAIL: $FSCK is not an executable" >&2; exit 1; }
TOOL_NAME=fsck.tux3

fk() {
  LAST="fsck.tux3 $*"
  RC=0
  "$FSCK" "$@" >"$OUT" 2>"$ERR" </dev/null || RC=$?
}

fk_error() { expect_error "$@"; }

BASE_SCRIPT='mkdir /d
write /d/a 12345 pattern=random seed=1
write /d/b 8k
link /d/b /d/b2
symlink /d/a /d/sym
mkdir /d/sub
write /d/sub/c 3000
sync
write /d/sub/big 200k pattern=random seed=2
mknod /d/fifo p'

base_image() {
  rm -f "$1"
  SOURCE_DATE_EPOCH=$TEST_TIME "$MKFS" -q -b 4096 -U "$TEST_UUID" --root-owner 0:0 "$1" 16m ||
    { echo "FAIL: mkfs.tux3 $1 failed" >&2; exit 1; }
  "$WRITER" -q --time "$TEST_TIME" --deterministic "$1" - <<<"$BASE_SCRIPT" >/dev/null ||
    { echo "FAIL: writing the base tree on $1 failed" >&2; exit 1; }
}

ino() {
  local file=$1
  shift
  python3 "$FSCK_IMAGE_PY" find "$file" "$@" || { echo "FAIL: no inode $* in $file" >&2; exit 1; }
}

set_field() {
  python3 "$FSCK_IMAGE_PY" set "$@" || { echo "FAIL: fsck_image.py set $* failed" >&2; exit 1; }
}

damage_preen() {
  set_field "$1" "$(ino "$1" size=12345)" nlink 3
  set_field "$1" "$(ino "$1" size=3000)" blocks 7
}

damage_person() {
  damage_preen "$1"
  set_field "$1" "$(ino "$1" mode=0120777)" size 5
}

unchanged() {
  CHECKS=$((CHECKS + 1))
  if [[ $(sum "$1") != "$2" ]]; then fail "$3: $1 was written"; fi
}

pass_lines() { grep '^Pass [0-9]: ' "$OUT" || true; }

fsck_pty() {
  local transcript=$1 answers=$2
  shift 2
  LAST="fsck.tux3 $* (on a terminal, answering '$answers')"
  RC=0
  python3 "$FSCK_PTY_PY" "$transcript" "$answers" "$FSCK" "$@" >"$OUT" 2>"$ERR" || RC=$?
  if [[ $RC -eq 77 ]]; then skip "$(head -n1 "$OUT")"; fi
}
