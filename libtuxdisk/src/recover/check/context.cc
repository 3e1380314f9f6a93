// context.cc: the state the check passes share, and the tree walk that survives bad nodes.
#include "recover/check/context.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "tuxdisk/format/constants.h"

namespace tux3::check {

using namespace format;

Context::Context(BlockDevice& dev, VolumeReader& r, const CheckOptions& opt, CheckReport& rep)
    : device(dev), reader(r), sb(r.super()), options(opt), report(rep),
      used_((sb.vol_blocks + 63) / 64, 0) {}

void Context::prefetch(std::span<const uint64_t> blocks, Channel channel) {
  const uint64_t bs = reader.block_size();
  if (cache_.empty()) {
    cache_.resize(kCacheBlocks * bs);
    cached_.assign(kCacheBlocks, UINT64_MAX);
  }
  const std::size_t first = std::size_t(channel) * kPrefetchBatch;
  std::fill_n(cached_.begin() + std::ptrdiff_t(first), kPrefetchBatch, UINT64_MAX);
  std::vector<ReadRequest> reads;
  for (uint64_t block : blocks.first(std::min(blocks.size(), kPrefetchBatch))) {
    if (block < reader.first_data_block() || block >= sb.vol_blocks) continue;  // reported
    ReadRequest r;
    r.offset = block << sb.block_bits;
    r.out = std::span<uint8_t>(cache_.data() + (first + reads.size()) * bs, bs);
    reads.push_back(r);
  }
  device.read_many(reads);
  for (std::size_t i = 0; i < reads.size(); ++i) {
    // A failed read is made again, alone, by read_node, whose error then names it.
    if (reads[i].status) cached_[first + i] = reads[i].offset >> sb.block_bits;
  }
}

Status Context::read_node(uint64_t block, std::span<uint8_t> out) {
  auto hit = std::find(cached_.begin(), cached_.end(), block);
  if (hit == cached_.end()) return reader.read_block(block, out);
  const uint64_t bs = reader.block_size();
  std::memcpy(out.data(), cache_.data() + std::size_t(hit - cached_.begin()) * bs, bs);
  return Status::ok();
}

std::size_t Context::problem(ProblemCode code, std::string detail, uint64_t inode,
                             uint64_t block) {
  report.problems.push_back({code, std::move(detail), inode, block, Problem::Outcome::kReported});
  return report.problems.size() - 1;
}

Result<InodeRecord> Context::record(uint64_t inum, std::span<const uint8_t> value) const {
  auto rec = decode_inode(value, inum);
  if (rec) return rec;
  if (auto it = salvaged.find(inum); it != salvaged.end()) return it->second;
  return rec.status();
}

bool Context::claim(uint64_t block) {
  if (block >= sb.vol_blocks) return false;
  uint64_t& word = used_[block / 64];
  uint64_t bit = uint64_t(1) << (block % 64);
  if (word & bit) return false;
  word |= bit;
  return true;
}

Status Context::walk(const TreeRoot& root, uint64_t owner, uint32_t leaf_magic,
                     const TreeWalk& w) {
  if (root.empty()) return Status::ok();
  return walk_node(root.block, 0, root.depth, owner, leaf_magic, 0,
                   std::numeric_limits<uint64_t>::max(), w);
}

Status Context::walk_node(uint64_t block, uint64_t parent, uint16_t level, uint64_t owner,
                          uint32_t leaf_magic, uint64_t low, uint64_t high, const TreeWalk& w) {
  auto bad = [&](Status why) {
    // Corruption (or a pointer outside the volume): the subtree is lost. An I/O error is
    // the device's, not the volume's: it stops the check.
    if (why.code() == Errc::kIoError) return why;
    if (w.on_bad) w.on_bad({block, parent, low, high, std::move(why)});
    return Status::ok();
  };
  if (block < reader.first_data_block() || block >= sb.vol_blocks) {
    return bad(Status::corruption(fmt::format("node pointer {} is outside the data area", block)));
  }
  if (level == 0) {
    std::vector<uint8_t> buf(reader.block_size());
    TUX3_RETURN_IF_ERROR(read_node(block, buf));
    NodeExpect ne{reader.expect(leaf_magic, block), owner, sb.vol_blocks};
    auto leaf = LeafView::decode(buf, ne);
    if (!leaf) return bad(leaf.status());
    if (leaf->size() > 0 && (leaf->key(0) < low || leaf->key(leaf->size() - 1) >= high)) {
      return bad(Status::corruption(fmt::format("keys {}..{} outside the range its parent gives",
                                                leaf->key(0), leaf->key(leaf->size() - 1))));
    }
    return w.on_leaf ? w.on_leaf(block, *leaf, low, high) : Status::ok();
  }
  auto node = reader.read_bnode(block, owner, level);
  if (!node) {
    TUX3_RETURN_IF_ERROR(bad(node.status()));
    return salvage_children(block, level, owner, leaf_magic, low, high, w);
  }
  if (node->entries.front().key != low || node->entries.back().key >= high) {
    return bad(Status::corruption(fmt::format("keys {}..{} do not fit the range its parent gives",
                                              node->entries.front().key,
                                              node->entries.back().key)));
  }
  if (w.on_bnode) TUX3_RETURN_IF_ERROR(w.on_bnode(block, *node));
  std::vector<uint64_t> batch;
  for (std::size_t i = 0; i < node->entries.size(); ++i) {
    if (level == 1 && i % kPrefetchBatch == 0) {  // the leaves under it, a batch at a time
      batch.clear();
      for (std::size_t j = i; j < node->entries.size() && batch.size() < kPrefetchBatch; ++j) {
        batch.push_back(node->entries[j].child);
      }
      prefetch(batch, owner == kOwnerInodeTable ? kInodeTableChannel : kTreeChannel);
    }
    uint64_t child_high = i + 1 < node->entries.size() ? node->entries[i + 1].key : high;
    TUX3_RETURN_IF_ERROR(walk_node(node->entries[i].child, block, uint16_t(level - 1), owner,
                                   leaf_magic, node->entries[i].key, child_high, w));
  }
  return Status::ok();
}

// A damaged bnode (keys out of order, or a header that fails: misdirected, stale, torn)
// still leads to its children: each is walked within the range the bad node's parent gave,
// and each must verify on its own, so the leaves under it are found (and the tree rebuilt
// from them) instead of lost. Each level down is one less, so a damaged pointer cannot
// make the walk loop.
Status Context::salvage_children(uint64_t block, uint16_t level, uint64_t owner,
                                 uint32_t leaf_magic, uint64_t low, uint64_t high,
                                 const TreeWalk& w) {
  if (level == 0 || block < reader.first_data_block() || block >= sb.vol_blocks) {
    return Status::ok();
  }
  std::vector<uint8_t> buf(reader.block_size());
  TUX3_RETURN_IF_ERROR(reader.read_block(block, buf));
  NodeExpect expect{reader.expect(kMagicBnode, block), owner, sb.vol_blocks};
  auto node = decode_bnode_pointers(buf, expect);
  if (!node || node->level != level) return Status::ok();
  for (const BnodeEntry& e : node->entries) {
    TUX3_RETURN_IF_ERROR(
        walk_node(e.child, block, uint16_t(level - 1), owner, leaf_magic, low, high, w));
  }
  return Status::ok();
}

}  // namespace tux3::check
