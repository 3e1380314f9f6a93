#!/usr/bin/env bash
# log-unknown-record: a record of the newest log block has the unknown code 0x0f (it was a FREE record; block resealed)
# The first FREE record of the unify delta's log gets code 0x0f, keeping its size; resealed.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
blk=$(get log-record FREE 0 block)
idx=$(get log-record FREE 0 index)
t3 log-record-set "$blk" "$idx" --code 0x0f >/dev/null
tux3img show "$OUT" block "$blk" --get problems | grep -q "unknown record code 0x0f" \
  || die "the record was not changed"
