#!/usr/bin/env bash
# stream-bad-csum: normal after a crash: the live fsync stream block of /keep has a bad checksum (a torn write), so that fsync is not applied
# A crash after an fsync through stream 0; the last byte of the stream block changes, as if
# the crash tore its write; not resealed. The block does not count and the stream ends there.
# Replay drops that fsync and leaves a clean volume.
source "$(dirname "$0")/../lib.sh"
mkimg
write <<'EOS'
write /keep 4k pattern=seq
mkdir /d
write /d/x 2k pattern=text
sync
# the first fsync commits a delta that reserves the streams; the second goes to stream 0
append /keep 1k pattern=text sync=fsync
append /keep 3k pattern=text sync=fsync
crash
EOS
clean
expect streams streams.0.blocks.0.inum=$(get path /keep inum)
sblk=$(get streams streams.0.blocks.0.block)
bs=$((1 << $(sbget slots.0.blockbits)))
t3 poke $((bs - 1)) 5a --block "$sblk" >/dev/null
tux3img show "$OUT" block "$sblk" --expect magic=T3FS --expect checksum_ok=False >/dev/null
