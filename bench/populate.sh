#!/usr/bin/env bash
# bench/populate.sh: time mkfs.tux3 --root-dir against mke2fs -d (ext4) and
# mkfs.btrfs --rootdir, copying one generated tree into a sparse image file, and
# check whether each tool makes byte-identical images from identical input.
#
# Usage: bench/populate.sh [--files N] [--seed S] [--runs N] [--size SIZE]
#                          [--build-dir DIR] [--record]
#   --files N        files in the tree (default 200000; the tree then holds
#                    2 GiB in about 10,000 directories; fewer files scale both
#                    down, e.g. --files 20000 for a quick check)
#   --seed S         generator seed (default 1)
#   --runs N         timed runs per tool (default 3; at least 2, for the
#                    reproducibility check)
#   --size SIZE      image size (default 4G, or twice the tree's data when
#                    that is more)
#   --build-dir DIR  build tree holding mkfs/mkfs.tux3 (default: build-release
#                    under the repo root); configured and built (Release) if
#                    the binary is missing
#   --record         also append a dated section to bench/RESULTS.md
#
# The tree comes from bench/gentree.py (deterministic for a seed and size) and
# is made once, then reused: it lives in tux3-bench-trees/ under $TMPDIR when
# set, else under the build dir, named after its parameters. It is read once
# (untimed) before the runs, so every run finds it in the page cache.
#
# Every run, of every tool, uses a fixed UUID and SOURCE_DATE_EPOCH (for
# mke2fs also -E hash_seed= and E2FSPROGS_FAKE_TIME, which e2fsprogs 1.47.0
# reads instead of SOURCE_DATE_EPOCH), on a new sparse image file (removed,
# recreated, `sync` outside the timed part), in rounds: each round runs each
# tool once. The images of the first two rounds are compared with cmp: that is
# the reproducibility column. Times are wall-clock around the tool's process;
# peak RSS is /usr/bin/time's %M; "allocated bytes" is the image's st_blocks *
# 512 after the last run.
#
# Prints a Markdown table, then a PASS/FAIL line for the target: mkfs.tux3 at
# least 2x as fast as mke2fs -d (median times). A missed target does not
# change the exit status; errors do.
set -euo pipefail

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd -- "$script_dir/.." && pwd)
results_file="$script_dir/RESULTS.md"
export PATH="$PATH:/usr/sbin:/sbin"

die() { echo "bench/populate.sh: $*" >&2; exit 1; }
note() { echo "bench/populate.sh: $*" >&2; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

files=200000
seed=1
runs=3
size=""
build_dir="$repo_root/build-release"
record=0
recorded_args=()
need() { (($1 >= 2)) || die "$2 needs a value"; }
while (($# > 0)); do
  case "$1" in
    --files) need $# "$1"; files=$2; recorded_args+=("$1" "$2"); shift 2 ;;
    --files=*) files=${1#*=}; recorded_args+=("$1"); shift ;;
    --seed) need $# "$1"; seed=$2; recorded_args+=("$1" "$2"); shift 2 ;;
    --seed=*) seed=${1#*=}; recorded_args+=("$1"); shift ;;
    --runs) need $# "$1"; runs=$2; recorded_args+=("$1" "$2"); shift 2 ;;
    --runs=*) runs=${1#*=}; recorded_args+=("$1"); shift ;;
    --size) need $# "$1"; size=$2; recorded_args+=("$1" "$2"); shift 2 ;;
    --size=*) size=${1#*=}; recorded_args+=("$1"); shift ;;
    --build-dir)
      need $# "$1"; build_dir=$2; shift 2
      recorded_args+=(--build-dir "$(realpath -m --relative-base="$repo_root" -- "$build_dir")") ;;
    --build-dir=*)
      build_dir=${1#*=}; shift
      recorded_args+=("--build-dir=$(realpath -m --relative-base="$repo_root" -- "$build_dir")") ;;
    --record) record=1; recorded_args+=("$1"); shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
[[ "$files" =~ ^[1-9][0-9]*$ ]] || die "--files wants a positive integer, got '$files'"
[[ "$seed" =~ ^[0-9]+$ ]] || die "--seed wants a non-negative integer, got '$seed'"
[[ "$runs" =~ ^[1-9][0-9]*$ && "$runs" -ge 2 ]] || die "--runs wants an integer >= 2, got '$runs'"
build_dir=$(realpath -m -- "$build_dir")
command_line="bench/populate.sh${recorded_args[*]:+ $(printf '%q ' "${recorded_args[@]}")}"
command_line=${command_line% }

# --- tools --------------------------------------------------------------------
"$repo_root/scripts/setup-deps.sh" --bench || die "scripts/setup-deps.sh --bench failed"
for t in mke2fs mkfs.btrfs python3 truncate stat cmp tar cmake ninja; do
  command -v "$t" >/dev/null || die "missing $t after scripts/setup-deps.sh --bench"
done
[[ -x /usr/bin/time ]] || die "missing /usr/bin/time after scripts/setup-deps.sh --bench"

tux3="$build_dir/mkfs/mkfs.tux3"
if [[ ! -x "$tux3" ]]; then
  note "no $tux3: configuring and building Release"
  cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
  ninja -C "$build_dir" -j2 mkfs.tux3 >&2
  [[ -x "$tux3" ]] || die "build did not produce $tux3"
fi
tux3_stale=$(find "$repo_root/CMakeLists.txt" "$repo_root/libtuxdisk" "$repo_root/mkfs" \
  -type f -newer "$tux3" -print -quit 2>/dev/null) || true
tux3_stale=${tux3_stale#"$repo_root/"}
if [[ -n "$tux3_stale" ]]; then
  note "warning: $tux3_stale is newer than $tux3; timing the binary as it is (ninja -C $build_dir refreshes it)"
fi
"$tux3" --help | grep -q -- --root-dir || die "$tux3 has no --root-dir"

# --- the tree (made once, reused) -----------------------------------------------
if [[ -n "${TMPDIR:-}" ]]; then
  tmp_parent=$TMPDIR; tmp_where="\$TMPDIR"
else
  tmp_parent=$build_dir; tmp_where='the build dir'
fi
trees="$tmp_parent/tux3-bench-trees"
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

if [[ -z "$size" ]]; then
  size_bytes=$((4 << 30))
  want=$((tree_bytes * 2))
  if ((want > size_bytes)); then size_bytes=$(((want + (1 << 30) - 1) >> 30 << 30)); fi
  size="$((size_bytes >> 30))G"
fi

work=$(mktemp -d -- "$tmp_parent/populate-bench.XXXXXX")
cleanup() { rm -rf -- "$work"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
host_fs=$(df -T -- "$work" | awk 'NR == 2 { print $2 }')
truncate -s "$size" -- "$work/probe" || die "cannot create a $size file in $tmp_parent"
[[ $(stat -c %b -- "$work/probe") -eq 0 ]] || die "$tmp_parent does not keep files sparse"
rm -f -- "$work/probe"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
note "reading the tree once, so that it is in the page cache"
tar -C "$tree" -cf - . | cat >/dev/null

# --- measure --------------------------------------------------------------------
uuid=5a1c3e7f-2b4d-4a6c-8e0f-1a2b3c4d5e6f
epoch=1700000000
tools=(mkfs.tux3 mke2fs mkfs.btrfs)
declare -A shown=(
  [mkfs.tux3]="mkfs.tux3 -q -f -U UUID --root-dir TREE IMG $size"
  [mke2fs]="mke2fs -q -F -t ext4 -U UUID -E hash_seed=UUID -d TREE IMG $size"
  [mkfs.btrfs]="mkfs.btrfs -q -f -U UUID --rootdir TREE IMG (IMG made with truncate -s $size)"
)
tool_argv() {  # TOOL IMG: sets argv to the command line the table describes
  case "$1" in
    mkfs.tux3) argv=("$tux3" -q -f -U "$uuid" --root-dir "$tree" "$2" "$size") ;;
    mke2fs) argv=(mke2fs -q -F -t ext4 -U "$uuid" -E "hash_seed=$uuid" -d "$tree" "$2" "$size") ;;
    mkfs.btrfs) argv=(mkfs.btrfs -q -f -U "$uuid" --rootdir "$tree" "$2") ;;
  esac
}
declare -A times rss alloc repro
for ((round = 1; round <= runs; round++)); do
  for tool in "${tools[@]}"; do
    img="$work/$tool.img"
    rm -f -- "$img"
    if [[ $tool == mkfs.btrfs ]]; then truncate -s "$size" -- "$img"; fi
    sync
    note "round $round/$runs: $tool"
    start=$EPOCHREALTIME
    tool_argv "$tool" "$img"
    if ! SOURCE_DATE_EPOCH=$epoch E2FSPROGS_FAKE_TIME=$epoch \
      /usr/bin/time -f %M -o "$work/rss" "${argv[@]}" >"$work/out" 2>&1; then
      cat -- "$work/out" >&2
      die "$tool failed"
    fi
    end=$EPOCHREALTIME
    times[$tool]+="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }') "
    rss[$tool]+="$(tail -n1 "$work/rss") "
    alloc[$tool]=$(( $(stat -c '%b * %B' -- "$img") ))
    if ((round == 1)); then
      mv -- "$img" "$work/$tool.first"
    elif ((round == 2)); then
      if cmp -s -- "$work/$tool.first" "$img"; then
        repro[$tool]=identical
      else
        differ=$( (cmp -l -- "$work/$tool.first" "$img" 2>/dev/null || true) | wc -l)
        repro[$tool]="differ ($differ bytes)"
      fi
      rm -f -- "$work/$tool.first"
    fi
  done
done
for tool in "${tools[@]}"; do rm -f -- "$work/$tool.img"; done

# --- report -------------------------------------------------------------------
stat3() {  # median min max of the numbers given
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%s %s %s\n", m, v[1], v[NR] }'
}
declare -A med lo hi rss_med
for tool in "${tools[@]}"; do
  # shellcheck disable=SC2086
  read -r med[$tool] lo[$tool] hi[$tool] < <(stat3 ${times[$tool]})
  # shellcheck disable=SC2086
  read -r rss_med[$tool] _ _ < <(stat3 ${rss[$tool]})
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

table() {
  echo "| tool | median s | min s | max s | peak RSS MiB | allocated bytes | median / mkfs.tux3 median | two runs, same input |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
  local tool
  for tool in "${tools[@]}"; do
    printf '| %s | %.2f | %.2f | %.2f | %.0f | %d | %s | %s |\n' "$tool" "${med[$tool]}" \
      "${lo[$tool]}" "${hi[$tool]}" "$(awk -v k="${rss_med[$tool]}" 'BEGIN { print k / 1024 }')" \
      "${alloc[$tool]}" "$(ratio "${med[$tool]}" "${med[mkfs.tux3]}")" "${repro[$tool]}"
  done
}
target() {
  local r verdict
  r=$(ratio "${med[mke2fs]}" "${med[mkfs.tux3]}")
  if awk -v r="$r" 'BEGIN { exit !(r >= 2) }'; then verdict=PASS; else verdict=FAIL; fi
  printf '%s: speed: mkfs.tux3 --root-dir median %.2f s vs mke2fs -d %.2f s: %sx as fast (target >= 2.00x)\n' \
    "$verdict" "${med[mkfs.tux3]}" "${med[mke2fs]}" "$r"
}
noise() {
  local tool spread lo_s="" hi_s="" lo_k="" hi_k=""
  for tool in "${tools[@]}"; do
    spread=$(awk -v lo="${lo[$tool]}" -v hi="${hi[$tool]}" -v m="${med[$tool]}" \
      'BEGIN { printf "%.0f", (m > 0 ? (hi - lo) / m * 100 : 0) }')
    if [[ -z "$lo_s" ]] || ((spread < lo_s)); then lo_s=$spread lo_k=$tool; fi
    if [[ -z "$hi_s" ]] || ((spread > hi_s)); then hi_s=$spread hi_k=$tool; fi
  done
  printf 'Noise: each cell is %d runs, in rounds of one run per tool, after one untimed read of the tree; there is no warm-up run of the tools. The spread (max - min) relative to the median goes from %s%% (%s) to %s%% (%s). The runs write gigabytes through the page cache of a %s-core machine to the host filesystem (%s), so writeback and memory reclaim from earlier runs weigh on later ones; read the ratios, not the seconds.\n' \
    "$runs" "$lo_s" "$lo_k" "$hi_s" "$hi_k" "$(nproc)" "$host_fs"
}

out_table=$(table)
out_target=$(target)
echo "Tree: $tree_line (seed $seed); image $size"
echo
echo "$out_table"
echo
echo "$out_target"

if ((record)); then
  cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | sed -n 1p) || true
  ext4_version=$(mke2fs -V 2>&1 | sed -n 1p) || true
  btrfs_version=$(mkfs.btrfs --version 2>&1 | sed -n 1p) || true
  tux3_version=$("$tux3" -V 2>&1 | sed -n 1p) || true
  revision=$(git -C "$repo_root" describe --always --dirty 2>/dev/null || echo unknown)
  {
    echo
    echo "## populate: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Command: \`$command_line\`"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); source revision: $revision"
    echo "- kernel $(uname -r), $(nproc) CPUs, ${cpu:-CPU model unknown}, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM; load average before the runs: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- tree: bench/gentree.py --seed $seed --files $files: $tree_line"
    echo "- image files: $size, sparse, in a temp dir under $tmp_where, host filesystem $host_fs (df -T)"
    echo "- tools: $tux3_version; $ext4_version; $btrfs_version"
    if [[ -n "$tux3_stale" ]]; then
      echo "- caution: mkfs.tux3 was older than its sources ($tux3_stale is newer), so it may not match the revision above"
    fi
    echo "- timed commands, all with SOURCE_DATE_EPOCH=$epoch and E2FSPROGS_FAKE_TIME=$epoch: \`${shown[mkfs.tux3]}\`; \`${shown[mke2fs]}\`; \`${shown[mkfs.btrfs]}\`"
    echo
    echo "$out_table"
    echo
    echo '```'
    echo "$out_target"
    echo '```'
    echo
    echo "Reproducibility: the last column compares the images of rounds 1 and 2 (same tree, UUID and times) with cmp. mkfs.btrfs 6.2 takes only the filesystem UUID (-U): its device UUID and chunk tree UUID are random, and every metadata block carries one (and a checksum over it), so its images differ from run to run (the differing bytes were not examined further); mke2fs 1.47.0 ignores SOURCE_DATE_EPOCH but reads E2FSPROGS_FAKE_TIME."
    echo
    noise
  } >>"$results_file"
  note "appended a section to bench/RESULTS.md"
fi
