// pass_connect.cc: pass 5, connectivity: every directory reachable from the root along
// the entries that name directories (each names at most one, pass 4), no cycles, each
// directory's PARENT the directory naming it; every inode with links named somewhere.
// What is not reachable is reconnected under /lost+found (made if missing).
//
// Hands on: each reconnected inode counts one more name (pass 6 expects it).
#include <fmt/format.h>

#include "recover/check/context.h"
#include "tuxdisk/format/constants.h"

namespace tux3::check {

using namespace format;

namespace {

bool live(const InodeInfo* i) {
  return i && !i->has(InodeInfo::kBadRecord) && !i->has(InodeInfo::kDropped);
}

}  // namespace

Status check_connectivity(Context& c) {
  InodeInfo* root = c.inode(kInoRoot);
  if (!live(root) || !root->is_dir()) return Status::ok();  // pass 2 said so; repair remakes it
  root->flags |= InodeInfo::kReached;
  if (root->parent != kInoRoot) {
    std::size_t p = c.problem(ProblemCode::kDirParent,
                              fmt::format("the root directory's parent is {}, not itself",
                                          root->parent),
                              kInoRoot);
    c.repair(fix(Repair::Kind::kSetParent, p, kInoRoot, 0, kInoRoot));
  }
  constexpr uint8_t kVisiting = 0x80;  // on the path being followed up
  std::vector<InodeInfo*> path;
  uint64_t done = 0;
  for (InodeInfo& d : c.inodes) {
    c.progress(CheckPass::kConnectivity, ++done, c.inodes.size());
    if (!live(&d) || !d.is_dir() || d.has(InodeInfo::kReached)) continue;
    // Up the directories naming each other until one reached, none, or a cycle.
    path.clear();
    InodeInfo* cur = &d;
    InodeInfo* top = nullptr;
    while (!cur->has(InodeInfo::kReached)) {
      cur->flags |= kVisiting;
      path.push_back(cur);
      InodeInfo* up = cur->named_by ? c.inode(cur->named_by) : nullptr;
      if (!live(up) || !up->is_dir()) {
        top = cur;
        break;
      }
      if (up->flags & kVisiting) {  // a cycle: cut it where it closes
        top = cur;
        break;
      }
      cur = up;
    }
    for (InodeInfo* i : path) i->flags = uint8_t((i->flags & ~kVisiting) | InodeInfo::kReached);
    if (!top) continue;
    std::size_t p = c.problem(
        ProblemCode::kDirDisconnected,
        top->named_by ? fmt::format("directory {} is reachable only through a cycle (named by "
                                    "directory {})", top->inum, top->named_by)
                      : fmt::format("directory {} is named by no directory", top->inum),
        top->inum);
    if (top->named_by) {
      // Its entry in the cycle goes; it then hangs under /lost+found alone.
      c.repair(fix(Repair::Kind::kRemoveEntry, p, top->named_by, 0, top->inum));
      if (InodeInfo* up = c.inode(top->named_by)) --up->subdirs;
    }
    c.repair(fix(Repair::Kind::kReconnect, p, top->inum));
    top->named_by = 0;  // /lost+found's (its PARENT is set by the reconnection)
    top->parent = 0;
  }
  // Each reached directory's PARENT names the directory naming it.
  for (InodeInfo& d : c.inodes) {
    if (!live(&d) || !d.is_dir() || d.inum == kInoRoot || d.named_by == 0) continue;
    if (d.parent != d.named_by) {
      std::size_t p = c.problem(ProblemCode::kDirParent,
                                fmt::format("directory {}: parent {}, but directory {} names it",
                                            d.inum, d.parent, d.named_by),
                                d.inum);
      c.repair(fix(Repair::Kind::kSetParent, p, d.inum, 0, d.named_by));
    }
  }
  // Inodes with links that no entry names (unlinked ones waiting in the orphan tree are
  // pass 7's).
  for (InodeInfo& i : c.inodes) {
    if (!live(&i) || i.is_dir() || i.inum < kFirstNormalIno || i.names > 0) continue;
    if (i.nlink == 0 && i.has(InodeInfo::kOrphan)) continue;
    std::size_t p = c.problem(ProblemCode::kFileDisconnected,
                              fmt::format("inode {}: link count {} but no entry names it", i.inum,
                                          i.nlink),
                              i.inum);
    c.repair(fix(Repair::Kind::kReconnect, p, i.inum));
    i.names = 1;
  }
  return Status::ok();
}

}  // namespace tux3::check
