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

# shellcheck source=bench/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

while (($# > 0)); do
  bench_tree_option "$@"
  if ((bench_shift > 0)); then shift "$bench_shift"; continue; fi
  case "$1" in
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
bench_tree_validate 2
command_line=$(bench_command_line)

# --- tools --------------------------------------------------------------------
"$repo_root/scripts/setup-deps.sh" --bench || die "scripts/setup-deps.sh --bench failed"
for t in mke2fs mkfs.btrfs python3 truncate stat cmp tar cmake ninja; do
  command -v "$t" >/dev/null || die "missing $t after scripts/setup-deps.sh --bench"
done
[[ -x /usr/bin/time ]] || die "missing /usr/bin/time after scripts/setup-deps.sh --bench"

mkfs_tux3="$build_dir/mkfs/mkfs.tux3"
bench_build_targets mkfs/mkfs.tux3
tux3_stale=$(bench_stale "$mkfs_tux3" CMakeLists.txt libtuxdisk mkfs)
if [[ -n "$tux3_stale" ]]; then
  note "warning: $tux3_stale is newer than $mkfs_tux3; timing the binary as it is (ninja -C $build_dir refreshes it)"
fi
"$mkfs_tux3" --help | grep -q -- --root-dir || die "$mkfs_tux3 has no --root-dir"

# --- the tree (made once, reused) -----------------------------------------------
bench_tree
bench_default_size
bench_workdir populate-bench

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
note "reading the tree once, so that it is in the page cache"
tar -C "$tree" -cf - . | cat >/dev/null

# --- measure --------------------------------------------------------------------
tools=("${bench_image_tools[@]}")
declare -A times rss alloc repro
for ((round = 1; round <= runs; round++)); do
  for tool in "${tools[@]}"; do
    img="$work/$tool.img"
    rm -f -- "$img"
    if [[ $tool == mkfs.btrfs ]]; then truncate -s "$size" -- "$img"; fi
    sync
    note "round $round/$runs: $tool"
    start=$EPOCHREALTIME
    bench_image_argv "$tool" "$img"
    if ! SOURCE_DATE_EPOCH=$bench_epoch E2FSPROGS_FAKE_TIME=$bench_epoch \
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
declare -A med lo hi rss_med
for tool in "${tools[@]}"; do
  # shellcheck disable=SC2086
  read -r med[$tool] lo[$tool] hi[$tool] < <(stat3 ${times[$tool]})
  # shellcheck disable=SC2086
  read -r rss_med[$tool] _ _ < <(stat3 ${rss[$tool]})
done

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
  ext4_version=$(mke2fs -V 2>&1 | sed -n 1p) || true
  btrfs_version=$(mkfs.btrfs --version 2>&1 | sed -n 1p) || true
  tux3_version=$("$mkfs_tux3" -V 2>&1 | sed -n 1p) || true
  {
    bench_record_header populate "$command_line"
    echo "- tools: $tux3_version; $ext4_version; $btrfs_version"
    if [[ -n "$tux3_stale" ]]; then
      echo "- caution: mkfs.tux3 was older than its sources ($tux3_stale is newer), so it may not match the revision above"
    fi
    echo "- timed commands, all with SOURCE_DATE_EPOCH=$bench_epoch and E2FSPROGS_FAKE_TIME=$bench_epoch: \`$(bench_image_shown mkfs.tux3)\`; \`$(bench_image_shown mke2fs)\`; \`$(bench_image_shown mkfs.btrfs)\`"
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
