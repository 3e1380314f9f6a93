// check_test.cc: fsck's engine (tuxdisk/check.h) on volumes damaged one way at a time:
// -n finds the problem and writes nothing, -y repairs it, and a second check is clean.
// (The image corpus in tests/images/ covers every problem code through fsck.tux3.)
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include <fmt/format.h>

#include "helpers.h"
#include "samples.h"
#include "tuxdisk/check.h"
#include "tuxdisk/crash_states.h"
#include "tuxdisk/format/bitmap.h"
#include "tuxdisk/format/inode.h"
#include "tuxdisk/format/node.h"
#include "tuxdisk/format/values.h"
#include "tuxdisk/memory_device.h"
#include "tuxdisk/mkfs.h"
#include "tuxdisk/overlay_device.h"
#include "tuxdisk/trace_device.h"
#include "tuxdisk/volume.h"
#include "tuxdisk/volume_reader.h"

namespace tux3 {
namespace {

using testing::bytes;
using testing::quiet;

using namespace format;

class CheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MkfsOptions o;
    o.block_bits = 10;
    o.uuid = testing::kSampleUuid;
    o.now = {1700000000, 0};
    auto g = plan_volume(dev.size(), dev.topology(), o);
    ASSERT_TRUE(g.is_ok() && write_volume(dev, *g, o).is_ok());
    auto vol = Volume::open(dev, quiet());
    ASSERT_TRUE(vol.is_ok());
    Volume& v = **vol;
    uint64_t d = v.mkdir(kRootIno, "dir", 0755, 0, 0)->ino;
    uint64_t sub = v.mkdir(d, "sub", 0755, 0, 0)->ino;
    for (int i = 0; i < 6; ++i) {
      auto f = v.create(i % 2 ? d : sub, "f" + std::to_string(i), 0644, 0, 0);
      ASSERT_TRUE(f.is_ok());
      ASSERT_TRUE(v.write(f->ino, 0, bytes(std::string(1500 * (i + 1), char('a' + i)))).is_ok());
      ASSERT_TRUE(v.sync().is_ok());
    }
    ASSERT_TRUE(v.link(v.lookup(d, "f1")->ino, kRootIno, "hard").is_ok());
    ASSERT_TRUE(v.symlink(kRootIno, "sym", "dir/f1", 0, 0).is_ok());
    ASSERT_TRUE(v.close().is_ok());
  }

  Result<CheckReport> check(BlockDevice& d, CheckMode mode, bool force = true) {
    CheckOptions o;
    o.mode = mode;
    o.force = force;
    return check_volume(d, o);
  }

  // Rewrites the leaf holding inode `inum` with `edit` applied to its items.
  void edit_itable_leaf(uint64_t inum, const std::function<void(std::vector<LeafItem>&,
                                                                std::vector<std::vector<uint8_t>>&)>& edit) {
    auto reader = VolumeReader::open(dev);
    ASSERT_TRUE(reader.is_ok());
    const Superblock& sb = (*reader)->super();
    bool done = false;
    TreeVisitor v;
    v.on_leaf = [&](uint64_t block, const LeafView& leaf, uint64_t low, uint64_t high) {
      if (done || inum < low || inum >= high) return Status::ok();
      std::vector<std::vector<uint8_t>> values;
      std::vector<LeafItem> items;
      for (std::size_t i = 0; i < leaf.size(); ++i) {
        auto val = leaf.value(i);
        values.emplace_back(val.begin(), val.end());
      }
      for (std::size_t i = 0; i < leaf.size(); ++i) items.push_back({leaf.key(i), values[i]});
      edit(items, values);
      for (std::size_t i = 0; i < items.size() && i < values.size(); ++i) items[i].value = values[i];
      std::vector<uint8_t> buf(sb.block_size());
      EXPECT_TRUE(encode_leaf(leaf.header(), kOwnerInodeTable, items, buf).is_ok());
      EXPECT_TRUE(dev.write(block << sb.block_bits, buf).is_ok());
      done = true;
      return Status::ok();
    };
    ASSERT_TRUE((*reader)->walk_tree(sb.itree, kOwnerInodeTable, kMagicIleaf, v).is_ok());
    ASSERT_TRUE(done);
  }

  // Rewrites directory `dir`'s only leaf with `edit` applied to its (key, value) items.
  void edit_dir_leaf(uint64_t dir,
                     const std::function<void(std::vector<std::pair<uint64_t, std::vector<uint8_t>>>&)>& edit) {
    auto reader = VolumeReader::open(dev);
    ASSERT_TRUE(reader.is_ok());
    const Superblock& sb = (*reader)->super();
    auto rec = (*reader)->lookup_inode(dir);
    ASSERT_TRUE(rec.is_ok() && rec->has_value());
    ASSERT_EQ((*rec)->root.depth, 0) << "the test edits a one-leaf directory";
    uint64_t block = (*rec)->root.block;
    std::vector<uint8_t> buf(sb.block_size());
    ASSERT_TRUE(dev.read(block << sb.block_bits, buf).is_ok());
    auto leaf = LeafView::decode(buf, {(*reader)->expect(kMagicDleaf, block), dir, sb.vol_blocks});
    ASSERT_TRUE(leaf.is_ok());
    std::vector<std::pair<uint64_t, std::vector<uint8_t>>> items;
    for (std::size_t i = 0; i < leaf->size(); ++i) {
      auto v = leaf->value(i);
      items.push_back({leaf->key(i), std::vector<uint8_t>(v.begin(), v.end())});
    }
    BlockHeader header = leaf->header();
    edit(items);
    std::vector<LeafItem> out;
    for (auto& [k, v] : items) out.push_back({k, v});
    std::vector<uint8_t> fresh(sb.block_size());
    ASSERT_TRUE(encode_leaf(header, dir, out, fresh).is_ok());
    ASSERT_TRUE(dev.write(block << sb.block_bits, fresh).is_ok());
  }

  void edit_inode(uint64_t inum, const std::function<void(InodeRecord&)>& change) {
    edit_itable_leaf(inum, [&](std::vector<LeafItem>& items, std::vector<std::vector<uint8_t>>& values) {
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (items[i].key != inum) continue;
        auto rec = decode_inode(values[i], inum);
        ASSERT_TRUE(rec.is_ok());
        change(*rec);
        values[i] = encode_inode(*rec);
      }
    });
  }

  uint64_t ino(const std::string& path) {
    auto vol = Volume::open(dev, [] { VolumeOptions o = quiet(); o.read_only = true; return o; }());
    EXPECT_TRUE(vol.is_ok());
    uint64_t cur = kRootIno;
    std::size_t pos = 1;
    while (pos <= path.size()) {
      std::size_t end = path.find('/', pos);
      if (end == std::string::npos) end = path.size();
      auto a = (*vol)->lookup(cur, path.substr(pos, end - pos));
      EXPECT_TRUE(a.is_ok()) << path;
      if (!a.is_ok()) return 0;
      cur = a->ino;
      pos = end + 1;
    }
    return cur;
  }

  // -n finds `code` and writes nothing; -y fixes it; then all is clean.
  void expect_repaired(ProblemCode code) {
    OverlayDevice ro(dev);
    auto found = check(ro, CheckMode::kReadOnly);
    ASSERT_TRUE(found.is_ok()) << found.status().to_string();
    EXPECT_EQ(ro.write_count(), 0u);
    bool seen = false;
    std::string all;
    for (const Problem& p : found->problems) {
      seen |= p.code == code;
      all += problem_label(p.code) + " " + p.detail + "\n";
    }
    EXPECT_TRUE(seen) << "expected " << problem_label(code) << ", found:\n" << all;
    auto fixed = check(dev, CheckMode::kRepair);
    ASSERT_TRUE(fixed.is_ok()) << fixed.status().to_string();
    std::string left;
    for (const Problem& p : fixed->problems) {
      if (p.outcome != Problem::Outcome::kFixed && problem_info(p.code).severity == Severity::kError) {
        left += problem_label(p.code) + " " + p.detail + "\n";
      }
    }
    EXPECT_TRUE(left.empty()) << "left after -y:\n" << left << "found:\n" << all;
    EXPECT_TRUE(fixed->fixed_any());
    auto again = check(dev, CheckMode::kReadOnly);
    ASSERT_TRUE(again.is_ok());
    std::string second;
    for (const Problem& p : again->problems) second += problem_label(p.code) + " " + p.detail + "\n";
    EXPECT_TRUE(second.empty()) << "second check:\n" << second;
  }

  // Every path with its inode, type, link count, size and data.
  static std::map<std::string, std::string> tree(BlockDevice& d) {
    VolumeOptions o = quiet();
    o.read_only = true;
    auto vol = Volume::open(d, o);
    EXPECT_TRUE(vol.is_ok()) << vol.status().to_string();
    std::map<std::string, std::string> out;
    if (!vol.is_ok()) return out;
    std::function<void(uint64_t, const std::string&)> walk = [&](uint64_t dir, const std::string& path) {
      (void)(*vol)->readdir(dir, 2, [&](const DirEntry& e) {
        auto a = (*vol)->getattr(e.ino);
        std::string data;
        if (a.is_ok() && e.type == FileType::kRegular) {
          data.resize(a->size);
          (void)(*vol)->read(e.ino, 0, std::span(reinterpret_cast<uint8_t*>(data.data()), data.size()));
        }
        out[path + "/" + e.name] = fmt::format("{} {} {} {} {}", e.ino, int(e.type),
                                               a.is_ok() ? a->nlink : 0, a.is_ok() ? a->size : 0, data);
        if (e.type == FileType::kDirectory) walk(e.ino, path + "/" + e.name);
        return true;
      });
    };
    walk(kRootIno, "");
    return out;
  }

  // A crash at any point of the repair, then fsck -y again: the volume ends as the
  // uninterrupted repair left it, and checks clean.
  void expect_repair_survives_crashes() {
    MemoryDevice damaged(dev.bytes());
    OverlayDevice whole(damaged);
    TraceDevice trace(whole);
    auto fixed = check(trace, CheckMode::kRepair);
    ASSERT_TRUE(fixed.is_ok()) << fixed.status().to_string();
    ASSERT_TRUE(fixed->fixed_any());
    auto want = tree(whole);
    std::vector<TraceEvent> events = trace.events();
    CrashStateOptions opt;
    opt.exhaustive_subset_limit = 4;
    opt.random_subsets = 4;
    CrashStates states(events, opt);
    std::size_t checked = 0;
    states.for_each([&](const CrashState& s) {
      OverlayDevice crashed(damaged);
      EXPECT_TRUE(states.apply(s, crashed).is_ok());
      auto again = check(crashed, CheckMode::kRepair);
      EXPECT_TRUE(again.is_ok()) << s.name() << ": " << again.status().to_string();
      if (!again.is_ok()) return false;
      EXPECT_FALSE(again->errors_left()) << s.name();
      auto clean = check(crashed, CheckMode::kReadOnly);
      EXPECT_TRUE(clean.is_ok() && clean->problems.empty()) << s.name();
      EXPECT_EQ(tree(crashed), want) << s.name();
      ++checked;
      return !HasFailure();
    });
    EXPECT_GT(checked, 5u);
  }

  MemoryDevice dev{2 << 20};
};

TEST_F(CheckTest, CleanVolumeIsSkippedOrFoundClean) {
  auto skipped = check(dev, CheckMode::kReadOnly, false);
  ASSERT_TRUE(skipped.is_ok());
  EXPECT_TRUE(skipped->skipped);
  auto full = check(dev, CheckMode::kRepair, true);
  ASSERT_TRUE(full.is_ok()) << full.status().to_string();
  EXPECT_FALSE(full->skipped);
  std::string all;
  for (const Problem& p : full->problems) all += problem_label(p.code) + " " + p.detail + "\n";
  EXPECT_TRUE(full->problems.empty()) << all;
  EXPECT_EQ(full->written_delta, 0u);
  EXPECT_EQ(full->inodes, 11u);  // 1, 2, dir, sub, f0-f5, sym
}

TEST_F(CheckTest, LinkCountTooHigh) {
  uint64_t f = ino("/dir/f1");
  edit_inode(f, [](InodeRecord& r) { r.nlink = 5; });
  expect_repaired(ProblemCode::kLinkCount);
}

TEST_F(CheckTest, DirectoryLinkCountWrong) {
  edit_inode(ino("/dir"), [](InodeRecord& r) { r.nlink = 7; });
  expect_repaired(ProblemCode::kLinkCount);
}

TEST_F(CheckTest, BlockCountWrong) {
  edit_inode(ino("/dir/sub/f4"), [](InodeRecord& r) { r.blocks += 3; });
  expect_repaired(ProblemCode::kBlockCount);
}

TEST_F(CheckTest, MissingInodeLeavesADanglingEntryAndLeakedBlocks) {
  uint64_t f = ino("/dir/f3");
  edit_itable_leaf(f, [&](std::vector<LeafItem>& items, std::vector<std::vector<uint8_t>>& values) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (items[i].key == f) {
        items.erase(items.begin() + long(i));
        values.erase(values.begin() + long(i));
        break;
      }
    }
  });
  expect_repaired(ProblemCode::kEntryDangling);
}

TEST_F(CheckTest, DirectoryParentWrong) {
  edit_inode(ino("/dir/sub"), [](InodeRecord& r) { r.parent = kInoRoot; });
  expect_repaired(ProblemCode::kDirParent);
}

TEST_F(CheckTest, DisconnectedFileAndDirectoryGoToLostAndFound) {
  // Entries removed behind the engine's back: the inodes keep their link counts.
  uint64_t f = ino("/dir/f5"), sub = ino("/dir/sub");
  edit_dir_leaf(ino("/dir"), [&](std::vector<std::pair<uint64_t, std::vector<uint8_t>>>& items) {
    std::erase_if(items, [&](const auto& item) {
      uint64_t target = DirentLayout::Inum::get(item.second);
      return target == f || target == sub;
    });
  });
  expect_repaired(ProblemCode::kFileDisconnected);
  auto vol = Volume::open(dev, quiet());
  ASSERT_TRUE(vol.is_ok());
  auto lf = (*vol)->lookup(kRootIno, "lost+found");
  ASSERT_TRUE(lf.is_ok());
  EXPECT_EQ((*vol)->lookup(lf->ino, "#" + std::to_string(f))->ino, f);
  auto moved = (*vol)->lookup(lf->ino, "#" + std::to_string(sub));
  ASSERT_TRUE(moved.is_ok());
  EXPECT_EQ(moved->ino, sub);
  EXPECT_TRUE((*vol)->lookup(sub, "f0").is_ok()) << "the directory keeps its entries";
  EXPECT_EQ(lf->nlink, 3u);  // ".", its entry in the root, and the reconnected sub's ".."
}

TEST_F(CheckTest, LeakedAndUnmarkedBitmapBits) {
  auto reader = VolumeReader::open(dev);
  ASSERT_TRUE(reader.is_ok());
  const Superblock& sb = (*reader)->super();
  auto bitmap = (*reader)->lookup_inode(kInoBitmap);
  ASSERT_TRUE(bitmap.is_ok() && bitmap->has_value());
  auto extents = (*reader)->file_extents(kInoBitmap, **bitmap);
  ASSERT_TRUE(extents.is_ok() && !extents->empty());
  uint64_t block = extents->front().physical;
  std::vector<uint8_t> buf(sb.block_size());
  ASSERT_TRUE(dev.read(block << sb.block_bits, buf).is_ok());
  auto bits = bitmap_bits(std::span<uint8_t>(buf));
  set_bit(bits, sb.vol_blocks - 10);  // leaked: nothing uses it
  clear_bit(bits, extents->front().physical);  // the bitmap block itself: unmarked
  seal_block(buf);
  ASSERT_TRUE(dev.write(block << sb.block_bits, buf).is_ok());
  reader->reset();
  expect_repaired(ProblemCode::kBlockLeaked);
}

TEST_F(CheckTest, CorruptInodeTableLeafIsRebuiltAndItsNamesRemoved) {
  uint64_t f = ino("/dir/sub/f2");
  auto reader = VolumeReader::open(dev);
  ASSERT_TRUE(reader.is_ok());
  const Superblock& sb = (*reader)->super();
  uint64_t leaf_block = 0;
  TreeVisitor v;
  v.on_leaf = [&](uint64_t block, const LeafView&, uint64_t low, uint64_t high) {
    if (f >= low && f < high) leaf_block = block;
    return Status::ok();
  };
  ASSERT_TRUE((*reader)->walk_tree(sb.itree, kOwnerInodeTable, kMagicIleaf, v).is_ok());
  if (sb.itree.depth == 0) GTEST_SKIP() << "the inode table is one leaf: nothing to drop";
  std::vector<uint8_t> junk(sb.block_size(), 0x5a);
  ASSERT_TRUE(dev.write(leaf_block << sb.block_bits, junk).is_ok());
  reader->reset();
  expect_repaired(ProblemCode::kInodeTableNode);
}

TEST_F(CheckTest, BadXattrsAreDroppedAndTheInodeKept) {
  uint64_t f = ino("/dir/f1");
  edit_itable_leaf(f, [&](std::vector<LeafItem>& items, std::vector<std::vector<uint8_t>>& values) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (items[i].key != f) continue;
      // Append an xattr with an unknown name space (9) after the record's attributes.
      std::vector<uint8_t>& v = values[i];
      const uint8_t bad[] = {uint8_t(AttrTag::kXattr), 0, 4, 9, 1, 'x', 'v'};
      v.insert(v.end(), std::begin(bad), std::end(bad));
    }
  });
  expect_repaired(ProblemCode::kInodeRecord);
  auto vol = Volume::open(dev, quiet());
  ASSERT_TRUE(vol.is_ok());
  auto a = (*vol)->getattr(f);
  ASSERT_TRUE(a.is_ok()) << "the inode is kept";
  EXPECT_EQ(a->size, 3000u);
  EXPECT_EQ((*vol)->listxattr(f)->size(), 0u);
}

TEST_F(CheckTest, RepairInterruptedByACrashEndsTheSame) {
  // Several repairs at once: a wrong link count, a dangling entry (an inode record gone,
  // its blocks leaked), a disconnected directory (lost+found made).
  edit_inode(ino("/dir/f1"), [](InodeRecord& r) { r.nlink = 9; });
  uint64_t f = ino("/dir/f3"), sub = ino("/dir/sub");
  edit_itable_leaf(f, [&](std::vector<LeafItem>& items, std::vector<std::vector<uint8_t>>& values) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (items[i].key == f) {
        items.erase(items.begin() + long(i));
        values.erase(values.begin() + long(i));
        break;
      }
    }
  });
  edit_dir_leaf(ino("/dir"), [&](std::vector<std::pair<uint64_t, std::vector<uint8_t>>>& items) {
    std::erase_if(items, [&](const auto& item) { return DirentLayout::Inum::get(item.second) == sub; });
  });
  expect_repair_survives_crashes();
}

}  // namespace
}  // namespace tux3
