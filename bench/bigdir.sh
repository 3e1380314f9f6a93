#!/usr/bin/env bash
# bench/bigdir.sh: one directory of N entries: create every name, then look every name up.
# tux3 (the engine, through tux3-writer: touch, then check, on a fresh image) beside tmpfs
# and kernel ext4 on a loop device (root only), for N = 100,000 and 1,000,000, in one run.
# The directory index is a btree, so time should grow about n log n: the "x10 N" column
# is time(1M) / time(100k) (10 would be linear).
#
# Usage: bench/bigdir.sh [--sizes "100000 1000000"] [--record]
#   --record  append a dated section to bench/RESULTS.md
# Note what is compared: tux3 runs in-process (no system calls per operation); tmpfs and
# ext4 are measured through the kernel's system calls (open+close, stat). The tux3 figure
# includes closing the volume (a commit and a unify).
set -euo pipefail
script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
root=$(cd -- "$script_dir/.." && pwd)
sizes="100000 1000000"
record=0
while (($#)); do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --record) record=1; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/bigdir.sh: unknown argument: $1" >&2; exit 16 ;;
  esac
done
"$root/scripts/setup-deps.sh" --bench
build=$("$root/scripts/build.sh" Release | tail -n 1)
mkfs="$build/mkfs/mkfs.tux3"
writer="$build/writer/tux3-writer"
work=$(mktemp -d "${TMPDIR:-$build}/bigdir.XXXXXX")
loopdev=""
cleanup() {
  mountpoint -q "$work/ext4" 2>/dev/null && umount "$work/ext4"
  [[ -n $loopdev ]] && losetup -d "$loopdev" 2>/dev/null
  mountpoint -q "$work/tmpfs" 2>/dev/null && umount "$work/tmpfs"
  rm -rf "$work"
}
trap cleanup EXIT
cc -O2 -o "$work/peer" "$script_dir/bigdir_peer.c"

declare -A create lookup
run_tux3() {
  local n=$1 img="$work/tux3.img"
  rm -f "$img"
  "$mkfs" -q "$img" 8g
  printf 'mkdir /d\nrepeat %s\n touch /d/f$i\nend\n' "$n" >"$work/create.tw"
  printf 'repeat %s\n check /d/f$i size=0\nend\n' "$n" >"$work/lookup.tw"
  local t0 t1 t2
  t0=$(date +%s.%N)
  "$writer" -q "$img" "$work/create.tw"
  t1=$(date +%s.%N)
  "$writer" -q "$img" "$work/lookup.tw"
  t2=$(date +%s.%N)
  create[tux3,$n]=$(echo "$t1 - $t0" | bc)
  lookup[tux3,$n]=$(echo "$t2 - $t1" | bc)
}
run_peer() {
  local name=$1 dir=$2 n=$3
  rm -rf "$dir/d"
  mkdir "$dir/d"
  read -r c l < <("$work/peer" "$dir/d" "$n")
  create[$name,$n]=$c
  lookup[$name,$n]=$l
  rm -rf "$dir/d"
}
peers=()
if [[ $(id -u) -eq 0 ]]; then
  mkdir -p "$work/tmpfs" "$work/ext4"
  mount -t tmpfs -o size=4g,nr_inodes=4m tmpfs "$work/tmpfs" && peers+=(tmpfs)
  truncate -s 8g "$work/ext4.img"
  mkfs.ext4 -q -F -N 2200000 "$work/ext4.img"
  if loopdev=$(losetup -f --show "$work/ext4.img" 2>/dev/null) && mount "$loopdev" "$work/ext4"; then
    peers+=(ext4-loop)
  else
    echo "bench/bigdir.sh: SKIP ext4-loop: no loop device" >&2
  fi
else
  echo "bench/bigdir.sh: SKIP tmpfs and ext4-loop: need root to mount" >&2
fi
for n in $sizes; do
  echo "bench/bigdir.sh: $n entries" >&2
  run_tux3 "$n"
  for p in "${peers[@]}"; do
    case $p in
      tmpfs) run_peer tmpfs "$work/tmpfs" "$n" ;;
      ext4-loop) run_peer ext4-loop "$work/ext4" "$n"; sync ;;
    esac
  done
done

table() {
  echo "| fs | entries | create s | lookup s | create / tux3 | lookup / tux3 |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  for n in $sizes; do
    for fs in tux3 "${peers[@]}"; do
      printf '| %s | %s | %.2f | %.2f | %.2f | %.2f |\n' "$fs" "$n" "${create[$fs,$n]}" \
        "${lookup[$fs,$n]}" "$(echo "${create[$fs,$n]} / ${create[tux3,$n]}" | bc -l)" \
        "$(echo "${lookup[$fs,$n]} / ${lookup[tux3,$n]}" | bc -l)"
    done
  done
  set -- $sizes
  if (($# >= 2)); then
    echo
    echo "Growth from $1 to $2 entries (x$(($2 / $1)) names; linear would be x$(($2 / $1))):"
    echo
    for fs in tux3 "${peers[@]}"; do
      printf -- '- %s: create x%.1f, lookup x%.1f\n' "$fs" \
        "$(echo "${create[$fs,$2]} / ${create[$fs,$1]}" | bc -l)" \
        "$(echo "${lookup[$fs,$2]} / ${lookup[$fs,$1]}" | bc -l)"
    done
  fi
}
out=$(table)
echo "$out"
if ((record)); then
  {
    echo
    echo "## bigdir: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Command: \`bench/bigdir.sh${sizes:+ --sizes \"$sizes\"} --record\`"
    echo
    echo "- source revision: $(git -C "$root" rev-parse --short HEAD); kernel $(uname -r), $(nproc) CPUs"
    echo "- tux3: the engine in-process through tux3-writer (touch / check), image on $(df -T "$work" | awk 'NR==2{print $2}'); peers: bench/bigdir_peer.c (open+close / stat) on tmpfs and on ext4 on a loop device"
    echo
    echo "$out"
    echo
    echo "Noise: one run per cell; tux3 times include process start, replay at open and the final unify."
  } >>"$script_dir/RESULTS.md"
  echo "bench/bigdir.sh: appended a section to bench/RESULTS.md" >&2
fi
