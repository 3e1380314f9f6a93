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

Status check_connectivity(Context& c) {
  InodeSummary& in = c.inodes;
  DirSummary* root = in.dir_of(kInoRoot);
  if (!root || !in.live(root->slot) || !in.is_dir(root->slot)) {
    return Status::ok();  // pass 2 said so; repair remakes it
  }
  root->flags |= DirSummary::kReached;
  if (root->parent != kInoRoot) {
    std::size_t p = c.problem(ProblemCode::kDirParent,
                              fmt::format("the root directory's parent is {}, not itself",
                                          root->parent),
                              kInoRoot);
    c.repair(fix(Repair::Kind::kSetParent, p, kInoRoot, 0, kInoRoot));
  }
  // A directory taking part: live and still a directory (inode 1 may have been one).
  auto live_dir = [&](uint64_t inum) -> DirSummary* {
    DirSummary* d = in.dir_of(inum);
    return d && in.live(d->slot) && in.is_dir(d->slot) ? d : nullptr;
  };
  std::vector<DirSummary*> path;
  uint64_t done = 0;
  DirTable& dirs = in.dirs();
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    DirSummary& d = dirs[i];
    c.progress(CheckPass::kConnectivity, ++done, dirs.size());
    if (!in.live(d.slot) || !in.is_dir(d.slot) || (d.flags & DirSummary::kReached)) continue;
    // Up the directories naming each other until one reached, none, or a cycle.
    path.clear();
    DirSummary* cur = &d;
    DirSummary* top = nullptr;
    while (!(cur->flags & DirSummary::kReached)) {
      cur->flags |= DirSummary::kVisiting;
      path.push_back(cur);
      DirSummary* up = cur->named_by ? live_dir(cur->named_by) : nullptr;
      if (!up || (up->flags & DirSummary::kVisiting)) {  // none, or a cycle: cut it where
        top = cur;                                        // it closes
        break;
      }
      cur = up;
    }
    for (DirSummary* step : path) {
      step->flags = uint8_t((step->flags & ~DirSummary::kVisiting) | DirSummary::kReached);
    }
    if (!top) continue;
    uint64_t top_inum = in.inum(top->slot);
    std::size_t p = c.problem(
        ProblemCode::kDirDisconnected,
        top->named_by ? fmt::format("directory {} is reachable only through a cycle (named by "
                                    "directory {})", top_inum, top->named_by)
                      : fmt::format("directory {} is named by no directory", top_inum),
        top_inum);
    if (top->named_by) {
      // Its entry in the cycle goes; it then hangs under /lost+found alone.
      c.repair(fix(Repair::Kind::kRemoveEntry, p, top->named_by, 0, top_inum));
      if (DirSummary* up = in.dir_of(top->named_by)) --up->subdirs;
    }
    c.repair(fix(Repair::Kind::kReconnect, p, top_inum));
    top->named_by = 0;  // /lost+found's (its PARENT is set by the reconnection)
    top->parent = 0;
  }
  // Each reached directory's PARENT names the directory naming it.
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    DirSummary& d = dirs[i];
    if (d.named_by == 0 || !in.live(d.slot) || !in.is_dir(d.slot)) continue;
    uint64_t inum = in.inum(d.slot);
    if (inum == kInoRoot || d.parent == d.named_by) continue;
    std::size_t p = c.problem(ProblemCode::kDirParent,
                              fmt::format("directory {}: parent {}, but directory {} names it",
                                          inum, d.parent, d.named_by),
                              inum);
    c.repair(fix(Repair::Kind::kSetParent, p, inum, 0, d.named_by));
  }
  // Inodes with links that no entry names (unlinked ones waiting in the orphan tree are
  // pass 7's).
  in.for_each([&](uint64_t inum, Slot s) {
    if (!in.live(s) || in.is_dir(s) || inum < kFirstNormalIno || in.names.get(s) > 0) return;
    uint32_t nlink = in.nlink.get(s);
    if (nlink == 0 && in.has(s, kOrphan)) return;
    std::size_t p = c.problem(ProblemCode::kFileDisconnected,
                              fmt::format("inode {}: link count {} but no entry names it", inum,
                                          nlink),
                              inum);
    c.repair(fix(Repair::Kind::kReconnect, p, inum));
    in.names.set(s, 1);
  });
  return Status::ok();
}

}  // namespace tux3::check
