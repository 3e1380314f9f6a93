#!/usr/bin/env bash
# bench/rewrite.sh: what page forking buys: a hot set rewritten while deltas commit, run in
# forking mode and in stable-pages mode (a writer touching a block whose write is in
# flight waits for that write, as the kernel's stable pages wait for a page's writeback)
# in one run.
#
# Usage: bench/rewrite.sh [--seconds S] [--runs N] [--interval MS] [--disk-mibps N]
#                         [--build-dir DIR] [--record]
#   --seconds S      length of each timed run (default 5)
#   --runs N         runs of each row, forking and stable alternating; the table gives
#                    the median of each column (default 3)
#   --interval MS    delta interval (default 100)
#   --disk-mibps N   write bandwidth of the "disk" target (default 100; 0 leaves it out)
#   --build-dir DIR  Release build holding writer/tux3-writer and mkfs/mkfs.tux3 (default
#                    build-release; built if missing)
#   --record         also append the table to bench/RESULTS.md
#
# Workloads (tux3-writer's `rewrite` command, 2 threads, 4 KiB writes):
#   hot:   a 16 MiB file, filled and synced, then rewritten at random block offsets;
#   fresh: 512 MiB of new blocks, nothing rewritten (forking should cost nothing here).
# Targets: an image file (O_DIRECT); as root, a loop device with direct I/O; and as root
# with a blkio/io cgroup controller, "disk": a second loop device whose writes the kernel
# throttles to N MiB/s (blkio.throttle.write_bps_device, or io.max wbps on cgroup v2), the
# speed of a disk. The first two take the host's page cache or memory speed: a delta's
# 16 MiB lands in a few ms there, so stable pages lose little. On each target, hot:
# forking >= 3x the throughput and <= 1/10 the p99 latency of stable pages; fresh:
# forking within 2% of stable pages. The table shows ratios; a missed target
# prints FAIL but does not change the exit status (errors do).
set -euo pipefail

# From bench/lib.sh: script_dir, repo_root, PATH with /usr/sbin, die, note, usage and
# bench_build_all_if_missing.
# shellcheck source=bench/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

seconds=5
interval=100
build_dir="$repo_root/build-release"
disk_mibps=100
runs=3
record=0
args=("$@")
while (($# > 0)); do
  case "$1" in
    --seconds) seconds=${2:?}; shift 2 ;;
    --runs) runs=${2:?}; shift 2 ;;
    --interval) interval=${2:?}; shift 2 ;;
    --disk-mibps) disk_mibps=${2:?}; shift 2 ;;
    --build-dir) build_dir=${2:?}; shift 2 ;;
    --record) record=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
done
[[ "$disk_mibps" =~ ^[0-9]+$ ]] || die "--disk-mibps: '$disk_mibps' is not a whole number"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "--runs: '$runs' is not a positive whole number"
bench_build_all_if_missing writer/tux3-writer mkfs/mkfs.tux3
writer="$build_dir/writer/tux3-writer"
mkfs="$build_dir/mkfs/mkfs.tux3"

tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/tux3-rewrite.XXXXXX")
loop="" disk_loop="" cgroup="" io_enabled=0
cleanup() {
  [[ -n "$loop" ]] && losetup -d "$loop" 2>/dev/null || true
  [[ -n "$disk_loop" ]] && losetup -d "$disk_loop" 2>/dev/null || true
  [[ -n "$cgroup" ]] && rmdir "$cgroup" 2>/dev/null || true
  ((io_enabled)) && echo -io 2>/dev/null >/sys/fs/cgroup/cgroup.subtree_control || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# run TARGET MODE WORKLOAD -> "MiB/s p50 p99 max forks waits"
run() {
  local target=$1 mode=$2 workload=$3 flags=(--delta-interval "$interval") script out
  [[ "$mode" == stable ]] && flags+=(--stable-pages)
  # O_DIRECT on the image file and on the throttled device: the cgroup throttles only
  # writes the writer submits itself, not the kernel's later writeback of cached ones.
  [[ -f "$target" || ( -n "$disk_loop" && "$target" == "$disk_loop" ) ]] && flags+=(--direct)
  "$mkfs" -q -f "$target" >/dev/null
  if [[ "$workload" == hot ]]; then
    script="rewrite /hot 16m bs=4k threads=2 seconds=$seconds"
  else
    script="rewrite /fresh 512m bs=4k threads=2 seconds=$seconds mode=fresh"
  fi
  local run_in=()
  # The throttled device: the writer runs in the cgroup that limits writes to it.
  [[ "$target" == "$disk_loop" && -n "$disk_loop" ]] &&
    run_in=(sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cgroup")
  out=$("${run_in[@]}" "$writer" "${flags[@]}" --json "$target" - <<<"$script")
  python3 - "$out" <<'PY'
import json, re, sys
text = sys.argv[1]
line = next(l for l in text.splitlines() if l.startswith("rewrite:"))
stats = json.loads(next(l for l in text.splitlines() if l.startswith("{")))
m = re.search(r"([\d.]+) MiB/s.*p50 ([\d.]+) us, p99 ([\d.]+) us, max ([\d.]+) us", line)
print(m.group(1), m.group(2), m.group(3), m.group(4), stats["forks"],
      stats["stable_waits"] + stats["throttle_waits"])
PY
}

targets=("image:$tmp/image.tux3")
truncate -s 2G "$tmp/image.tux3"
if [[ $(id -u) == 0 ]] && command -v losetup >/dev/null; then
  truncate -s 2G "$tmp/loop.raw"
  if loop=$(losetup -f --show --direct-io=on "$tmp/loop.raw" 2>/dev/null); then
    targets+=("loop:$loop")
  else
    loop=""
    note "SKIP loop device: losetup failed"
  fi
else
  note "SKIP loop device: needs root and losetup"
fi
# disk_skip REASON: give up the throttled target, undoing what was set up.
disk_skip() {
  note "SKIP disk target: $1"
  [[ -n "$cgroup" ]] && rmdir "$cgroup" 2>/dev/null || true
  losetup -d "$disk_loop" 2>/dev/null || true
  disk_loop="" cgroup=""
}
# make_disk_target: a loop device whose writes a cgroup throttles to disk_mibps MiB/s.
make_disk_target() {
  local raw="$tmp/disk.raw" devno bps=$((disk_mibps * 1024 * 1024)) base
  truncate -s 2G "$raw"
  disk_loop=$(losetup -f --show --direct-io=on "$raw" 2>/dev/null) ||
    { disk_loop=""; note "SKIP disk target: losetup failed"; return; }
  devno=$(lsblk -dno MAJ:MIN "$disk_loop" | tr -d ' ')
  if [[ -d /sys/fs/cgroup/blkio ]]; then
    base=/sys/fs/cgroup/blkio
    cgroup=$(mktemp -d "$base/tux3-rewrite.XXXXXX" 2>/dev/null) &&
      echo "$devno $bps" 2>/dev/null >"$cgroup/blkio.throttle.write_bps_device" ||
      { disk_skip "cannot set up a blkio cgroup under $base"; return; }
  elif grep -qw io /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
    base=/sys/fs/cgroup
    if ! grep -qw io "$base/cgroup.subtree_control"; then
      echo +io 2>/dev/null >"$base/cgroup.subtree_control" ||
        { disk_skip "cannot enable the io controller in $base"; return; }
      io_enabled=1
    fi
    cgroup=$(mktemp -d "$base/tux3-rewrite.XXXXXX" 2>/dev/null) &&
      echo "$devno wbps=$bps" 2>/dev/null >"$cgroup/io.max" ||
      { disk_skip "cannot set up an io cgroup under $base"; return; }
  else
    disk_skip "no blkio or io cgroup controller"; return
  fi
  targets+=("disk-${disk_mibps}MiB/s:$disk_loop")
}
if ((disk_mibps > 0)) && [[ $(id -u) == 0 ]] && command -v losetup >/dev/null; then
  make_disk_target
fi

# median_columns LINES: the median of each whitespace-separated column.
median_columns() {
  python3 -c '
import statistics, sys
rows = [l.split() for l in sys.argv[1].splitlines() if l.strip()]
medians = (statistics.median(float(r[i]) for r in rows) for i in range(len(rows[0])))
print(*(f"{m:.1f}".removesuffix(".0") for m in medians))
' "$1"
}

table="| target | workload | mode | MiB/s | p50 us | p99 us | max us | forks | waits |
|---|---|---|---|---|---|---|---|---|"
verdicts=""
for entry in "${targets[@]}"; do
  name=${entry%%:*} target=${entry#*:}
  for workload in hot fresh; do
    f_all="" s_all=""
    for ((r = 0; r < runs; r++)); do
      f_all+="$(run "$target" fork "$workload")"$'\n'
      s_all+="$(run "$target" stable "$workload")"$'\n'
    done
    read -r f_tp f_p50 f_p99 f_max f_forks f_waits < <(median_columns "$f_all")
    read -r s_tp s_p50 s_p99 s_max s_forks s_waits < <(median_columns "$s_all")
    table+="
| $name | $workload | forking | $f_tp | $f_p50 | $f_p99 | $f_max | $f_forks | $f_waits |
| $name | $workload | stable | $s_tp | $s_p50 | $s_p99 | $s_max | $s_forks | $s_waits |"
    verdicts+=$(python3 - "$name" "$workload" "$f_tp" "$s_tp" "$f_p99" "$s_p99" "$f_max" \
      "$s_max" <<'PY'
import sys
name, workload, ftp, stp, fp99, sp99, fmax, smax = sys.argv[1], sys.argv[2], *map(float, sys.argv[3:])
tp = ftp / stp
lat = fp99 / sp99 if sp99 else float("inf")
if workload == "hot":
    ok = tp >= 3 and lat <= 0.1
    print(f"{'PASS' if ok else 'FAIL'}: {name} hot: forking/stable throughput {tp:.2f}x "
          f"(target >= 3x), p99 forking/stable {lat:.2f} (target <= 0.10)")
    # A stable-pages wait is one write in tens of thousands: it shows in the maximum.
    print(f"NOTE: {name} hot: max latency forking/stable {fmax / smax if smax else float('inf'):.2f} (no target)")
else:
    ok = tp >= 0.98
    print(f"{'PASS' if ok else 'FAIL'}: {name} fresh: forking/stable throughput {tp:.3f} "
          f"(target >= 0.98)")
PY
)
    verdicts+=$'\n'
  done
done

echo "$table"
echo
printf '%s' "$verdicts"
if ((record)); then
  {
    echo
    echo "## rewrite: page forking vs stable pages ($(date -u +%Y-%m-%d))"
    echo
    echo "Command: \`bench/rewrite.sh ${args[*]}\` ($(nproc) CPUs, $(uname -r); medians of"
    echo "$runs runs; source revision $(git -C "$repo_root" rev-parse --short HEAD)$(
      git -C "$repo_root" diff --quiet HEAD -- libtuxdisk writer || echo -dirty))"
    echo
    echo "$table"
    echo
    printf '%s' "$verdicts" | sed 's/^/    /'
  } >>"$script_dir/RESULTS.md"
fi
