#!/usr/bin/env bash
# stream-data-crc: normal after a crash: the live fsync stream block of /keep fails its data_crc (its first data block never reached the disk), so that fsync is not applied
# A crash after an fsync through stream 0; the first data block the stream block maps is
# zeroed, as if the crash came before it was written: the block does not count and the
# stream ends there. Replay drops that fsync and leaves a clean volume.
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
data=$(get streams streams.0.blocks.0.extents.0.physical)
expect bitmap-block "$data" allocated=False
t3 poke 0 zero --length 1024 --block "$data" >/dev/null
expect streams "streams.0.end.reason=data_crc mismatch"
