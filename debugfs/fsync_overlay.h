// fsync_overlay.h: the fsyncs of a volume's live fsync streams, laid over the committed
// delta the way replay applies them, so tux3-debugfs shows what a mount would see.
//
// Which fsyncs apply is the library's decision (replay_volume, a dry run: nothing is
// written); this keeps its answer and lays each applied fsync over the inode records and
// mappings the reader returns: the flagged attributes replace the record's, the extents
// replace the mappings of their logical ranges, and mappings past the new size go.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tuxdisk/device.h"
#include "tuxdisk/format/inode.h"
#include "tuxdisk/format/values.h"
#include "tuxdisk/replay.h"
#include "tuxdisk/status.h"

namespace tux3::debugfs {

// Mapping edits, on extents sorted by logical block and not overlapping. Blocks that stop
// being mapped are appended to `freed` as extents (logical of the old mapping kept).
void map_range(std::vector<format::Extent>& mapping, const format::Extent& extent,
               std::vector<format::Extent>& freed);
void unmap_from(std::vector<format::Extent>& mapping, uint64_t first_logical,
                std::vector<format::Extent>& freed);

class FsyncOverlay {
 public:
  FsyncOverlay() = default;
  // Runs replay_volume as a dry run. A volume whose state cannot be replayed gives an
  // error (the reader then shows the committed delta without its fsyncs).
  static Result<FsyncOverlay> build(BlockDevice& device);

  // Every complete fsync the streams hold, applied or not (with the reason).
  const std::vector<FsyncReplayInfo>& fsyncs() const { return fsyncs_; }
  const std::vector<StreamInfo>& stream_ends() const { return ends_; }
  std::size_t applied_count() const;
  // The fsyncs applied to `inum`, in the order replay applies them.
  std::vector<const FsyncReplayInfo*> applied_to(uint64_t inum) const;

  // Lays the applied fsyncs of `inum` over its record and mapping (the record's blocks
  // field follows the mapping). Blocks the fsyncs unmapped go to `freed` if given.
  void apply(uint64_t inum, format::InodeRecord& record, std::vector<format::Extent>& mapping,
             uint32_t block_size, std::vector<format::Extent>* freed = nullptr) const;

 private:
  std::vector<FsyncReplayInfo> fsyncs_;
  std::vector<StreamInfo> ends_;
};

}  // namespace tux3::debugfs
