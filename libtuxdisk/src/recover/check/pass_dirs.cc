// pass_dirs.cc: pass 4, every directory index: its nodes, each entry's name, key (against
// the name's hash), type (against its inode's) and target (a live inode, not inode 1, not
// the root), no name twice in one directory, no directory named twice.
//
// Hands on: for each inode, the entries naming it; for each directory, the directory
// naming it and the entries naming subdirectories in it; the inode of /lost+found.
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
  DirCheck(Context& c, uint64_t inum, DirSummary& dir) : c_(c), inum_(inum), self_(dir) {}

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
    TUX3_RETURN_IF_ERROR(c_.walk(self_.root(), inum_, kMagicDleaf, w));
    if (rebuild_) {
      Repair r = fix(Repair::Kind::kRebuildTree, first_bad_);
      r.inum = r.tree = inum_;
      c_.repair(r);
      abandon_nodes(c_, nodes_);
    }
    return Status::ok();
  }

 private:
  Repair entry_fix(Repair::Kind kind, std::size_t problem, uint64_t key, std::string_view name) {
    Repair r = fix(kind, problem, inum_, key);
    r.name = std::string(name);
    return r;
  }

  void remove(ProblemCode code, uint64_t key, uint64_t block, std::string_view name,
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
    std::string_view name(reinterpret_cast<const char*>(value.data()) + DirentLayout::kNameOffset,
                          value.size() - DirentLayout::kNameOffset);
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
      group_names_ = 0;
    }
    if (!remember(name)) {
      remove(ProblemCode::kEntryDuplicate, key, block, name, "a second entry with this name",
             target);
      return;
    }
    auto t = target ? c_.inodes.find(target) : std::nullopt;
    if (!t || !c_.inodes.live(*t)) {
      remove(ProblemCode::kEntryDangling, key, block, name,
             fmt::format("names inode {}, which does not exist", target), target);
      return;
    }
    if (target == kInoBitmap || target == kInoRoot) {
      remove(ProblemCode::kEntrySpecial, key, block, name,
             fmt::format("names inode {}, which no entry may name", target), target);
      return;
    }
    if (c_.inodes.is_dir(*t)) {
      DirSummary* sub = c_.inodes.dir(*t);
      if (sub && sub->named_by != 0) {
        remove(ProblemCode::kDirHardLinked, key, block, name,
               fmt::format("names directory {}, which directory {} names already", target,
                           sub->named_by),
               target);
        return;
      }
      if (sub) sub->named_by = inum_;
      ++self_.subdirs;
      if (inum_ == kInoRoot && name == "lost+found") c_.lost_and_found = target;
    }
    c_.inodes.names.add(*t, 1);
    if (dirent_hash_of_key(key) != name_hash(name, c_.sb.hash_seed)) {
      std::size_t p = c_.problem(ProblemCode::kEntryKey,
                                 fmt::format("directory {}: entry \"{}\": key {:#x} does not match "
                                             "the name's hash", inum_, printable(name), key),
                                 target, block);
      c_.repair(entry_fix(Repair::Kind::kRekeyEntry, p, key, name));
    }
    FileType want = file_type_of_mode(c_.inodes.type(*t));
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
  DirSummary& self_;
  // Remembers a name of the current hash; false if it was there already.
  bool remember(std::string_view name) {
    for (std::size_t i = 0; i < group_names_; ++i) {
      if (names_[i] == name) return false;
    }
    if (group_names_ < names_.size()) names_[group_names_].assign(name);
    else names_.emplace_back(name);
    ++group_names_;
    return true;
  }

  std::vector<std::string> names_;  // the names of the current hash: the first group_names_
  std::size_t group_names_ = 0;
  uint64_t group_hash_ = UINT64_MAX;
  bool rebuild_ = false;
  std::size_t first_bad_ = 0;
  std::vector<uint64_t> nodes_;
};

}  // namespace

Status check_directories(Context& c) {
  c.lost_and_found = 0;
  uint64_t done = 0;
  DirTable& dirs = c.inodes.dirs();
  auto checked = [&](const DirSummary& d) {
    return c.inodes.live(d.slot) && !c.inodes.has(d.slot, kReplaced) && c.inodes.is_dir(d.slot);
  };
  std::vector<uint64_t> batch;
  std::size_t batch_end = 0;  // the directories before it have their roots prefetched
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    if (i == batch_end) {
      // The roots of the next directories, read together: a small directory's index is
      // one leaf, so this is most of the pass's reading.
      batch.clear();
      for (; batch_end < dirs.size() && batch.size() < Context::kPrefetchBatch; ++batch_end) {
        const DirSummary& d = dirs[batch_end];
        if (checked(d) && d.root_block != 0 && d.root_depth == 0) batch.push_back(d.root_block);
      }
      c.prefetch(batch, Context::kPassChannel);
    }
    DirSummary& d = dirs[i];
    if (!checked(d)) continue;
    ++c.report.directories;
    c.progress(CheckPass::kDirectories, ++done, dirs.size());
    TUX3_RETURN_IF_ERROR(DirCheck(c, c.inodes.inum(d.slot), d).run());
  }
  return Status::ok();
}

}  // namespace tux3::check
