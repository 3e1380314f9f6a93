#!/usr/bin/env bash
# bench/mkfs.sh: time mkfs.tux3 against mkfs.ext4, mkfs.xfs and mkfs.btrfs on
# sparse image files of 16 GiB and 1 TiB, and measure what each one writes.
#
# Usage: bench/mkfs.sh [--runs N] [--build-dir DIR] [--record]
#   --runs N         timed runs per tool and size (default 7), after 1 warm-up run
#   --build-dir DIR  build tree holding mkfs/mkfs.tux3 (default: build-release
#                    under the repo root); configured and built (Release) if the
#                    binary is missing
#   --record         also append a dated section to bench/RESULTS.md
#
# Every run, warm-up included, formats a freshly created sparse file (rm +
# truncate, done by hyperfine's --prepare outside the timed part). Times are
# wall-clock, from hyperfine (--shell=none, so no shell start-up is timed).
# "allocated bytes" is the image file's allocated size (st_blocks * 512) after
# the last timed run: the bytes the tool wrote, rounded up to the host
# filesystem's block size (blocks written as zeros count; holes do not).
# The temp dir is under $TMPDIR when set, else under the build dir; its
# filesystem must support sparse files.
#
# Prints a Markdown table to stdout, then PASS/FAIL lines for the two targets
# (mkfs.tux3 on 1 TiB at least as fast as the fastest peer, and writing under
# 64 KiB). A missed target does not change the exit status; errors do.
set -euo pipefail

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd -- "$script_dir/.." && pwd)
results_file="$script_dir/RESULTS.md"
export PATH="$PATH:/usr/sbin:/sbin"

die() { echo "bench/mkfs.sh: $*" >&2; exit 1; }
note() { echo "bench/mkfs.sh: $*" >&2; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

runs=7
build_dir="$repo_root/build-release"
record=0
recorded_args=()
while (($# > 0)); do
  case "$1" in
    --runs)
      (($# >= 2)) || die "--runs needs a value"
      runs=$2; recorded_args+=("$1" "$2"); shift 2 ;;
    --runs=*)
      runs=${1#--runs=}; recorded_args+=("$1"); shift ;;
    --build-dir)
      (($# >= 2)) || die "--build-dir needs a value"
      build_dir=$2; shift 2
      recorded_args+=(--build-dir "$(realpath -m --relative-base="$repo_root" -- "$build_dir")") ;;
    --build-dir=*)
      build_dir=${1#--build-dir=}; shift
      recorded_args+=("--build-dir=$(realpath -m --relative-base="$repo_root" -- "$build_dir")") ;;
    --record)
      record=1; recorded_args+=("$1"); shift ;;
    -h|--help)
      usage; exit 0 ;;
    *)
      usage >&2; die "unknown argument: $1" ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive integer, got '$runs'"
build_dir=$(realpath -m -- "$build_dir")
command_line="bench/mkfs.sh${recorded_args[*]:+ $(printf '%q ' "${recorded_args[@]}")}"
command_line=${command_line% }

# --- tools --------------------------------------------------------------------
"$repo_root/scripts/setup-deps.sh" --bench || die "scripts/setup-deps.sh --bench failed"
for t in hyperfine mkfs.ext4 mkfs.xfs mkfs.btrfs truncate stat cmake ninja; do
  command -v "$t" >/dev/null || die "missing $t after scripts/setup-deps.sh --bench"
done

tux3="$build_dir/mkfs/mkfs.tux3"
if [[ ! -x "$tux3" ]]; then
  note "no $tux3: configuring and building Release"
  cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
  ninja -C "$build_dir" -j2 >&2
  [[ -x "$tux3" ]] || die "build did not produce $tux3"
fi
# An existing binary is timed as it is; say so when sources are newer than it.
tux3_stale=$(find "$repo_root/CMakeLists.txt" "$repo_root/libtuxdisk" "$repo_root/mkfs" \
  -type f -newer "$tux3" -print -quit 2>/dev/null) || true
tux3_stale=${tux3_stale#"$repo_root/"}
if [[ -n "$tux3_stale" ]]; then
  note "warning: $tux3_stale is newer than $tux3; timing the binary as it is (ninja -C $build_dir refreshes it)"
fi

# --- temp dir on a filesystem with sparse files ------------------------------
if [[ -n "${TMPDIR:-}" ]]; then
  tmp_parent=$TMPDIR; tmp_where="\$TMPDIR"
else
  tmp_parent=$build_dir; tmp_where='the build dir'
fi
mkdir -p -- "$tmp_parent"
work=$(mktemp -d -- "$tmp_parent/mkfs-bench.XXXXXX")
cleanup() { rm -rf -- "$work"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

probe="$work/sparse-probe"
truncate -s 1T -- "$probe" 2>/dev/null || die "cannot create a 1 TiB file in $tmp_parent"
[[ $(stat -c %b -- "$probe") -eq 0 ]] || die "$tmp_parent does not keep files sparse"
rm -f -- "$probe"
host_fs=$(df -T -- "$work" | awk 'NR == 2 { print $2 }')

# --- measure ------------------------------------------------------------------
tools=(mkfs.tux3 mkfs.ext4 mkfs.xfs mkfs.btrfs)
declare -A argv=(
  [mkfs.tux3]="$(printf '%q' "$tux3") -q -f"
  [mkfs.ext4]="mkfs.ext4 -q -F"
  [mkfs.xfs]="mkfs.xfs -q -f"
  [mkfs.btrfs]="mkfs.btrfs -q -f"
)
sizes=(16G 1T)
declare -A size_label=([16G]="16 GiB" [1T]="1 TiB")
declare -A median min max alloc written_line

for size in "${sizes[@]}"; do
  for tool in "${tools[@]}"; do
    img="$work/$tool-$size.img"
    qimg=$(printf '%q' "$img")
    csv="$work/$tool-$size.csv"
    prep="sh -c $(printf '%q' "rm -f -- $qimg && truncate -s $size -- $qimg")"
    note "timing $tool on ${size_label[$size]} ($runs runs)"
    if ! hyperfine --shell=none --style basic --warmup 1 --runs "$runs" \
      --prepare "$prep" --command-name "$tool" --export-csv "$csv" \
      "${argv[$tool]} $qimg" >"$work/hyperfine.log" 2>&1; then
      cat -- "$work/hyperfine.log" >&2
      die "hyperfine failed for $tool on ${size_label[$size]}"
    fi
    # command,mean,stddev,median,user,system,min,max (seconds)
    read -r median["$tool,$size"] min["$tool,$size"] max["$tool,$size"] < <(
      awk -F, 'NR == 2 { printf "%.3f %.3f %.3f\n", $4 * 1000, $7 * 1000, $8 * 1000 }' "$csv")
    # The image holds the last timed run's result: no --cleanup is used.
    alloc["$tool,$size"]=$(( $(stat -c '%b * %B' -- "$img") ))
    rm -f -- "$img"
  done
  # mkfs.tux3's own account of its writes, from one more (untimed) run.
  img="$work/written-$size.img"
  truncate -s "$size" -- "$img"
  written_line[$size]=$("$tux3" -f -- "$img" | grep '^written:') ||
    die "mkfs.tux3 printed no 'written:' line"
  rm -f -- "$img"
done

# --- report -------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

table() {
  echo "| tool | size | median ms | min ms | max ms | allocated bytes | median / mkfs.tux3 median |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
  local size tool k
  for size in "${sizes[@]}"; do
    for tool in "${tools[@]}"; do
      k="$tool,$size"
      printf '| %s | %s | %.2f | %.2f | %.2f | %d | %s |\n' "$tool" "${size_label[$size]}" \
        "${median[$k]}" "${min[$k]}" "${max[$k]}" "${alloc[$k]}" \
        "$(ratio "${median[$k]}" "${median[mkfs.tux3,$size]}")"
    done
  done
}

written_16G_line=${written_line[16G]}
written_1T_line=${written_line[1T]}
written_1T=$(sed -n 's/^written: \([0-9]*\) bytes.*/\1/p' <<<"$written_1T_line")
[[ -n "$written_1T" ]] || die "cannot parse mkfs.tux3's line: $written_1T_line"

fastest_peer="" fastest_ms=""
for tool in "${tools[@]:1}"; do
  m=${median[$tool,1T]}
  if [[ -z "$fastest_ms" ]] || awk -v a="$m" -v b="$fastest_ms" 'BEGIN { exit !(a < b) }'; then
    fastest_peer=$tool fastest_ms=$m
  fi
done
tux3_ms=${median[mkfs.tux3,1T]}
tux3_alloc=${alloc[mkfs.tux3,1T]}

targets() {
  local verdict
  if awk -v a="$tux3_ms" -v b="$fastest_ms" 'BEGIN { exit !(a <= b) }'; then verdict=PASS; else verdict=FAIL; fi
  printf '%s: speed: mkfs.tux3 on 1 TiB, median %.2f ms vs fastest peer %s %.2f ms (mkfs.tux3 takes %sx its time; target <= 1.00x)\n' \
    "$verdict" "$tux3_ms" "$fastest_peer" "$fastest_ms" "$(ratio "$tux3_ms" "$fastest_ms")"
  if ((written_1T < 65536 && tux3_alloc < 65536)); then verdict=PASS; else verdict=FAIL; fi
  printf '%s: writes: mkfs.tux3 on 1 TiB wrote %d bytes by its own count, %d bytes allocated in the image (target < 65536 bytes)\n' \
    "$verdict" "$written_1T" "$tux3_alloc"
}

noise() {
  local size tool k spread lo_s="" hi_s="" lo_k="" hi_k=""
  for size in "${sizes[@]}"; do
    for tool in "${tools[@]}"; do
      k="$tool,$size"
      spread=$(awk -v lo="${min[$k]}" -v hi="${max[$k]}" -v m="${median[$k]}" \
        'BEGIN { printf "%.0f", (m > 0 ? (hi - lo) / m * 100 : 0) }')
      if [[ -z "$lo_s" ]] || ((spread < lo_s)); then lo_s=$spread lo_k="$tool on ${size_label[$size]}"; fi
      if [[ -z "$hi_s" ]] || ((spread > hi_s)); then hi_s=$spread hi_k="$tool on ${size_label[$size]}"; fi
    done
  done
  printf 'Noise: each cell is %d timed runs after 1 warm-up run, each on a freshly created sparse file (made outside the timed part). The spread (max - min) relative to the median goes from %s%% (%s) to %s%% (%s). ' \
    "$runs" "$lo_s" "$lo_k" "$hi_s" "$hi_k"
  printf 'These are single-digit to tens of milliseconds on a %s-core machine, where process start-up, the page cache and the host filesystem (%s) allocating and syncing blocks weigh as much as the tool itself, so read the ratios and treat differences smaller than that spread as noise; the allocated bytes do not vary between runs.\n' \
    "$(nproc)" "$host_fs"
}

out_table=$(table)
out_targets=$(targets)
echo "$out_table"
echo
echo "mkfs.tux3 16 GiB: $written_16G_line"
echo "mkfs.tux3 1 TiB: $written_1T_line"
echo
echo "$out_targets"

if ((record)); then
  cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | sed -n 1p) || true
  ext4_version=$(mkfs.ext4 -V 2>&1 | sed -n 1p) || true
  xfs_version=$(mkfs.xfs -V 2>&1 | sed -n 1p) || true
  btrfs_version=$(mkfs.btrfs --version 2>&1 | sed -n 1p) || true
  tux3_version=$("$tux3" -V 2>&1 | sed -n 1p) || true
  revision=$(git -C "$repo_root" describe --always --dirty 2>/dev/null || echo unknown)
  if [[ ! -s "$results_file" ]]; then
    cat >"$results_file" <<'EOF'
# Benchmark results

Each section below is one run of one benchmark script in bench/, appended by
that script when given `--record`; newest last. A section gives the exact
command (run from the repo root), the date, the machine (kernel, CPUs), the
host filesystem the images lived on, the tool versions, the results table,
the targets' PASS/FAIL lines and a note on noise. Compare ratios between
sections, not lone times: absolute times move with the machine.
EOF
  fi
  {
    echo
    echo "## mkfs: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Command: \`$command_line\`"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); source revision: $revision"
    echo "- kernel $(uname -r), $(nproc) CPUs, ${cpu:-CPU model unknown}"
    echo "- image files: sparse, in a temp dir under $tmp_where, host filesystem $host_fs (df -T)"
    echo "- tools: $tux3_version; $ext4_version; $xfs_version; $btrfs_version; $(hyperfine --version)"
    if [[ -n "$tux3_stale" ]]; then
      echo "- caution: mkfs.tux3 was older than its sources ($tux3_stale is newer), so it may not match the revision above"
    fi
    echo "- timed commands: \`mkfs.tux3 -q -f\`, \`mkfs.ext4 -q -F\`, \`mkfs.xfs -q -f\`, \`mkfs.btrfs -q -f\` on the image"
    echo
    echo "$out_table"
    echo
    echo "mkfs.tux3's own count: 16 GiB: \`$written_16G_line\`; 1 TiB: \`$written_1T_line\`"
    echo
    echo '```'
    echo "$out_targets"
    echo '```'
    echo
    noise
  } >>"$results_file"
  note "appended a section to bench/RESULTS.md"
fi
