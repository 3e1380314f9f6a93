#!/usr/bin/env bash
# stream-block-in-use: a live fsync stream block maps /keep's new data to a block the committed delta uses for /d/x (data_crc and checksum resealed)
# A crash after an fsync through stream 0; the stream block's first extent is pointed at the
# first data block of /d/x, allocated in the committed delta; data_crc is recomputed and the
# block resealed, so the stream block itself is valid.
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
x=$(get extents /d/x extents.0.physical)
expect bitmap-block "$x" allocated=True
t3 stream-extent-set "$sblk" 0 --physical "$x" >/dev/null
expect streams streams.0.blocks.0.extents.0.physical=$x
