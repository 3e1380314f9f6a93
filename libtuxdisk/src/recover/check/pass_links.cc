// pass_links.cc: pass 6, link counts against the entries found (a directory: its entry, its
// own ".", and each subdirectory's ".."); pass 7, the orphan tree against the inodes.
#include <fmt/format.h>

#include "recover/check/context.h"
#include "tuxdisk/format/constants.h"

namespace tux3::check {

using namespace format;

Status check_links(Context& c) {
  uint64_t done = 0;
  for (InodeInfo& i : c.inodes) {
    c.progress(CheckPass::kLinks, ++done, c.inodes.size());
    if (i.has(InodeInfo::kBadRecord) || i.has(InodeInfo::kDropped)) continue;
    if (i.inum < kFirstNormalIno && i.inum != kInoRoot) continue;
    if (!i.is_dir() && i.names == 0) continue;  // an orphan: pass 7
    uint64_t want = i.is_dir() ? 2u + i.subdirs : i.names;
    if (i.nlink != want) {
      std::size_t p = c.problem(ProblemCode::kLinkCount,
                                fmt::format("inode {}: link count {}, {} found", i.inum, i.nlink,
                                            want),
                                i.inum);
      c.repair(fix(Repair::Kind::kSetNlink, p, i.inum, 0, want));
    }
  }
  return Status::ok();
}

Status check_orphans(Context& c) {
  uint64_t done = 0;
  for (InodeInfo& i : c.inodes) {
    c.progress(CheckPass::kOrphans, ++done, c.inodes.size());
    if (!i.has(InodeInfo::kOrphan)) continue;
    if (i.nlink > 0 || i.names > 0) {
      std::size_t p = c.problem(ProblemCode::kOrphanLinked,
                                fmt::format("orphan {}: link count {}, {} entries name it", i.inum,
                                            i.nlink, i.names),
                                i.inum);
      c.repair(fix(Repair::Kind::kRemoveOrphan, p, i.inum));
    } else {
      c.problem(ProblemCode::kOrphanPending,
                fmt::format("inode {}: unlinked, open at the crash; replay destroys it", i.inum),
                i.inum);
    }
  }
  return Status::ok();
}

}  // namespace tux3::check
