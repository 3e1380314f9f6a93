// btree.cc: lookups and edits of the in-memory B+tree.
#include "btree/btree.h"

#include <algorithm>

#include <fmt/format.h>

namespace tux3 {

using namespace format;

Btree::Btree(NodeSource& source, uint32_t block_size, uint32_t leaf_magic, uint64_t owner,
             TreeRoot root)
    : source_(source), block_size_(block_size), leaf_magic_(leaf_magic), owner_(owner),
      root_(root) {}

TreeRoot Btree::root() const { return root_; }

bool Btree::dirty() const { return dirty_ || emptied_ || !removed_.empty(); }

std::size_t Btree::depth() const { return root_node_ ? root_node_->level : root_.depth; }

std::size_t Btree::leaf_capacity_bytes() const { return block_size_; }

Status Btree::ensure_root() {
  // An emptied tree has no root until something is inserted, whatever the last commit said.
  if (root_node_ || root_.empty() || emptied_) return Status::ok();
  TUX3_ASSIGN_OR_RETURN(root_node_, source_.load(root_.block, root_.depth, owner_, leaf_magic_));
  return Status::ok();
}

Status Btree::load_child(BtreeNode::Child& child, uint16_t level) {
  if (child.node) return Status::ok();
  TUX3_ASSIGN_OR_RETURN(child.node, source_.load(child.block, level, owner_, leaf_magic_));
  return Status::ok();
}

namespace {

// Index of the child whose range holds key: the last child with child.key <= key (child 0
// holds everything below child 1's key).
std::size_t child_index(const BtreeNode& node, uint64_t key) {
  auto it = std::upper_bound(node.children.begin(), node.children.end(), key,
                             [](uint64_t k, const BtreeNode::Child& c) { return k < c.key; });
  return it == node.children.begin() ? 0 : std::size_t(it - node.children.begin()) - 1;
}

std::size_t item_index(const BtreeNode& leaf, uint64_t key) {
  return std::size_t(std::lower_bound(leaf.items.begin(), leaf.items.end(), key,
                                      [](const BtreeItem& i, uint64_t k) { return i.key < k; }) -
                     leaf.items.begin());
}

std::size_t leaf_bytes(std::size_t items, std::size_t value_bytes) {
  return leaf_bytes_needed(items, value_bytes);
}

}  // namespace

Result<BtreeNode*> Btree::find_leaf(uint64_t key, std::vector<BtreeNode*>* path) {
  TUX3_RETURN_IF_ERROR(ensure_root());
  BtreeNode* node = root_node_.get();
  while (node && !node->is_leaf()) {
    if (path) path->push_back(node);
    BtreeNode::Child& child = node->children[child_index(*node, key)];
    TUX3_RETURN_IF_ERROR(load_child(child, uint16_t(node->level - 1)));
    node = child.node.get();
  }
  return node;
}

Result<std::optional<std::vector<uint8_t>>> Btree::get(uint64_t key) {
  TUX3_ASSIGN_OR_RETURN(BtreeNode * leaf, find_leaf(key, nullptr));
  if (!leaf) return std::optional<std::vector<uint8_t>>();
  std::size_t i = item_index(*leaf, key);
  if (i == leaf->items.size() || leaf->items[i].key != key) {
    return std::optional<std::vector<uint8_t>>();
  }
  return std::optional<std::vector<uint8_t>>(leaf->items[i].value);
}

Result<std::optional<BtreeItem>> Btree::lower_bound(uint64_t k) {
  TUX3_RETURN_IF_ERROR(ensure_root());
  if (!root_node_) return std::optional<BtreeItem>();
  // Descend; on the way back up, try the next sibling subtrees.
  std::function<Result<std::optional<BtreeItem>>(BtreeNode&)> search =
      [&](BtreeNode& node) -> Result<std::optional<BtreeItem>> {
    if (node.is_leaf()) {
      std::size_t i = item_index(node, k);
      if (i < node.items.size()) return std::optional<BtreeItem>(node.items[i]);
      return std::optional<BtreeItem>();
    }
    for (std::size_t i = child_index(node, k); i < node.children.size(); ++i) {
      TUX3_RETURN_IF_ERROR(load_child(node.children[i], uint16_t(node.level - 1)));
      TUX3_ASSIGN_OR_RETURN(auto found, search(*node.children[i].node));
      if (found) return found;
    }
    return std::optional<BtreeItem>();
  };
  return search(*root_node_);
}

Result<std::optional<BtreeItem>> Btree::floor(uint64_t k) {
  TUX3_RETURN_IF_ERROR(ensure_root());
  if (!root_node_) return std::optional<BtreeItem>();
  std::function<Result<std::optional<BtreeItem>>(BtreeNode&)> search =
      [&](BtreeNode& node) -> Result<std::optional<BtreeItem>> {
    if (node.is_leaf()) {
      std::size_t i = item_index(node, k);
      if (i < node.items.size() && node.items[i].key == k) {
        return std::optional<BtreeItem>(node.items[i]);
      }
      if (i == 0) return std::optional<BtreeItem>();
      return std::optional<BtreeItem>(node.items[i - 1]);
    }
    for (std::size_t i = child_index(node, k) + 1; i-- > 0;) {
      TUX3_RETURN_IF_ERROR(load_child(node.children[i], uint16_t(node.level - 1)));
      TUX3_ASSIGN_OR_RETURN(auto found, search(*node.children[i].node));
      if (found) return found;
    }
    return std::optional<BtreeItem>();
  };
  return search(*root_node_);
}

Status Btree::put(uint64_t key, std::span<const uint8_t> value) {
  if (value.size() > max_leaf_value(block_size_)) {
    return Status::invalid_argument(fmt::format("btree {:#x}: value of {} bytes exceeds {}",
                                                owner_, value.size(),
                                                max_leaf_value(block_size_)));
  }
  TUX3_RETURN_IF_ERROR(ensure_root());
  dirty_ = true;
  if (!root_node_) {
    root_node_ = std::make_unique<BtreeNode>();
    root_node_->dirty = true;
    emptied_ = false;
  }
  TUX3_ASSIGN_OR_RETURN(auto split, insert_into(*root_node_, 0, key, value));
  if (split) {
    auto root = std::make_unique<BtreeNode>();
    root->level = uint16_t(root_node_->level + 1);
    if (root->level > kMaxTreeDepth) {
      return Status::no_space(fmt::format("btree {:#x}: deeper than {} levels", owner_,
                                          kMaxTreeDepth));
    }
    root->dirty = true;
    uint64_t old_block = root_node_->block;
    root->children.push_back({0, old_block, std::move(root_node_)});
    root->children.push_back({split->key, 0, std::move(split->right)});
    root_node_ = std::move(root);
  }
  return Status::ok();
}

Result<std::optional<Btree::Split>> Btree::insert_into(BtreeNode& node, uint64_t low,
                                                       uint64_t key,
                                                       std::span<const uint8_t> value) {
  if (node.is_leaf()) {
    std::size_t i = item_index(node, key);
    if (i < node.items.size() && node.items[i].key == key) {
      node.value_bytes -= node.items[i].value.size();
      node.items[i].value.assign(value.begin(), value.end());
    } else {
      node.items.insert(node.items.begin() + std::ptrdiff_t(i),
                        BtreeItem{key, std::vector<uint8_t>(value.begin(), value.end())});
    }
    node.value_bytes += value.size();
    node.dirty = true;
    if (leaf_bytes(node.items.size(), node.value_bytes) <= leaf_capacity_bytes()) {
      return std::optional<Split>();
    }
    // Split by bytes: the point that best balances the halves, both of which must fit.
    std::size_t n = node.items.size(), best = 0, best_cost = SIZE_MAX, left_bytes = 0;
    for (std::size_t m = 1; m < n; ++m) {
      left_bytes += node.items[m - 1].value.size();
      std::size_t left = leaf_bytes(m, left_bytes);
      std::size_t right = leaf_bytes(n - m, node.value_bytes - left_bytes);
      if (left > leaf_capacity_bytes() || right > leaf_capacity_bytes()) continue;
      std::size_t cost = std::max(left, right);
      if (cost < best_cost) {
        best_cost = cost;
        best = m;
      }
    }
    if (best == 0) {
      return Status::corruption(fmt::format("btree {:#x}: leaf cannot be split", owner_));
    }
    auto right = std::make_unique<BtreeNode>();
    right->dirty = true;
    right->items.assign(std::make_move_iterator(node.items.begin() + std::ptrdiff_t(best)),
                        std::make_move_iterator(node.items.end()));
    node.items.resize(best);
    node.value_bytes = 0;
    for (const auto& item : node.items) node.value_bytes += item.value.size();
    for (const auto& item : right->items) right->value_bytes += item.value.size();
    uint64_t split_key = right->items.front().key;
    return std::optional<Split>(Split{split_key, std::move(right)});
  }
  std::size_t i = child_index(node, key);
  TUX3_RETURN_IF_ERROR(load_child(node.children[i], uint16_t(node.level - 1)));
  uint64_t child_low = i == 0 ? low : node.children[i].key;
  TUX3_ASSIGN_OR_RETURN(auto split, insert_into(*node.children[i].node, child_low, key, value));
  if (!split) return std::optional<Split>();
  node.children.insert(node.children.begin() + std::ptrdiff_t(i + 1),
                       BtreeNode::Child{split->key, 0, std::move(split->right)});
  node.dirty = true;
  if (node.children.size() <= bnode_capacity(block_size_)) return std::optional<Split>();
  std::size_t mid = node.children.size() / 2;
  auto right = std::make_unique<BtreeNode>();
  right->level = node.level;
  right->dirty = true;
  right->children.assign(std::make_move_iterator(node.children.begin() + std::ptrdiff_t(mid)),
                         std::make_move_iterator(node.children.end()));
  node.children.resize(mid);
  uint64_t split_key = right->children.front().key;
  return std::optional<Split>(Split{split_key, std::move(right)});
}

Result<bool> Btree::erase(uint64_t key) {
  TUX3_RETURN_IF_ERROR(ensure_root());
  if (!root_node_) return false;
  bool now_empty = false;
  TUX3_ASSIGN_OR_RETURN(bool erased, erase_from(*root_node_, 0, key, now_empty));
  if (!erased) return false;
  dirty_ = true;
  if (now_empty) {  // the last item is gone: the tree becomes empty
    drop_node(std::move(root_node_));
    emptied_ = true;
    return true;
  }
  // A root bnode with one child is replaced by that child.
  while (root_node_ && !root_node_->is_leaf() && root_node_->children.size() == 1) {
    BtreeNode::Child& only = root_node_->children.front();
    TUX3_RETURN_IF_ERROR(load_child(only, uint16_t(root_node_->level - 1)));
    std::unique_ptr<BtreeNode> child = std::move(only.node);
    drop_node(std::move(root_node_));
    root_node_ = std::move(child);
  }
  return true;
}

Result<bool> Btree::erase_from(BtreeNode& node, uint64_t low, uint64_t key, bool& now_empty) {
  if (node.is_leaf()) {
    std::size_t i = item_index(node, key);
    if (i == node.items.size() || node.items[i].key != key) return false;
    node.value_bytes -= node.items[i].value.size();
    node.items.erase(node.items.begin() + std::ptrdiff_t(i));
    node.dirty = true;
    now_empty = node.items.empty();
    return true;
  }
  std::size_t i = child_index(node, key);
  BtreeNode::Child& child = node.children[i];
  TUX3_RETURN_IF_ERROR(load_child(child, uint16_t(node.level - 1)));
  bool child_empty = false;
  uint64_t child_low = i == 0 ? low : child.key;
  TUX3_ASSIGN_OR_RETURN(bool erased, erase_from(*child.node, child_low, key, child_empty));
  if (!erased) return false;
  if (child_empty) {
    drop_node(std::move(child.node));
    node.children.erase(node.children.begin() + std::ptrdiff_t(i));
    // Entry 0 of a bnode always carries the low bound of its range.
    if (i == 0 && !node.children.empty()) node.children.front().key = low;
    node.dirty = true;
  }
  now_empty = node.children.empty();
  return true;
}

// Remembers a node taken out of the tree, so commit can free its block (if it had one).
// REQUIRES: node is loaded; its children were dropped before it.
void Btree::drop_node(std::unique_ptr<BtreeNode> node) {
  removed_.push_back({node->block, node->is_leaf(), node->cycle_owned});
}

Status Btree::for_each_item(const std::function<Status(const BtreeItem&)>& fn) {
  TUX3_RETURN_IF_ERROR(ensure_root());
  if (!root_node_) return Status::ok();
  return for_each_node(*root_node_, fn);
}

Status Btree::for_each_node(BtreeNode& node,
                            const std::function<Status(const BtreeItem&)>& fn) {
  if (node.is_leaf()) {
    for (const BtreeItem& item : node.items) TUX3_RETURN_IF_ERROR(fn(item));
    return Status::ok();
  }
  for (BtreeNode::Child& child : node.children) {
    TUX3_RETURN_IF_ERROR(load_child(child, uint16_t(node.level - 1)));
    TUX3_RETURN_IF_ERROR(for_each_node(*child.node, fn));
  }
  return Status::ok();
}

}  // namespace tux3
