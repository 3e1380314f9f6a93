// btree_commit.cc: giving changed nodes their locations at commit, and logging bnode edits.
//
// Per delta: every changed leaf is written to a newly allocated block (LEAF_REDIRECT).
// Per changed bnode: the first change in a unify cycle moves it to a new block (BNODE_NEW,
// or BNODE_REDIRECT from its old block, which the on-disk tree of the last unify still
// uses); then its entries are compared with its last logged entries and the difference is
// logged as DEL, UPDATE and ADD records, which replay applies in that order.
#include <algorithm>

#include "btree/btree.h"

namespace tux3 {

using namespace format;

namespace {

std::vector<BnodeEntry> entries_of(const BtreeNode& node) {
  std::vector<BnodeEntry> out;
  out.reserve(node.children.size());
  for (const auto& c : node.children) out.push_back({c.key, c.block});
  return out;
}

void log_entry_diff(uint64_t block, const std::vector<BnodeEntry>& before,
                    const std::vector<BnodeEntry>& after, TreeCommitter& c) {
  auto in = [](const std::vector<BnodeEntry>& v, uint64_t key) -> const BnodeEntry* {
    auto it = std::lower_bound(v.begin(), v.end(), key,
                               [](const BnodeEntry& e, uint64_t k) { return e.key < k; });
    return it != v.end() && it->key == key ? &*it : nullptr;
  };
  // Deletions, as runs of consecutive entries.
  for (std::size_t i = 0; i < before.size();) {
    if (in(after, before[i].key)) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < before.size() && !in(after, before[j].key) && j - i < 0xffff) ++j;
    c.log({LogCode::kBnodeDel, {block, before[i].key, j - i}});
    i = j;
  }
  for (const BnodeEntry& e : after) {
    if (const BnodeEntry* old = in(before, e.key); old && old->child != e.child) {
      c.log({LogCode::kBnodeUpdate, {block, e.key, e.child}});
    }
  }
  for (const BnodeEntry& e : after) {
    if (!in(before, e.key)) c.log({LogCode::kBnodeAdd, {block, e.key, e.child}});
  }
}

// Frees the block of a node that left its tree. A node without a block never reached disk.
void release_node(uint64_t block, bool is_leaf, bool cycle_owned, TreeCommitter& c) {
  if (block == 0) return;
  if (is_leaf) {
    c.free_after_delta(block);
    return;
  }
  c.log({LogCode::kBnodeFree, {block}});
  if (cycle_owned) c.free_after_delta(block);
  else c.free_after_unify(block);
}
}  // namespace

Status Btree::commit(TreeCommitter& c, std::vector<BtreeNode*>& leaves) {
  for (const Removed& r : removed_) release_node(r.block, r.is_leaf, r.cycle_owned, c);
  removed_.clear();
  if (root_node_) {
    TUX3_RETURN_IF_ERROR(commit_node(*root_node_, c, leaves));
    root_ = {root_node_->block, root_node_->level};
  } else if (emptied_) {
    root_ = {};
  }
  emptied_ = false;
  dirty_ = false;
  return Status::ok();
}

Status Btree::commit_node(BtreeNode& node, TreeCommitter& c, std::vector<BtreeNode*>& leaves) {
  if (node.is_leaf()) {
    if (!node.dirty || node.assigned_delta == c.delta()) return Status::ok();
    TUX3_ASSIGN_OR_RETURN(uint64_t block, c.allocate_node());
    c.log({LogCode::kLeafRedirect, {node.block, block}});
    if (node.block) c.free_after_delta(node.block);
    node.block = block;
    node.assigned_delta = c.delta();
    leaves.push_back(&node);
    return Status::ok();
  }
  for (BtreeNode::Child& child : node.children) {
    if (!child.node) continue;
    TUX3_RETURN_IF_ERROR(commit_node(*child.node, c, leaves));
    child.block = child.node->block;
  }
  std::vector<BnodeEntry> now = entries_of(node);
  if (now == node.logged && node.block != 0) {
    node.dirty = false;
    return Status::ok();
  }
  if (!node.cycle_owned) {
    TUX3_ASSIGN_OR_RETURN(uint64_t block, c.allocate_node());
    if (node.block == 0) {
      c.log({LogCode::kBnodeNew, {block, owner_, node.level}});
      node.logged.clear();
    } else {
      c.log({LogCode::kBnodeRedirect, {node.block, block}});
      c.free_after_unify(node.block);
    }
    node.block = block;
    node.cycle_owned = true;
  }
  log_entry_diff(node.block, node.logged, now, c);
  node.logged = std::move(now);
  node.dirty = false;
  return Status::ok();
}

void Btree::adopt_inline(std::vector<BtreeItem> items) {
  root_node_ = std::make_unique<BtreeNode>();
  for (const BtreeItem& item : items) root_node_->value_bytes += item.value.size();
  root_node_->items = std::move(items);
  root_ = {};
  emptied_ = false;
}

Result<std::optional<std::vector<BtreeItem>>> Btree::small_tree_items(std::size_t max) {
  TUX3_RETURN_IF_ERROR(ensure_root());
  if (!root_node_) return std::optional<std::vector<BtreeItem>>(std::vector<BtreeItem>());
  if (!root_node_->is_leaf() || root_node_->items.size() > max) {
    return std::optional<std::vector<BtreeItem>>();
  }
  return std::optional<std::vector<BtreeItem>>(root_node_->items);
}

void Btree::detach_root(TreeCommitter& c) {
  for (const Removed& r : removed_) release_node(r.block, r.is_leaf, r.cycle_owned, c);
  removed_.clear();
  if (root_node_) {
    if (root_node_->block) c.free_after_delta(root_node_->block);
    root_node_->block = 0;
    root_node_->dirty = false;
    root_node_->assigned_delta = 0;
  }
  root_ = {};
  emptied_ = false;
  dirty_ = false;
}

void Btree::collect_unify_bnodes(std::vector<BtreeNode*>& out) {
  if (root_node_) collect_node(*root_node_, out);
}

void Btree::collect_node(BtreeNode& node, std::vector<BtreeNode*>& out) {
  if (node.is_leaf()) return;
  for (BtreeNode::Child& child : node.children) {
    if (child.node) collect_node(*child.node, out);
  }
  if (node.cycle_owned) out.push_back(&node);
}

bool Btree::has_unwritten() const {
  return dirty() || (root_node_ && node_unwritten(*root_node_));
}

bool Btree::node_unwritten(const BtreeNode& node) {
  if (node.dirty || node.cycle_owned) return true;
  for (const BtreeNode::Child& child : node.children) {
    if (child.node && node_unwritten(*child.node)) return true;
  }
  return false;
}

Status Btree::destroy(TreeCommitter& c) {
  for (const Removed& r : removed_) release_node(r.block, r.is_leaf, r.cycle_owned, c);
  removed_.clear();
  if (root_node_ || (!root_.empty() && !emptied_)) {
    uint16_t level = root_node_ ? root_node_->level : root_.depth;
    BtreeNode::Child root{0, root_.block, std::move(root_node_)};
    TUX3_RETURN_IF_ERROR(destroy_node(root, level, c));
  }
  root_node_.reset();
  root_ = {};
  emptied_ = false;
  dirty_ = false;
  return Status::ok();
}

// Releases a subtree. Loaded nodes carry their own block (0 if never committed); leaves
// that were never loaded need not be read, only freed.
Status Btree::destroy_node(BtreeNode::Child& child, uint16_t level, TreeCommitter& c) {
  if (level == 0) {
    release_node(child.node ? child.node->block : child.block, true, false, c);
    return Status::ok();
  }
  TUX3_RETURN_IF_ERROR(load_child(child, level));
  for (BtreeNode::Child& grandchild : child.node->children) {
    TUX3_RETURN_IF_ERROR(destroy_node(grandchild, uint16_t(level - 1), c));
  }
  release_node(child.node->block, false, child.node->cycle_owned, c);
  return Status::ok();
}

}  // namespace tux3
