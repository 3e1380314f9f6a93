// volume_reader.h: read-only access to a volume, every block verified as it is read.
//
// The reader picks the newest valid superblock slot and reads structures through it. It never
// writes. By default it replays the log in memory, so trees read through it are those of
// the committed delta (bnodes changed since the last unify exist only in the log); with
// replay off it shows the blocks exactly as they are on disk.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "tuxdisk/device.h"
#include "tuxdisk/format/header.h"
#include "tuxdisk/format/inode.h"
#include "tuxdisk/format/node.h"
#include "tuxdisk/format/superblock.h"
#include "tuxdisk/format/values.h"
#include "tuxdisk/status.h"

namespace tux3 {

struct ChainReplay;

// Callbacks of a tree walk. Either may be empty. Keys of a node lie in [low, high).
struct TreeVisitor {
  std::function<Status(uint64_t block, const format::Bnode& node)> on_bnode;
  std::function<Status(uint64_t block, const format::LeafView& leaf, uint64_t low,
                       uint64_t high)>
      on_leaf;
};

class VolumeReader {
 public:
  // Reads both slots and chooses one. NotFound if neither slot holds a tux3 superblock;
  // Corruption if slots are damaged; NotSupported for an unknown version or feature.
  // REQUIRES: device outlives the reader.
  // tolerant (fsck): log records that do not apply are skipped (replay().skipped says
  // which); the bnodes they would have rebuilt then read as damaged.
  static Result<std::unique_ptr<VolumeReader>> open(BlockDevice& device, bool replay = true,
                                                    bool tolerant = false);
  // Reads through `super` instead of the chosen slot (a state of an older delta, as
  // tuxdisk/replay.h finds them); `slots` are the slots as read. Blocks with a header delta
  // newer than super.delta are rejected as uncommitted.
  static Result<std::unique_ptr<VolumeReader>> open_at(BlockDevice& device, format::SlotPair slots,
                                                       const format::Superblock& super,
                                                       bool replay = true, bool tolerant = false);
  ~VolumeReader();

  const format::Superblock& super() const { return super_; }
  const format::SlotPair& slots() const { return slots_; }
  uint32_t block_size() const { return super_.block_size(); }
  uint64_t first_data_block() const { return first_data_block_; }
  BlockDevice& device() { return device_; }

  // Reads one block. InvalidArgument if outside the volume.
  Status read_block(uint64_t block, std::span<uint8_t> out);
  // A bnode as of the committed delta (rebuilt from the log, or read from disk), verified
  // against the tree and level it was reached from.
  Result<format::Bnode> read_bnode(uint64_t block, uint64_t owner, uint16_t level);
  // The replayed log (empty when opened without replay).
  const struct ChainReplay& replay() const { return *replay_; }
  // What a block of this kind at this location must say.
  format::Expect expect(uint32_t magic, uint64_t block) const;

  // Walks a btree from its root, verifying every node: header, owner, level = depth below
  // the root, keys inside the range the parent gives. Visits nodes depth-first in key order.
  Status walk_tree(const format::TreeRoot& root, uint64_t owner, uint32_t leaf_magic,
                   const TreeVisitor& visitor);

  // The inode record for inum, or nullopt if the inode table has none.
  Result<std::optional<format::InodeRecord>> lookup_inode(uint64_t inum);
  // Every extent of a file (or of the bitmap), in logical order.
  Result<std::vector<format::Extent>> file_extents(uint64_t inum, const format::InodeRecord& in);
  // Every entry of a directory, in key order.
  Result<std::vector<format::Dirent>> dir_entries(uint64_t inum, const format::InodeRecord& in);

 private:
  VolumeReader(BlockDevice& device, format::SlotPair slots, format::Superblock super);
  Status walk_node(uint64_t block, uint16_t level, uint64_t owner, uint32_t leaf_magic,
                   uint64_t low, uint64_t high, const TreeVisitor& visitor);

  BlockDevice& device_;
  format::SlotPair slots_;
  format::Superblock super_;
  uint64_t first_data_block_;
  std::unique_ptr<ChainReplay> replay_;
};

}  // namespace tux3
