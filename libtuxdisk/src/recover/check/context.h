// context.h: what the check passes share: the volume, the blocks found in use, a summary
// of every inode, the problems found and the repairs they ask for.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "recover/check/inode_summary.h"
#include "tuxdisk/check.h"
#include "tuxdisk/format/inode.h"
#include "tuxdisk/format/node.h"
#include "tuxdisk/format/superblock.h"
#include "tuxdisk/volume_reader.h"

namespace tux3::check {

// A repair, collected by the passes and carried out after the last one (repair.cc).
struct Repair {
  enum class Kind : uint8_t {
    kRebuildTree,    // `tree`: rebuild from what reads (inode table, orphan tree, or inode)
    kDeleteInode,    // remove inode `inum` from the inode table
    kSetNlink,       // inum, value
    kSetBlocks,      // inum, value
    kTruncateMap,    // inum: unmap logical blocks from `value` on (without freeing)
    kDropExtent,     // inum: remove the extent whose first logical block is `key`
    kSetParent,      // inum (a directory), value
    kRemoveEntry,    // dir = inum, key, name (key 0: the entry naming inode `value`)
    kSetEntryType,   // dir = inum, key, name, type
    kRekeyEntry,     // dir = inum, key, name (re-inserted under its hash)
    kReconnect,      // inum: link into /lost+found as #inum
    kRemoveOrphan,   // inum
    kNewRoot,        // make an empty root directory
    kRewriteRecord,  // inum: replace the record with `bytes` (salvaged)
    kRewriteBitmap,  // write the bitmap as the blocks found in use say
    kRewriteSuper,   // write both slots with the counts found (any commit does)
    kReplayLog,      // replay the log with the repairs, skipping what does not apply (any
                     // repair does: its engine replays tolerantly)
  } kind;
  std::size_t problem = 0;  // index in the report's problems
  uint64_t inum = 0;
  uint64_t key = 0;
  uint64_t value = 0;
  std::string name;
  uint8_t type = 0;
  uint64_t tree = 0;  // kRebuildTree: an inode number, or kOwnerInodeTable / kOwnerOrphans
  std::vector<uint8_t> bytes;  // kRewriteRecord
};

// A repair of problem `problem` (see Repair::Kind for what each field means to each kind).
inline Repair fix(Repair::Kind kind, std::size_t problem, uint64_t inum = 0, uint64_t key = 0,
                  uint64_t value = 0) {
  Repair r;
  r.kind = kind;
  r.problem = problem;
  r.inum = inum;
  r.key = key;
  r.value = value;
  return r;
}

// A bad node met by a tree walk, and where it hangs.
struct BadNode {
  uint64_t block = 0;
  uint64_t parent = 0;  // 0: it is the root
  uint64_t low = 0, high = 0;
  Status why;
};

struct TreeWalk {
  std::function<Status(uint64_t block, const format::Bnode& node)> on_bnode;
  std::function<Status(uint64_t block, const format::LeafView& leaf, uint64_t low,
                       uint64_t high)> on_leaf;
  std::function<void(const BadNode& bad)> on_bad;
};

class Context {
 public:
  Context(BlockDevice& device, VolumeReader& reader, const CheckOptions& options,
          CheckReport& report);

  BlockDevice& device;
  VolumeReader& reader;
  const format::Superblock& sb;
  const CheckOptions& options;
  CheckReport& report;
  std::vector<Repair> repairs;
  uint64_t lost_and_found = 0;  // /lost+found's inode (pass 4), 0 if there is none
  // Blocks whose structures the repairs drop without the engine seeing them (the nodes of
  // a rebuilt tree, the blocks of a removed extent): freed by the repair delta.
  std::vector<uint64_t> abandoned;

  // Records a problem (its outcome is settled when the repairs are decided).
  std::size_t problem(ProblemCode code, std::string detail, uint64_t inode = 0,
                      uint64_t block = 0);
  // Asks for `repair` to fix problem `problem_index`.
  void repair(Repair r) { repairs.push_back(std::move(r)); }

  // Blocks found in use, one bit each. claim() returns false if the block is outside the
  // volume or was claimed already (a cross-link).
  bool claim(uint64_t block);
  bool claimed(uint64_t block) const {
    return block < sb.vol_blocks && (used_[block / 64] >> (block % 64) & 1);
  }
  void unclaim(uint64_t block) {
    if (block < sb.vol_blocks) used_[block / 64] &= ~(uint64_t(1) << (block % 64));
  }
  const std::vector<uint64_t>& used_words() const { return used_; }
  // The bitmap as the volume has it (the last unify's with the log applied), in the same
  // layout: filled by the allocation pass when the check may repair (empty for -n).
  std::vector<uint64_t> allocated;

  // Records that do not decode but could be salvaged (pass 2): later passes read them
  // as repair will write them.
  std::map<uint64_t, format::InodeRecord> salvaged;
  // The record of `inum` from its leaf value, or its salvaged form.
  Result<format::InodeRecord> record(uint64_t inum, std::span<const uint8_t> value) const;

  // What the passes learn of every inode (filled by the inode pass).
  InodeSummary inodes;

  // Passes call this for every item; the caller hears of the first, every 1024th and the
  // last (a progress display needs no more, and a call per inode costs a clock read).
  void progress(CheckPass pass, uint64_t done, uint64_t total) {
    if (!options.progress) return;
    if (done > 1 && done < total && done % 1024 != 0) return;
    options.progress({pass, done, total});
  }

  // The prefetch cache has a part for each user, so that one does not evict what another
  // read ahead: the inode table's walk, a pass (what it visits next), other trees' walks.
  enum Channel { kInodeTableChannel, kPassChannel, kTreeChannel, kChannels };
  // Reads `blocks` together (one BlockDevice::read_many) into the channel's part of the
  // cache, replacing what it held; read_node then serves them from memory. At most
  // kPrefetchBatch blocks are read; the rest are ignored.
  void prefetch(std::span<const uint64_t> blocks, Channel channel);
  static constexpr std::size_t kPrefetchBatch = 16;
  // Reads a tree leaf, from the prefetch cache if it holds it.
  Status read_node(uint64_t block, std::span<uint8_t> out);
  // Empties the prefetch cache (before repairs write to the device).
  void forget_prefetched() { cached_.assign(cached_.size(), UINT64_MAX); }

  // Walks a tree, verifying every node as VolumeReader::walk_tree does, but a bad node
  // (wrong kind, checksum, location, owner, level, keys) is handed to on_bad and its
  // subtree skipped; only an I/O error stops the walk.
  Status walk(const format::TreeRoot& root, uint64_t owner, uint32_t leaf_magic,
              const TreeWalk& walk);

  // The checker's own memory, for the report.
  uint64_t state_bytes() const {
    return used_.size() * 8 + allocated.capacity() * 8 + inodes.capacity_bytes() +
           cache_.capacity();
  }

 private:
  Status walk_node(uint64_t block, uint64_t parent, uint16_t level, uint64_t owner,
                   uint32_t leaf_magic, uint64_t low, uint64_t high, const TreeWalk& walk);
  Status salvage_children(uint64_t block, uint16_t level, uint64_t owner, uint32_t leaf_magic,
                          uint64_t low, uint64_t high, const TreeWalk& walk);
  std::vector<uint64_t> used_;
  static constexpr std::size_t kCacheBlocks = kChannels * kPrefetchBatch;
  std::vector<uint8_t> cache_;          // kCacheBlocks blocks, channel by channel
  std::vector<uint64_t> cached_;        // the block in each slot (UINT64_MAX: none)
};

// Claims a tree node, reporting a cross-link if it is claimed already; `nodes` (optional)
// collects the nodes claimed, for abandon_nodes() when the tree is rebuilt.
bool claim_node(Context& c, uint64_t block, std::string_view what, uint64_t inode,
                std::vector<uint64_t>* nodes);
// A rebuilt tree's old nodes: no longer in use, freed by the repair delta.
void abandon_nodes(Context& c, const std::vector<uint64_t>& nodes);

// The passes after the log (pass 1 is in check.cc, with the replay).
Status check_inode_table(Context& c);   // pass 2
Status check_files(Context& c);         // pass 3
Status check_directories(Context& c);   // pass 4
Status check_connectivity(Context& c);  // pass 5
Status check_links(Context& c);         // pass 6
Status check_orphans(Context& c);       // pass 7
Status check_allocation(Context& c);    // pass 8

}  // namespace tux3::check
