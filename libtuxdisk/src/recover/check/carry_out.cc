// carry_out.cc: the repairs the passes asked for and the answers allowed, written through
// the engine (fs/repair.h) as one unify delta.
//
// Order matters: rebuilt trees and a new root first (the other repairs edit them), then
// deleted inodes, field fixes (before reconnection, which may make /lost+found and so
// change the root's link count), directory entries, reconnections, orphans; last, the
// blocks nothing uses any more are freed and every bitmap block rewritten.
#include "recover/check/carry_out.h"

#include <algorithm>

#include <fmt/format.h>

#include "fs/repair.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/format/node.h"

namespace tux3::check {

using namespace format;

namespace {

unsigned rank(Repair::Kind k) {
  using K = Repair::Kind;
  switch (k) {
    case K::kRebuildTree: return 0;  // a new root goes into the rebuilt inode table
    case K::kNewRoot: return 1;
    case K::kDeleteInode:
    case K::kRewriteRecord: return 2;
    case K::kSetNlink:
    case K::kSetBlocks:
    case K::kSetParent:
    case K::kDropExtent:
    case K::kTruncateMap: return 3;
    case K::kRemoveEntry:
    case K::kSetEntryType:
    case K::kRekeyEntry: return 4;
    case K::kReconnect: return 5;
    case K::kRemoveOrphan: return 6;
    case K::kRewriteBitmap:
    case K::kRewriteSuper:
    case K::kReplayLog: return 7;
  }
  return 8;
}

// The items of a tree that still read (a rebuilt tree keeps them).
Result<std::vector<BtreeItem>> salvage(Context& c, uint64_t tree) {
  std::vector<BtreeItem> items;
  TreeWalk w;
  w.on_leaf = [&](uint64_t, const LeafView& leaf, uint64_t, uint64_t) {
    for (std::size_t i = 0; i < leaf.size(); ++i) {
      auto v = leaf.value(i);
      items.push_back({leaf.key(i), std::vector<uint8_t>(v.begin(), v.end())});
    }
    return Status::ok();
  };
  if (tree == kOwnerInodeTable) {
    TUX3_RETURN_IF_ERROR(c.walk(c.sb.itree, kOwnerInodeTable, kMagicIleaf, w));
    // Records that do not decode are deleted anyway.
    std::erase_if(items, [&](const BtreeItem& i) {
      auto slot = c.inodes.find(i.key);
      return !slot || c.inodes.has(*slot, check::kBadRecord);
    });
  } else if (tree == kOwnerOrphans) {
    TUX3_RETURN_IF_ERROR(c.walk(c.sb.otree, kOwnerOrphans, kMagicOleaf, w));
  } else {
    std::optional<InodeRecord> rec;
    if (auto it = c.salvaged.find(tree); it != c.salvaged.end()) {
      rec = it->second;
    } else {
      TUX3_ASSIGN_OR_RETURN(rec, c.reader.lookup_inode(tree));
    }
    if (!rec) return items;
    for (const Extent& e : rec->inline_extents) {
      std::vector<uint8_t> value(ExtentLayout::kSize);
      encode_extent(e, std::span<uint8_t, ExtentLayout::kSize>(value.data(), value.size()));
      items.push_back({e.logical, std::move(value)});
    }
    uint32_t magic = rec->is_dir() ? kMagicDleaf : kMagicXleaf;
    TUX3_RETURN_IF_ERROR(c.walk(rec->root, tree, magic, w));
  }
  return items;
}

}  // namespace

Result<uint64_t> carry_out(Context& c, const std::vector<const Repair*>& accepted,
                           const VolumeOptions& engine) {
  c.forget_prefetched();
  std::vector<const Repair*> todo = accepted;
  std::stable_sort(todo.begin(), todo.end(), [](const Repair* a, const Repair* b) {
    return rank(a->kind) < rank(b->kind);
  });

  // Nothing the checked state uses, nor anything its bitmap marks, may be written over
  // before the repair is durable.
  auto allocation = std::make_shared<std::vector<uint64_t>>(c.used_words());
  for (std::size_t i = 0; i < allocation->size() && i < c.allocated.size(); ++i) {
    (*allocation)[i] |= c.allocated[i];
  }
  for (uint64_t b : c.abandoned) {
    if (b < c.sb.vol_blocks) (*allocation)[b / 64] |= uint64_t(1) << (b % 64);
  }
  // The engine counts inodes from the records that decode (the superblock may be wrong).
  TUX3_ASSIGN_OR_RETURN(auto r, open_repairer(c.device, engine, c.sb, allocation,
                                              c.report.inodes));

  std::vector<uint64_t> rebuilt;
  for (const Repair* p : todo) {
    const Repair& x = *p;
    using K = Repair::Kind;
    Status s;
    switch (x.kind) {
      case K::kNewRoot: s = r->new_root(); break;
      case K::kRebuildTree: {
        if (std::find(rebuilt.begin(), rebuilt.end(), x.tree) != rebuilt.end()) break;
        rebuilt.push_back(x.tree);
        TUX3_ASSIGN_OR_RETURN(auto items, salvage(c, x.tree));
        s = r->rebuild_tree(x.tree, std::move(items));
        break;
      }
      case K::kDeleteInode: s = r->delete_inode(x.inum); break;
      case K::kRewriteRecord: s = r->put_record(x.inum, x.bytes); break;
      case K::kSetNlink: s = r->set_nlink(x.inum, uint32_t(x.value)); break;
      case K::kSetBlocks: s = r->set_blocks(x.inum, x.value); break;
      case K::kSetParent: s = r->set_parent(x.inum, x.value); break;
      case K::kDropExtent: s = r->drop_extent(x.inum, x.key); break;
      case K::kTruncateMap: s = r->truncate_map(x.inum, x.value); break;
      case K::kRemoveEntry: s = r->remove_entry(x.inum, x.key, x.value); break;
      case K::kSetEntryType: s = r->set_entry_type(x.inum, x.key, x.type); break;
      case K::kRekeyEntry: s = r->rekey_entry(x.inum, x.key); break;
      case K::kReconnect: s = r->reconnect(x.inum); break;
      case K::kRemoveOrphan: s = r->remove_orphan(x.inum); break;
      case K::kRewriteBitmap:
      case K::kRewriteSuper:
      case K::kReplayLog: break;  // every repair rewrites both and replays the log
    }
    TUX3_RETURN_IF_ERROR(std::move(s).with_context(
        fmt::format("repairing {}", problem_info(c.report.problems[x.problem].code).id)));
  }

  // Marked allocated (or abandoned by a repair), used by nothing now: freed with the repair.
  std::vector<uint64_t> unused;
  for (uint64_t w = 0; w < allocation->size(); ++w) {
    uint64_t bits = (*allocation)[w] & ~c.used_words()[w];
    while (bits) {
      uint64_t b = w * 64 + uint64_t(__builtin_ctzll(bits));
      bits &= bits - 1;
      if (b < c.sb.vol_blocks) unused.push_back(b);
    }
  }
  return r->finish(unused);
}

}  // namespace tux3::check
