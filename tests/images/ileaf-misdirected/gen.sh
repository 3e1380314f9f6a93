#!/usr/bin/env bash
# ileaf-misdirected: the inode table leaf holding /var/null, /var/fifo, /var/sda and /home/bob/long-link carries the location of the next block (a misdirected write), resealed
# The leaf's header location is its block number + 1; the checksum is recomputed.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
leaf=$(get inode /var/null leaf)
[[ $(get inode /var/fifo leaf) == "$leaf" ]] || die "/var/fifo is not in the leaf of /var/null"
t3 header-set "$leaf" location $((leaf + 1)) >/dev/null
tux3img show "$OUT" block "$leaf" --expect location=$((leaf + 1)) --expect checksum_ok=True >/dev/null
