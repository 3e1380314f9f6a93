#!/usr/bin/env bash
# bench/imagedump.sh: time and size of tux3-image dump against e2image -Q (ext4, then
# zstd), xfs_metadump (xfs, then zstd) and btrfs-image -c9 (btrfs), each on an image
# holding the same generated tree.
#
# Usage: bench/imagedump.sh [--files N] [--seed S] [--runs N] [--size SIZE]
#                           [--build-dir DIR] [--level N] [--record]
#   --files N        files in the tree (default 200000; the tree then holds 2 GiB in
#                    about 10,000 directories; fewer files scale both down, e.g.
#                    --files 20000 for a quick check)
#   --seed S         generator seed (default 1)
#   --runs N         timed runs per dumper (default 3)
#   --size SIZE      image size (default 4G, or twice the tree's data when that is more)
#   --build-dir DIR  build tree holding mkfs/mkfs.tux3 and image/tux3-image (default:
#                    build-release under the repo root); configured and built (Release)
#                    if a binary is missing
#   --level N        tux3-image's zstd level (default: its own)
#   --record         also append a dated section to bench/RESULTS.md
#
# The tree is bench/populate.sh's (bench/gentree.py, made once and reused from
# tux3-bench-trees/ under $TMPDIR when set, else under the build dir). Each run of this
# script copies it, untimed, into four sparse image files: mkfs.tux3 --root-dir, mke2fs -d
# and mkfs.btrfs --rootdir as populate.sh makes them, and mkfs.xfs -p with a protofile
# listing the tree (a protofile has no hard links: their second names become copies; the
# 0.2 % of files with a user.* xattr lose it). Then it dumps them in rounds, each round
# running each dumper once, after one untimed run of every dumper (warm page cache):
#   tux3-image dump IMG OUT                     names kept (the default)
#   tux3-image dump --scramble IMG OUT          names replaced (a keyed hash)
#   e2image -Q IMG OUT; zstd OUT                names kept (e2image has no scrambling)
#   xfs_metadump -o IMG OUT; zstd OUT           -o: names kept
#   xfs_metadump IMG OUT; zstd OUT              names obfuscated (its default)
#   btrfs-image -c9 IMG OUT                     names kept (no -s)
# Times are wall-clock around the whole command (both steps where there are two); the
# size is the final file's. Any dumper exiting non-zero is an error: its output is shown,
# the table still printed, nothing recorded, exit status 1.
#
# Prints a Markdown table, then one PASS/FAIL line per peer for the target: tux3-image
# dump smaller and faster than each (median times; names kept against names kept, and
# --scramble against xfs_metadump's obfuscation). A missed target does not change the exit
# status; errors do.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

level=""
while (($# > 0)); do
  bench_tree_option "$@"
  if ((bench_shift > 0)); then shift "$bench_shift"; continue; fi
  case "$1" in
    --level) need $# "$1"; level=$2; recorded_args+=("$1" "$2"); shift 2 ;;
    --level=*) level=${1#*=}; recorded_args+=("$1"); shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
bench_tree_validate 1
[[ -z "$level" || "$level" =~ ^[1-9][0-9]?$ ]] || die "--level wants 1 to 22, got '$level'"
command_line=$(bench_command_line)

# --- tools --------------------------------------------------------------------
"$repo_root/scripts/setup-deps.sh" --bench || die "scripts/setup-deps.sh --bench failed"
for t in mke2fs e2image mkfs.btrfs btrfs-image mkfs.xfs xfs_metadump zstd python3 truncate \
         stat cmake ninja; do
  command -v "$t" >/dev/null || die "missing $t after scripts/setup-deps.sh --bench"
done

mkfs_tux3="$build_dir/mkfs/mkfs.tux3"
tux3_image="$build_dir/image/tux3-image"
bench_build_targets mkfs/mkfs.tux3 image/tux3-image
stale_notes=()
for pair in "mkfs.tux3:$mkfs_tux3:mkfs" "tux3-image:$tux3_image:image"; do
  IFS=: read -r name bin dir <<<"$pair"
  stale=$(bench_stale "$bin" CMakeLists.txt libtuxdisk cmdline "$dir")
  if [[ -n "$stale" ]]; then
    note "warning: $stale is newer than $bin; using the binary as it is (ninja -C $build_dir refreshes it)"
    stale_notes+=("$name was older than its sources ($stale is newer)")
  fi
done

# --- the tree and the images (untimed) ---------------------------------------------
bench_tree
bench_default_size
bench_workdir imagedump-bench

declare -A alloc
make_image() {  # NAME IMG ARGV...: makes IMG, or dies showing the output
  local name=$1 img=$2
  shift 2
  note "making the $name image"
  if ! SOURCE_DATE_EPOCH=$bench_epoch E2FSPROGS_FAKE_TIME=$bench_epoch "$@" >"$work/out" 2>&1; then
    cat -- "$work/out" >&2
    die "making the $name image failed"
  fi
  alloc[$name]=$(( $(stat -c '%b * %B' -- "$img") ))
}
declare -A image_of=([mkfs.tux3]=tux3 [mke2fs]=ext4 [mkfs.btrfs]=btrfs)
for tool in "${bench_image_tools[@]}"; do
  img="$work/${image_of[$tool]}.img"
  if [[ $tool == mkfs.btrfs ]]; then truncate -s "$size" -- "$img"; fi
  bench_image_argv "$tool" "$img"
  make_image "${image_of[$tool]}" "$img" "${argv[@]}"
done
# xfs: a protofile describing the tree (directories, files by their host path, symlinks).
python3 - "$tree" "$work/xfs.proto" <<'EOF'
import os, stat, sys
tree, out = sys.argv[1], sys.argv[2]
lines = ["/dummy", "0 0", "d--755 0 0"]
def walk(path, depth):
    for entry in sorted(os.scandir(path), key=lambda e: e.name):
        st = entry.stat(follow_symlinks=False)
        mode = "%03o" % (st.st_mode & 0o777)
        pad = " " * depth
        if entry.is_symlink():
            lines.append("%s%s l--%s 0 0 %s" % (pad, entry.name, mode, os.readlink(entry.path)))
        elif entry.is_dir(follow_symlinks=False):
            lines.append("%s%s d--%s 0 0" % (pad, entry.name, mode))
            walk(entry.path, depth + 1)
            lines.append(pad + "$")
        elif stat.S_ISREG(st.st_mode):
            lines.append("%s%s ---%s 0 0 %s" % (pad, entry.name, mode, entry.path))
walk(tree, 1)
lines.append("$")
open(out, "w").write("\n".join(lines) + "\n")
EOF
truncate -s "$size" -- "$work/xfs.img"
make_image xfs "$work/xfs.img" mkfs.xfs -q -f -m uuid="$bench_uuid" -p "$work/xfs.proto" "$work/xfs.img"
sync

# --- measure --------------------------------------------------------------------
dumpers=(tux3-image tux3-image-scramble e2image xfs_metadump-o xfs_metadump btrfs-image)
level_opt=()
[[ -n "$level" ]] && level_opt=(--level "$level")
declare -A shown=(
  [tux3-image]="tux3-image dump${level:+ --level $level} IMG OUT"
  [tux3-image-scramble]="tux3-image dump --scramble${level:+ --level $level} IMG OUT"
  [e2image]="e2image -Q IMG OUT; zstd OUT"
  [xfs_metadump-o]="xfs_metadump -o IMG OUT; zstd OUT"
  [xfs_metadump]="xfs_metadump IMG OUT; zstd OUT"
  [btrfs-image]="btrfs-image -c9 IMG OUT"
)
declare -A fs=([tux3-image]=tux3 [tux3-image-scramble]=tux3 [e2image]=ext4
               [xfs_metadump-o]=xfs [xfs_metadump]=xfs [btrfs-image]=btrfs)
# dump DUMPER: one run into $work/out.DUMPER (the final file); sets status.
dump() {
  local d=$1 img="$work/${fs[$1]}.img" out="$work/out.$1"
  rm -f -- "$out" "$out.raw"
  status=0
  case "$d" in
    tux3-image) "$tux3_image" dump -q "${level_opt[@]}" "$img" "$out" ;;
    tux3-image-scramble) "$tux3_image" dump -q --scramble --scramble-key bench "${level_opt[@]}" "$img" "$out" ;;
    e2image) e2image -Q "$img" "$out.raw" && zstd -q --rm "$out.raw" -o "$out" ;;
    xfs_metadump-o) xfs_metadump -o "$img" "$out.raw" && zstd -q --rm "$out.raw" -o "$out" ;;
    xfs_metadump) xfs_metadump "$img" "$out.raw" && zstd -q --rm "$out.raw" -o "$out" ;;
    btrfs-image) btrfs-image -c9 "$img" "$out" ;;
  esac >"$work/log" 2>&1 || status=$?
}

declare -A times statuses bytes
errors=()
run_dumper() {  # DUMPER WHAT
  local d=$1 what=$2 start end
  start=$EPOCHREALTIME
  dump "$d"
  end=$EPOCHREALTIME
  if ((status != 0)); then
    note "ERROR: ${shown[$d]} exited $status ($what); its output:"
    tail -n 40 -- "$work/log" | sed 's/^/    /' >&2
    errors+=("ERROR: ${shown[$d]} exited $status ($what)")
  fi
  [[ $what == untimed* ]] && return 0
  times[$d]+="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }') "
  statuses[$d]+="$status "
  bytes[$d]=$(stat -c %s -- "$work/out.$d" 2>/dev/null || echo 0)
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for d in "${dumpers[@]}"; do
  note "warm-up (untimed): ${shown[$d]}"
  run_dumper "$d" "untimed warm-up run"
done
for ((round = 1; round <= runs; round++)); do
  for d in "${dumpers[@]}"; do
    note "round $round/$runs: ${shown[$d]}"
    run_dumper "$d" "round $round"
  done
done
# The tux3 dumps restore to an image that checks as the original does (a sanity check,
# untimed; the tests do this thoroughly).
"$tux3_image" restore -q "$work/out.tux3-image" "$work/restored.img" ||
  errors+=("ERROR: tux3-image restore of the benchmark's dump failed")

# --- report -------------------------------------------------------------------
declare -A med lo hi
for d in "${dumpers[@]}"; do
  # shellcheck disable=SC2086
  read -r med[$d] lo[$d] hi[$d] < <(stat3 ${times[$d]})
done
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

table() {
  echo "| dumper | file system | command | median s | min-max s | dump bytes | dump MiB | time / tux3-image | size / tux3-image |"
  echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  local d base
  for d in "${dumpers[@]}"; do
    base=tux3-image
    [[ $d == xfs_metadump || $d == tux3-image-scramble ]] && base=tux3-image-scramble
    # shellcheck disable=SC2016  # the backquotes are Markdown's
    printf '| %s | %s | `%s` | %.3f | %.3f-%.3f | %s | %s | %s | %s |\n' "$d" "${fs[$d]}" \
      "${shown[$d]}" "${med[$d]}" "${lo[$d]}" "${hi[$d]}" "${bytes[$d]}" "$(mib "${bytes[$d]}")" \
      "$(ratio "${med[$d]}" "${med[$base]}")" "$(ratio "${bytes[$d]}" "${bytes[$base]}")"
  done
}
targets() {
  if ((${#errors[@]} > 0)); then
    echo "No PASS/FAIL lines: a dumper failed (above)."
    return
  fi
  local peer base verdict tr sr
  for peer in e2image xfs_metadump-o btrfs-image xfs_metadump; do
    base=tux3-image
    [[ $peer == xfs_metadump ]] && base=tux3-image-scramble
    tr=$(ratio "${med[$peer]}" "${med[$base]}")
    sr=$(ratio "${bytes[$peer]}" "${bytes[$base]}")
    if awk -v t="$tr" -v s="$sr" 'BEGIN { exit !(t > 1 && s > 1) }'; then verdict=PASS; else verdict=FAIL; fi
    printf '%s: %s vs %s: %.3f s vs %.3f s (%sx as fast), %s vs %s bytes (%sx as small) (target: both above 1.00x)\n' \
      "$verdict" "${shown[$base]}" "${shown[$peer]}" "${med[$base]}" "${med[$peer]}" "$tr" \
      "${bytes[$base]}" "${bytes[$peer]}" "$sr"
  done
}
noise() {
  local d spread lo_s="" hi_s="" lo_k="" hi_k=""
  for d in "${dumpers[@]}"; do
    spread=$(awk -v lo="${lo[$d]}" -v hi="${hi[$d]}" -v m="${med[$d]}" \
      'BEGIN { printf "%.0f", (m > 0 ? (hi - lo) / m * 100 : 0) }')
    if [[ -z "$lo_s" ]] || ((spread < lo_s)); then lo_s=$spread lo_k=$d; fi
    if [[ -z "$hi_s" ]] || ((spread > hi_s)); then hi_s=$spread hi_k=$d; fi
  done
  printf 'Noise: each time is the median of %d runs, in rounds of one run per dumper, after one untimed run of each, so all of them read their images from the page cache: this times the dumpers'"'"' CPU work, not the disk. The spread (max - min) relative to the median goes from %s%% (%s) to %s%% (%s). Sizes do not vary between runs. A %s-core machine: read the ratios, not the seconds.\n' \
    "$runs" "$lo_s" "$lo_k" "$hi_s" "$hi_k" "$(nproc)"
}

out_table=$(table)
out_targets=$(targets)
echo "Tree: $tree_line (seed $seed); images $size"
echo
echo "$out_table"
echo
echo "$out_targets"
if ((${#errors[@]} > 0)); then
  echo
  printf '%s\n' "${errors[@]}"
  die "$(( ${#errors[@]} )) dumper run(s) failed; nothing recorded"
fi

if ((record)); then
  versions="$("$tux3_image" --version); $("$mkfs_tux3" -V 2>&1 | sed -n 1p); e2image $(e2image 2>&1 | sed -n 's/^e2image \([0-9.]*\).*/\1/p' | head -n1); $(xfs_metadump -V 2>&1 | sed -n 1p); btrfs-image of $(btrfs --version 2>&1 | sed -n 1p); $(zstd -V | sed -n 1p)"
  {
    bench_record_header "imagedump" "$command_line"
    echo "- images, made once before the runs (untimed), all with SOURCE_DATE_EPOCH=$bench_epoch and E2FSPROGS_FAKE_TIME=$bench_epoch: \`$(bench_image_shown mkfs.tux3)\`; \`$(bench_image_shown mke2fs)\`; \`$(bench_image_shown mkfs.btrfs)\`; \`mkfs.xfs -q -f -m uuid=UUID -p PROTOFILE IMG\` (IMG made with truncate -s $size; the protofile lists the tree, hard links as copies, no xattrs); allocated bytes: tux3 ${alloc[tux3]}, ext4 ${alloc[ext4]}, xfs ${alloc[xfs]}, btrfs ${alloc[btrfs]}"
    echo "- tools: $versions"
    for n in ${stale_notes[@]+"${stale_notes[@]}"}; do
      echo "- caution: $n, so it may not match the revision above"
    done
    echo
    echo "$out_table"
    echo
    echo '```'
    echo "$out_targets"
    echo '```'
    echo
    echo "Ratios are each row against tux3-image dump (names kept), except xfs_metadump (which obfuscates names by default) and tux3-image dump --scramble, which are against tux3-image dump --scramble. Two-step rows (e2image -Q, xfs_metadump) write an uncompressed dump and then compress it with zstd's default level; the time is both steps, the size the compressed file's."
    echo
    noise
  } >>"$results_file"
  note "appended a section to bench/RESULTS.md"
fi
