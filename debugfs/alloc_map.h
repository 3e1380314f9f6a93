// alloc_map.h: which blocks are allocated in the state a reader shows: the bitmap blocks as
// the last unify wrote them, with the log chain's allocation changes applied (when the log
// is replayed) and the applied fsyncs' mappings laid over, as replay does it (see
// man/tux3-format.5, "Applying the log"). One bit per volume block.
//
// Damage does not stop it: a bitmap block that does not verify leaves its range unknown
// (counted as allocated) and a problem naming the block and the reason.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chain.h"
#include "fsync_overlay.h"
#include "tuxdisk/status.h"
#include "tuxdisk/volume_reader.h"

namespace tux3::debugfs {

struct BlockRange {
  uint64_t start = 0;
  uint64_t count = 0;
};

struct AllocMap {
  uint64_t vol_blocks = 0;
  std::vector<uint64_t> words;      // bit b % 64 of word b / 64: block b is allocated
  std::vector<BlockRange> unknown;  // ranges whose bitmap block did not verify
  std::vector<std::string> problems;

  bool allocated(uint64_t block) const {
    return block < vol_blocks && (words[block / 64] >> (block % 64) & 1);
  }
  uint64_t allocated_count() const;
  bool is_unknown(uint64_t block) const;
};

// The largest volume whose map is built: 2^36 blocks (an 8 GiB map).
inline constexpr uint64_t kMaxMappedBlocks = uint64_t(1) << 36;

// `chain`: the chain whose records to apply (null: the bitmap as on disk). Fails only
// when the bitmap's own mapping (inode 1) cannot be read.
Result<AllocMap> build_alloc_map(VolumeReader& reader, const LogChain* chain,
                                 const FsyncOverlay& overlay);

}  // namespace tux3::debugfs
