// probe.h: what is already on a device (libblkid), and erasing foreign signatures.
//
// Used by mkfs (refuse to destroy a filesystem, RAID member or partition table without
// --force) and by fsck (report what a non-tux3 device holds).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tuxdisk/status.h"

namespace tux3 {

struct Signature {
  std::string type;    // "ext4", "xfs", "linux_raid_member", "gpt", "dos", "tux3", ...
  std::string usage;   // "filesystem", "raid", "partition table", "crypto", "other"
  std::string label;   // may be empty
  std::string uuid;    // may be empty
  uint64_t offset = 0; // byte offset of the magic found
  std::string describe() const;  // "ext4 filesystem labelled 'data' (magic at byte 1080)"
};

// Every signature libblkid (superblocks and partition tables) sees on the open descriptor,
// plus a tux3 superblock, which libblkid does not know. REQUIRES: fd readable.
Result<std::vector<Signature>> probe_signatures(int fd);

// The mount point if the block device `path` (or any device with the same device number) is
// mounted, from /proc/self/mountinfo; nullopt if not mounted or not a block device.
std::optional<std::string> find_mount(const std::string& path);

// Erases every foreign signature libblkid sees (magic bytes only, as wipefs -a does).
// Returns how many were erased. REQUIRES: fd open for writing.
Result<int> wipe_signatures(int fd);

}  // namespace tux3
