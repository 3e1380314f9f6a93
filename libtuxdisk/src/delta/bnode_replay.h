// bnode_replay.h: rebuilding the bnodes changed since the last unify from the log.
//
// Bnodes are written only at unify; between unifies the log holds, per changed bnode, its
// creation or move and its entry edits (see btree_commit.cc). Applying those records in
// order to the bnodes read from disk gives every bnode as of the committed delta.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "tuxdisk/format/log.h"
#include "tuxdisk/format/node.h"
#include "tuxdisk/status.h"

namespace tux3 {

struct BnodeImage {
  uint64_t owner = 0;
  uint16_t level = 1;
  std::vector<format::BnodeEntry> entries;
  bool operator==(const BnodeImage&) const = default;
};

class BnodeReplay {
 public:
  // Reads a bnode as the last unify wrote it (verified), for BNODE_REDIRECT's source.
  using DiskReader = std::function<Result<format::Bnode>(uint64_t block)>;
  // tolerant: a record that cannot be applied (its bnode does not read from disk, or the
  // edit does not fit) is skipped and noted in skipped() instead of failing replay; a bnode
  // whose source did not read is then missing, and whatever reads it finds it damaged. For
  // fsck, which rebuilds such trees.
  explicit BnodeReplay(DiskReader reader, bool tolerant = false)
      : read_disk_(std::move(reader)), tolerant_(tolerant) {}

  // Applies one record; records of other kinds are ignored. Corruption names the record
  // and what is inconsistent (an edit of an unknown bnode, a missing or duplicate key).
  Status apply(const format::LogRecord& record);

  // Every bnode created or moved in this cycle and still in a tree, by current block.
  const std::map<uint64_t, BnodeImage>& images() const { return images_; }
  // Blocks of bnodes that predate the cycle and were moved or dropped: they stay allocated
  // until the next unify.
  const std::vector<uint64_t>& released_at_unify() const { return released_at_unify_; }
  // Bnodes created or moved in the cycle and dropped again: free once their delta is durable.
  const std::vector<uint64_t>& freed() const { return freed_; }
  // tolerant only: why each skipped record was skipped.
  const std::vector<std::string>& skipped() const { return skipped_; }

 private:
  Result<BnodeImage*> image(uint64_t block, const format::LogRecord& record);

  Status apply_strict(const format::LogRecord& record);

  DiskReader read_disk_;
  bool tolerant_ = false;
  std::vector<std::string> skipped_;
  std::map<uint64_t, BnodeImage> images_;
  std::vector<uint64_t> released_at_unify_;
  std::vector<uint64_t> freed_;
};

}  // namespace tux3
