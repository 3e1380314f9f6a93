// pass_dirs.cc: pass 4, every directory index: its nodes, each entry's name, key (against
// the name's hash), type (against its inode's) and target (a live inode, not inode 1, not
// the root), no name twice in one directory, no directory named twice.
//
// Hands on: for each inode, the entries naming it; for each directory, the directory
// naming it and the entries naming subdirectories in it; the inode of /lost+found.
#include <set>

#include <fmt/format.h>

#include "recover/check/context.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/format/inode.h"
#include "tuxdisk/format/values.h"

namespace tux3::check {

using namespace format;

namespace {

std::string printable(std::string_view name) {
  std::string out;
  for (unsigned char ch : name) {
    if (ch >= 32 && ch < 127 && ch != '"' && ch != '\\') out += char(ch);
    else out += fmt::format("\\x{:02x}", ch);
  }
  return out;
}

class DirCheck {
 public:
  DirCheck(Context& c, uint64_t inum, const InodeRecord& rec) : c_(c), inum_(inum), rec_(rec) {}

  Status run() {
    TreeWalk w;
    w.on_bnode = [&](uint64_t block, const Bnode&) {
      claim_node(c_, block, fmt::format("directory {} index", inum_), inum_, &nodes_);
      ++c_.report.tree_nodes;
      return Status::ok();
    };
    w.on_leaf = [&](uint64_t block, const LeafView& leaf, uint64_t, uint64_t) {
      claim_node(c_, block, fmt::format("directory {} index", inum_), inum_, &nodes_);
      ++c_.report.tree_nodes;
      for (std::size_t i = 0; i < leaf.size(); ++i) entry(block, leaf.key(i), leaf.value(i));
      return Status::ok();
    };
    w.on_bad = [&](const BadNode& bad) {
      std::size_t p = c_.problem(ProblemCode::kDirTreeNode,
                                 fmt::format("directory {}: index node at block {}: {}", inum_,
                                             bad.block, bad.why.message()),
                                 inum_, bad.block);
      if (!rebuild_) first_bad_ = p;
      rebuild_ = true;
    };
    TUX3_RETURN_IF_ERROR(c_.walk(rec_.root, inum_, kMagicDleaf, w));
    if (rebuild_) {
      Repair r = fix(Repair::Kind::kRebuildTree, first_bad_);
      r.inum = r.tree = inum_;
      c_.repair(r);
      abandon_nodes(c_, nodes_);
    }
    return Status::ok();
  }

 private:
  Repair entry_fix(Repair::Kind kind, std::size_t problem, uint64_t key, const std::string& name) {
    Repair r = fix(kind, problem, inum_, key);
    r.name = name;
    return r;
  }

  void remove(ProblemCode code, uint64_t key, uint64_t block, const std::string& name,
              std::string why, uint64_t target = 0) {
    std::size_t p = c_.problem(code, fmt::format("directory {}: entry \"{}\": {}", inum_,
                                                 printable(name), why),
                               target ? target : inum_, block);
    c_.repair(entry_fix(Repair::Kind::kRemoveEntry, p, key, name));
  }

  void entry(uint64_t block, uint64_t key, std::span<const uint8_t> value) {
    if (value.size() <= DirentLayout::kNameOffset) {
      remove(ProblemCode::kEntryName, key, block, "",
             fmt::format("entry with key {:#x} has no name", key));
      return;
    }
    uint64_t target = DirentLayout::Inum::get(value);
    uint8_t type = DirentLayout::Type::get(value);
    std::string name(value.begin() + DirentLayout::kNameOffset, value.end());
    if (!valid_name(name)) {
      remove(ProblemCode::kEntryName, key, block, name, "the name is not valid", target);
      return;
    }
    // Entries are in key order, so equal names (equal hashes) are neighbours: only the
    // names of the current hash need remembering. (An entry under a wrong key is re-keyed
    // by repair, which drops it if its name is taken.)
    uint64_t hash = dirent_hash_of_key(key);
    if (hash != group_hash_) {
      group_hash_ = hash;
      names_.clear();
    }
    if (!names_.insert(name).second) {
      remove(ProblemCode::kEntryDuplicate, key, block, name, "a second entry with this name",
             target);
      return;
    }
    InodeInfo* t = target ? c_.inode(target) : nullptr;
    if (!t || t->has(InodeInfo::kBadRecord) || t->has(InodeInfo::kDropped)) {
      remove(ProblemCode::kEntryDangling, key, block, name,
             fmt::format("names inode {}, which does not exist", target), target);
      return;
    }
    if (target == kInoBitmap || target == kInoRoot) {
      remove(ProblemCode::kEntrySpecial, key, block, name,
             fmt::format("names inode {}, which no entry may name", target), target);
      return;
    }
    if (t->is_dir()) {
      if (t->named_by != 0) {
        remove(ProblemCode::kDirHardLinked, key, block, name,
               fmt::format("names directory {}, which directory {} names already", target,
                           t->named_by),
               target);
        return;
      }
      t->named_by = inum_;
      ++c_.inode(inum_)->subdirs;
      if (inum_ == kInoRoot && name == "lost+found") c_.lost_and_found = target;
    }
    ++t->names;
    if (dirent_hash_of_key(key) != name_hash(name, c_.sb.hash_seed)) {
      std::size_t p = c_.problem(ProblemCode::kEntryKey,
                                 fmt::format("directory {}: entry \"{}\": key {:#x} does not match "
                                             "the name's hash", inum_, printable(name), key),
                                 target, block);
      c_.repair(entry_fix(Repair::Kind::kRekeyEntry, p, key, name));
    }
    FileType want = file_type_of_mode(t->mode);
    if (type != uint8_t(want)) {
      std::size_t p = c_.problem(ProblemCode::kEntryType,
                                 fmt::format("directory {}: entry \"{}\" says type {}, inode {} "
                                             "is type {}", inum_, printable(name), type, target,
                                             int(want)),
                                 target, block);
      Repair r = entry_fix(Repair::Kind::kSetEntryType, p, key, name);
      r.type = uint8_t(want);
      c_.repair(std::move(r));
    }
  }

  Context& c_;
  uint64_t inum_;
  const InodeRecord& rec_;
  std::set<std::string> names_;  // the names of the current hash
  uint64_t group_hash_ = UINT64_MAX;
  bool rebuild_ = false;
  std::size_t first_bad_ = 0;
  std::vector<uint64_t> nodes_;
};

}  // namespace

Status check_directories(Context& c) {
  c.lost_and_found = 0;
  uint64_t done = 0;
  TreeWalk w;
  w.on_leaf = [&](uint64_t, const LeafView& leaf, uint64_t, uint64_t) -> Status {
    for (std::size_t i = 0; i < leaf.size(); ++i) {
      uint64_t inum = leaf.key(i);
      InodeInfo* info = c.inode(inum);
      if (!info || info->has(InodeInfo::kBadRecord) || info->has(InodeInfo::kReplaced) ||
          !info->is_dir()) {
        continue;
      }
      auto rec = c.record(inum, leaf.value(i));
      if (!rec) continue;
      ++c.report.directories;
      c.progress(CheckPass::kDirectories, ++done, c.inodes.size());
      TUX3_RETURN_IF_ERROR(DirCheck(c, inum, *rec).run());
    }
    return Status::ok();
  };
  return c.walk(c.sb.itree, kOwnerInodeTable, kMagicIleaf, w);
}

}  // namespace tux3::check
