# lib.sh: helpers shared by the mkfs.tux3 tool tests. Each test starts with
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
#
# where "$@" is MKFS_BINARY [SCRATCH_DIR]. The test then runs in a fresh directory (under
# SCRATCH_DIR when given, else under $TMPDIR), which is removed on exit together with
# anything registered with on_exit (unmounts, loop devices).
#
# Checks do not stop the test: each failed check prints "FAIL: ..." and the test goes on, so
# one bug does not hide the others. `finish` exits 1 if any check failed, else 0. A test that
# cannot run here calls `skip REASON` (prints "SKIP: REASON", exits 77).

set -euo pipefail

MKFS=${1:?usage: $0 MKFS_BINARY [SCRATCH_DIR]}
if [[ $MKFS != /* ]]; then MKFS=$PWD/$MKFS; fi
[[ -x $MKFS ]] || { echo "FAIL: $MKFS is not an executable" >&2; exit 1; }

_SCRATCH_PARENT=""
if [[ $# -ge 2 && -n $2 ]]; then
  mkdir -p "$2"
  _SCRATCH_PARENT=$2
  WORK=$(mktemp -d "$2/run.XXXXXX")
else
  WORK=$(mktemp -d)
fi
cd "$WORK"

FAILURES=0
CHECKS=0
_EXIT_HOOKS=()

# on_exit COMMAND...: run COMMAND (as one eval'd string) when the test exits, newest first.
on_exit() { _EXIT_HOOKS+=("$*"); }

_cleanup() {
  local rc=$? i
  for ((i = ${#_EXIT_HOOKS[@]} - 1; i >= 0; i--)); do
    eval "${_EXIT_HOOKS[i]}" >/dev/null 2>&1 || true
  done
  cd /
  rm -rf "$WORK"
  if [[ -n $_SCRATCH_PARENT ]]; then rmdir "$_SCRATCH_PARENT" 2>/dev/null || true; fi
  exit "$rc"
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  echo "FAIL: $*" >&2
  FAILURES=$((FAILURES + 1))
}

pass() { CHECKS=$((CHECKS + 1)); }

# check DESCRIPTION COMMAND...: COMMAND must succeed.
check() {
  local what=$1
  shift
  CHECKS=$((CHECKS + 1))
  if ! "$@"; then fail "$what"; fi
}

skip() {
  echo "SKIP: $*"
  exit 77
}

note() { echo "note: $*"; }

finish() {
  if ((FAILURES)); then
    echo "$FAILURES of $CHECKS checks failed" >&2
    exit 1
  fi
  echo "PASS: $CHECKS checks"
  exit 0
}

# mk ARGS...: run mkfs.tux3; sets RC, and OUT/ERR to files holding stdout/stderr. Never
# fails itself. Environment assignments in front of it (VAR=x mk ...) reach the tool.
OUT=$WORK/.stdout
ERR=$WORK/.stderr
RC=0
LAST=""
mk() {
  LAST="mkfs.tux3 $*"
  RC=0
  "$MKFS" "$@" >"$OUT" 2>"$ERR" || RC=$?
}

_show() {
  echo "  command: $LAST" >&2
  echo "  exit: $RC" >&2
  sed -n '1,20s/^/  stdout: /p' "$OUT" >&2
  sed -n '1,5s/^/  stderr: /p' "$ERR" >&2
}

# expect_ok DESCRIPTION: the last mk exited 0 and printed nothing on stderr.
expect_ok() {
  CHECKS=$((CHECKS + 1))
  if [[ $RC -ne 0 || -s $ERR ]]; then
    fail "$1: expected success with an empty stderr"
    _show
  fi
}

# expect_error CODE SUBSTRING DESCRIPTION: the last command exited CODE, printed nothing on
# stdout and exactly one line on stderr, starting "$TOOL_NAME: " (default mkfs.tux3) and
# containing SUBSTRING.
expect_error() {
  local code=$1 want=$2 what=$3 lines first
  CHECKS=$((CHECKS + 1))
  lines=$(wc -l <"$ERR")
  first=$(head -n1 "$ERR")
  if [[ $RC -ne $code ]]; then
    fail "$what: expected exit $code, got $RC"
    _show
  elif [[ -s $OUT ]]; then
    fail "$what: expected nothing on stdout"
    _show
  elif [[ $lines -ne 1 || $(tail -c1 "$ERR" | od -An -c | tr -d ' ') != '\n' ]]; then
    fail "$what: expected exactly one line on stderr, got $lines"
    _show
  elif [[ $first != "${TOOL_NAME:-mkfs.tux3}: "* ]]; then
    fail "$what: stderr does not start with '${TOOL_NAME:-mkfs.tux3}: '"
    _show
  elif [[ $first != *"$want"* ]]; then
    fail "$what: stderr does not mention '$want'"
    _show
  fi
}

# out_has SUBSTRING DESCRIPTION: the last mk's stdout contains SUBSTRING.
out_has() {
  CHECKS=$((CHECKS + 1))
  if ! grep -qF -- "$1" "$OUT"; then
    fail "$2: stdout lacks '$1'"
    _show
  fi
}

# out_lacks SUBSTRING DESCRIPTION
out_lacks() {
  CHECKS=$((CHECKS + 1))
  if grep -qF -- "$1" "$OUT"; then
    fail "$2: stdout has '$1'"
    _show
  fi
}

# out_value PREFIX: the rest of the first stdout line starting with PREFIX.
out_value() { sed -n "/^$1/{s/^$1//p;q}" "$OUT"; }

# volume_blocks: the block count in the last mk's "volume: N blocks of B bytes" line.
volume_blocks() { sed -n '/^volume: /{s/^volume: \([0-9]*\) blocks of .*/\1/p;q}' "$OUT"; }

# expect_volume BLOCKS BLOCK_SIZE DESCRIPTION
expect_volume() {
  CHECKS=$((CHECKS + 1))
  if ! grep -q "^volume: $1 blocks of $2 bytes " "$OUT"; then
    fail "$3: expected 'volume: $1 blocks of $2 bytes'"
    _show
  fi
}

# hex FILE OFFSET LENGTH: the bytes as lower-case hex, no spaces.
hex() { od -An -v -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n'; }

# ascii FILE OFFSET LENGTH: the bytes with NULs removed.
ascii() { dd if="$1" bs=4096 skip="$2" count="$3" iflag=skip_bytes,count_bytes status=none | tr -d '\0'; }

TUX3_MAGIC_HEX=74757833  # "tux3"

# has_superblocks FILE: the superblock magic is in both slots (bytes 4096 and 8192).
has_superblocks() {
  [[ $(hex "$1" 4096 4) == "$TUX3_MAGIC_HEX" && $(hex "$1" 8192 4) == "$TUX3_MAGIC_HEX" ]]
}

# expect_tux3 FILE DESCRIPTION
expect_tux3() {
  CHECKS=$((CHECKS + 1))
  if ! has_superblocks "$1"; then
    fail "$2: no tux3 superblock magic at bytes 4096 and 8192 of $1 (got $(hex "$1" 4096 4)," \
      "$(hex "$1" 8192 4))"
  fi
}

# not COMMAND...: succeeds when COMMAND fails (for check).
not() { ! "$@"; }

file_size() { stat -c %s "$1"; }
allocated_bytes() { du -B1 "$1" | cut -f1; }
