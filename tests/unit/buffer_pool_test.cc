// buffer_pool_test.cc: the page cache's recycled buffers (src/fs/buffer_pool.h).
#include "fs/buffer_pool.h"

#include <algorithm>
#include <thread>

#include <gtest/gtest.h>

namespace tux3 {
namespace {

TEST(BufferPool, BuffersComeBackAndAreReused) {
  auto pool = BufferPool::create(4096, 2);
  auto a = pool->zeroed();
  ASSERT_EQ(a->size(), 4096u);
  EXPECT_EQ(std::count(a->begin(), a->end(), 0), 4096);
  (*a)[7] = 0x5a;
  const uint8_t* where = a->data();
  EXPECT_EQ(pool->free_buffers(), 0u);
  a.reset();
  EXPECT_EQ(pool->free_buffers(), 1u);
  // Reused, and zeroed again: nothing of the old contents shows.
  auto b = pool->zeroed();
  EXPECT_EQ(b->data(), where);
  EXPECT_EQ((*b)[7], 0);
  EXPECT_EQ(pool->free_buffers(), 0u);
}

TEST(BufferPool, CopyOfCopiesAndLeavesTheSourceAlone) {
  auto pool = BufferPool::create(512, 4);
  auto a = pool->zeroed();
  for (std::size_t i = 0; i < a->size(); ++i) (*a)[i] = uint8_t(i);
  auto b = pool->copy_of(*a);
  EXPECT_NE(a->data(), b->data());
  EXPECT_EQ(*a, *b);
  (*b)[0] = 0xff;
  EXPECT_EQ((*a)[0], 0);
}

TEST(BufferPool, KeepsAtMostMaxFree) {
  auto pool = BufferPool::create(1024, 2);
  std::vector<std::shared_ptr<BlockBuffer>> held;
  for (int i = 0; i < 5; ++i) held.push_back(pool->zeroed());
  held.clear();
  EXPECT_EQ(pool->free_buffers(), 2u);
}

TEST(BufferPool, ABufferOutlivesThePoolHandle) {
  std::shared_ptr<const BlockBuffer> kept;
  {
    auto pool = BufferPool::create(1024, 2);
    auto a = pool->zeroed();
    (*a)[0] = 1;
    kept = a;
  }
  // The buffer keeps its pool alive; releasing it last frees both (ASan checks).
  EXPECT_EQ((*kept)[0], 1);
  kept.reset();
}

TEST(BufferPool, ReturnsFromOtherThreads) {
  auto pool = BufferPool::create(256, 1000);
  std::vector<std::shared_ptr<BlockBuffer>> taken;
  for (int i = 0; i < 400; ++i) taken.push_back(pool->zeroed());
  std::thread other([moved = std::move(taken)]() mutable { moved.clear(); });
  // Meanwhile this thread takes and gives back one buffer at a time: one more than the
  // 400 at most exists, unless all had come back before.
  for (int i = 0; i < 400; ++i) pool->zeroed();
  other.join();
  EXPECT_GE(pool->free_buffers(), 400u);
  EXPECT_LE(pool->free_buffers(), 401u);
}

}  // namespace
}  // namespace tux3
