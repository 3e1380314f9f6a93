#!/usr/bin/env bash
# bench/dbench.sh: dbench's standard client load on the tux3 FUSE mount beside fuse2fs on an
# ext4 image, kernel ext4 on a loop device and tmpfs, in one run.
#
# Usage: bench/dbench.sh [--seconds S] [--clients "N..."] [--tux3-options OPTS]
#                        [--targets "T,..."] [--build-dir DIR] [--record]
#   --seconds S      length of each run after dbench's warm-up (default 10)
#   --clients "N.."  client counts (default "4 16")
#   --tux3-options O tux3-fuse -o options (default: none, its defaults)
#   --targets "T,.." only these targets, by name (default: all four; ratios to a target
#                    left out print as "-")
#   --build-dir DIR  Release build holding fuse/tux3-fuse and mkfs/mkfs.tux3 (default
#                    build-release; built if missing)
#   --record         also append the table to bench/RESULTS.md
#
# Needs root, /dev/fuse, dbench and fuse2fs (scripts/setup-deps.sh --bench). Every target
# is a fresh 4 GiB file system whose backing file lies in ${TMPDIR:-/var/tmp}:
#   tux3 fuse:    mkfs.tux3 on an image file, tux3-fuse with its defaults (or -o OPTS);
#   ext4 fuse2fs: mkfs.ext4 on an image file, fuse2fs -f (its defaults);
#   ext4 loop:    mkfs.ext4 on a loop device (direct I/O) over an image file, kernel ext4;
#   tmpfs:        a tmpfs of the same size.
# dbench -t S N runs /usr/share/dbench/client.txt (dbench's default load). Throughput is
# dbench's MB/sec. Target: tux3 fuse >= 2x ext4 fuse2fs at each client count. A missed
# target prints FAIL but does not change the exit status (errors do).
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

seconds=10
clients="4 16"
tux3_options=""
only_targets=""
build_dir="$repo_root/build-release"
record=0
args=("$@")
while (($# > 0)); do
  case "$1" in
    --seconds) seconds=${2:?}; shift 2 ;;
    --clients) clients=${2:?}; shift 2 ;;
    --tux3-options) tux3_options=${2:?}; shift 2 ;;
    --targets) only_targets=${2:?}; shift 2 ;;
    --build-dir) build_dir=${2:?}; shift 2 ;;
    --record) record=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
done
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -ge 1 ]] || die "--seconds '$seconds': expected a whole number, at least 1"
for c in $clients; do [[ "$c" =~ ^[0-9]+$ && "$c" -ge 1 ]] || die "--clients: '$c' is not a client count"; done
[[ $(id -u) == 0 ]] || die "needs root (mounts)"
[[ -c /dev/fuse ]] || die "needs /dev/fuse"
for tool in dbench fuse2fs mkfs.ext4 losetup; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/setup-deps.sh --bench)"
done
bench_build_all_if_missing fuse/tux3-fuse mkfs/mkfs.tux3
fuse="$build_dir/fuse/tux3-fuse"
mkfs="$build_dir/mkfs/mkfs.tux3"

tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/tux3-dbench.XXXXXX")
mnt="$tmp/mnt"
loop=""
cleanup() {
  mountpoint -q "$mnt" 2>/dev/null && umount -l "$mnt" 2>/dev/null || true
  [[ -n "$loop" ]] && losetup -d "$loop" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
mkdir "$mnt"
size=4G


mount_target() {
  case "$1" in
    "tux3 fuse")
      "$mkfs" -q -f "$tmp/tux3.img" "$size"
      "$fuse" ${tux3_options:+-o "$tux3_options"} "$tmp/tux3.img" "$mnt" ;;
    "ext4 fuse2fs")
      truncate -s "$size" "$tmp/ext4f.img"
      mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$tmp/ext4f.img"
      fuse2fs "$tmp/ext4f.img" "$mnt" >"$tmp/fuse2fs.log" 2>&1 ;;
    "ext4 loop")
      truncate -s "$size" "$tmp/ext4l.img"
      loop=$(losetup -f --show --direct-io=on "$tmp/ext4l.img")
      mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$loop"
      mount "$loop" "$mnt" ;;
    tmpfs) mount -t tmpfs -o size="$size" tmpfs "$mnt" ;;
  esac
  mountpoint -q "$mnt" || die "$1: the mount did not come up"
}

unmount_target() {
  umount "$mnt"
  case "$1" in
    "tux3 fuse") bench_wait_gone "$fuse .* $mnt"; rm -f "$tmp/tux3.img" ;;
    "ext4 fuse2fs") bench_wait_gone "fuse2fs .*$mnt"; rm -f "$tmp/ext4f.img" ;;
    "ext4 loop") losetup -d "$loop"; loop=""; rm -f "$tmp/ext4l.img" ;;
  esac
}

declare -A mbs
targets=("tux3 fuse" "ext4 fuse2fs" "ext4 loop" "tmpfs")
if [[ -n "$only_targets" ]]; then
  IFS=, read -r -a chosen <<<"$only_targets"
  for t in "${chosen[@]}"; do
    [[ " ${targets[*]} " == *" $t "* ]] || die "--targets: unknown target '$t'"
  done
  targets=("${chosen[@]}")
fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for target in "${targets[@]}"; do
  for n in $clients; do
    note "$target, $n clients, $seconds s"
    mount_target "$target"
    out="$tmp/dbench.out"
    dbench -D "$mnt" -t "$seconds" "$n" >"$out" 2>&1 || { cat "$out" >&2; die "dbench failed on $target"; }
    mbs["$target/$n"]=$(sed -n 's/^Throughput \([0-9.]*\) MB\/sec.*/\1/p' "$out")
    [[ -n "${mbs["$target/$n"]}" ]] || { cat "$out" >&2; die "no throughput line from dbench on $target"; }
    unmount_target "$target"
  done
done

# ratio, or "-" when either side was not run
ratio_or_dash() { if [[ -n "$1" && -n "$2" ]]; then ratio "$1" "$2"; else echo -; fi; }

table() {
  echo "| target | clients | MB/s | / ext4 fuse2fs | / ext4 loop |"
  echo "| --- | ---: | ---: | ---: | ---: |"
  for target in "${targets[@]}"; do
    for n in $clients; do
      v=${mbs["$target/$n"]}
      echo "| $target | $n | $v | $(ratio_or_dash "$v" "${mbs["ext4 fuse2fs/$n"]:-}") | $(ratio_or_dash "$v" "${mbs["ext4 loop/$n"]:-}") |"
    done
  done
  echo
  for n in $clients; do
    [[ -n "${mbs["tux3 fuse/$n"]:-}" && -n "${mbs["ext4 fuse2fs/$n"]:-}" ]] || continue
    r=$(ratio "${mbs["tux3 fuse/$n"]}" "${mbs["ext4 fuse2fs/$n"]}")
    verdict=$(awk -v r="$r" 'BEGIN { print (r >= 2.0 ? "PASS" : "FAIL") }')
    echo "$verdict: $n clients: tux3 fuse / ext4 fuse2fs throughput ${r}x (target >= 2x)"
  done
}

result=$(table)
echo "$result"
if ((record)); then
  revision=$(git -C "$repo_root" describe --always --dirty 2>/dev/null || echo unknown)
  {
    echo
    echo "## dbench: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Command: \`bench/dbench.sh ${args[*]}\`"
    echo
    echo "- source revision: $revision; kernel $(uname -r), $(nproc) CPUs; load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- dbench $(dpkg-query -W -f='${Version}' dbench 2>/dev/null), client.txt load, $seconds s per run; each target a fresh $size file system over a file in ${TMPDIR:-/var/tmp}"
    echo
    echo "$result" | sed '/^PASS\|^FAIL/s/^/    /'
  } >>"$results_file"
  note "appended a section to bench/RESULTS.md"
fi
