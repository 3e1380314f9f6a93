#!/usr/bin/env bash
# ileaf-future-delta: the inode table leaf holding /home/alice/docs/report carries delta 4, newer than the committed delta 3 (resealed)
# The leaf's header delta is the committed delta + 1; the checksum is recomputed.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
leaf=$(get inode /home/alice/docs/report leaf)
delta=$(sbget slots.0.delta)
t3 header-set "$leaf" delta $((delta + 1)) >/dev/null
tux3img show "$OUT" block "$leaf" --expect delta=$((delta + 1)) --expect checksum_ok=True >/dev/null
