#!/usr/bin/env bash
# bench/fsck.sh: time fsck.tux3 -fn against e2fsck -fn (ext4) and btrfs check
# --readonly, each on an image holding the same generated tree, with peak memory.
#
# Usage: bench/fsck.sh [--files N] [--seed S] [--runs N] [--size SIZE]
#                      [--build-dir DIR] [--cold] [--record]
#   --files N        files in the tree (default 200000; the tree then holds
#                    2 GiB in about 10,000 directories; fewer files scale both
#                    down, e.g. --files 20000 for a quick check)
#   --seed S         generator seed (default 1)
#   --runs N         timed runs per checker (default 3)
#   --size SIZE      image size (default 4G, or twice the tree's data when
#                    that is more)
#   --build-dir DIR  build tree holding mkfs/mkfs.tux3, fsck/fsck.tux3 and
#                    tests/tools/tux3-inspect (default: build-release under the
#                    repo root); configured and built (Release) if a binary is
#                    missing
#   --cold           drop the page cache (sync; echo 3 > /proc/sys/vm/drop_caches)
#                    before every timed run; needs root. Default: warm, one
#                    untimed run of every checker first, so that all of them
#                    read the images from the page cache
#   --record         also append a dated section to bench/RESULTS.md
#
# The tree is bench/populate.sh's (bench/gentree.py, made once and reused from
# tux3-bench-trees/ under $TMPDIR when set, else under the build dir). Each run
# of this script copies it, untimed, into three sparse image files with the
# commands populate.sh times (mkfs.tux3 --root-dir, mke2fs -d, mkfs.btrfs
# --rootdir; fixed UUID and times), then checks them in rounds: each round
# runs each checker once. Checkers, all read-only:
#   fsck.tux3 -fn IMG               fsck/fsck.tux3 in the build dir; until it
#                                   exists its row says "fsck.tux3: not built"
#   tux3-inspect IMG verify         a stand-in, not fsck.tux3: the library
#                                   verifier (tuxdisk/verify.h) fsck.tux3 grows
#                                   from, through the tests' helper
#   e2fsck -fn IMG
#   btrfs check --readonly IMG
# Times are wall-clock around the checker's process; peak RSS is the largest
# %M of /usr/bin/time over the timed runs. Every image is freshly made, so any
# checker exiting non-zero (reporting problems, or failing) is an error: its
# output is shown, the table still printed, nothing recorded, exit status 1.
#
# Prints a Markdown table, then PASS/FAIL lines for the two targets, fsck.tux3
# -fn against e2fsck -fn: at least 2x as fast (median times), and no more peak
# RSS. Without fsck.tux3 there are none (a note says so) and a NOTE line gives
# the stand-in's ratios. A missed target does not change the exit status;
# errors do.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

cold=0
while (($# > 0)); do
  bench_tree_option "$@"
  if ((bench_shift > 0)); then shift "$bench_shift"; continue; fi
  case "$1" in
    --cold) cold=1; recorded_args+=("$1"); shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
bench_tree_validate 1
command_line=$(bench_command_line)

drop_caches() { sync && echo 3 >/proc/sys/vm/drop_caches; }
if ((cold)); then
  [[ $(id -u) == 0 ]] ||
    die "--cold: cannot drop the page cache: writing /proc/sys/vm/drop_caches needs root (run warm, without --cold, or as root)"
  drop_caches 2>/dev/null ||
    die "--cold: cannot drop the page cache: writing /proc/sys/vm/drop_caches failed"
  cache=cold
else
  cache=warm
fi

# --- tools --------------------------------------------------------------------
"$repo_root/scripts/setup-deps.sh" --bench || die "scripts/setup-deps.sh --bench failed"
for t in mke2fs e2fsck mkfs.btrfs btrfs python3 truncate stat cmake ninja; do
  command -v "$t" >/dev/null || die "missing $t after scripts/setup-deps.sh --bench"
done
[[ -x /usr/bin/time ]] || die "missing /usr/bin/time after scripts/setup-deps.sh --bench"

mkfs_tux3="$build_dir/mkfs/mkfs.tux3"
inspect="$build_dir/tests/tools/tux3-inspect"
fsck_tux3="$build_dir/fsck/fsck.tux3"
bench_build_targets mkfs/mkfs.tux3 tests/tools/tux3-inspect
if [[ ! -x "$fsck_tux3" ]]; then
  # Build it when the build knows it (regenerated first when fsck/ has a CMakeLists.txt
  # the build has not seen).
  knows_fsck() { ninja -C "$build_dir" -t query fsck/fsck.tux3 >/dev/null 2>&1; }
  if ! knows_fsck && [[ -f "$repo_root/fsck/CMakeLists.txt" ]]; then
    cmake -S "$repo_root" -B "$build_dir" >/dev/null 2>&1 || true
  fi
  if knows_fsck; then
    note "no $fsck_tux3: building it"
    ninja -C "$build_dir" -j2 fsck/fsck.tux3 >&2 || die "building fsck.tux3 failed"
    [[ -x "$fsck_tux3" ]] || die "build did not produce $fsck_tux3"
  else
    note "fsck.tux3: not built (the build has no fsck.tux3 target yet): timing the others"
  fi
fi
have_fsck=0
[[ -x "$fsck_tux3" ]] && have_fsck=1
"$mkfs_tux3" --help | grep -q -- --root-dir || die "$mkfs_tux3 has no --root-dir"

stale_notes=()
check_stale() {  # NAME BIN PATH...
  local name=$1 bin=$2 stale
  shift 2
  stale=$(bench_stale "$bin" "$@")
  if [[ -n "$stale" ]]; then
    note "warning: $stale is newer than $bin; using the binary as it is (ninja -C $build_dir refreshes it)"
    stale_notes+=("$name was older than its sources ($stale is newer)")
  fi
}
check_stale mkfs.tux3 "$mkfs_tux3" CMakeLists.txt libtuxdisk cmdline mkfs
check_stale tux3-inspect "$inspect" CMakeLists.txt libtuxdisk tests/tools
if ((have_fsck)); then check_stale fsck.tux3 "$fsck_tux3" CMakeLists.txt libtuxdisk cmdline fsck; fi

# --- the tree and the images (untimed) ---------------------------------------------
bench_tree
bench_default_size
bench_workdir fsck-bench

declare -A image_of=([mkfs.tux3]=tux3.img [mke2fs]=ext4.img [mkfs.btrfs]=btrfs.img)
declare -A alloc
for tool in "${bench_image_tools[@]}"; do
  img="$work/${image_of[$tool]}"
  if [[ $tool == mkfs.btrfs ]]; then truncate -s "$size" -- "$img"; fi
  note "making the image: $(bench_image_shown "$tool")"
  bench_image_argv "$tool" "$img"
  if ! SOURCE_DATE_EPOCH=$bench_epoch E2FSPROGS_FAKE_TIME=$bench_epoch \
    "${argv[@]}" >"$work/out" 2>&1; then
    cat -- "$work/out" >&2
    die "$tool failed"
  fi
  alloc[$tool]=$(( $(stat -c '%b * %B' -- "$img") ))
done
sync

# --- measure --------------------------------------------------------------------
checkers=()
if ((have_fsck)); then checkers+=(fsck.tux3); fi
checkers+=(tux3-inspect e2fsck btrfs)
declare -A label=(
  [fsck.tux3]="fsck.tux3"
  [tux3-inspect]="stand-in: tux3-inspect verify (library verifier, not fsck.tux3)"
  [e2fsck]="e2fsck"
  [btrfs]="btrfs check"
)
declare -A shown=(
  [fsck.tux3]="fsck.tux3 -fn IMG"
  [tux3-inspect]="tux3-inspect IMG verify"
  [e2fsck]="e2fsck -fn IMG"
  [btrfs]="btrfs check --readonly IMG"
)
checker_argv() {  # CHECKER: sets argv
  case "$1" in
    fsck.tux3) argv=("$fsck_tux3" -fn "$work/tux3.img") ;;
    tux3-inspect) argv=("$inspect" "$work/tux3.img" verify) ;;
    e2fsck) argv=(e2fsck -fn "$work/ext4.img") ;;
    btrfs) argv=(btrfs check --readonly "$work/btrfs.img") ;;
  esac
}

declare -A times rss statuses
errors=()
# run_checker CHECKER WHAT: one run; appends the time and peak RSS when WHAT is timed.
run_checker() {
  local checker=$1 what=$2 start end status=0
  checker_argv "$checker"
  start=$EPOCHREALTIME
  /usr/bin/time -f %M -o "$work/rss" "${argv[@]}" >"$work/out" 2>&1 || status=$?
  end=$EPOCHREALTIME
  if ((status != 0)); then
    note "ERROR: ${shown[$checker]} exited $status on a freshly made image ($what); its output:"
    tail -n 40 -- "$work/out" | sed 's/^/    /' >&2
    errors+=("ERROR: ${shown[$checker]} exited $status on a freshly made image ($what)")
  fi
  [[ $what == untimed* ]] && return 0
  times[$checker]+="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }') "
  rss[$checker]+="$(tail -n1 "$work/rss") "
  statuses[$checker]+="$status "
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
if ((!cold)); then
  for checker in "${checkers[@]}"; do
    note "warm-up (untimed): ${shown[$checker]}"
    run_checker "$checker" "untimed warm-up run"
  done
fi
for ((round = 1; round <= runs; round++)); do
  for checker in "${checkers[@]}"; do
    if ((cold)); then drop_caches || die "dropping the page cache failed"; fi
    note "round $round/$runs ($cache): ${shown[$checker]}"
    run_checker "$checker" "round $round"
  done
done

# --- report -------------------------------------------------------------------
declare -A med lo hi rss_max status_set
for checker in "${checkers[@]}"; do
  # shellcheck disable=SC2086
  read -r med[$checker] lo[$checker] hi[$checker] < <(stat3 ${times[$checker]})
  # shellcheck disable=SC2086
  rss_max[$checker]=$(printf '%s\n' ${rss[$checker]} | sort -n | tail -n1)
  # shellcheck disable=SC2086
  status_set[$checker]=$(printf '%s\n' ${statuses[$checker]} | sort -nu | paste -sd, -)
done
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

table() {
  echo "| tool | command | page cache | median s | min-max s | peak RSS MiB | median / e2fsck median | peak RSS / e2fsck | exit status |"
  echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"
  if ((!have_fsck)); then
    echo "| fsck.tux3 | \`fsck.tux3 -fn IMG\` | $cache | fsck.tux3: not built | - | - | - | - | - |"
  fi
  local checker
  for checker in "${checkers[@]}"; do
    # shellcheck disable=SC2016  # the backquotes are Markdown's
    printf '| %s | `%s` | %s | %.3f | %.3f-%.3f | %s | %s | %s | %s |\n' "${label[$checker]}" \
      "${shown[$checker]}" "$cache" "${med[$checker]}" "${lo[$checker]}" "${hi[$checker]}" \
      "$(mib "${rss_max[$checker]}")" "$(ratio "${med[$checker]}" "${med[e2fsck]}")" \
      "$(ratio "${rss_max[$checker]}" "${rss_max[e2fsck]}")" "${status_set[$checker]}"
  done
}
# versus CHECKER: "median X s vs e2fsck -fn Y s: Zx as fast" and the RSS pair
speed_ratio() { ratio "${med[e2fsck]}" "${med[$1]}"; }
targets() {
  if ((${#errors[@]} > 0)); then
    echo "No PASS/FAIL lines: a checker failed on a freshly made image (above)."
    return
  fi
  local r verdict
  if ((have_fsck)); then
    r=$(speed_ratio fsck.tux3)
    if awk -v r="$r" 'BEGIN { exit !(r >= 2) }'; then verdict=PASS; else verdict=FAIL; fi
    printf '%s: speed: fsck.tux3 -fn median %.3f s vs e2fsck -fn %.3f s: %sx as fast (target >= 2.00x)\n' \
      "$verdict" "${med[fsck.tux3]}" "${med[e2fsck]}" "$r"
    local rss_fsck=${rss_max[fsck.tux3]} rss_e2fsck=${rss_max[e2fsck]}
    if ((rss_fsck <= rss_e2fsck)); then verdict=PASS; else verdict=FAIL; fi
    printf '%s: memory: fsck.tux3 -fn peak RSS %s MiB vs e2fsck -fn %s MiB: %sx (target <= 1.00x, no more than e2fsck)\n' \
      "$verdict" "$(mib "${rss_max[fsck.tux3]}")" "$(mib "${rss_max[e2fsck]}")" \
      "$(ratio "${rss_max[fsck.tux3]}" "${rss_max[e2fsck]}")"
  else
    echo "No PASS/FAIL lines: fsck.tux3 is not built yet (no fsck.tux3 target in the build); the targets are for fsck.tux3 -fn, not for the stand-in."
  fi
  printf 'NOTE: stand-in, not a target: tux3-inspect verify median %.3f s vs e2fsck -fn %.3f s: %sx as fast; peak RSS %s MiB vs %s MiB: %sx\n' \
    "${med[tux3-inspect]}" "${med[e2fsck]}" "$(speed_ratio tux3-inspect)" \
    "$(mib "${rss_max[tux3-inspect]}")" "$(mib "${rss_max[e2fsck]}")" \
    "$(ratio "${rss_max[tux3-inspect]}" "${rss_max[e2fsck]}")"
}
noise() {
  local checker spread lo_s="" hi_s="" lo_k="" hi_k="" how
  for checker in "${checkers[@]}"; do
    spread=$(awk -v lo="${lo[$checker]}" -v hi="${hi[$checker]}" -v m="${med[$checker]}" \
      'BEGIN { printf "%.0f", (m > 0 ? (hi - lo) / m * 100 : 0) }')
    if [[ -z "$lo_s" ]] || ((spread < lo_s)); then lo_s=$spread lo_k=$checker; fi
    if [[ -z "$hi_s" ]] || ((spread > hi_s)); then hi_s=$spread hi_k=$checker; fi
  done
  if ((cold)); then
    how="with the page cache dropped (sync; echo 3 > /proc/sys/vm/drop_caches) before every run, so each checker reads its image from the host filesystem ($host_fs); in a virtual machine that drops only the guest's cache, and the host may still hold the image files"
  else
    how="after one untimed run of every checker, so all of them read their images from the page cache: this times the checkers' CPU work and memory, not the disk"
  fi
  printf 'Noise: each cell is %d runs, in rounds of one run per checker, %s. The spread (max - min) relative to the median goes from %s%% (%s) to %s%% (%s). A %s-core machine: read the ratios, not the seconds.\n' \
    "$runs" "$how" "$lo_s" "$lo_k" "$hi_s" "$hi_k" "$(nproc)"
}

out_table=$(table)
out_targets=$(targets)
echo "Tree: $tree_line (seed $seed); images $size; page cache $cache"
echo
echo "$out_table"
echo
echo "$out_targets"
if ((${#errors[@]} > 0)); then
  echo
  printf '%s\n' "${errors[@]}"
  die "$(( ${#errors[@]} )) checker run(s) failed on freshly made images; nothing recorded"
fi

if ((record)); then
  e2fsck_version=$(e2fsck -V 2>&1 | sed -n 1p) || true
  btrfs_version=$(btrfs --version 2>&1 | sed -n 1p) || true
  mkfs_version=$("$mkfs_tux3" -V 2>&1 | sed -n 1p) || true
  if ((have_fsck)); then
    fsck_version=$("$fsck_tux3" -V 2>&1 | sed -n 1p) || true
  else
    fsck_version="fsck.tux3: not built"
  fi
  {
    bench_record_header fsck "$command_line"
    echo "- images, made once before the runs (untimed), all with SOURCE_DATE_EPOCH=$bench_epoch and E2FSPROGS_FAKE_TIME=$bench_epoch: \`$(bench_image_shown mkfs.tux3)\`; \`$(bench_image_shown mke2fs)\`; \`$(bench_image_shown mkfs.btrfs)\`; allocated bytes: tux3 ${alloc[mkfs.tux3]}, ext4 ${alloc[mke2fs]}, btrfs ${alloc[mkfs.btrfs]}"
    echo "- tools: $fsck_version; $mkfs_version; tux3-inspect (the tests' helper, same build); $e2fsck_version; $btrfs_version"
    for n in ${stale_notes[@]+"${stale_notes[@]}"}; do
      echo "- caution: $n, so it may not match the revision above"
    done
    echo "- page cache: $cache (the load averages above are taken around the timed runs, after the images were made)"
    echo
    echo "$out_table"
    echo
    echo '```'
    echo "$out_targets"
    echo '```'
    echo
    echo "The stand-in row is not fsck.tux3: it is the tests' helper tux3-inspect running the library verifier (tuxdisk/verify.h), which fsck.tux3's passes grow from. It checks the superblocks, the inode table, every extent tree and directory index, link counts, the orphan tree and log, and the allocation bitmap, reading the volume through the library's reader; fsck.tux3's passes (tuxdisk/check.h) go further (connectivity, name hashes, free counts). e2fsck -fn and btrfs check --readonly are the complete checkers of their filesystems, so the stand-in's ratios say where the checks start from, not whether fsck.tux3 meets its targets."
    echo
    noise
  } >>"$results_file"
  note "appended a section to bench/RESULTS.md"
fi
