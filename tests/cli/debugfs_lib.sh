# debugfs_lib.sh: helpers shared by the tux3-debugfs tests (tests/cli/debugfs_*.sh; this file
# is not a test). Each test starts with
#
#   source "$(dirname "${BASH_SOURCE[0]}")/debugfs_lib.sh" "$@"
#
# where "$@" is DEBUGFS MKFS WRITER FSCK SCRATCH_DIR [IMAGE_TOOL]. It loads lib.sh (the
# checks, skip/finish, the scratch directory, OUT/ERR/RC) and adds:
#   df ARGS...           run tux3-debugfs; sets RC, OUT, ERR (stdin from /dev/null)
#   df_in INPUT ARGS...  the same with INPUT on standard input
#   expect_rc CODE DESC  the last df exited CODE
#   err_has TEXT DESC    the last df's stderr contains TEXT
#   golden_image FILE    the tree of debugfs_golden/tree.tw on a fresh 2 MiB volume (1 KiB
#                        blocks, fixed UUID and clock), closed cleanly
#   fsck_clean FILE DESC fsck.tux3 -fn finds nothing
#   PY                   the Python interpreter (for tests/images/tux3img.py and JSON)
DEBUGFS=${1:?usage: $0 DEBUGFS MKFS WRITER FSCK SCRATCH_DIR [IMAGE_TOOL]}
WRITER=${3:?usage: $0 DEBUGFS MKFS WRITER FSCK SCRATCH_DIR [IMAGE_TOOL]}
FSCK=${4:?usage: $0 DEBUGFS MKFS WRITER FSCK SCRATCH_DIR [IMAGE_TOOL]}
IMAGE_TOOL=${6:-}
for v in DEBUGFS WRITER FSCK IMAGE_TOOL; do
  if [[ -n ${!v} && ${!v} != /* ]]; then printf -v "$v" '%s' "$PWD/${!v}"; fi
done
DEBUGFS_GOLDEN=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/debugfs_golden
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$2" "${5:-}"
for v in DEBUGFS WRITER FSCK; do
  [[ -x ${!v} ]] || { echo "FAIL: ${!v} is not an executable" >&2; exit 1; }
done
TOOL_NAME=tux3-debugfs
# The interpreter itself (CMake passes it): a wrapper such as a pyenv shim costs a second a call.
PY=${TUX3_PYTHON:-$(python3 -c 'import sys; print(sys.executable)')}
export TUX3_DEBUGFS_HISTORY="" TZ=UTC

df() {
  LAST="tux3-debugfs $*"
  RC=0
  "$DEBUGFS" "$@" >"$OUT" 2>"$ERR" </dev/null || RC=$?
}

df_in() {
  local input=$1
  shift
  LAST="tux3-debugfs $* <<< $input"
  RC=0
  "$DEBUGFS" "$@" >"$OUT" 2>"$ERR" <<<"$input" || RC=$?
}

expect_rc() {
  CHECKS=$((CHECKS + 1))
  if [[ $RC -ne $1 ]]; then
    fail "$2: expected exit $1, got $RC"
    _show
  fi
}

err_has() {
  CHECKS=$((CHECKS + 1))
  if ! grep -qF -- "$1" "$ERR"; then
    fail "$2: stderr lacks '$1'"
    _show
  fi
}

golden_image() {
  rm -f "$1"
  SOURCE_DATE_EPOCH=1700000000 "$MKFS" -q -b 1024 -U 7e57da7a-0000-4000-8000-00000000d0c5 \
    --root-owner 0:0 "$1" 2m || { echo "FAIL: mkfs.tux3 $1 failed" >&2; exit 1; }
  "$WRITER" -q --deterministic --time 1700000000 "$1" "$DEBUGFS_GOLDEN/tree.tw" ||
    { echo "FAIL: tux3-writer on $1 failed" >&2; exit 1; }
}

fsck_clean() {
  CHECKS=$((CHECKS + 1))
  local report
  if ! report=$("$FSCK" -fn "$1" 2>&1); then
    fail "$2: fsck.tux3 -fn $1 found problems"
    sed -n '1,15s/^/  fsck: /p' <<<"$report" >&2
  fi
}
