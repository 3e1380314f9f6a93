# image_lib.sh: helpers shared by the tux3-image tests (tests/cli/image_*.sh; this file is
# not a test). Each test starts with
#
#   source "$(dirname "${BASH_SOURCE[0]}")/image_lib.sh" "$@"
#
# where "$@" is IMAGE_TOOL MKFS WRITER REPLAY FSCK INSPECT [SCRATCH_DIR]. It loads
# replay_lib.sh (and so lib.sh: the checks, skip/finish, the scratch directory; new_image,
# crashed_image, logged_image) and adds:
#   ti ARGS...             run tux3-image; sets RC, OUT, ERR (as mk does)
#   populated_image FILE [LABEL]
#                          mkfs.tux3 --root-dir of a small host tree: nested directories,
#                          a directory of 1500 entries (its index has bnodes), data,
#                          short and long symlinks, hard links, a FIFO, user.* xattrs
#   results IMAGE DIR [data]
#                          what the tools say of IMAGE, one file each in DIR: fsck.tux3
#                          -fn, tux3-replay -n -v / -p / -n --until-delta for every older
#                          delta of the log, tux3-inspect verify and tree (file contents
#                          left out unless "data"); each run in IMAGE's directory on its
#                          base name, with its exit status, so that two images of one name
#                          in two directories compare equal
#   expect_same_results A B DESC [data]
#                          results of A and B are identical (diffs shown when not)
#   dump_restore IMAGE DIR [DUMP OPTIONS...]
#                          dump IMAGE to DIR/dump.t3i and restore it to DIR/<IMAGE's name>
IMAGE_TOOL=${1:?usage: $0 IMAGE_TOOL MKFS WRITER REPLAY FSCK INSPECT [SCRATCH_DIR]}
FSCK=${5:?usage: $0 IMAGE_TOOL MKFS WRITER REPLAY FSCK INSPECT [SCRATCH_DIR]}
for v in IMAGE_TOOL FSCK; do
  if [[ ${!v} != /* ]]; then printf -v "$v" '%s' "$PWD/${!v}"; fi
done
set -- "$4" "$2" "$3" "$6" "${7:-}"
# shellcheck source=replay_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/replay_lib.sh" "$@"
for v in IMAGE_TOOL FSCK; do
  [[ -x ${!v} ]] || { echo "FAIL: ${!v} is not an executable" >&2; exit 1; }
done
TOOL_NAME=tux3-image

ti() {
  LAST="tux3-image $*"
  RC=0
  "$IMAGE_TOOL" "$@" >"$OUT" 2>"$ERR" || RC=$?
}

populated_image() {
  local tree=$WORK/.tree
  rm -rf "$tree"
  python3 - "$tree" <<'EOF'
import os, sys
root = sys.argv[1]
def p(*parts): return os.path.join(root, *parts)
os.makedirs(p("projects/alpha/beta"))
os.makedirs(p("many"))
os.makedirs(p("empty"))
for i in range(1500):
    with open(p("many", "entry-%05d-of-the-big-directory" % i), "wb") as f:
        if i % 50 == 0: f.write(b"x" * (i * 7 % 9000))
with open(p("projects/alpha/report.txt"), "wb") as f: f.write(b"quarterly numbers\n" * 500)
with open(p("projects/alpha/beta/data.bin"), "wb") as f: f.write(os.urandom(70000))
os.link(p("projects/alpha/report.txt"), p("projects/report-link"))
os.symlink("alpha/report.txt", p("projects/short-link"))
os.symlink("projects/" + "long-component/" * 60 + "end", p("long-link"))
os.mkfifo(p("projects/fifo"))
os.setxattr(p("projects/alpha/report.txt"), "user.comment", b"written by Alice")
os.setxattr(p("projects"), "user.owner", b"team blue")
for path, _, files in os.walk(root):
    for n in files + [""]:
        os.utime(os.path.join(path, n), (1700000000, 1700000000), follow_symlinks=False)
EOF
  rm -f "$1"
  SOURCE_DATE_EPOCH=$TEST_TIME "$MKFS" -q -U "$TEST_UUID" -L "${2:-}" --root-dir "$tree" "$1" 32m ||
    { echo "FAIL: mkfs.tux3 --root-dir $1 failed" >&2; exit 1; }
  rm -rf "$tree"
}

# The deltas of IMAGE's log chain but the committed one (tux3-replay --print: a
# "delta N ..." line each, the committed last).
_older_deltas() { "$REPLAY" --print "$1" | sed -n 's/^delta \([0-9]*\).*/\1/p' | sed '$d'; }

results() {
  local image=$1 dir=$2 data=${3:-} name k
  name=$(basename "$image")
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  (
    cd "$(dirname "$image")"
    run() {
      local out=$1
      shift
      local rc=0
      "$@" >"$dir/$out" 2>&1 || rc=$?
      echo "exit $rc" >>"$dir/$out"
    }
    run fsck "$FSCK" -fn "$name"
    run replay-n "$REPLAY" -n -v "$name"
    run replay-p "$REPLAY" -p "$name"
    for k in $(_older_deltas "$name"); do
      run "replay-until-$k" "$REPLAY" -n -v --until-delta "$k" "$name"
    done
    run verify "$INSPECT" "$name" verify
    run tree "$INSPECT" "$name" tree
    if [[ $data != data ]]; then
      # A metadata dump holds no file data: the content column of files goes.
      awk '$2 == "file" { $8 = "-" } { print }' "$dir/tree" >"$dir/tree.tmp"
      mv "$dir/tree.tmp" "$dir/tree"
    fi
  )
}

expect_same_results() {
  local a=$1 b=$2 what=$3 data=${4:-} f
  rm -rf "$WORK/.results-a" "$WORK/.results-b"
  results "$a" "$WORK/.results-a" "$data"
  results "$b" "$WORK/.results-b" "$data"
  for f in "$WORK"/.results-a/*; do
    CHECKS=$((CHECKS + 1))
    if ! cmp -s "$f" "$WORK/.results-b/$(basename "$f")"; then
      fail "$what: $(basename "$f") differs between $a and $b"
      diff "$f" "$WORK/.results-b/$(basename "$f")" | sed -n '1,12s/^/  /p' >&2
    fi
  done
  CHECKS=$((CHECKS + 1))
  if [[ $(ls "$WORK/.results-a") != $(ls "$WORK/.results-b") ]]; then
    fail "$what: different deltas in the logs of $a and $b"
  fi
}

dump_restore() {
  local image=$1 dir=$2
  shift 2
  mkdir -p "$dir"
  ti dump -q "$@" "$image" "$dir/dump.t3i"
  if [[ $RC -ne 0 ]]; then
    fail "dump of $image failed"
    _show
    return
  fi
  ti restore -q "$dir/dump.t3i" "$dir/$(basename "$image")"
  if [[ $RC -ne 0 ]]; then
    fail "restore of $dir/dump.t3i failed"
    _show
  fi
}
