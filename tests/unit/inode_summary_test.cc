// inode_summary_test.cc: the checker's compact per-inode state (recover/check/inode_summary.h).
#include "recover/check/inode_summary.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace tux3::check {
namespace {

std::vector<std::pair<uint64_t, Slot>> all(const InodeSummary& s) {
  std::vector<std::pair<uint64_t, Slot>> out;
  s.for_each([&](uint64_t inum, Slot slot) { out.push_back({inum, slot}); });
  return out;
}

TEST(InodeSummary, RunsMapNumbersToSlots) {
  InodeSummary s;
  for (uint64_t inum : {1, 2, 16, 17, 18, 40, 1000000, 1000001}) ASSERT_TRUE(s.append(inum));
  EXPECT_EQ(s.size(), 8u);
  EXPECT_EQ(s.find(1), Slot(0));
  EXPECT_EQ(s.find(18), Slot(4));
  EXPECT_EQ(s.find(40), Slot(5));
  EXPECT_EQ(s.find(1000001), Slot(7));
  for (uint64_t absent : {0, 3, 15, 19, 39, 41, 999999, 1000002}) {
    EXPECT_FALSE(s.find(absent)) << absent;
  }
  for (Slot slot = 0; slot < s.size(); ++slot) EXPECT_EQ(s.find(s.inum(slot)), slot);
  std::vector<std::pair<uint64_t, Slot>> want = {{1, 0},  {2, 1},  {16, 2},      {17, 3},
                                                 {18, 4}, {40, 5}, {1000000, 6}, {1000001, 7}};
  EXPECT_EQ(all(s), want);
}

TEST(InodeSummary, AppendRefusesNumbersNotAboveTheLast) {
  InodeSummary s;
  ASSERT_TRUE(s.append(20));
  EXPECT_FALSE(s.append(20));
  EXPECT_FALSE(s.append(5));
  ASSERT_TRUE(s.append(21));
  EXPECT_EQ(s.size(), 2u);
}

TEST(InodeSummary, TypeFlagsAndCountsAreKeptApart) {
  InodeSummary s;
  Slot a = *s.append(16), b = *s.append(17);
  s.set_type(a, 0040755);
  s.set_type(b, 0100644);
  s.set(a, kOrphan);
  s.set(b, kDropped);
  EXPECT_TRUE(s.is_dir(a));
  EXPECT_EQ(s.type(b), 0100000u);
  EXPECT_TRUE(s.has(a, kOrphan));
  EXPECT_FALSE(s.has(a, kDropped));
  EXPECT_FALSE(s.live(b));
  s.set_type(a, 0120777);  // the type changes, the flags stay
  EXPECT_EQ(s.type(a), 0120000u);
  EXPECT_TRUE(s.has(a, kOrphan));
  s.clear(a, kOrphan);
  EXPECT_FALSE(s.has(a, kOrphan));
  // Counts past a byte live aside, and come back down.
  s.nlink.set(a, 70000);
  s.names.set(b, 254);
  s.names.add(b, 3);
  EXPECT_EQ(s.nlink.get(a), 70000u);
  EXPECT_EQ(s.nlink.get(b), 0u);
  EXPECT_EQ(s.names.get(b), 257u);
  s.nlink.set(a, 2);
  EXPECT_EQ(s.nlink.get(a), 2u);
}

TEST(InodeSummary, InsertMovesLaterSlotsAndTheirState) {
  InodeSummary s;
  for (uint64_t inum : {16, 17, 30}) ASSERT_TRUE(s.append(inum));
  s.set_type(*s.find(17), 0040755);
  s.nlink.set(*s.find(17), 300);
  s.names.set(*s.find(30), 5);
  s.add_dir(*s.find(17)).parent = 16;
  // Inodes 2 and 1 made by repair, after the walk.
  Slot root = s.insert(2);
  EXPECT_EQ(root, 0u);
  s.set_type(root, 0040755);
  s.add_dir(root).parent = 2;
  Slot bitmap = s.insert(1);
  EXPECT_EQ(bitmap, 0u);
  std::vector<std::pair<uint64_t, Slot>> want = {{1, 0}, {2, 1}, {16, 2}, {17, 3}, {30, 4}};
  EXPECT_EQ(all(s), want);
  EXPECT_TRUE(s.is_dir(*s.find(17)));
  EXPECT_EQ(s.nlink.get(*s.find(17)), 300u);
  EXPECT_EQ(s.names.get(*s.find(30)), 5u);
  EXPECT_TRUE(s.is_dir(*s.find(2)));
  // Directories stay in slot order and follow their inodes.
  ASSERT_EQ(s.dirs().size(), 2u);
  EXPECT_EQ(s.dirs()[0].slot, *s.find(2));
  EXPECT_EQ(s.dirs()[1].slot, *s.find(17));
  EXPECT_EQ(s.dir_of(17)->parent, 16u);
  EXPECT_EQ(s.dir_of(2)->parent, 2u);
  EXPECT_EQ(s.dir_of(30), nullptr);
}

TEST(InodeSummary, DirectoryTableGrowsInChunksWithoutMoving) {
  InodeSummary s;
  std::vector<DirSummary*> seen;
  for (uint64_t i = 0; i < 5000; ++i) {
    Slot slot = *s.append(16 + i);
    s.set_type(slot, 0040755);
    DirSummary& d = s.add_dir(slot);
    d.parent = i;
    seen.push_back(&d);
  }
  ASSERT_EQ(s.dirs().size(), 5000u);
  for (uint64_t i = 0; i < 5000; i += 499) {
    EXPECT_EQ(s.dir_of(16 + i), seen[i]);  // never copied as the table grew
    EXPECT_EQ(seen[i]->parent, i);
  }
}

}  // namespace
}  // namespace tux3::check
