// How an fsync's extents are laid over a file's mapping (what replay does to the extent
// map): the new extent replaces whatever its logical range mapped, splitting extents it
// cuts, and a new size unmaps what lies past it.
#include <gtest/gtest.h>

#include "fsync_overlay.h"

namespace tux3::debugfs {
namespace {

using format::Extent;

TEST(Mapping, InsertsIntoAHole) {
  std::vector<Extent> map{{0, 100, 2, 0}, {10, 200, 2, 0}}, freed;
  map_range(map, {4, 300, 3, 0}, freed);
  EXPECT_EQ(map, (std::vector<Extent>{{0, 100, 2, 0}, {4, 300, 3, 0}, {10, 200, 2, 0}}));
  EXPECT_TRUE(freed.empty());
}

TEST(Mapping, ReplacesTheMiddleOfAnExtent) {
  std::vector<Extent> map{{0, 100, 10, 0}}, freed;
  map_range(map, {3, 500, 2, 0}, freed);
  EXPECT_EQ(map, (std::vector<Extent>{{0, 100, 3, 0}, {3, 500, 2, 0}, {5, 105, 5, 0}}));
  EXPECT_EQ(freed, (std::vector<Extent>{{3, 103, 2, 0}}));
}

TEST(Mapping, ReplacesAcrossSeveralExtents) {
  std::vector<Extent> map{{0, 100, 4, 0}, {4, 200, 4, 1}, {8, 300, 4, 0}}, freed;
  map_range(map, {2, 900, 8, 0}, freed);
  EXPECT_EQ(map, (std::vector<Extent>{{0, 100, 2, 0}, {2, 900, 8, 0}, {10, 302, 2, 0}}));
  EXPECT_EQ(freed, (std::vector<Extent>{{2, 102, 2, 0}, {4, 200, 4, 1}, {8, 300, 2, 0}}));
}

TEST(Mapping, UnmapFromCutsAndDrops) {
  std::vector<Extent> map{{0, 100, 4, 0}, {6, 200, 4, 0}}, freed;
  unmap_from(map, 2, freed);
  EXPECT_EQ(map, (std::vector<Extent>{{0, 100, 2, 0}}));
  EXPECT_EQ(freed, (std::vector<Extent>{{2, 102, 2, 0}, {6, 200, 4, 0}}));
  unmap_from(map, 0, freed);
  EXPECT_TRUE(map.empty());
}

TEST(Mapping, ExactReplacementFreesTheOldBlocks) {
  std::vector<Extent> map{{5, 100, 3, 0}}, freed;
  map_range(map, {5, 400, 3, 0}, freed);
  EXPECT_EQ(map, (std::vector<Extent>{{5, 400, 3, 0}}));
  EXPECT_EQ(freed, (std::vector<Extent>{{5, 100, 3, 0}}));
}

}  // namespace
}  // namespace tux3::debugfs
