// pass_links.cc: pass 6, link counts against the entries found (a directory: its entry, its
// own ".", and each subdirectory's ".."); pass 7, the orphan tree against the inodes.
#include <fmt/format.h>

#include "recover/check/context.h"
#include "tuxdisk/format/constants.h"

namespace tux3::check {

using namespace format;

Status check_links(Context& c) {
  InodeSummary& in = c.inodes;
  uint64_t done = 0;
  in.for_each([&](uint64_t inum, Slot s) {
    c.progress(CheckPass::kLinks, ++done, in.size());
    if (!in.live(s)) return;
    if (inum < kFirstNormalIno && inum != kInoRoot) return;
    uint32_t names = in.names.get(s);
    if (!in.is_dir(s) && names == 0) return;  // an orphan: pass 7
    uint64_t want = names;
    if (in.is_dir(s)) {
      const DirSummary* d = in.dir(s);
      want = 2u + (d ? d->subdirs : 0);
    }
    uint32_t nlink = in.nlink.get(s);
    if (nlink != want) {
      std::size_t p = c.problem(ProblemCode::kLinkCount,
                                fmt::format("inode {}: link count {}, {} found", inum, nlink,
                                            want),
                                inum);
      c.repair(fix(Repair::Kind::kSetNlink, p, inum, 0, want));
    }
  });
  return Status::ok();
}

Status check_orphans(Context& c) {
  InodeSummary& in = c.inodes;
  uint64_t done = 0;
  in.for_each([&](uint64_t inum, Slot s) {
    c.progress(CheckPass::kOrphans, ++done, in.size());
    if (!in.has(s, kOrphan)) return;
    uint32_t nlink = in.nlink.get(s), names = in.names.get(s);
    if (nlink > 0 || names > 0) {
      std::size_t p = c.problem(ProblemCode::kOrphanLinked,
                                fmt::format("orphan {}: link count {}, {} entries name it", inum,
                                            nlink, names),
                                inum);
      c.repair(fix(Repair::Kind::kRemoveOrphan, p, inum));
    } else {
      c.problem(ProblemCode::kOrphanPending,
                fmt::format("inode {}: unlinked, open at the crash; replay destroys it", inum),
                inum);
    }
  });
  return Status::ok();
}

}  // namespace tux3::check
