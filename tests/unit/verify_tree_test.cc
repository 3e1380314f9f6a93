// verify_tree_test.cc: the verifier on a small populated volume built by hand on top of
// mkfs: / holds "sub" (a directory) and "f" (a two-block file). Pins the link-count,
// directory-entry and extent rules, and that each kind of damage is reported.
#include <algorithm>
#include <vector>

#include <gtest/gtest.h>

#include "helpers.h"
#include "samples.h"
#include "tuxdisk/format/bitmap.h"
#include "tuxdisk/format/node.h"
#include "tuxdisk/format/values.h"
#include "tuxdisk/memory_device.h"
#include "tuxdisk/mkfs.h"
#include "tuxdisk/verify.h"
#include "tuxdisk/volume_reader.h"

namespace tux3 {
namespace {

using testing::verify;

using namespace format;

constexpr uint32_t kBs = 4096;
constexpr uint64_t kDelta = 2;
constexpr uint64_t kItreeLeaf = 3, kBitmapBlock = 5, kRootDleaf = 7, kFileData = 8,
                   kFileXleaf = 10;

struct Tree {
  InodeRecord root, sub, file;
  std::string sub_name = "sub", file_name = "f";
  FileType sub_type = FileType::kDirectory;
  uint64_t file_inum = 17;
  Extent extent{0, kFileData, 2, 0};
};

Tree good_tree() {
  Tree t;
  t.root.mode = kModeDirectory | 0755;
  t.root.nlink = 3;  // ".", its own "..", and sub's ".."
  t.root.parent = kInoRoot;
  t.root.root = {kRootDleaf, 0};
  t.sub.mode = kModeDirectory | 0700;
  t.sub.nlink = 2;  // its entry in / and its "."
  t.sub.parent = kInoRoot;
  t.file.mode = kModeRegular | 0644;
  t.file.nlink = 1;
  t.file.size = 5000;
  t.file.blocks = 2;
  t.file.root = {kFileXleaf, 0};
  return t;
}

std::unique_ptr<MemoryDevice> build(const Tree& t) {
  MkfsOptions o;
  o.uuid = testing::kSampleUuid;
  o.now = {1700000000, 0};
  auto dev = std::make_unique<MemoryDevice>(1 << 20);
  auto g = plan_volume(dev->size(), dev->topology(), o);
  EXPECT_TRUE(g.is_ok());
  EXPECT_TRUE(write_volume(*dev, *g, o).is_ok());
  Superblock sb = g->super;
  auto block = [&](uint64_t n) { return std::span(dev->bytes()).subspan(n * kBs, kBs); };

  // Inode table (rewritten in place: a test fixture, not a commit).
  auto old_leaf = LeafView::decode(block(kItreeLeaf),
                                   {{kMagicIleaf, kItreeLeaf, o.uuid, 1}, kOwnerInodeTable, 256});
  EXPECT_TRUE(old_leaf.is_ok());
  std::vector<uint8_t> bitmap_rec(old_leaf->value(0).begin(), old_leaf->value(0).end());
  auto root_rec = encode_inode(t.root), sub_rec = encode_inode(t.sub),
       file_rec = encode_inode(t.file);
  std::vector<LeafItem> inodes = {{kInoBitmap, bitmap_rec}, {kInoRoot, root_rec},
                                  {16, sub_rec}, {17, file_rec}};
  std::vector<uint8_t> leaf(kBs);
  EXPECT_TRUE(encode_leaf({kMagicIleaf, kItreeLeaf, o.uuid, kDelta}, kOwnerInodeTable, inodes,
                          leaf).is_ok());
  std::copy(leaf.begin(), leaf.end(), block(kItreeLeaf).begin());

  // Root directory index: entries in key order.
  std::vector<Dirent> entries = {
      {dirent_key(name_hash(t.sub_name, sb.hash_seed), 0), 16, t.sub_type, t.sub_name},
      {dirent_key(name_hash(t.file_name, sb.hash_seed), 0), t.file_inum, FileType::kRegular,
       t.file_name}};
  std::sort(entries.begin(), entries.end(), [](auto& a, auto& b) { return a.key < b.key; });
  std::vector<std::vector<uint8_t>> values;
  std::vector<LeafItem> items;
  for (auto& d : entries) values.push_back(encode_dirent(d));
  for (std::size_t i = 0; i < entries.size(); ++i) items.push_back({entries[i].key, values[i]});
  EXPECT_TRUE(encode_leaf({kMagicDleaf, kRootDleaf, o.uuid, kDelta}, kInoRoot, items, leaf)
                  .is_ok());
  std::copy(leaf.begin(), leaf.end(), block(kRootDleaf).begin());

  // The file: its extent leaf and two data blocks.
  uint8_t extent[ExtentLayout::kSize];
  encode_extent(t.extent, extent);
  LeafItem ext_item[] = {{t.extent.logical, extent}};
  EXPECT_TRUE(encode_leaf({kMagicXleaf, kFileXleaf, o.uuid, kDelta}, 17, ext_item, leaf).is_ok());
  std::copy(leaf.begin(), leaf.end(), block(kFileXleaf).begin());
  std::fill_n(block(kFileData).begin(), 2 * kBs, 0x66);

  // Bitmap and superblock.
  auto bits = bitmap_bits(block(kBitmapBlock));
  for (uint64_t b : {kRootDleaf, kFileData, kFileData + 1, kFileXleaf}) set_bit(bits, b);
  seal_block(block(kBitmapBlock));
  sb.inode_count = 4;
  sb.free_blocks -= 4;
  sb.next_block = kFileXleaf + 1;
  sb.delta = kDelta;
  encode_superblock(sb, std::span(dev->bytes()).subspan(kSuperSlotOffset[0], kSuperSlotSize));
  return dev;
}

std::string all_problems(const VerifyReport& r) {
  std::string out;
  for (const auto& p : r.problems) out += p + "\n";
  return out;
}

TEST(VerifyTree, HandBuiltTreeIsClean) {
  auto dev = build(good_tree());
  VerifyReport r = verify(*dev);
  EXPECT_TRUE(r.clean()) << all_problems(r);
  EXPECT_EQ(r.inodes, 4u);
  EXPECT_EQ(r.directories, 1u);  // the root; "sub" is empty and has no tree
  EXPECT_EQ(r.regular_files, 1u);
  EXPECT_EQ(r.data_blocks, 3u);  // the file's two blocks and the bitmap block
  auto reader = VolumeReader::open(*dev);
  auto root = (*reader)->lookup_inode(kInoRoot);
  auto names = (*reader)->dir_entries(kInoRoot, **root);
  ASSERT_TRUE(names.is_ok());
  EXPECT_EQ(names->size(), 2u);
}

TEST(VerifyTree, WrongLinkCountsAreReported) {
  for (int which = 0; which < 3; ++which) {
    Tree t = good_tree();
    (which == 0 ? t.root : which == 1 ? t.sub : t.file).nlink += 1;
    VerifyReport r = verify(*build(t));
    ASSERT_EQ(r.problems.size(), 1u) << all_problems(r);
    EXPECT_NE(r.problems[0].find("link count"), std::string::npos) << r.problems[0];
  }
}

TEST(VerifyTree, EntryTypeMismatchIsReported) {
  Tree t = good_tree();
  t.sub_type = FileType::kRegular;
  VerifyReport r = verify(*build(t));
  EXPECT_NE(all_problems(r).find("says type 1 but inode 16 is type 2"), std::string::npos)
      << all_problems(r);
}

TEST(VerifyTree, EntryNamingAMissingInodeIsReported) {
  Tree t = good_tree();
  t.file_inum = 99;
  VerifyReport r = verify(*build(t));
  EXPECT_NE(all_problems(r).find("names inode 99, which does not exist"), std::string::npos)
      << all_problems(r);
}

TEST(VerifyTree, CrossLinkedBlockIsReported) {
  Tree t = good_tree();
  t.extent = {0, kRootDleaf, 2, 0};  // the file claims the directory's leaf
  VerifyReport r = verify(*build(t));
  EXPECT_NE(all_problems(r).find("already in use"), std::string::npos) << all_problems(r);
}

TEST(VerifyTree, BlockCountAndSizeMismatchesAreReported) {
  Tree t = good_tree();
  t.file.blocks = 3;
  EXPECT_NE(all_problems(verify(*build(t))).find("records 3 blocks"), std::string::npos);
  t = good_tree();
  t.file.size = 100;  // the second block lies past the end of the file
  EXPECT_NE(all_problems(verify(*build(t))).find("past the size"), std::string::npos);
}

TEST(VerifyTree, WrongParentIsReported) {
  Tree t = good_tree();
  t.sub.parent = 16;
  VerifyReport r = verify(*build(t));
  EXPECT_NE(all_problems(r).find("records parent 16"), std::string::npos) << all_problems(r);
}

}  // namespace
}  // namespace tux3
