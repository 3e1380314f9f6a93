# lib.sh: sourced by every tests/images/<case>/gen.sh, which is run as
#   gen.sh BUILD_DIR OUT_IMAGE
# It makes the image from scratch: mkfs.tux3 with a fixed UUID and clock, tux3-writer
# scripts, then tux3img.py changes. Every step that fails, and every locate that does
# not find what the case expects, stops the script with a message.
set -euo pipefail
if [[ $# -ne 2 ]]; then
  echo "usage: gen.sh BUILD_DIR OUT_IMAGE" >&2
  exit 16
fi
BUILD=$(cd "$1" && pwd)
OUT=$2
IMAGES=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CASE=$(basename "$(cd "$(dirname "$0")" && pwd)")
MKFS=$BUILD/mkfs/mkfs.tux3
WRITER=$BUILD/writer/tux3-writer
REPLAY=$BUILD/replay/tux3-replay
export SOURCE_DATE_EPOCH=1700000000 TZ=UTC LC_ALL=C PYTHONDONTWRITEBYTECODE=1
UUID=7e57da7a-0000-4000-8000-00000000c0de
# the interpreter itself, found once (a wrapper such as a pyenv shim can cost more than the work)
PY=$(python3 -c 'import sys; print(sys.executable)')
for tool in "$MKFS" "$WRITER"; do
  [[ -x $tool ]] || { echo "$CASE: $tool not found (build first)" >&2; exit 2; }
done

die() { echo "$CASE/gen.sh: $*" >&2; exit 1; }

# tux3img ARGS...: tux3img.py; t3 COMMAND ARGS...: tux3img.py COMMAND on the image being made
tux3img() { "$PY" "$IMAGES/tux3img.py" "$@"; }
t3() { local cmd=$1; shift; tux3img "$cmd" "$OUT" "$@"; }

# get OBJECT ARGS... KEY: one value from tux3img.py locate (fails if not found)
get() { local key=${*: -1}; tux3img locate "$OUT" "${@:1:$#-1}" --get "$key"; }

# expect OBJECT ARGS... KEY=VALUE: fail unless locate finds that value
expect() { local kv=${*: -1}; tux3img locate "$OUT" "${@:1:$#-1}" --expect "$kv" >/dev/null \
  || die "expected $kv of: locate ${*:1:$#-1}"; }

# mkimg [SIZE [BLOCK_SIZE [MKFS OPTIONS...]]]: a new volume (default 2m, 1 KiB blocks).
# io_min/io_opt come from the host filesystem: they are set to fixed values.
mkimg() {
  local size=${1:-2m} bs=${2:-1024}
  shift $(($# > 2 ? 2 : $#))
  rm -f "$OUT"
  "$MKFS" -q -b "$bs" -U "$UUID" --root-owner 0:0 "$@" "$OUT" "$size"
  t3 normalize --io-min 4096 --io-opt 0
}

# write [WRITER OPTIONS...] < SCRIPT: run a tux3-writer script on the image
write() { "$WRITER" -q --deterministic "$@" "$OUT" -; }

# populate: the standard tree of base.tw (two deltas, closed cleanly)
populate() { write < "$IMAGES/base.tw"; }

# clean: fail unless tux3img.py's own check finds nothing (before the damage is done)
clean() { t3 check --quiet-info >&2 || die "the image is not clean before the damage"; }

# sb KEY=VALUE...: fail unless tux3img.py show sb has these values (slots.0 is the
# committed slot, slots.1 the other)
sb() { local a args=(); for a; do args+=(--expect "$a"); done
  tux3img show "$OUT" sb "${args[@]}" >/dev/null || die "superblock: expected $*"; }

# sbget KEY: one value of tux3img.py show sb
sbget() { tux3img show "$OUT" sb --get "$1"; }
