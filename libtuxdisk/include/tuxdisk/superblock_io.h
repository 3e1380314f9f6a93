// superblock_io.h: reading both superblock slots from a device and choosing the one to use.
// Shared by everything that opens a volume (the engine, the read-only reader).
#pragma once

#include "tuxdisk/device.h"
#include "tuxdisk/format/superblock.h"
#include "tuxdisk/status.h"

namespace tux3 {

// Reads both slots. On success `chosen` is set (the valid slot with the higher delta) and
// the device is large enough for the volume it describes. Errors: NotFound (no tux3
// superblock at all, or a device too small to hold one), NotSupported (unknown version or
// incompat feature in the only readable slot, or in a slot newer than the valid one: a
// newer writer committed it), Corruption (damaged slots, naming both reasons; device too
// short).
Result<format::SlotPair> read_superblock(BlockDevice& device);

}  // namespace tux3
