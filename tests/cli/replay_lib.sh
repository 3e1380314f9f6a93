# replay_lib.sh: helpers shared by the tux3-replay tests (tests/cli/replay_*.sh; this file
# is not a test). Each test starts with
#
#   source "$(dirname "${BASH_SOURCE[0]}")/replay_lib.sh" "$@"
#
# where "$@" is REPLAY MKFS WRITER INSPECT [SCRATCH_DIR]. It loads lib.sh (the checks,
# skip/finish, scratch directory, mk) and adds:
#   rp ARGS...            run tux3-replay; sets RC, OUT, ERR like mk
#   rp_error CODE SUBSTRING DESC
#                         the last rp exited CODE, printed nothing on stdout and exactly one
#                         line on stderr, starting "tux3-replay: " and containing SUBSTRING
#   expect_rc CODE DESC   the last rp exited CODE (whatever it printed)
#   err_one_line SUBSTRING DESC
#                         stderr is exactly one "tux3-replay: " line containing SUBSTRING
#   new_image FILE SIZE   a reproducible empty volume (fixed UUID, time and root owner)
#   crashed_image FILE    a volume left by a crash (see CRASH_DELTAS below)
#   logged_image FILE     the same crash without the fsyncs after the last delta
#   tw IMAGE ARGS...      tux3-writer -q IMAGE ARGS... (script on stdin); sets RC/OUT/ERR
#   verify_clean FILE DESC   tux3-inspect FILE verify reports a clean volume
#   sum FILE              the SHA-256 of FILE
#   image_py ARGS...      tests/cli/replay_image.py, an independent reader of images
#   reads_back IMAGE CHECKS DESC  tux3-writer runs the check script CHECKS on a copy
#   json_of IMAGE         tux3-replay --print --json IMAGE
#   jq_py EXPR            evaluate a Python expression over d = the JSON on stdout of the
#                         last rp; prints the result

REPLAY=${1:?usage: $0 REPLAY MKFS WRITER INSPECT [SCRATCH_DIR]}
WRITER=${3:?usage: $0 REPLAY MKFS WRITER INSPECT [SCRATCH_DIR]}
INSPECT=${4:?usage: $0 REPLAY MKFS WRITER INSPECT [SCRATCH_DIR]}
for v in REPLAY WRITER INSPECT; do
  if [[ ${!v} != /* ]]; then printf -v "$v" '%s' "$PWD/${!v}"; fi
done
IMAGE_PY=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/replay_image.py
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$2" "${5:-}"
for v in REPLAY WRITER INSPECT; do
  [[ -x ${!v} ]] || { echo "FAIL: ${!v} is not an executable" >&2; exit 1; }
done

TEST_TIME=1700000000
TEST_UUID=6d1f0a52-8c3b-4e27-9f14-2b5a7c9e0d31
TOOL_NAME=tux3-replay

rp() {
  LAST="tux3-replay $*"
  RC=0
  "$REPLAY" "$@" >"$OUT" 2>"$ERR" || RC=$?
}

rp_error() { expect_error "$@"; }

expect_rc() {
  CHECKS=$((CHECKS + 1))
  if [[ $RC -ne $1 ]]; then
    fail "$2: expected exit $1, got $RC"
    _show
  fi
}

err_one_line() {
  local lines
  CHECKS=$((CHECKS + 1))
  lines=$(wc -l <"$ERR")
  if [[ $lines -ne 1 || $(head -n1 "$ERR") != "tux3-replay: "*"$1"* ]]; then
    fail "$2: expected one 'tux3-replay: ...$1...' line on stderr, got $lines lines"
    _show
  fi
}

new_image() {
  rm -f "$1"
  SOURCE_DATE_EPOCH=$TEST_TIME "$MKFS" -q -U "$TEST_UUID" --root-owner 0:0 "$1" "$2" ||
    { echo "FAIL: mkfs.tux3 $1 $2 failed" >&2; exit 1; }
}

tw() {
  local image=$1
  shift
  LAST="tux3-writer -q $image $*"
  RC=0
  "$WRITER" -q --time "$TEST_TIME" "$image" - "$@" >"$OUT" 2>"$ERR" || RC=$?
}

# The crash every test starts from: after a clean close (so the log's cycle begins with a
# unify), three deltas (new files, a rename, an overwrite, two files unlinked while open:
# orphans), then fsyncs in stream mode (CRASH_FSYNCS): the first, of a new file, commits a
# delta (which reserves the streams), the others go through the streams on top of it;
# then a crash. What each step leaves is checked by CRASH_CHECK after replay;
# NOFSYNC_CHECK is the state without the fsyncs.
CRASH_PREP='mkdir /d
write /d/keep 8k pattern=seq'
CRASH_DELTAS='write /d/a 64k pattern=random seed=1
write /orphan 16k
write /d/b 32k pattern=text
sync
rename /d/a /d/a2
write /d/keep 4k pattern=zero offset=4k
write /d/c 8k
sync
open /d/b
open /orphan
unlink /d/b
unlink /orphan
write /d/s 4k pattern=random seed=3
sync'
CRASH_FSYNCS='write /d/first 4k sync=fsync
append /d/a2 12k pattern=random seed=1 bs=4k sync=fsync
write /d/c 4k pattern=seq offset=8k sync=fsync
append /d/s 8k pattern=random seed=3 sync=fdatasync'
CRASH_END='write /lost 4k
crash'
CRASH_CHECK='check /d/a2 size=76k content=random:1 key=/d/a length=64k
check /d/a2 content=random:1 offset=64k
check /d/c size=12k content=seq
check /d/s size=12k content=random:3
check /d/keep size=8k content=seq length=4k
check /d/keep content=zero offset=4k
check /d/first size=4k content=seq
expect-error ENOENT check /d/b
expect-error ENOENT check /orphan
expect-error ENOENT check /lost'
# The files without the stream fsyncs: as of the delta /d/first's fsync committed.
NOFSYNC_CHECK='check /d/a2 size=64k content=random:1 key=/d/a
check /d/c size=8k content=seq
check /d/s size=4k content=random:3
expect-error ENOENT check /orphan'
# logged_image after replay: the last delta, no fsync.
LOGGED_CHECK='check /d/a2 size=64k content=random:1 key=/d/a
check /d/c size=8k content=seq
check /d/s size=4k content=random:3
expect-error ENOENT check /d/first
expect-error ENOENT check /d/b
expect-error ENOENT check /orphan
expect-error ENOENT check /lost'
# logged_image as of the delta before its last: nothing unlinked yet, no /d/s.
OLDER_CHECK='check /d/a2 size=64k content=random:1 key=/d/a
check /d/b size=32k content=text
check /orphan size=16k content=seq
check /d/c size=8k content=seq
check /d/keep size=8k content=seq length=4k
expect-error ENOENT check /d/s
expect-error ENOENT check /lost'

crashed_image() {
  new_image "$1" 16m
  "$WRITER" -q --time "$TEST_TIME" "$1" - <<<"$CRASH_PREP" >/dev/null ||
    { echo "FAIL: preparing $1 failed" >&2; exit 1; }
  "$WRITER" -q --time "$TEST_TIME" --deterministic --fsync-mode stream --fsync-streams 2 \
    "$1" - <<<"$CRASH_DELTAS
${2-$CRASH_FSYNCS}
$CRASH_END" || { echo "FAIL: the crash script on $1 failed" >&2; exit 1; }
}

# logged_image FILE: the same crash without the fsyncs: the committed delta is the last
# sync, so nothing after it reused what the delta before it used.
logged_image() { crashed_image "$1" ""; }

verify_clean() {
  local report
  CHECKS=$((CHECKS + 1))
  if ! report=$("$INSPECT" "$1" verify 2>&1); then
    fail "$2: $1 is not clean"
    sed -n '1,10s/^/  verify: /p' <<<"$report" >&2
  fi
}

sum() { sha256sum "$1" | cut -d' ' -f1; }

image_py() { python3 "$IMAGE_PY" "$@"; }

jq_py() { python3 -c 'import json,sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$OUT" "$1"; }

# reads_back IMAGE CHECK_SCRIPT DESC: tux3-writer runs CHECK_SCRIPT (check and expect-error
# commands) on a copy of IMAGE (its close would change IMAGE) and every check holds.
reads_back() {
  cp "$1" "$WORK/.readback.img"
  tw "$WORK/.readback.img" <<<"$2"
  CHECKS=$((CHECKS + 1))
  if [[ $RC -ne 0 ]]; then
    fail "$3: reading $1 back"
    _show
  fi
  rm -f "$WORK/.readback.img"
}

# json_of IMAGE: tux3-replay --print --json IMAGE on stdout (for image facts a test needs).
json_of() { "$REPLAY" --print --json "$1"; }
