// verify.cc: the whole-volume consistency check (see verify.h for the steps).
#include "tuxdisk/verify.h"

#include <endian.h>

#include <cstring>

#include <unordered_map>

#include <fmt/format.h>

#include "tuxdisk/format/bitmap.h"
#include "delta/chain_replay.h"
#include "tuxdisk/format/log.h"

namespace tux3 {

using namespace format;

namespace {

class Checker {
 public:
  explicit Checker(VolumeReader& r)
      : r_(r), sb_(r.super()), used_((sb_.vol_blocks + 63) / 64, 0) {}

  Result<VerifyReport> run() {
    check_slots();
    for (uint64_t b = 0; b < r_.first_data_block(); ++b) claim(b, "reserved area");
    TUX3_RETURN_IF_ERROR(check_inode_table());
    TUX3_RETURN_IF_ERROR(check_files());
    check_links();
    TUX3_RETURN_IF_ERROR(check_orphans());
    check_log();
    TUX3_RETURN_IF_ERROR(check_bitmap());
    return std::move(report_);
  }

 private:
  void problem(std::string text) { report_.problems.push_back(std::move(text)); }

  // Records that a block is in use; a second claim is a cross-link.
  void claim(uint64_t block, std::string_view what) {
    if (block >= sb_.vol_blocks) {
      problem(fmt::format("{}: block {} is beyond the volume", what, block));
      return;
    }
    uint64_t& word = used_[block / 64];
    uint64_t bit = uint64_t(1) << (block % 64);
    if (word & bit) {
      problem(fmt::format("{}: block {} is already in use by another structure", what, block));
      return;
    }
    word |= bit;
    ++report_.blocks_in_use;
  }
  bool claimed(uint64_t block) const { return used_[block / 64] >> (block % 64) & 1; }

  // Runs a fallible step; an I/O error stops the check, corruption becomes a problem.
  Status soft(Status s) {
    if (s.is_ok()) return s;
    if (s.code() == Errc::kIoError) return s;
    problem(s.message());
    return Status::ok();
  }

  void check_slots() {
    const SlotPair& slots = r_.slots();
    for (unsigned i = 0; i < 2; ++i) {
      const auto& slot = slots.slots[i];
      if (!slot.is_ok() && slot.status().code() != Errc::kNotFound) {
        problem(slot.status().message());
      }
    }
    if (slots.slots[0].is_ok() && slots.slots[1].is_ok()) {
      const Superblock& a = *slots.slots[0];
      const Superblock& b = *slots.slots[1];
      if (a.uuid != b.uuid || a.block_bits != b.block_bits || a.vol_blocks != b.vol_blocks) {
        problem("superblock slots disagree on UUID, block size or volume size");
      }
    }
  }

  Status check_inode_table() {
    TreeVisitor v;
    v.on_bnode = [&](uint64_t block, const Bnode&) {
      claim(block, "inode table bnode");
      ++report_.tree_nodes;
      return Status::ok();
    };
    v.on_leaf = [&](uint64_t block, const LeafView& leaf, uint64_t, uint64_t) {
      claim(block, "inode table leaf");
      ++report_.tree_nodes;
      for (std::size_t i = 0; i < leaf.size(); ++i) {
        uint64_t inum = leaf.key(i);
        auto inode = decode_inode(leaf.value(i), inum);
        if (!inode) {
          problem(inode.status().message());
          continue;
        }
        if (!valid_inode_number(inum)) {
          problem(fmt::format("inode {}: number is reserved or out of range", inum));
        }
        inodes_.emplace(inum, std::move(*inode));
      }
      return Status::ok();
    };
    TUX3_RETURN_IF_ERROR(soft(r_.walk_tree(sb_.itree, kOwnerInodeTable, kMagicIleaf, v)
                                  .with_context("inode table")));
    report_.inodes = inodes_.size();
    if (inodes_.size() != sb_.inode_count) {
      problem(fmt::format("superblock inode count {} but the inode table holds {}",
                          sb_.inode_count, inodes_.size()));
    }
    auto bitmap = inodes_.find(kInoBitmap);
    if (bitmap == inodes_.end() || bitmap->second.type() != kModeRegular) {
      problem("inode 1 (allocation bitmap) is missing or not a regular file");
    }
    auto root = inodes_.find(kInoRoot);
    if (root == inodes_.end() || !root->second.is_dir()) {
      problem("inode 2 (root directory) is missing or not a directory");
    } else if (root->second.parent != kInoRoot) {
      problem(fmt::format("root directory's parent is {}, not itself", root->second.parent));
    }
    return Status::ok();
  }

  Status check_files() {
    for (auto& [inum, inode] : inodes_) {
      if (inode.root.empty() && inode.inline_extents.empty()) {
        if (inode.blocks != 0) {
          problem(fmt::format("inode {}: {} blocks but no data tree", inum, inode.blocks));
        }
        continue;
      }
      std::string label = fmt::format("inode {}", inum);
      TreeVisitor nodes;
      nodes.on_bnode = [&](uint64_t block, const Bnode&) {
        claim(block, label);
        ++report_.tree_nodes;
        return Status::ok();
      };
      if (inode.is_dir()) {
        ++report_.directories;
        TUX3_RETURN_IF_ERROR(soft(check_directory(inum, inode)));
        continue;
      }
      if (inode.type() == kModeRegular && inum >= kFirstNormalIno) ++report_.regular_files;
      auto extents = r_.file_extents(inum, inode);
      if (!extents) {
        TUX3_RETURN_IF_ERROR(soft(extents.status()));
        continue;
      }
      nodes.on_leaf = [&](uint64_t block, const LeafView&, uint64_t, uint64_t) {
        claim(block, label);
        ++report_.tree_nodes;
        return Status::ok();
      };
      TUX3_RETURN_IF_ERROR(soft(r_.walk_tree(inode.root, inum, kMagicXleaf, nodes)));
      uint64_t blocks = 0;
      uint64_t size_blocks = (inode.size + r_.block_size() - 1) / r_.block_size();
      for (const Extent& e : *extents) {
        for (uint64_t b = 0; b < e.count; ++b) claim(e.physical + b, label);
        blocks += e.count;
        if (!(e.flags & kExtentUnwritten) && e.logical + e.count > size_blocks) {
          problem(fmt::format("inode {}: written extent at logical {} lies past the size {}",
                              inum, e.logical, inode.size));
        }
      }
      report_.data_blocks += blocks;
      if (blocks != inode.blocks) {
        problem(fmt::format("inode {}: records {} blocks, its extents hold {}", inum,
                            inode.blocks, blocks));
      }
    }
    return Status::ok();
  }

  Status check_directory(uint64_t inum, const InodeRecord& dir) {
    std::string label = fmt::format("directory {}", inum);
    TreeVisitor nodes;
    nodes.on_bnode = [&](uint64_t block, const Bnode&) {
      claim(block, label);
      ++report_.tree_nodes;
      return Status::ok();
    };
    nodes.on_leaf = [&](uint64_t block, const LeafView&, uint64_t, uint64_t) {
      claim(block, label);
      ++report_.tree_nodes;
      return Status::ok();
    };
    TUX3_RETURN_IF_ERROR(r_.walk_tree(dir.root, inum, kMagicDleaf, nodes));
    TUX3_ASSIGN_OR_RETURN(std::vector<Dirent> entries, r_.dir_entries(inum, dir));
    for (const Dirent& d : entries) {
      auto target = inodes_.find(d.inum);
      if (target == inodes_.end()) {
        problem(fmt::format("{}: entry \"{}\" names inode {}, which does not exist", label,
                            d.name, d.inum));
        continue;
      }
      if (file_type_of_mode(target->second.mode) != d.type) {
        problem(fmt::format("{}: entry \"{}\" says type {} but inode {} is type {}", label,
                            d.name, int(d.type), d.inum,
                            int(file_type_of_mode(target->second.mode))));
      }
      ++links_[d.inum];
      if (target->second.is_dir()) {
        ++links_[inum];  // the child's ".." 
        if (target->second.parent != inum) {
          problem(fmt::format("{}: subdirectory \"{}\" ({}) records parent {}", label, d.name,
                              d.inum, target->second.parent));
        }
      }
    }
    return Status::ok();
  }

  void check_links() {
    for (auto& [inum, inode] : inodes_) {
      if (inum < kFirstNormalIno && inum != kInoRoot) continue;
      uint64_t expected = links_[inum];
      // links_ counts entries naming the inode, plus, for a directory, its subdirectories'
      // "..". Add a directory's own "."; the root also counts its ".." (itself), which stands
      // in for the entry in a parent that it does not have.
      if (inode.is_dir()) expected += inum == kInoRoot ? 2 : 1;
      if (inode.nlink != expected) {
        problem(fmt::format("inode {}: link count {} but {} links were found", inum, inode.nlink,
                            expected));
      }
    }
  }

  Status check_orphans() {
    TreeVisitor v;
    v.on_bnode = [&](uint64_t block, const Bnode&) {
      claim(block, "orphan tree");
      return Status::ok();
    };
    v.on_leaf = [&](uint64_t block, const LeafView& leaf, uint64_t, uint64_t) {
      claim(block, "orphan tree");
      for (std::size_t i = 0; i < leaf.size(); ++i) {
        if (!leaf.value(i).empty()) problem(fmt::format("orphan {}: value is not empty", leaf.key(i)));
      }
      return Status::ok();
    };
    return soft(r_.walk_tree(sb_.otree, kOwnerOrphans, kMagicOleaf, v).with_context("orphans"));
  }

  // The log chain was read and verified when the reader opened (and replayed) it.
  void check_log() {
    for (uint64_t block : r_.replay().chain) {
      claim(block, "log chain");
      ++report_.log_blocks;
    }
    // Old locations of bnodes moved or dropped since the last unify: unreachable, but still
    // allocated until the next unify, as the on-disk bnodes still use them.
    for (uint64_t block : r_.replay().released_at_unify) claim(block, "bnode awaiting unify");
    // Blocks reserved for the fsync streams' next blocks (stream blocks written beyond
    // them belong to deltas not yet committed; their blocks are free in this one).
    for (std::size_t i = 0; i < sb_.stream_count && i < kMaxStreams; ++i) {
      if (sb_.streams[i].block) claim(sb_.streams[i].block, "fsync stream reservation");
    }
  }

  // The bitmap as the last unify wrote it, with the log's allocation changes applied, must
  // mark exactly the blocks reached above.
  Status check_bitmap() {
    auto it = inodes_.find(kInoBitmap);
    if (it == inodes_.end()) return Status::ok();
    auto extents = r_.file_extents(kInoBitmap, it->second);
    if (!extents) return soft(extents.status());
    uint32_t bs = r_.block_size();
    uint64_t per = bits_per_bitmap_block(bs);
    uint64_t needed = (sb_.vol_blocks + per - 1) / per;
    std::vector<std::vector<uint8_t>> bitmap(needed, std::vector<uint8_t>(per / 8, 0));
    std::vector<uint8_t> buf(bs);
    for (const Extent& e : *extents) {
      for (uint64_t i = 0; i < e.count; ++i) {
        uint64_t index = e.logical + i, phys = e.physical + i;
        if (index >= needed) {
          problem(fmt::format("bitmap block {} lies beyond the {} the volume needs", index, needed));
          continue;
        }
        TUX3_RETURN_IF_ERROR(r_.read_block(phys, buf));
        Status s = verify_bitmap_block(buf, r_.expect(kMagicBitmap, phys), index * per,
                                       sb_.vol_blocks);
        if (!s) {
          problem(s.message());
          continue;
        }
        auto bits = bitmap_bits(std::span<const uint8_t>(buf));
        bitmap[index].assign(bits.begin(), bits.end());
      }
    }
    auto bit = [&](uint64_t b) -> std::pair<std::vector<uint8_t>*, uint64_t> {
      return {&bitmap[b / per], b % per};
    };
    BitmapEdits edits{
        [&](uint64_t b, uint64_t n, bool tolerate) -> Status {
          for (uint64_t x = b; x < b + n && x < sb_.vol_blocks; ++x) {
            auto [bits, i] = bit(x);
            if (bit_is_set(*bits, i) && !tolerate) {
              return Status::corruption(fmt::format("log allocates block {} twice", x));
            }
            set_bit(*bits, i);
          }
          return Status::ok();
        },
        [&](uint64_t b, uint64_t n) -> Status {
          for (uint64_t x = b; x < b + n && x < sb_.vol_blocks; ++x) {
            auto [bits, i] = bit(x);
            if (!bit_is_set(*bits, i)) return Status::corruption(fmt::format("log frees free block {}", x));
            clear_bit(*bits, i);
          }
          return Status::ok();
        }};
    Status applied = apply_chain_allocations(r_.replay(), edits);
    if (!applied) {
      problem(applied.message());
      return Status::ok();
    }
    report_.bitmap_checked = true;
    uint64_t allocated = 0;
    for (uint64_t b = 0; b < sb_.vol_blocks; ++b) {
      auto [bits, i] = bit(b);
      if (i % 64 == 0 && b + 64 <= sb_.vol_blocks && i + 64 <= per) {
        // 64 blocks at once when the bitmap and the blocks reached agree on all of them.
        uint64_t word = 0;
        std::memcpy(&word, bits->data() + i / 8, 8);
        word = le64toh(word);
        if (word == used_[b / 64]) {
          allocated += uint64_t(__builtin_popcountll(word));
          b += 63;
          continue;
        }
      }
      bool set = bit_is_set(*bits, i);
      allocated += set;
      if (set && !claimed(b)) problem(fmt::format("block {} is marked allocated but unused", b));
      if (!set && claimed(b)) problem(fmt::format("block {} is in use but marked free", b));
    }
    if (sb_.vol_blocks - allocated != sb_.free_blocks) {
      problem(fmt::format("superblock free count {} but the bitmap has {} free blocks",
                          sb_.free_blocks, sb_.vol_blocks - allocated));
    }
    return Status::ok();
  }

  VolumeReader& r_;
  const Superblock& sb_;
  std::vector<uint64_t> used_;
  std::unordered_map<uint64_t, InodeRecord> inodes_;
  std::unordered_map<uint64_t, uint64_t> links_;
  VerifyReport report_;
};

}  // namespace

Result<VerifyReport> verify_volume(VolumeReader& reader) { return Checker(reader).run(); }

}  // namespace tux3
