// scramble_volume.cc: rewriting the blocks that hold names (scramble.h).
//
// Steps:
//   1. open the volume (log replayed in memory) and refuse one whose bnodes are not all on
//      disk: a directory's bnode keys change below, and records in the log would still
//      name the old ones;
//   2. walk the inode table: rewrite each leaf whose records hold xattrs or inline symlink
//      targets; note the directories and the symlinks whose target is in data blocks;
//   3. each directory: rename, re-key and re-sort its entries, pack them into its leaves
//      (in order, each leaf as full as it goes, then the fullest split until every leaf
//      has entries), set every bnode key to the first key below it;
//   4. each long symlink target, in its data blocks;
//   5. the reserved area: labels in both slots, the boot area zeroed.
#include <algorithm>
#include <cstring>
#include <iterator>
#include <unordered_set>

#include <fmt/format.h>

#include "image/scramble.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/format/inode.h"
#include "tuxdisk/format/node.h"
#include "tuxdisk/format/superblock.h"
#include "tuxdisk/format/values.h"
#include "tuxdisk/volume_reader.h"
#include "delta/chain_replay.h"

namespace tux3::image {

using namespace format;

namespace {

constexpr uint32_t kDirectorySalts = 16;

// One directory index as read: its bnodes, and its leaves in key order.
struct DirTree {
  struct Leaf {
    uint64_t block;
    BlockHeader header;
    std::vector<Dirent> entries;
  };
  std::map<uint64_t, Bnode> bnodes;
  std::vector<Leaf> leaves;
};

// An entry in its new form.
struct NewEntry {
  uint64_t key;
  std::vector<uint8_t> value;
};

class VolumeScrambler {
 public:
  VolumeScrambler(BlockDevice& device, std::string_view key) : device_(device), names_(key) {}

  Result<Scrambled> run() {
    TUX3_ASSIGN_OR_RETURN(reader_, VolumeReader::open(device_));
    if (!reader_->replay().bnodes.empty()) {
      return Status::invalid_argument(
          "the volume's log holds bnode changes: replay it before scrambling");
    }
    sb_ = reader_->super();
    bs_ = sb_.block_size();
    // A hint only: inode_count comes from the volume, which may be damaged.
    names_.reserve(std::min<uint64_t>(sb_.inode_count, uint64_t(1) << 20) * 5 / 4);
    TUX3_RETURN_IF_ERROR(scramble_inode_table());
    for (const auto& [inum, root] : directories_) {
      TUX3_RETURN_IF_ERROR(scramble_directory(inum, root));
    }
    for (const auto& [inum, inode] : long_symlinks_) {
      TUX3_RETURN_IF_ERROR(scramble_symlink(inum, inode));
    }
    TUX3_RETURN_IF_ERROR(scramble_reserved_area());
    return std::move(out_);
  }

 private:
  // ---- Inode records ----

  // Renames and zeroes what a record holds; true if anything changed.
  bool scramble_record(InodeRecord& inode) {
    bool changed = false;
    if (inode.inline_symlink) {
      inode.inline_symlink = names_.path(*inode.inline_symlink);
      ++out_.symlinks;
      changed = true;
    }
    for (Xattr& x : inode.xattrs) {
      if (x.ns == XattrNs::kPosixAclAccess || x.ns == XattrNs::kPosixAclDefault) continue;
      if (x.ns == XattrNs::kUser || x.ns == XattrNs::kTrusted) x.name = names_.name(x.name);
      std::fill(x.value.begin(), x.value.end(), 0);
      ++out_.xattrs;
      changed = true;
    }
    std::sort(inode.xattrs.begin(), inode.xattrs.end(), [](const Xattr& a, const Xattr& b) {
      return a.ns != b.ns ? a.ns < b.ns : a.name < b.name;
    });
    return changed;
  }

  // Whether a record holds a name or a value to scramble (an inline symlink target, an
  // xattr), from its attribute headers alone; a record too short for them is decoded (and
  // its damage reported) by the caller.
  static bool holds_names(std::span<const uint8_t> value) {
    std::size_t pos = InodeLayout::kCoreSize;
    while (pos + InodeLayout::kAttrHeaderSize <= value.size()) {
      auto tag = AttrTag(value[pos]);
      if (tag == AttrTag::kSymlink || tag == AttrTag::kXattr) return true;
      pos += InodeLayout::kAttrHeaderSize + load_be16(value.data() + pos + 1);
    }
    return pos != value.size();
  }

  Status scramble_inode_table() {
    TreeVisitor v;
    v.on_leaf = [&](uint64_t block, const LeafView& leaf, uint64_t, uint64_t) -> Status {
      std::map<std::size_t, std::vector<uint8_t>> rewritten;  // item -> its new record
      for (std::size_t i = 0; i < leaf.size(); ++i) {
        auto original = leaf.value(i);
        if (original.size() < InodeLayout::kCoreSize) {
          return decode_inode(original, leaf.key(i)).status();
        }
        uint32_t type = InodeLayout::Mode::get(original) & kModeTypeMask;
        TreeRoot root{InodeLayout::RootBlock::get(original),
                      InodeLayout::RootDepth::get(original)};
        if (type == kModeDirectory && !root.empty()) directories_.emplace_back(leaf.key(i), root);
        if (!holds_names(original) && type != kModeSymlink) continue;
        TUX3_ASSIGN_OR_RETURN(InodeRecord inode, decode_inode(original, leaf.key(i)));
        if (inode.type() == kModeSymlink && !inode.inline_symlink) {
          long_symlinks_.emplace_back(leaf.key(i), inode);
        }
        if (!scramble_record(inode)) continue;
        std::vector<uint8_t> record = encode_inode(inode);
        if (record.size() != original.size()) {
          return Status::corruption(fmt::format("inode {}: record changed size", leaf.key(i)));
        }
        rewritten.emplace(i, std::move(record));
      }
      if (rewritten.empty()) return Status::ok();
      std::vector<LeafItem> items;
      for (std::size_t i = 0; i < leaf.size(); ++i) {
        auto it = rewritten.find(i);
        items.push_back({leaf.key(i), it != rewritten.end() ? std::span<const uint8_t>(it->second)
                                                            : leaf.value(i)});
      }
      return rewrite_leaf(block, leaf.header(), kOwnerInodeTable, items);
    };
    return reader_->walk_tree(sb_.itree, kOwnerInodeTable, kMagicIleaf, v);
  }

  Status rewrite_leaf(uint64_t block, const BlockHeader& header, uint64_t owner,
                      std::span<const LeafItem> items) {
    std::vector<uint8_t> bytes(bs_);
    TUX3_RETURN_IF_ERROR(encode_leaf(header, owner, items, bytes));
    out_.blocks[block] = std::move(bytes);
    return Status::ok();
  }

  // ---- Directories ----

  Result<DirTree> read_directory(uint64_t inum, const TreeRoot& root) {
    DirTree tree;
    TreeVisitor v;
    v.on_bnode = [&](uint64_t block, const Bnode& node) -> Status {
      tree.bnodes.emplace(block, node);
      return Status::ok();
    };
    v.on_leaf = [&](uint64_t block, const LeafView& leaf, uint64_t, uint64_t) -> Status {
      DirTree::Leaf l{block, leaf.header(), {}};
      for (std::size_t i = 0; i < leaf.size(); ++i) {
        TUX3_ASSIGN_OR_RETURN(Dirent d, decode_dirent(leaf.key(i), leaf.value(i), sb_.hash_seed));
        l.entries.push_back(std::move(d));
      }
      tree.leaves.push_back(std::move(l));
      return Status::ok();
    };
    TUX3_RETURN_IF_ERROR(reader_->walk_tree(root, inum, kMagicDleaf, v));
    return tree;
  }

  // The entries re-keyed with their new names, in key order; nullopt if more than 256
  // names share a hash.
  std::optional<std::vector<NewEntry>> rekey(const std::vector<Dirent>& entries,
                                             const std::vector<std::string>& names) {
    std::vector<std::size_t> order(entries.size());
    std::vector<uint64_t> hashes(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
      order[i] = i;
      hashes[i] = name_hash(names[i], sb_.hash_seed);
    }
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return hashes[a] != hashes[b] ? hashes[a] < hashes[b] : entries[a].key < entries[b].key;
    });
    std::vector<NewEntry> out;
    for (std::size_t k = 0; k < order.size(); ++k) {
      std::size_t i = order[k];
      uint64_t collision = (k > 0 && hashes[order[k - 1]] == hashes[i])
                               ? (out.back().key & 0xff) + 1 : 0;
      if (collision > 0xff) return std::nullopt;
      Dirent d{0, entries[i].inum, entries[i].type, names[i]};
      out.push_back({dirent_key(hashes[i], uint8_t(collision)), encode_dirent(d)});
    }
    return out;
  }

  // Entries in order into `leaves` leaves: [start, end) per leaf; nullopt if they do not fit.
  std::optional<std::vector<std::pair<std::size_t, std::size_t>>> pack(
      const std::vector<NewEntry>& entries, std::size_t leaves) const {
    std::vector<std::pair<std::size_t, std::size_t>> groups;
    std::size_t start = 0;
    while (start < entries.size()) {
      std::size_t end = start, bytes = 0;
      while (end < entries.size() &&
             leaf_bytes_needed(end - start + 1, bytes + entries[end].value.size()) <= bs_) {
        bytes += entries[end++].value.size();
      }
      if (end == start) return std::nullopt;
      groups.emplace_back(start, end);
      start = end;
    }
    if (groups.size() > leaves) return std::nullopt;
    while (groups.size() < leaves) {
      auto widest = std::max_element(groups.begin(), groups.end(), [](auto& a, auto& b) {
        return a.second - a.first < b.second - b.first;
      });
      if (widest == groups.end() || widest->second - widest->first < 2) return std::nullopt;
      std::size_t mid = widest->first + (widest->second - widest->first) / 2;
      auto right = std::make_pair(mid, widest->second);
      widest->second = mid;
      groups.insert(widest + 1, right);
    }
    return groups;
  }

  Status scramble_directory(uint64_t inum, const TreeRoot& root) {
    TUX3_ASSIGN_OR_RETURN(DirTree tree, read_directory(inum, root));
    std::vector<Dirent> entries;
    for (auto& leaf : tree.leaves) {
      entries.insert(entries.end(), std::make_move_iterator(leaf.entries.begin()),
                     std::make_move_iterator(leaf.entries.end()));
    }
    if (entries.empty()) return Status::ok();
    // The shared mapping first; if its order does not fit the leaves, names of the
    // directory's own under a few salts.
    std::vector<std::string> names;
    for (const Dirent& d : entries) names.push_back(names_.name(d.name));
    auto rekeyed = rekey(entries, names);
    auto groups = rekeyed ? pack(*rekeyed, tree.leaves.size()) : std::nullopt;
    for (uint32_t salt = 1; !groups && salt <= kDirectorySalts; ++salt) {
      std::unordered_set<std::string> used;
      for (std::size_t i = 0; i < entries.size(); ++i) {
        names[i] = names_.pick(entries[i].name, salt ^ uint32_t(inum),
                               [&](const std::string& c) { return !used.count(c); });
        used.insert(names[i]);
      }
      rekeyed = rekey(entries, names);
      groups = rekeyed ? pack(*rekeyed, tree.leaves.size()) : std::nullopt;
      if (groups) ++out_.resalted;
    }
    if (!groups) {
      return Status::not_supported(fmt::format(
          "directory {}: its {} entries do not fit its {} leaves in any scrambled order tried",
          inum, entries.size(), tree.leaves.size()));
    }
    // Leaves, and the key each leaf's range now starts at.
    std::unordered_map<uint64_t, std::size_t> leaf_index;
    std::vector<uint64_t> low(tree.leaves.size());
    for (std::size_t i = 0; i < tree.leaves.size(); ++i) {
      auto [start, end] = (*groups)[i];
      std::vector<LeafItem> items;
      for (std::size_t k = start; k < end; ++k) {
        items.push_back({(*rekeyed)[k].key, (*rekeyed)[k].value});
      }
      const auto& leaf = tree.leaves[i];
      TUX3_RETURN_IF_ERROR(rewrite_leaf(leaf.block, leaf.header, inum, items));
      leaf_index[leaf.block] = i;
      low[i] = i == 0 ? 0 : items.front().key;
    }
    // Each bnode entry's key: the low key of the first leaf below it.
    std::function<std::size_t(uint64_t)> first_leaf = [&](uint64_t block) -> std::size_t {
      if (auto it = leaf_index.find(block); it != leaf_index.end()) return it->second;
      return first_leaf(tree.bnodes.at(block).entries.front().child);
    };
    for (auto& [block, node] : tree.bnodes) {
      for (BnodeEntry& e : node.entries) e.key = low[first_leaf(e.child)];
      std::vector<uint8_t> bytes(bs_);
      encode_bnode(node, bytes);
      out_.blocks[block] = std::move(bytes);
    }
    out_.entries += entries.size();
    ++out_.directories;
    return Status::ok();
  }

  // ---- Long symlinks ----

  Status scramble_symlink(uint64_t inum, const InodeRecord& inode) {
    TUX3_ASSIGN_OR_RETURN(std::vector<Extent> extents, reader_->file_extents(inum, inode));
    uint64_t nblocks = (inode.size + bs_ - 1) / bs_;
    std::vector<uint8_t> target(nblocks * bs_, 0);
    std::vector<std::pair<uint64_t, uint64_t>> mapped;  // logical, physical
    for (const Extent& e : extents) {
      if (e.flags & kExtentUnwritten) continue;
      for (uint64_t i = 0; i < e.count && e.logical + i < nblocks; ++i) {
        uint64_t logical = e.logical + i, physical = e.physical + i;
        TUX3_RETURN_IF_ERROR(reader_->read_block(
            physical, std::span<uint8_t>(target.data() + logical * bs_, bs_)));
        mapped.emplace_back(logical, physical);
      }
    }
    std::string text(reinterpret_cast<const char*>(target.data()), inode.size);
    std::string renamed = names_.path(text);
    std::fill(target.begin(), target.end(), 0);
    std::memcpy(target.data(), renamed.data(), renamed.size());
    for (auto [logical, physical] : mapped) {
      out_.blocks[physical].assign(target.begin() + std::ptrdiff_t(logical * bs_),
                                   target.begin() + std::ptrdiff_t((logical + 1) * bs_));
    }
    ++out_.symlinks;
    return Status::ok();
  }

  // ---- The reserved area ----

  Status scramble_reserved_area() {
    uint64_t reserved = first_data_block(sb_.block_bits);
    std::vector<uint8_t> area(reserved * bs_);
    TUX3_RETURN_IF_ERROR(device_.read(0, area));
    std::vector<uint8_t> fresh(area.size(), 0);
    out_.label = sb_.label.empty() ? std::string() : names_.path(sb_.label);
    for (unsigned i = 0; i < 2; ++i) {
      auto slot = std::span<uint8_t>(fresh).subspan(kSuperSlotOffset[i], kSuperSlotSize);
      auto old = std::span<const uint8_t>(area).subspan(kSuperSlotOffset[i], kSuperSlotSize);
      const auto& decoded = reader_->slots().slots[i];
      if (decoded.is_ok()) {
        Superblock sb = *decoded;
        sb.label = sb.label.empty() ? std::string() : names_.path(sb.label);
        encode_superblock(sb, slot);
      } else {
        // A slot that does not decode keeps its damage, less its label.
        std::copy(old.begin(), old.end(), slot.begin());
        auto label = slot.subspan(SuperLayout::Label::kOffset, SuperLayout::Label::kSize);
        std::fill(label.begin(), label.end(), 0);
      }
    }
    for (uint64_t b = 0; b < reserved; ++b) {
      out_.blocks[b].assign(fresh.begin() + std::ptrdiff_t(b * bs_),
                            fresh.begin() + std::ptrdiff_t((b + 1) * bs_));
    }
    return Status::ok();
  }

  BlockDevice& device_;
  NameScrambler names_;
  std::unique_ptr<VolumeReader> reader_;
  Superblock sb_;
  uint32_t bs_ = 0;
  std::vector<std::pair<uint64_t, TreeRoot>> directories_;
  std::vector<std::pair<uint64_t, InodeRecord>> long_symlinks_;
  Scrambled out_;
};

}  // namespace

Result<Scrambled> scramble_volume(BlockDevice& device, std::string_view key) {
  auto result = VolumeScrambler(device, key).run();
  if (!result) return std::move(result).take_status().with_context("cannot scramble");
  return result;
}

}  // namespace tux3::image
