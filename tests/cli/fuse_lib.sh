# fuse_lib.sh: helpers shared by the tux3-fuse tests (tests/cli/fuse_*.sh; this file is not
# a test). Each test starts with
#
#   source "$(dirname "${BASH_SOURCE[0]}")/fuse_lib.sh" "$@"
#
# where "$@" is FUSE MKFS FSCK REPLAY [SCRATCH_DIR]. It loads lib.sh (checks, skip/finish,
# scratch directory, mk) and adds:
#   need_fuse             SKIP (77) unless root, /dev/fuse and a FUSE mount work here
#   tf ARGS...            run tux3-fuse; sets RC, OUT, ERR like mk
#   new_image FILE SIZE   an empty volume (fixed UUID and time)
#   mount_image IMG DIR [-o OPTS]
#                         mount IMG on DIR (tux3-fuse detaches once the mount is live);
#                         fails the test if it does not; unmounted when the test exits
#   unmount DIR           umount DIR, then wait until the serving process has closed the
#                         volume (umount returns before it has: tux3-fuse(8))
#   server_pid DIR        the pid of the tux3-fuse serving DIR
#   server.log            (in the test's directory) what the serving processes printed
#   fsck_clean IMG DESC   fsck.tux3 -fn IMG exits 0
#   py CODE ARGS...       python3 -c CODE ARGS... (sets RC/OUT/ERR)

FUSE=${1:?usage: $0 FUSE MKFS FSCK REPLAY [SCRATCH_DIR]}
FSCK=${3:?usage: $0 FUSE MKFS FSCK REPLAY [SCRATCH_DIR]}
REPLAY=${4:?usage: $0 FUSE MKFS FSCK REPLAY [SCRATCH_DIR]}
for v in FUSE FSCK REPLAY; do
  if [[ ${!v} != /* ]]; then printf -v "$v" '%s' "$PWD/${!v}"; fi
done
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$2" "${5:-}"
for v in FUSE FSCK REPLAY; do
  [[ -x ${!v} ]] || { echo "FAIL: ${!v} is not an executable" >&2; exit 1; }
done
TOOL_NAME=tux3-fuse
TEST_TIME=1700000000

need_fuse() {
  [[ $(id -u) -eq 0 ]] || skip "needs root (a FUSE mount with default_permissions and allow_other)"
  [[ -c /dev/fuse ]] || skip "no /dev/fuse"
  command -v umount >/dev/null || skip "no umount"
  # A trial mount: a container may have /dev/fuse and still refuse mounts.
  new_image trial.img 16M
  mkdir -p trial.mnt
  if ! "$FUSE" "$PWD/trial.img" "$PWD/trial.mnt" 2>trial.err; then
    skip "a FUSE mount fails here: $(head -n1 trial.err)"
  fi
  unmount trial.mnt
  rm -f trial.img trial.err
  rmdir trial.mnt
}

tf() {
  LAST="tux3-fuse $*"
  RC=0
  "$FUSE" "$@" >"$OUT" 2>"$ERR" || RC=$?
}

new_image() {
  SOURCE_DATE_EPOCH=$TEST_TIME "$MKFS" -q -f -U 01234567-89ab-cdef-0123-456789abcdef "$1" "$2"
}

server_pid() {
  local dir
  dir=$(realpath "$1")
  pgrep -f -x "$FUSE .* $dir" | head -n1 || true
}

mount_image() {
  local img dir
  mkdir -p "$2"
  img=$(realpath "$1")
  dir=$(realpath "$2")
  shift 2
  # The serving process keeps this stderr: a log of its own, kept apart from the checks'.
  LAST="tux3-fuse $* $img $dir"
  RC=0
  "$FUSE" "$@" "$img" "$dir" >"$OUT" 2>>"$WORK/server.log" || RC=$?
  if [[ $RC -ne 0 ]]; then
    fail "mounting $img on $dir $*: exit $RC"
    tail -n 5 "$WORK/server.log" | sed 's/^/  server: /' >&2
    return 1
  fi
  if ! mountpoint -q "$dir"; then
    fail "tux3-fuse exited 0 but $dir is not a mount point"
    return 1
  fi
  on_exit "umount -l '$dir'"
}

running() { [[ -e /proc/$1 ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

unmount() {
  local dir=$1 pid i
  pid=$(server_pid "$dir")
  umount "$dir" || { fail "umount $dir"; return 1; }
  # The volume is closed (a final commit and unify) after umount returns. A server that
  # has exited counts as gone while a zombie: it detached, so init reaps it, in its time.
  for ((i = 0; i < 300; i++)); do
    if [[ -z $pid ]] || ! running "$pid"; then return 0; fi
    sleep 0.05
  done
  fail "tux3-fuse (pid $pid) still running 30 s after umount $dir"
  return 1
}

fsck_clean() {
  local rc=0
  "$FSCK" -fn "$1" >"$WORK/.fsck" 2>&1 || rc=$?
  CHECKS=$((CHECKS + 1))
  if [[ $rc -ne 0 ]]; then
    fail "$2: fsck.tux3 -fn exited $rc"
    sed 's/^/  fsck: /' "$WORK/.fsck" | head -20 >&2
  fi
}

py() {
  local code=$1
  shift
  LAST="python3 -c ... $*"
  RC=0
  python3 -c "$code" "$@" >"$OUT" 2>"$ERR" || RC=$?
}
