// collect.cc: finding the blocks a metadata dump holds.
//
// Steps:
//   1. the reserved area (boot area, both superblock slots);
//   2. the committed state, through a reader that replays the log in memory: the inode
//      table, every inode's extent tree or directory index, the orphan tree, the bitmap
//      blocks, long symlink targets. A tree is walked tolerantly: a node that does not read
//      or verify is kept (its parent named it) and the walk goes on with its siblings;
//   3. with history: the same trees as they are on disk (bnodes as the last unify wrote
//      them), every block the records of the log chain name as a tree node or stream
//      block, the state of the other superblock slot, and the fsync streams of both slots'
//      stream tables, each followed from its reserved head to the first block that does
//      not count (kept too), with the data blocks its records map;
//   4. with previous_cycle, when a unify separates the other slot's delta from the
//      committed one: the other slot's log chain and the blocks its records name.
// Leaves are visited once whatever the state (a leaf's bytes are the same in every state);
// bnodes once per state (a replayed bnode differs from state to state).
#include "image/collect.h"

#include <algorithm>
#include <set>
#include <unordered_set>

#include <fmt/format.h>

#include "tuxdisk/format/constants.h"
#include "tuxdisk/format/inode.h"
#include "tuxdisk/format/log.h"
#include "tuxdisk/format/node.h"
#include "tuxdisk/format/stream.h"
#include "tuxdisk/format/values.h"
#include "tuxdisk/superblock_io.h"
#include "tuxdisk/volume_reader.h"
#include "delta/chain_replay.h"

namespace tux3::image {

using namespace format;

namespace {

class Collector {
 public:
  Collector(BlockDevice& device, const CollectOptions& options)
      : device_(device), options_(options) {}

  Result<Collected> run() {
    TUX3_ASSIGN_OR_RETURN(slots_, read_superblock(device_));
    committed_ = *slots_.slots[*slots_.chosen];
    first_data_ = first_data_block(committed_.block_bits);
    vol_blocks_ = committed_.vol_blocks;
    buf_.resize(committed_.block_size());
    for (uint64_t b = 0; b < first_data_; ++b) add(b, BlockRole::kContent);

    // The committed state; if its log does not replay, the trees as they are on disk.
    auto reader = VolumeReader::open_at(device_, slots_, committed_, true, true);
    bool replayed = reader.is_ok();
    if (!replayed) {
      problems_.push_back(reader.status().message());
      reader = VolumeReader::open_at(device_, slots_, committed_, false, true);
    }
    if (reader) {
      TUX3_RETURN_IF_ERROR(walk_state(**reader, true));
      if (options_.history && replayed) {
        const ChainReplay& chain = (*reader)->replay();
        for (uint64_t b : chain.released_at_unify) add(b, BlockRole::kStructure);
        if (!chain.bnodes.empty() || !chain.released_at_unify.empty()) {
          auto on_disk = VolumeReader::open_at(device_, slots_, committed_, false, true);
          if (on_disk) TUX3_RETURN_IF_ERROR(walk_state(**on_disk, false));
        }
      }
    }
    if (!options_.history) {
      TUX3_RETURN_IF_ERROR(walk_log(committed_));
      return finish();
    }
    TUX3_RETURN_IF_ERROR(walk_log(committed_));
    TUX3_RETURN_IF_ERROR(walk_streams(committed_));
    unsigned other = 1 - *slots_.chosen;
    if (slots_.slots[other].is_ok()) {
      const Superblock& sb = *slots_.slots[other];
      TUX3_RETURN_IF_ERROR(walk_streams(sb));
      // Its chain is a prefix of the committed one, unless a unify came between: then it
      // is the previous cycle, whose older blocks the unify freed.
      bool previous_cycle = sb.delta < committed_.unify_delta;
      if (sb.delta < committed_.delta && (!previous_cycle || options_.previous_cycle)) {
        TUX3_RETURN_IF_ERROR(walk_log(sb));
        auto older = VolumeReader::open_at(device_, slots_, sb, true, true);
        if (older) TUX3_RETURN_IF_ERROR(walk_state(**older, false));
      }
    }
    return finish();
  }

 private:
  void add(uint64_t block, BlockRole role) {
    if (block >= vol_blocks_) return;
    blocks_.push_back({block, role});
    if (options_.progress && (blocks_.size() & 1023) == 0) options_.progress(blocks_.size());
  }
  bool in_data_area(uint64_t block) const { return block >= first_data_ && block < vol_blocks_; }
  void add_node(uint64_t block) {
    if (in_data_area(block)) add(block, BlockRole::kStructure);
  }
  void add_extent(const Extent& e, BlockRole role) {
    if (e.physical < first_data_ || e.physical >= vol_blocks_) return;
    uint64_t count = std::min<uint64_t>(e.count, vol_blocks_ - e.physical);
    for (uint64_t i = 0; i < count; ++i) add(e.physical + i, role);
  }
  void note(bool report, std::string what) {
    if (report) problems_.push_back(std::move(what));
  }
  // Reads a block; an I/O error stops the dump (the device failed), nothing else does.
  Status read(uint64_t block) { return device_.read(block << committed_.block_bits, buf_); }

  Result<Collected> finish() {
    // Sort by block, kContent (0 < 1 reversed: kContent = 1) first among equals.
    std::sort(blocks_.begin(), blocks_.end(), [](const PlannedBlock& a, const PlannedBlock& b) {
      return a.block != b.block ? a.block < b.block : a.role > b.role;
    });
    Collected out;
    for (const PlannedBlock& p : blocks_) {
      if (out.blocks.empty() || out.blocks.back().block != p.block) out.blocks.push_back(p);
    }
    out.problems = std::move(problems_);
    return out;
  }

  // ---- Trees ----

  using LeafFn = std::function<void(const LeafView& leaf)>;

  Status walk_tree(VolumeReader& r, const TreeRoot& root, uint64_t owner, uint32_t leaf_magic,
                   bool report, const LeafFn& on_leaf) {
    if (root.empty()) return Status::ok();
    if (root.depth > kMaxTreeDepth) {
      note(report, fmt::format("tree {:#x}: depth {} is beyond {}", owner, root.depth,
                               kMaxTreeDepth));
      return Status::ok();
    }
    return visit(r, root.block, root.depth, owner, leaf_magic, report, on_leaf);
  }

  Status visit(VolumeReader& r, uint64_t block, uint16_t level, uint64_t owner,
               uint32_t leaf_magic, bool report, const LeafFn& on_leaf) {
    if (!in_data_area(block)) {
      note(report, fmt::format("tree {:#x}: node pointer {} is outside the data area", owner,
                               block));
      return Status::ok();
    }
    add(block, BlockRole::kStructure);
    if (level == 0) {
      if (!leaves_seen_.insert(block).second) return Status::ok();
      // A buffer of its own: the view points into it while the callback reads on.
      std::vector<uint8_t> bytes(buf_.size());
      TUX3_RETURN_IF_ERROR(io(device_.read(block << committed_.block_bits, bytes)));
      auto leaf = LeafView::decode(bytes, NodeExpect{r.expect(leaf_magic, block), owner,
                                                     vol_blocks_});
      if (!leaf) {
        note(report, leaf.status().message());
        return Status::ok();
      }
      on_leaf(*leaf);
      return Status::ok();
    }
    if (!bnodes_seen_.insert(block).second) return Status::ok();
    auto node = r.read_bnode(block, owner, level);
    std::vector<BnodeEntry> entries;
    if (node) {
      entries = std::move(node->entries);
    } else {
      note(report, node.status().message());
      if (node.status().code() == Errc::kIoError) return node.status();
      // Follow what pointers the damaged node still has: fsck will read them too.
      TUX3_RETURN_IF_ERROR(io(read(block)));
      auto pointers = decode_bnode_pointers(buf_, NodeExpect{r.expect(kMagicBnode, block),
                                                             owner, vol_blocks_});
      if (!pointers) return Status::ok();
      entries = std::move(pointers->entries);
    }
    for (const BnodeEntry& e : entries) {
      TUX3_RETURN_IF_ERROR(visit(r, e.child, uint16_t(level - 1), owner, leaf_magic, report,
                                 on_leaf));
    }
    return Status::ok();
  }

  // I/O errors stop the dump; anything else was noted where it happened.
  static Status io(Status s) { return s.code() == Errc::kIoError ? s : Status::ok(); }

  // What the walk needs of an inode record: its type and tree, read from the record's
  // core without decoding the rest (a tree is verified node by node as it is walked; the
  // records of a file's data are never interpreted).
  struct InodeTree {
    uint64_t inum;
    uint32_t mode;
    TreeRoot root;
  };

  // Every tree of one state.
  Status walk_state(VolumeReader& r, bool report) {
    bnodes_seen_.clear();
    std::vector<InodeTree> inodes;
    TUX3_RETURN_IF_ERROR(walk_tree(r, r.super().itree, kOwnerInodeTable, kMagicIleaf, report,
                                   [&](const LeafView& leaf) {
                                     for (std::size_t i = 0; i < leaf.size(); ++i) {
                                       add_inode(leaf.key(i), leaf.value(i), report, inodes);
                                     }
                                   }));
    for (const InodeTree& inode : inodes) TUX3_RETURN_IF_ERROR(walk_inode(r, inode, report));
    return walk_tree(r, r.super().otree, kOwnerOrphans, kMagicOleaf, report,
                     [](const LeafView&) {});
  }

  // Notes an inode whose tree or inline extents the dump needs.
  void add_inode(uint64_t inum, std::span<const uint8_t> value, bool report,
                 std::vector<InodeTree>& out) {
    if (value.size() < InodeLayout::kCoreSize) {
      note(report, fmt::format("inode {}: record of {} bytes is shorter than its core", inum,
                               value.size()));
      return;
    }
    uint32_t mode = InodeLayout::Mode::get(value);
    uint32_t type = mode & kModeTypeMask;
    // The bitmap's blocks and a long symlink's target are metadata; a file's data is not.
    if (inum == kInoBitmap || type == kModeSymlink) {
      auto inode = decode_inode(value, inum);
      if (!inode) {
        note(report, inode.status().message());
      } else {
        BlockRole role = inum == kInoBitmap ? BlockRole::kStructure : BlockRole::kContent;
        for (const Extent& e : inode->inline_extents) add_extent(e, role);
      }
    }
    TreeRoot root{InodeLayout::RootBlock::get(value), InodeLayout::RootDepth::get(value)};
    if (!root.empty()) out.push_back({inum, mode, root});
  }

  Status walk_inode(VolumeReader& r, const InodeTree& inode, bool report) {
    const uint64_t inum = inode.inum;
    if ((inode.mode & kModeTypeMask) == kModeDirectory) {
      return walk_tree(r, inode.root, inum, kMagicDleaf, report, [](const LeafView&) {});
    }
    bool bitmap = inum == kInoBitmap;
    bool keep_extents = bitmap || (inode.mode & kModeTypeMask) == kModeSymlink;
    BlockRole role = bitmap ? BlockRole::kStructure : BlockRole::kContent;
    return walk_tree(r, inode.root, inum, kMagicXleaf, report, [&](const LeafView& leaf) {
      if (!keep_extents) return;
      for (std::size_t i = 0; i < leaf.size(); ++i) {
        auto e = decode_extent(leaf.key(i), leaf.value(i), vol_blocks_, first_data_);
        if (e) add_extent(*e, role);
      }
    });
  }

  // ---- The log ----

  // The chain from log_head, and every block its records name as a node or stream block.
  Status walk_log(const Superblock& sb) {
    uint64_t block = sb.log_head;
    for (uint32_t i = 0; i < sb.log_count && in_data_area(block); ++i) {
      if (!logs_seen_.insert(block).second) break;
      add(block, BlockRole::kStructure);
      TUX3_RETURN_IF_ERROR(io(read(block)));
      Expect expect{kMagicLog, block, sb.uuid, sb.delta};
      auto log = decode_log_block(buf_, expect, vol_blocks_);
      if (!log) break;
      if (!options_.history) {
        block = log->prev;
        continue;
      }
      for (const LogRecord& rec : log->records) {
        const auto& f = rec.fields;
        switch (rec.code) {
          case LogCode::kLeafRedirect:
          case LogCode::kBnodeRedirect: add_node(f[0]); add_node(f[1]); break;
          case LogCode::kBnodeNew:
          case LogCode::kBnodeFree: add_node(f[0]); break;
          case LogCode::kBnodeAdd:
          case LogCode::kBnodeUpdate: add_node(f[2]); break;
          case LogCode::kStreamReserve: add_node(f[1]); break;
          case LogCode::kRoots:
            add_node(f[kRootsItreeRoot]);
            add_node(f[kRootsOtreeRoot]);
            break;
          default: break;
        }
      }
      block = log->prev;
    }
    return Status::ok();
  }

  // ---- Fsync streams ----

  Status walk_streams(const Superblock& sb) {
    for (uint16_t s = 0; s < sb.stream_count && s < kMaxStreams; ++s) {
      const StreamHead& head = sb.streams[s];
      uint64_t block = head.block, seq = head.seq;
      // Sequence numbers grow by one per block, so a chain cannot loop; bound it anyway.
      for (uint64_t n = 0; n < vol_blocks_ && in_data_area(block); ++n) {
        add(block, BlockRole::kStructure);
        TUX3_RETURN_IF_ERROR(io(read(block)));
        StreamExpect expect{{kMagicStream, block, sb.uuid, head.delta}, s, seq, vol_blocks_,
                            first_data_};
        auto decoded = decode_stream_block(buf_, expect);
        if (!decoded) break;  // the first block that does not count: kept, not followed
        for (const Extent& e : decoded->extents) add_extent(e, BlockRole::kContent);
        block = decoded->next;
        ++seq;
      }
    }
    return Status::ok();
  }

  BlockDevice& device_;
  const CollectOptions& options_;
  SlotPair slots_;
  Superblock committed_;
  uint64_t first_data_ = 0, vol_blocks_ = 0;
  std::vector<uint8_t> buf_;
  std::vector<PlannedBlock> blocks_;
  std::vector<std::string> problems_;
  std::unordered_set<uint64_t> leaves_seen_, bnodes_seen_, logs_seen_;
};

}  // namespace

Result<Collected> collect_metadata(BlockDevice& device, const CollectOptions& options) {
  return Collector(device, options).run();
}

}  // namespace tux3::image
