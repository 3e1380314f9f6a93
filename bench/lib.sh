# shellcheck shell=bash disable=SC2034,SC2154  # sets and reads the sourcing script's variables
# bench/lib.sh: helpers the bench/ scripts share. Sourced, not run:
#
#   source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
#
# right after the script's `set -euo pipefail`. Messages carry the sourcing script's
# name (bench/NAME.sh), so they read as they would from the script itself.
#
# Always: script_dir (bench/), repo_root, results_file, PATH with /usr/sbin:/sbin;
#   die MSG, note MSG (stderr, prefixed), usage (the script's header comment).
# Building: bench_build_all_if_missing, bench_build_targets, bench_stale.
# The populate-style benchmarks (a gentree.py tree copied into images by mkfs.tux3
# --root-dir, mke2fs -d and mkfs.btrfs --rootdir):
#   bench_tree_option, bench_tree_validate, bench_command_line: their shared options;
#   bench_tree: the tree, made once and reused; bench_default_size;
#   bench_workdir: a temp dir for sparse images, removed at exit;
#   bench_image_tools, bench_image_argv, bench_image_shown: the image-making commands;
#   stat3, ratio: medians and ratios; bench_record_header: a RESULTS.md section's head.

bench_script="bench/$(basename -- "${BASH_SOURCE[1]}")"
bench_script_path=${BASH_SOURCE[1]}
script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd -- "$script_dir/.." && pwd)
results_file="$script_dir/RESULTS.md"
export PATH="$PATH:/usr/sbin:/sbin"

die() { echo "$bench_script: $*" >&2; exit 1; }
note() { echo "$bench_script: $*" >&2; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$bench_script_path"; }

# --- building -------------------------------------------------------------------

# bench_build_all_if_missing REL...: when any $build_dir/REL is not there, build every
# target with scripts/build.sh Release and use build-release from then on.
bench_build_all_if_missing() {
  local rel
  for rel in "$@"; do
    if [[ ! -x "$build_dir/$rel" ]]; then
      "$repo_root/scripts/build.sh" Release >/dev/null
      build_dir="$repo_root/build-release"
      return 0
    fi
  done
}

# bench_build_targets REL...: for each $build_dir/REL missing, configure $build_dir as a
# Release build and build the target named after REL's last component; die if it does
# not appear.
bench_build_targets() {
  local rel targets=()
  for rel in "$@"; do
    if [[ ! -x "$build_dir/$rel" ]]; then
      note "no $build_dir/$rel: configuring and building Release"
      targets+=("$(basename -- "$rel")")
    fi
  done
  ((${#targets[@]} > 0)) || return 0
  cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
  ninja -C "$build_dir" -j2 "${targets[@]}" >&2
  for rel in "$@"; do
    [[ -x "$build_dir/$rel" ]] || die "build did not produce $build_dir/$rel"
  done
}

# bench_stale BIN PATH...: prints the first file under the PATHs (relative to the repo)
# that is newer than BIN, or nothing.
bench_stale() {
  local bin=$1 paths=() p stale
  shift
  for p in "$@"; do paths+=("$repo_root/$p"); done
  stale=$(find "${paths[@]}" -type f -newer "$bin" -print -quit 2>/dev/null) || true
  echo "${stale#"$repo_root/"}"
}

# --- options --------------------------------------------------------------------

# The options populate.sh and fsck.sh share. Defaults (a script may change them after
# sourcing):
files=200000
seed=1
runs=3
size=""
build_dir="$repo_root/build-release"
record=0
recorded_args=()
need() { (($1 >= 2)) || die "$2 needs a value"; }

# bench_tree_option "$@": takes --files, --seed, --runs, --size, --build-dir and
# --record (also as --opt=value) from the front of the arguments; sets bench_shift to
# the count taken, 0 when the first is none of them.
bench_tree_option() {
  bench_shift=0
  case "$1" in
    --files) need $# "$1"; files=$2; recorded_args+=("$1" "$2"); bench_shift=2 ;;
    --files=*) files=${1#*=}; recorded_args+=("$1"); bench_shift=1 ;;
    --seed) need $# "$1"; seed=$2; recorded_args+=("$1" "$2"); bench_shift=2 ;;
    --seed=*) seed=${1#*=}; recorded_args+=("$1"); bench_shift=1 ;;
    --runs) need $# "$1"; runs=$2; recorded_args+=("$1" "$2"); bench_shift=2 ;;
    --runs=*) runs=${1#*=}; recorded_args+=("$1"); bench_shift=1 ;;
    --size) need $# "$1"; size=$2; recorded_args+=("$1" "$2"); bench_shift=2 ;;
    --size=*) size=${1#*=}; recorded_args+=("$1"); bench_shift=1 ;;
    --build-dir)
      need $# "$1"; build_dir=$2; bench_shift=2
      recorded_args+=(--build-dir "$(realpath -m --relative-base="$repo_root" -- "$build_dir")") ;;
    --build-dir=*)
      build_dir=${1#*=}; bench_shift=1
      recorded_args+=("--build-dir=$(realpath -m --relative-base="$repo_root" -- "$build_dir")") ;;
    --record) record=1; recorded_args+=("$1"); bench_shift=1 ;;
  esac
}

# bench_tree_validate MIN_RUNS: checks the shared options; makes build_dir absolute.
bench_tree_validate() {
  [[ "$files" =~ ^[1-9][0-9]*$ ]] || die "--files wants a positive integer, got '$files'"
  [[ "$seed" =~ ^[0-9]+$ ]] || die "--seed wants a non-negative integer, got '$seed'"
  [[ "$runs" =~ ^[1-9][0-9]*$ && "$runs" -ge $1 ]] || die "--runs wants an integer >= $1, got '$runs'"
  build_dir=$(realpath -m -- "$build_dir")
}

# bench_command_line: the command as recorded (from the repo root, build dir relative).
bench_command_line() {
  local line="$bench_script${recorded_args[*]:+ $(printf '%q ' "${recorded_args[@]}")}"
  echo "${line% }"
}

# --- the tree and the images ------------------------------------------------------

# bench_tree: makes (or reuses) the gentree.py tree for $seed and $files. Sets tmp_parent
# ($TMPDIR when set, else the build dir), tmp_where (its description), tree, tree_line
# (gentree.py's summary) and tree_bytes.
bench_tree() {
  if [[ -n "${TMPDIR:-}" ]]; then
    tmp_parent=$TMPDIR; tmp_where="\$TMPDIR"
  else
    tmp_parent=$build_dir; tmp_where='the build dir'
  fi
  local trees="$tmp_parent/tux3-bench-trees"
  tree="$trees/tree-seed$seed-files$files"
  mkdir -p -- "$trees"
  if [[ ! -f "$tree.done" ]] || ! sed -n 1p "$tree.done" | grep -q "^seed=$seed files=$files "; then
    rm -rf -- "$tree" "$tree.done"
    note "generating the tree ($files files, seed $seed) in $tree"
    python3 "$script_dir/gentree.py" --seed "$seed" --files "$files" "$tree" ||
      die "bench/gentree.py failed"
  else
    note "reusing the tree in $tree"
  fi
  tree_line=$(sed -n 2p "$tree.done")
  tree_bytes=$(sed -n 1p "$tree.done" | sed 's/.* bytes=\([0-9]*\).*/\1/')
}

# bench_default_size: when --size was not given, 4G, or twice the tree's data when that
# is more.
bench_default_size() {
  [[ -z "$size" ]] || return 0
  local size_bytes=$((4 << 30)) want=$((tree_bytes * 2))
  if ((want > size_bytes)); then size_bytes=$(((want + (1 << 30) - 1) >> 30 << 30)); fi
  size="$((size_bytes >> 30))G"
}

# bench_workdir PREFIX: a temp dir under $tmp_parent, removed at exit; sets work and
# host_fs, and dies unless a $size file there stays sparse.
bench_workdir() {
  work=$(mktemp -d -- "$tmp_parent/$1.XXXXXX")
  trap 'rm -rf -- "$work"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  host_fs=$(df -T -- "$work" | awk 'NR == 2 { print $2 }')
  truncate -s "$size" -- "$work/probe" || die "cannot create a $size file in $tmp_parent"
  [[ $(stat -c %b -- "$work/probe") -eq 0 ]] || die "$tmp_parent does not keep files sparse"
  rm -f -- "$work/probe"
}

# The image-making commands: a fixed UUID and times, so that identical input can make
# identical images. Run bench_image_argv's argv with SOURCE_DATE_EPOCH=$bench_epoch and
# E2FSPROGS_FAKE_TIME=$bench_epoch (mke2fs 1.47.0 reads only the latter); mkfs.btrfs
# wants IMG made first (truncate -s $size).
bench_uuid=5a1c3e7f-2b4d-4a6c-8e0f-1a2b3c4d5e6f
bench_epoch=1700000000
bench_image_tools=(mkfs.tux3 mke2fs mkfs.btrfs)
# bench_image_argv TOOL IMG: sets argv (mkfs.tux3 is $mkfs_tux3).
bench_image_argv() {
  case "$1" in
    mkfs.tux3) argv=("$mkfs_tux3" -q -f -U "$bench_uuid" --root-dir "$tree" "$2" "$size") ;;
    mke2fs) argv=(mke2fs -q -F -t ext4 -U "$bench_uuid" -E "hash_seed=$bench_uuid" -d "$tree" "$2" "$size") ;;
    mkfs.btrfs) argv=(mkfs.btrfs -q -f -U "$bench_uuid" --rootdir "$tree" "$2") ;;
  esac
}
# bench_image_shown TOOL: the command as a table or a record shows it.
bench_image_shown() {
  case "$1" in
    mkfs.tux3) echo "mkfs.tux3 -q -f -U UUID --root-dir TREE IMG $size" ;;
    mke2fs) echo "mke2fs -q -F -t ext4 -U UUID -E hash_seed=UUID -d TREE IMG $size" ;;
    mkfs.btrfs) echo "mkfs.btrfs -q -f -U UUID --rootdir TREE IMG (IMG made with truncate -s $size)" ;;
  esac
}

# --- reporting ------------------------------------------------------------------

stat3() {  # median min max of the numbers given
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%s %s %s\n", m, v[1], v[NR] }'
}
# bench_wait_gone PATTERN: until no process's whole command line matches PATTERN (a FUSE
# server closes its file system after umount returns).
bench_wait_gone() { while pgrep -f -x "$1" >/dev/null; do sleep 0.1; done; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# bench_record_header TITLE COMMAND: a RESULTS.md section's title, command, date and
# machine lines, and the tree and image lines; load_before is the load average taken
# before the runs.
bench_record_header() {
  local cpu revision
  cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | sed -n 1p) || true
  revision=$(git -C "$repo_root" describe --always --dirty 2>/dev/null || echo unknown)
  echo
  echo "## $1: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Command: \`$2\`"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); source revision: $revision"
  echo "- kernel $(uname -r), $(nproc) CPUs, ${cpu:-CPU model unknown}, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM; load average before the runs: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- tree: bench/gentree.py --seed $seed --files $files: $tree_line"
  echo "- image files: $size, sparse, in a temp dir under $tmp_where, host filesystem $host_fs (df -T)"
}
