// problems.cc: the table of every problem fsck knows (check.h).
#include <fmt/format.h>

#include "tuxdisk/check.h"

namespace tux3 {

namespace {

using P = ProblemCode;
using S = Severity;
using C = CheckPass;

constexpr ProblemInfo kProblems[] = {
    {P::kSlotUnreadable, "slot-unreadable", C::kSuperblock, S::kError,
     "a superblock slot is damaged (the other one is in use)",
     "rewrite it: the next delta goes to that slot", true},
    {P::kSlotsDisagree, "slots-disagree", C::kSuperblock, S::kError,
     "the two superblock slots describe different volumes",
     "rewrite the older slot from the one in use", false},
    {P::kSuperFreeCount, "free-count", C::kSuperblock, S::kError,
     "the superblock's free block count differs from the allocation bitmap",
     "set it from the bitmap", true},
    {P::kSuperInodeCount, "inode-count", C::kSuperblock, S::kError,
     "the superblock's inode count differs from the inode table",
     "set it from the inode table", true},
    {P::kSuperNextInum, "next-inum", C::kSuperblock, S::kInfo,
     "the next-inode hint points below inodes in use", "", false},

    {P::kLogDamaged, "log-damaged", C::kLog, S::kError,
     "the delta log cannot be read: a log block fails its checks or the chain is broken",
     "roll the volume back to the last valid point, losing the deltas after it", false},
    {P::kStreamRecordRejected, "stream-rejected", C::kLog, S::kError,
     "a complete fsync in an fsync stream does not fit the volume (replay ignores it and "
     "the fsyncs after it on that stream)",
     "replay without it", true},
    {P::kLogNotReplayed, "needs-replay", C::kLog, S::kInfo,
     "the volume was not closed cleanly: its log and fsync streams need replay",
     "replay the log and the fsync streams", true},
    {P::kLogDoesNotApply, "log-does-not-apply", C::kLog, S::kError,
     "the delta log reads and verifies, but a block it edits is damaged (a bitmap block, "
     "a node of a tree); the passes check the state with those edits skipped",
     "replay with the repairs, rebuilding what the skipped edits change", false},

    {P::kInodeTableNode, "itable-node", C::kInodes, S::kError,
     "a node of the inode table is damaged: the inodes under it are lost",
     "remove the node from the inode table", false},
    {P::kInodeRecord, "inode-record", C::kInodes, S::kError,
     "an inode record does not decode",
     "rewrite it without what is invalid (an inode with no valid type is deleted)", false},
    {P::kInodeNumber, "inode-number", C::kInodes, S::kError,
     "an inode number is reserved or out of range", "delete the inode", false},
    {P::kBitmapInodeBad, "bitmap-inode", C::kInodes, S::kError,
     "inode 1 (the allocation bitmap) is missing or not a regular file",
     "write a fresh bitmap file, the bitmap rebuilt from the blocks found in use", false},
    {P::kRootInodeBad, "root-inode", C::kInodes, S::kError,
     "inode 2 (the root directory) is missing or not a directory",
     "make a new, empty root directory (the old tree goes to lost+found)", false},

    {P::kExtentTreeNode, "extent-node", C::kFiles, S::kError,
     "a node of a file's extent tree is damaged: the data under it is lost",
     "remove the node: the file has a hole there", false},
    {P::kExtentOutside, "extent-outside", C::kFiles, S::kError,
     "an extent lies outside the data area", "remove the extent (a hole)", false},
    {P::kExtentOverlap, "extent-overlap", C::kFiles, S::kError,
     "extents of one file overlap", "remove the later extent (a hole)", false},
    {P::kBlockCrossLinked, "cross-linked", C::kFiles, S::kError,
     "a block is used by two structures",
     "remove the extent from the file that reached it second (a hole)", false},
    {P::kBlockCount, "block-count", C::kFiles, S::kError,
     "an inode's block count differs from its extents", "set it from the extents", true},
    {P::kExtentPastSize, "extent-past-size", C::kFiles, S::kError,
     "a written extent lies past the file size",
     "remove what lies past the size (it cannot be read)", true},
    {P::kSymlinkSize, "symlink-size", C::kFiles, S::kError,
     "a symbolic link's target does not fit its size (a target in a data block that its "
     "extents do not hold whole)", "delete the link", false},

    {P::kDirTreeNode, "dir-node", C::kDirectories, S::kError,
     "a node of a directory index is damaged: the entries under it are lost",
     "remove the node (the inodes it named go to lost+found)", false},
    {P::kEntryDangling, "entry-dangling", C::kDirectories, S::kError,
     "a directory entry names an inode that does not exist", "remove the entry", true},
    {P::kEntryType, "entry-type", C::kDirectories, S::kError,
     "a directory entry's type differs from its inode's", "set the entry's type", true},
    {P::kEntryName, "entry-name", C::kDirectories, S::kError,
     "a directory entry's name is invalid",
     "remove the entry (its inode goes to lost+found)", false},
    {P::kEntryDuplicate, "entry-duplicate", C::kDirectories, S::kError,
     "two entries of one directory have the same name",
     "remove the second (its inode goes to lost+found)", false},
    {P::kEntryKey, "entry-key", C::kDirectories, S::kError,
     "a directory entry's key does not match its name's hash",
     "re-insert the entry under the right key", true},
    {P::kEntrySpecial, "entry-special", C::kDirectories, S::kError,
     "a directory entry names the allocation bitmap or the root directory",
     "remove the entry", false},

    {P::kDirDisconnected, "dir-disconnected", C::kConnectivity, S::kError,
     "a directory is not reachable from the root", "reconnect it under /lost+found", false},
    {P::kDirParent, "dir-parent", C::kConnectivity, S::kError,
     "a directory's parent is not the directory that names it",
     "set the parent to that directory", true},
    {P::kDirHardLinked, "dir-hardlinked", C::kConnectivity, S::kError,
     "a directory is named by more than one entry", "remove the extra entries", false},
    {P::kFileDisconnected, "file-disconnected", C::kConnectivity, S::kError,
     "an inode with links is named by no entry", "reconnect it under /lost+found", false},

    {P::kLinkCount, "link-count", C::kLinks, S::kError,
     "an inode's link count differs from the entries naming it",
     "set it to the number found", true},

    {P::kOrphanLinked, "orphan-linked", C::kOrphans, S::kError,
     "the orphan tree lists an inode that still has names", "remove it from the orphan tree",
     true},
    {P::kOrphanMissing, "orphan-missing", C::kOrphans, S::kError,
     "the orphan tree lists an inode that does not exist", "remove it from the orphan tree",
     true},
    {P::kOrphanTreeNode, "orphan-node", C::kOrphans, S::kError,
     "a node of the orphan tree is damaged", "remove the node", false},
    {P::kOrphanPending, "orphan-pending", C::kOrphans, S::kInfo,
     "an unlinked inode still open at the crash, awaiting destruction",
     "destroy it (replay does)", true},

    {P::kBitmapBlock, "bitmap-block", C::kAllocation, S::kError,
     "a block of the allocation bitmap is damaged", "rewrite the bitmap", true},
    {P::kBlockLeaked, "block-leaked", C::kAllocation, S::kError,
     "blocks are marked allocated but used by nothing", "mark them free", true},
    {P::kBlockUnmarked, "block-unmarked", C::kAllocation, S::kError,
     "blocks in use are marked free", "mark them allocated", true},
    {P::kBitmapBeyondEnd, "bitmap-beyond-end", C::kAllocation, S::kError,
     "the bitmap marks blocks beyond the end of the volume", "clear them", true},
};

}  // namespace

std::string_view check_pass_name(CheckPass pass) {
  static constexpr std::string_view kNames[] = {
      "superblock", "log and fsync streams", "inode table", "files", "directories",
      "connectivity", "link counts", "orphans", "allocation",
  };
  return kNames[unsigned(pass)];
}

std::span<const ProblemInfo> all_problems() { return kProblems; }

const ProblemInfo& problem_info(ProblemCode code) {
  for (const ProblemInfo& p : kProblems) {
    if (p.code == code) return p;
  }
  static const ProblemInfo kUnknown{code, "unknown", CheckPass::kSuperblock, Severity::kError,
                                    "unknown problem", "", false};
  return kUnknown;
}

std::string problem_label(ProblemCode code) { return fmt::format("P{:04x}", unsigned(code)); }

bool CheckReport::errors_found() const {
  for (const Problem& p : problems) {
    if (problem_info(p.code).severity == Severity::kError) return true;
  }
  return false;
}

bool CheckReport::errors_left() const {
  for (const Problem& p : problems) {
    if (problem_info(p.code).severity == Severity::kError && p.outcome != Problem::Outcome::kFixed) {
      return true;
    }
  }
  return false;
}

bool CheckReport::fixed_any() const {
  for (const Problem& p : problems) {
    if (p.outcome == Problem::Outcome::kFixed) return true;
  }
  return false;
}

}  // namespace tux3
