#!/usr/bin/env bash
# bench/fsync.sh: what fsync streams buy: 4 KiB write+fsync loops on tux3 with streams, on
# tux3 with every fsync committing the delta, and on ext4 (kernel, and fuse2fs), in one run.
#
# Usage: bench/fsync.sh [--seconds S] [--interval MS] [--backing KIND] [--build-dir DIR]
#                       [--record]
#   --seconds S      length of each timed run (default 5)
#   --backing KIND   how each image file is made (default zeroed):
#                      zeroed:   written with zeros first, so no write allocates or converts
#                                anything in the host file system: a device's behaviour;
#                      prealloc: fallocate: each first write of a block converts an
#                                unwritten extent in the host (a journalled change);
#                      sparse:   truncate: each first write allocates in the host
#   --interval MS    tux3's delta interval (default 5000, as ext4's default commit=5)
#   --build-dir DIR  Release build holding writer/tux3-writer and mkfs/mkfs.tux3 (default
#                    build-release; built if missing)
#   --record         also append the tables to bench/RESULTS.md
#
# Workload: each job appends 4 KiB and fsyncs its own new file, in a loop, for S seconds;
# 1 job, then 4 jobs. Targets, all on files in one directory under ${TMPDIR:-/var/tmp}:
#   tux3 stream:  tux3-writer --direct --fsync-mode stream, `fsyncloop` on an image file;
#   tux3 delta:   the same with --fsync-mode delta (each fsync commits the whole delta:
#                 what every fsync costs without streams);
#   ext4 loop:    as root, kernel ext4 on a loop device with direct I/O over an image file,
#                 fio --rw=write --bs=4k --fsync=1 --ioengine=psync --fallocate=none;
#   ext4 fuse2fs: as root, the same fio job on fuse2fs over an ext4 image file, when fuse2fs
#                 and /dev/fuse are there;
#   tux3 fuse:    as root, the same fio job on the tux3-fuse mount (-o direct, as the
#                 writer's --direct and ext4's direct-I/O loop device) of an image file, with
#                 its default stream fsyncs, when /dev/fuse is there.
# Every image file is made the same way (--backing), ext4's and tux3's alike.
# IOPS counts write+fsync pairs per second, all jobs together. Latency: tux3 times the
# write and the fsync together; fio's are the fsync calls' (its `sync` latencies; the
# write's completion latency when fio reports none).
# Also measured: the throughput of one tux3 thread writing 4 KiB blocks without fsync
# (fsyncloop writers=1), alone and beside one fsync job: what fsync costs other writers.
# Targets: tux3 stream >= 5x tux3 delta with 4 jobs; tux3 stream >= ext4 loop IOPS with 1
# and with 4 jobs; tux3 fuse >= ext4 loop IOPS with 1 and with 4 jobs. A missed target prints FAIL but does not change the exit status
# (errors do).
set -euo pipefail

# From bench/lib.sh: script_dir, repo_root, PATH with /usr/sbin, die, note (the SKIP
# lines), usage (--help: the comment above) and bench_build_all_if_missing (a Release
# build when a binary is missing).
# shellcheck source=bench/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

seconds=5
backing=zeroed
interval=5000
build_dir="$repo_root/build-release"
record=0
args=("$@")
while (($# > 0)); do
  case "$1" in
    --seconds) seconds=${2:?}; shift 2 ;;
    --interval) interval=${2:?}; shift 2 ;;
    --build-dir) build_dir=${2:?}; shift 2 ;;
    --record) record=1; shift ;;
    --backing) backing=${2:?}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
done
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -ge 1 ]] || die "--seconds '$seconds': expected a whole number of seconds, at least 1"
[[ "$interval" =~ ^[0-9]+$ ]] || die "--interval '$interval': expected milliseconds"
bench_build_all_if_missing writer/tux3-writer mkfs/mkfs.tux3 fuse/tux3-fuse
writer="$build_dir/writer/tux3-writer"
tux3_fuse="$build_dir/fuse/tux3-fuse"
mkfs="$build_dir/mkfs/mkfs.tux3"

tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/tux3-fsync.XXXXXX")
loop="" ext4_mnt="" fuse_mnt="" fuse_pid="" tux3_mnt=""
cleanup() {
  [[ -n "$tux3_mnt" ]] && umount -l "$tux3_mnt" 2>/dev/null || true
  [[ -n "$ext4_mnt" ]] && umount "$ext4_mnt" 2>/dev/null || true
  [[ -n "$loop" ]] && losetup -d "$loop" 2>/dev/null || true
  [[ -n "$fuse_mnt" ]] && umount "$fuse_mnt" 2>/dev/null || true
  if [[ -n "$fuse_pid" ]]; then
    kill "$fuse_pid" 2>/dev/null || true
    wait "$fuse_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# Each job may append this much; at 4 KiB per fsync it is far more than S seconds write.
per_job=1g
image_size=4G

# backing_file FILE: an image file of image_size, made as --backing says; a zeroed or
# preallocated file made before is reused as it is (its old contents do not matter: every
# target formats its file first, without discarding).
backing_file() {
  if [[ $backing != sparse && -f "$1" ]]; then return; fi
  rm -f "$1"
  case "$backing" in
    sparse) truncate -s "$image_size" "$1" ;;
    prealloc) fallocate -l "$image_size" "$1" || die "$1: cannot preallocate (try --backing sparse)" ;;
    zeroed) dd if=/dev/zero of="$1" bs=4M count=$((${image_size%G} * 256)) oflag=direct status=none ||
              die "$1: cannot write zeros" ;;
  esac
}

# tux3 MODE WORKLOAD -> the fsyncloop report as "fsyncs/s p50 p99 writer-MiB/s"
tux3() {
  local mode=$1 workload=$2 out
  backing_file "$tmp/tux3.img"
  "$mkfs" -q -f "$tmp/tux3.img" >/dev/null
  out=$("$writer" --direct --fsync-mode "$mode" --delta-interval "$interval" --json \
          "$tmp/tux3.img" - <<<"fsyncloop /f $per_job bs=4k seconds=$seconds $workload")
  python3 - "$out" <<'PY'
import json, sys
stats = json.loads(next(l for l in sys.argv[1].splitlines() if l.startswith("{")))
r = stats["fsyncloop"][-1]
print(f'{r["fsyncs_per_second"]:.0f} {r["p50_us"]:.0f} {r["p99_us"]:.0f} {r["writer_mib_per_second"]:.1f}')
PY
}

# fio DIR JOBS -> "IOPS p50 p99": the fsync loop on a mounted file system
fio_run() {
  local dir=$1 jobs=$2 out
  rm -rf "${dir:?}/fio"
  mkdir "$dir/fio"
  out=$(fio --name=fsync --directory="$dir/fio" --rw=write --bs=4k --fsync=1 --ioengine=psync \
          --fallocate=none --numjobs="$jobs" --size="$per_job" --time_based \
          --runtime="$seconds" --group_reporting --output-format=json 2>/dev/null)
  rm -rf "${dir:?}/fio"
  python3 - "$out" <<'PY'
import json, sys
text = sys.argv[1]
job = json.loads(text[text.index("{"):])["jobs"][0]
lat = job.get("sync", {}).get("lat_ns", {}).get("percentile") or job["write"]["clat_ns"]["percentile"]
print(f'{job["write"]["iops"]:.0f} {lat["50.000000"] / 1e3:.0f} {lat["99.000000"] / 1e3:.0f}')
PY
}

table="| target | jobs | IOPS | p50 us | p99 us |
|---|---|---|---|---|"
declare -A iops
row() {  # TARGET JOBS IOPS P50 P99
  iops["$1/$2"]=$3
  table+="
| $1 | $2 | $3 | $4 | $5 |"
}

for mode in stream delta; do
  for jobs in 1 4; do
    result=$(tux3 "$mode" "jobs=$jobs")
    read -r r p50 p99 _ <<<"$result"
    row "tux3 $mode" "$jobs" "$r" "$p50" "$p99"
  done
done

command -v fio >/dev/null || note "SKIP ext4: fio is not installed (scripts/setup-deps.sh --bench)"
if ! command -v fio >/dev/null; then
  :
elif [[ $(id -u) != 0 ]]; then
  note "SKIP ext4 loop: needs root"
elif ! command -v losetup >/dev/null || ! command -v mkfs.ext4 >/dev/null; then
  note "SKIP ext4 loop: needs losetup and mkfs.ext4"
else
  backing_file "$tmp/ext4.raw"
  if loop=$(losetup -f --show --direct-io=on "$tmp/ext4.raw" 2>/dev/null); then
    # Inode tables and journal written now, so no lazy-init thread writes during the runs.
    mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0,nodiscard "$loop"
    mkdir "$tmp/ext4"
    mount "$loop" "$tmp/ext4"
    ext4_mnt="$tmp/ext4"
    for jobs in 1 4; do
      result=$(fio_run "$ext4_mnt" "$jobs")
      read -r r p50 p99 <<<"$result"
      row "ext4 loop" "$jobs" "$r" "$p50" "$p99"
    done
    umount "$ext4_mnt"
    ext4_mnt=""
    losetup -d "$loop"
    loop=""
  else
    loop=""
    note "SKIP ext4 loop: losetup failed"
  fi
  rm -f "$tmp/ext4.raw"
fi

if ! command -v fio >/dev/null; then
  :
elif [[ $(id -u) != 0 ]]; then
  note "SKIP ext4 fuse2fs: needs root"
elif ! command -v fuse2fs >/dev/null; then
  note "SKIP ext4 fuse2fs: fuse2fs is not installed (scripts/setup-deps.sh --bench)"
elif [[ ! -c /dev/fuse ]]; then
  note "SKIP ext4 fuse2fs: no /dev/fuse"
else
  backing_file "$tmp/fuse.img"
  mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0,nodiscard "$tmp/fuse.img"
  mkdir "$tmp/fuse"
  fuse2fs -f "$tmp/fuse.img" "$tmp/fuse" >"$tmp/fuse2fs.log" 2>&1 &
  fuse_pid=$!
  for _ in $(seq 50); do
    mountpoint -q "$tmp/fuse" && break
    kill -0 "$fuse_pid" 2>/dev/null || break
    sleep 0.1
  done
  if mountpoint -q "$tmp/fuse"; then
    fuse_mnt="$tmp/fuse"
    for jobs in 1 4; do
      result=$(fio_run "$fuse_mnt" "$jobs")
      read -r r p50 p99 <<<"$result"
      row "ext4 fuse2fs" "$jobs" "$r" "$p50" "$p99"
    done
    umount "$fuse_mnt"
    fuse_mnt=""
  else
    note "SKIP ext4 fuse2fs: the mount did not come up ($(head -n1 "$tmp/fuse2fs.log"))"
    kill "$fuse_pid" 2>/dev/null || true
  fi
  wait "$fuse_pid" 2>/dev/null || true
  fuse_pid=""
fi

if ! command -v fio >/dev/null; then
  :
elif [[ $(id -u) != 0 ]]; then
  note "SKIP tux3 fuse: needs root"
elif [[ ! -c /dev/fuse ]]; then
  note "SKIP tux3 fuse: no /dev/fuse"
else
  backing_file "$tmp/fuse.tux3"
  "$mkfs" -q -f "$tmp/fuse.tux3" >/dev/null
  mkdir -p "$tmp/tux3fuse"
  if "$tux3_fuse" -o "delta_interval=$interval,direct" "$tmp/fuse.tux3" "$tmp/tux3fuse"; then
    tux3_mnt="$tmp/tux3fuse"
    for jobs in 1 4; do
      result=$(fio_run "$tux3_mnt" "$jobs")
      read -r r p50 p99 <<<"$result"
      row "tux3 fuse" "$jobs" "$r" "$p50" "$p99"
    done
    umount "$tux3_mnt"
    tux3_mnt=""
    # The volume is closed after umount returns: wait for the server.
    bench_wait_gone "$tux3_fuse .* $tmp/tux3fuse"
  else
    note "SKIP tux3 fuse: the mount failed"
  fi
  rm -f "$tmp/fuse.tux3"
fi

# Non-fsync writers: one thread rewriting a 1 GiB ring of 4 KiB blocks, alone and beside
# one fsync job, in each mode.
writers="| tux3 mode | fsync jobs | fsyncs/s | writer MiB/s |
|---|---|---|---|"
declare -A wmib
for entry in stream:0 stream:1 delta:1; do
  mode=${entry%%:*} jobs=${entry#*:}
  result=$(tux3 "$mode" "jobs=$jobs writers=1")
  read -r r _ _ mib <<<"$result"
  wmib["$mode/$jobs"]=$mib
  writers+="
| $mode | $jobs | $r | $mib |"
done

verdicts=$(python3 - "${iops[tux3 stream/1]}" "${iops[tux3 stream/4]}" "${iops[tux3 delta/4]}" \
  "${iops[ext4 loop/1]:-}" "${iops[ext4 loop/4]:-}" \
  "${wmib[stream/0]}" "${wmib[stream/1]}" "${wmib[delta/1]}" \
  "${iops[tux3 fuse/1]:-}" "${iops[tux3 fuse/4]:-}" <<'PY'
import sys
s1, s4, d4, e1, e4, w0, ws, wd, f1, f4 = sys.argv[1:]
def ratio(a, b):
    return float(a) / float(b) if float(b) else float("inf")
r = ratio(s4, d4)
print(f"{'PASS' if r >= 5 else 'FAIL'}: tux3 4 jobs: stream/delta IOPS {r:.2f}x (target >= 5x)")
for jobs, s, e in (("1 job", s1, e1), ("4 jobs", s4, e4)):
    if not e:
        print(f"SKIP: tux3 stream vs ext4 loop, {jobs}: no ext4 loop run")
        continue
    r = ratio(s, e)
    print(f"{'PASS' if r >= 1 else 'FAIL'}: {jobs}: tux3 stream/ext4 loop IOPS {r:.2f}x (target >= 1x)")
for jobs, f, e in (("1 job", f1, e1), ("4 jobs", f4, e4)):
    if not f or not e:
        print(f"SKIP: tux3 fuse vs ext4 loop, {jobs}: no tux3 fuse or ext4 loop run")
        continue
    r = ratio(f, e)
    print(f"{'PASS' if r >= 1 else 'FAIL'}: {jobs}: tux3 fuse/ext4 loop fsync IOPS {r:.2f}x (target >= 1x)")
print(f"NOTE: non-fsync writer beside 1 fsync job / alone: stream {ratio(ws, w0):.2f}, "
      f"delta {ratio(wd, w0):.2f} (no target set)")
PY
)

echo "$table"
echo
echo "$writers"
echo
echo "$verdicts"
if ((record)); then
  {
    echo
    echo "## fsync: streams vs delta commits vs ext4 ($(date -u +%Y-%m-%d))"
    echo
    echo "Command: \`bench/fsync.sh ${args[*]}\` ($(nproc) CPUs, $(uname -r); image files:"
    echo "$image_size, $backing; source revision $(git -C "$repo_root" describe --always --dirty 2>/dev/null || echo unknown))"
    echo
    echo "$table"
    echo
    echo "$writers"
    echo
    echo "$verdicts" | sed 's/^/    /'
  } >>"$script_dir/RESULTS.md"
fi
