// repair.h: the engine side of fsck's repairs: low-level edits of a volume that the
// ordinary operations refuse or do differently, committed as one unify delta.
//
// The engine opens the (replayed, clean) volume with an allocation bitmap fsck gives:
// every block the checked state uses or the old bitmap marks, so nothing the volume
// still uses is overwritten before the repair is durable. The edits change trees and
// records in memory; finish() frees the blocks fsck found unused, sets the inode count,
// commits a unify that rewrites every bitmap block, and closes the volume (clean). A crash
// before finish() returns leaves the volume as it was; after, repaired.
//
// Edits never free data blocks themselves (a dropped extent's blocks may belong to
// another file); fsck passes the blocks to free to finish().
//
// Not thread-safe: one caller.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "btree/btree.h"
#include "tuxdisk/device.h"
#include "tuxdisk/format/superblock.h"
#include "tuxdisk/status.h"
#include "tuxdisk/volume.h"

namespace tux3 {

class Repairer {
 public:
  virtual ~Repairer() = default;

  // Replaces a tree with a new one holding `items` (the ones that still read): the inode
  // table (format::kOwnerInodeTable), the orphan tree (kOwnerOrphans), or an inode's.
  virtual Status rebuild_tree(uint64_t tree, std::vector<BtreeItem> items) = 0;
  // Removes an inode's record (its blocks are freed by finish(), its names by their own
  // repairs), and its orphan entry if any.
  virtual Status delete_inode(uint64_t inum) = 0;
  // Replaces an inode's record with `bytes` (a salvaged record, encoded).
  virtual Status put_record(uint64_t inum, const std::vector<uint8_t>& bytes) = 0;
  virtual Status set_nlink(uint64_t inum, uint32_t nlink) = 0;
  virtual Status set_blocks(uint64_t inum, uint64_t blocks) = 0;
  virtual Status set_parent(uint64_t dir, uint64_t parent) = 0;
  // Removes the extent whose first logical block is `logical`.
  virtual Status drop_extent(uint64_t inum, uint64_t logical) = 0;
  // Unmaps every logical block from `first` on.
  virtual Status truncate_map(uint64_t inum, uint64_t first) = 0;
  // Removes the entry with `key` (key 0: the entry naming inode `target`).
  virtual Status remove_entry(uint64_t dir, uint64_t key, uint64_t target) = 0;
  virtual Status set_entry_type(uint64_t dir, uint64_t key, uint8_t type) = 0;
  // Moves an entry to the key its name hashes to (dropping it if the name is taken).
  virtual Status rekey_entry(uint64_t dir, uint64_t key) = 0;
  // Names inode `inum` "#inum" in /lost+found (made if missing); a directory gets
  // /lost+found as its parent.
  virtual Status reconnect(uint64_t inum) = 0;
  virtual Status remove_orphan(uint64_t inum) = 0;
  // An empty root directory in place of a missing or broken one.
  virtual Status new_root() = 0;
  // Frees `unused` (marked allocated, used by nothing) with the repair delta, commits it
  // (every bitmap block rewritten) and closes the volume. Returns the delta written last.
  virtual Result<uint64_t> finish(const std::vector<uint64_t>& unused) = 0;
};

// Opens the engine on `device` at `super` for repair. `allocation`: one bit per block
// (word b / 64, bit b % 64), the blocks nothing may be written over. `inode_count`: the
// records the inode table really holds, salvaged ones included (the superblock's may be
// wrong); delete_inode() of a record that decodes and new_root() adjust it.
Result<std::unique_ptr<Repairer>> open_repairer(
    BlockDevice& device, const VolumeOptions& options, const format::Superblock& super,
    std::shared_ptr<const std::vector<uint64_t>> allocation, uint64_t inode_count);

}  // namespace tux3
