// btree.h: one in-memory B+tree over the on-disk node formats, for every tree of a volume.
//
// Nodes are loaded lazily through a NodeSource and kept in memory (children owned by their
// parent). Edits happen in memory at operation time; nothing gets a disk location until
// commit (delayed allocation, as for file data):
//  - a leaf changed in a delta is written whole to a new block at that delta's commit
//    (LEAF_REDIRECT old new), redirect-on-write;
//  - a bnode changed since the last commit is given a block once per unify cycle
//    (BNODE_NEW, or BNODE_REDIRECT from its old block) and its entry edits since its last
//    logged state are logged (BNODE_ADD / UPDATE / DEL); bnodes are written only at unify.
// Keys are u64, values byte strings of at most max_leaf_value(block size). Leaves are not
// merged when they become sparse (an empty leaf is removed); a root with one child is
// collapsed.
//
// Not thread-safe: one caller at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "tuxdisk/format/log.h"
#include "tuxdisk/format/node.h"
#include "tuxdisk/format/superblock.h"
#include "tuxdisk/status.h"

namespace tux3 {

struct BtreeItem {
  uint64_t key = 0;
  std::vector<uint8_t> value;
  bool operator==(const BtreeItem&) const = default;
};

struct BtreeNode {
  struct Child {
    uint64_t key = 0;
    uint64_t block = 0;                // 0 until the child has a location
    std::unique_ptr<BtreeNode> node;   // null while not loaded
  };

  uint64_t block = 0;   // current location; 0: never had one
  uint16_t level = 0;   // 0: leaf
  // Leaf contents.
  std::vector<BtreeItem> items;
  std::size_t value_bytes = 0;
  // Bnode contents.
  std::vector<Child> children;
  // Commit state. Leaf: dirty = changed since last written. Bnode: dirty = entries may
  // differ from `logged`; cycle_owned = block was allocated in this unify cycle (so it may
  // be changed without another redirect, and must be written at the next unify).
  bool dirty = false;
  bool cycle_owned = false;
  uint64_t assigned_delta = 0;  // leaf: the delta whose commit gave it `block`
  std::vector<format::BnodeEntry> logged;  // bnode entries as last logged or written

  bool is_leaf() const { return level == 0; }
};

// Where nodes come from: the device (verified), or a replayed bnode image.
class NodeSource {
 public:
  virtual ~NodeSource() = default;
  virtual Result<std::unique_ptr<BtreeNode>> load(uint64_t block, uint16_t level, uint64_t owner,
                                                  uint32_t leaf_magic) = 0;
};

// What a tree needs from the delta being committed.
class TreeCommitter {
 public:
  virtual ~TreeCommitter() = default;
  virtual uint64_t delta() const = 0;
  virtual Result<uint64_t> allocate_node() = 0;
  // A block of the last durable state no longer used: reusable once this delta is durable.
  virtual void free_after_delta(uint64_t block) = 0;
  // A block the on-disk bnodes still reference: reusable once the next unify is durable.
  virtual void free_after_unify(uint64_t block) = 0;
  virtual void log(const format::LogRecord& record) = 0;
};

class Btree {
 public:
  // REQUIRES: source outlives the tree.
  Btree(NodeSource& source, uint32_t block_size, uint32_t leaf_magic, uint64_t owner,
        format::TreeRoot root);

  uint64_t owner() const { return owner_; }
  uint32_t leaf_magic() const { return leaf_magic_; }
  // The root as of the last commit (what the superblock or inode record should name).
  format::TreeRoot root() const;
  bool empty() const { return !root_node_ && (root_.empty() || emptied_); }
  // True when the tree has changes not yet committed.
  bool dirty() const;
  // True when dropping the tree from memory would lose something: uncommitted changes, or
  // a bnode changed since the last unify (whose on-disk block is not yet written).
  bool has_unwritten() const;

  Result<std::optional<std::vector<uint8_t>>> get(uint64_t key);
  // The first item with key >= k, or nullopt.
  Result<std::optional<BtreeItem>> lower_bound(uint64_t k);
  // The last item with key <= k, or nullopt.
  Result<std::optional<BtreeItem>> floor(uint64_t k);
  // Inserts or replaces. InvalidArgument if the value is larger than a leaf allows.
  Status put(uint64_t key, std::span<const uint8_t> value);
  // Removes the item; false if there was none.
  Result<bool> erase(uint64_t key);

  // Commit: give every changed node its location for this delta, log what replay needs.
  // Leaves to be written are appended to `leaves_to_write`.
  Status commit(TreeCommitter& committer, std::vector<BtreeNode*>& leaves_to_write);
  // Unify: the bnodes to write now (every cycle-owned bnode), which then stop being
  // cycle-owned. REQUIRES: commit() ran in this delta.
  void collect_unify_bnodes(std::vector<BtreeNode*>& out);
  // Releases every node (for destroying a file): the tree must be committed first, or
  // empty. Frees leaf blocks after this delta and bnode blocks per the unify rules.
  Status destroy(TreeCommitter& committer);

  // Small trees kept outside any block (a file's inline extents). adopt_inline() makes the
  // tree a single in-memory leaf with these items and no location. REQUIRES: empty tree.
  void adopt_inline(std::vector<BtreeItem> items);
  // The items, if the whole tree is one leaf of at most `max` items (an empty tree: none).
  Result<std::optional<std::vector<BtreeItem>>> small_tree_items(std::size_t max);
  // Takes the tree's single leaf out of its block (freed with this delta, if it had one) so
  // the caller can store the items inline; the tree stays usable in memory.
  // REQUIRES: small_tree_items() returned items.
  void detach_root(TreeCommitter& committer);

  // Walks every loaded and unloaded node (loading all): for tests and checks.
  Status for_each_item(const std::function<Status(const BtreeItem&)>& fn);
  std::size_t depth() const;

 private:
  struct Split {
    uint64_t key;
    std::unique_ptr<BtreeNode> right;
  };
  Status ensure_root();
  Status load_child(BtreeNode::Child& child, uint16_t level);
  Result<BtreeNode*> find_leaf(uint64_t key, std::vector<BtreeNode*>* path);
  Result<std::optional<Split>> insert_into(BtreeNode& node, uint64_t low, uint64_t key,
                                           std::span<const uint8_t> value);
  Result<bool> erase_from(BtreeNode& node, uint64_t low, uint64_t key, bool& now_empty);
  void drop_node(std::unique_ptr<BtreeNode> node);
  Status commit_node(BtreeNode& node, TreeCommitter& c, std::vector<BtreeNode*>& leaves);
  Status destroy_node(BtreeNode::Child& child, uint16_t level, TreeCommitter& c);
  void collect_node(BtreeNode& node, std::vector<BtreeNode*>& out);
  static bool node_unwritten(const BtreeNode& node);
  Status for_each_node(BtreeNode& node, const std::function<Status(const BtreeItem&)>& fn);
  std::size_t leaf_capacity_bytes() const;

  NodeSource& source_;
  uint32_t block_size_;
  uint32_t leaf_magic_;
  uint64_t owner_;
  format::TreeRoot root_;                 // as of the last commit
  std::unique_ptr<BtreeNode> root_node_;  // loaded root (null: not loaded, or empty tree)
  bool dirty_ = false;                    // changed since the last commit
  bool emptied_ = false;                  // the last item was removed: root becomes empty
  // Nodes removed since the last commit, with what commit must do about them.
  struct Removed {
    uint64_t block;
    bool is_leaf;
    bool cycle_owned;
  };
  std::vector<Removed> removed_;
};

}  // namespace tux3
