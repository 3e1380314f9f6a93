// pass_inodes.cc: pass 2, the inode table; and the blocks in use that are no tree's: the
// reserved area, the log chain, bnodes awaiting unify, fsync stream reservations.
//
// Hands on: the inode summary (every inode that decodes, and the ones that do not, marked
// to be deleted), the orphan list (flags), the blocks of the table claimed.
#include <fmt/format.h>

#include "delta/chain_replay.h"
#include "recover/check/context.h"
#include "tuxdisk/format/bitmap.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/format/inode.h"

namespace tux3::check {

using namespace format;

namespace {

void claim_fixed(Context& c) {
  for (uint64_t b = 0; b < c.reader.first_data_block(); ++b) c.claim(b);
  const ChainReplay& chain = c.reader.replay();
  for (uint64_t b : chain.chain) c.claim(b);
  // Old locations of bnodes moved or dropped since the last unify: the bnodes on disk
  // still use them until the next unify.
  for (uint64_t b : chain.released_at_unify) c.claim(b);
  for (std::size_t i = 0; i < c.sb.stream_count && i < kMaxStreams; ++i) {
    if (c.sb.streams[i].block) c.claim(c.sb.streams[i].block);
  }
}

// Inode 1 or 2 gets a fresh record: a repair planned earlier for the old record (its
// salvage, or its deletion) becomes that one instead, or it would undo it.
void replace_special(Context& c, uint64_t inum, Repair::Kind kind,
                     const std::vector<uint8_t>& bytes) {
  for (Repair& r : c.repairs) {
    if (r.inum != inum) continue;
    if (r.kind == Repair::Kind::kRewriteRecord || r.kind == Repair::Kind::kDeleteInode) {
      r.kind = kind;
      r.bytes = bytes;
    }
  }
  c.salvaged.erase(inum);
}

// The slot of inode `inum`, made (in order) if the table has none.
Slot ensure_slot(Context& c, uint64_t inum) {
  if (auto s = c.inodes.find(inum)) return *s;
  return c.inodes.insert(inum);
}

}  // namespace

bool claim_node(Context& c, uint64_t block, std::string_view what, uint64_t inode,
                std::vector<uint64_t>* nodes) {
  if (!c.claim(block)) {
    c.problem(ProblemCode::kBlockCrossLinked,
              fmt::format("{}: node at block {} is also used by another structure", what, block),
              inode, block);
    return false;
  }
  if (nodes) nodes->push_back(block);
  return true;
}

void abandon_nodes(Context& c, const std::vector<uint64_t>& nodes) {
  for (uint64_t b : nodes) {
    c.unclaim(b);
    c.abandoned.push_back(b);
  }
}

Status check_inode_table(Context& c) {
  claim_fixed(c);
  // One summary per inode: room for the count the superblock gives (bounded, as it may be
  // wrong; untouched room costs no memory), so the table is not copied as it grows.
  c.inodes.reserve(std::min<uint64_t>(c.sb.inode_count, uint64_t(1) << 22));
  bool rebuild = false;
  std::size_t first_bad = 0;
  std::vector<uint64_t> nodes;  // the table's nodes: abandoned if it is rebuilt
  TreeWalk w;
  w.on_bnode = [&](uint64_t block, const Bnode&) {
    claim_node(c, block, "inode table", 0, &nodes);
    ++c.report.tree_nodes;
    return Status::ok();
  };
  w.on_leaf = [&](uint64_t block, const LeafView& leaf, uint64_t, uint64_t) {
    claim_node(c, block, "inode table", 0, &nodes);
    ++c.report.tree_nodes;
    for (std::size_t i = 0; i < leaf.size(); ++i) {
      uint64_t inum = leaf.key(i);
      // Keys out of order (or seen twice) come only from under a damaged node, whose tree
      // is rebuilt: the first record of a number is the one the summary keeps.
      auto slot = c.inodes.append(inum);
      if (!slot) continue;
      if (!valid_inode_number(inum)) {
        std::size_t p = c.problem(ProblemCode::kInodeNumber,
                                  fmt::format("inode {}: the number is reserved or out of range",
                                              inum), inum, block);
        c.repair(fix(Repair::Kind::kDeleteInode, p, inum));
        c.inodes.set(*slot, kBadRecord);
        continue;
      }
      auto rec = decode_inode(leaf.value(i), inum);
      if (!rec) {
        // Keep what can be kept; an inode without even a valid type goes.
        std::vector<std::string> fixes;
        auto salvaged = salvage_inode(leaf.value(i), inum, fixes);
        std::string kept;
        for (const std::string& f : fixes) kept += (kept.empty() ? "" : ", ") + f;
        std::size_t p = c.problem(
            ProblemCode::kInodeRecord,
            salvaged ? fmt::format("{}; kept with: {}", rec.status().message(), kept)
                     : fmt::format("{}; nothing to keep", rec.status().message()),
            inum, block);
        if (!salvaged) {
          c.repair(fix(Repair::Kind::kDeleteInode, p, inum));
          c.inodes.set(*slot, kBadRecord);
          continue;
        }
        Repair r = fix(Repair::Kind::kRewriteRecord, p, inum);
        r.bytes = encode_inode(*salvaged);
        c.repair(std::move(r));
        rec = std::move(salvaged);
        c.salvaged[inum] = *rec;
      }
      c.inodes.set_type(*slot, rec->mode);
      c.inodes.nlink.set(*slot, rec->nlink);
      if (c.inodes.is_dir(*slot)) {
        DirSummary& d = c.inodes.add_dir(*slot);
        d.parent = rec->parent;
        d.root_block = rec->root.block;
        d.root_depth = uint8_t(rec->root.depth);
      }
    }
    c.progress(CheckPass::kInodes, c.inodes.size(), c.sb.inode_count);
    return Status::ok();
  };
  w.on_bad = [&](const BadNode& bad) {
    std::size_t p = c.problem(
        ProblemCode::kInodeTableNode,
        fmt::format("inode table node at block {} (inodes {} to {}): {}", bad.block, bad.low,
                    bad.high == UINT64_MAX ? std::string("the end") : fmt::format("{}", bad.high - 1),
                    bad.why.message()),
        0, bad.block);
    if (!rebuild) first_bad = p;
    rebuild = true;
  };
  TUX3_RETURN_IF_ERROR(c.walk(c.sb.itree, kOwnerInodeTable, kMagicIleaf, w));
  if (rebuild) {
    Repair r = fix(Repair::Kind::kRebuildTree, first_bad);
    r.tree = kOwnerInodeTable;
    c.repair(r);
    abandon_nodes(c, nodes);
  }

  // The records found, against the superblock and the special inodes.
  std::size_t good = 0;
  uint64_t highest = 0;
  c.inodes.for_each([&](uint64_t inum, Slot s) {
    if (c.inodes.has(s, kBadRecord)) return;
    ++good;
    highest = inum;
  });
  c.report.inodes = good;
  if (good != c.sb.inode_count) {
    std::size_t p = c.problem(ProblemCode::kSuperInodeCount,
                              fmt::format("the superblock counts {} inodes, the inode table "
                                          "holds {}", c.sb.inode_count, good));
    c.repair(fix(Repair::Kind::kRewriteSuper, p));
  }
  if (highest >= kFirstNormalIno && c.sb.next_inum <= highest) {
    // A hint only (new inodes skip numbers in use), so a note, not an error.
    c.problem(ProblemCode::kSuperNextInum,
              fmt::format("the superblock's next inode number {} is not above inode {}, the "
                          "highest in use", c.sb.next_inum, highest));
  }
  auto bitmap = c.inodes.find(kInoBitmap);
  if (!bitmap || c.inodes.has(*bitmap, kBadRecord) || c.inodes.type(*bitmap) != kModeRegular) {
    std::size_t p = c.problem(ProblemCode::kBitmapInodeBad,
                              "inode 1 (the allocation bitmap) is missing or not a regular file");
    // A fresh, empty bitmap file: every repair rewrites the whole bitmap from the blocks
    // found in use, and its unify maps each bitmap block anew.
    InodeRecord fresh;
    fresh.mode = kModeRegular;
    fresh.nlink = 1;
    fresh.size = (c.sb.vol_blocks + bits_per_bitmap_block(c.reader.block_size()) - 1) /
                 bits_per_bitmap_block(c.reader.block_size()) * c.reader.block_size();
    Repair r = fix(Repair::Kind::kRewriteRecord, p, kInoBitmap);
    r.bytes = encode_inode(fresh);
    replace_special(c, kInoBitmap, Repair::Kind::kRewriteRecord, r.bytes);
    c.repair(std::move(r));
    Slot s = ensure_slot(c, kInoBitmap);
    c.inodes.clear(s, kBadRecord);
    c.inodes.set(s, kReplaced);
    c.inodes.set_type(s, fresh.mode);
    c.inodes.nlink.set(s, 1);
  }
  auto root = c.inodes.find(kInoRoot);
  if (!root || c.inodes.has(*root, kBadRecord) || !c.inodes.is_dir(*root)) {
    std::size_t p = c.problem(ProblemCode::kRootInodeBad,
                              "inode 2 (the root directory) is missing or not a directory");
    replace_special(c, kInoRoot, Repair::Kind::kNewRoot, {});
    c.repair(fix(Repair::Kind::kNewRoot, p, kInoRoot));
    // Later passes see the new, empty root: what the old one named is reconnected.
    Slot s = ensure_slot(c, kInoRoot);
    c.inodes.clear(s, kBadRecord);
    c.inodes.set(s, kReplaced);
    c.inodes.set_type(s, kModeDirectory);
    c.inodes.nlink.set(s, 2);
    DirSummary* d = c.inodes.dir(s);
    if (!d) d = &c.inodes.add_dir(s);
    d->parent = kInoRoot;
    d->root_block = 0;
    d->root_depth = 0;
  }

  // The orphan tree is read here (its verdicts come in pass 7): later passes must know
  // which unlinked inodes are orphans.
  TreeWalk o;
  bool orphans_bad = false;
  std::size_t orphan_problem = 0;
  std::vector<uint64_t> orphan_nodes;
  o.on_bnode = [&](uint64_t block, const Bnode&) {
    claim_node(c, block, "orphan tree", 0, &orphan_nodes);
    return Status::ok();
  };
  o.on_leaf = [&](uint64_t block, const LeafView& leaf, uint64_t, uint64_t) {
    claim_node(c, block, "orphan tree", 0, &orphan_nodes);
    for (std::size_t i = 0; i < leaf.size(); ++i) {
      if (auto s = c.inodes.find(leaf.key(i))) c.inodes.set(*s, kOrphan);
      else {
        std::size_t p = c.problem(ProblemCode::kOrphanMissing,
                                  fmt::format("orphan {}: no such inode", leaf.key(i)),
                                  leaf.key(i), block);
        c.repair(fix(Repair::Kind::kRemoveOrphan, p, leaf.key(i)));
      }
    }
    return Status::ok();
  };
  o.on_bad = [&](const BadNode& bad) {
    std::size_t p = c.problem(ProblemCode::kOrphanTreeNode,
                              fmt::format("orphan tree node at block {}: {}", bad.block,
                                          bad.why.message()),
                              0, bad.block);
    if (!orphans_bad) orphan_problem = p;
    orphans_bad = true;
  };
  TUX3_RETURN_IF_ERROR(c.walk(c.sb.otree, kOwnerOrphans, kMagicOleaf, o));
  if (orphans_bad) {
    Repair r = fix(Repair::Kind::kRebuildTree, orphan_problem);
    r.tree = kOwnerOrphans;
    c.repair(r);
    abandon_nodes(c, orphan_nodes);
  }
  return Status::ok();
}

}  // namespace tux3::check
