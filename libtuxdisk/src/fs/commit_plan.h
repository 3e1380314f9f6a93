// commit_plan.h: one delta, marshalled: everything its commit writes, and what to do once
// it is durable. Built under the volume lock by marshal_delta(); written by the backend
// without it; completed under it again.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "tuxdisk/format/superblock.h"

namespace tux3 {

using BlockBuffer = std::vector<uint8_t>;

// Consecutive blocks written with one request; each buffer is one block. A commit's
// requests are at most kMaxRequestBytes, so a block under I/O is released (and a writer
// waiting for it in stable-pages mode goes on) when its own request completes, not when
// the whole delta has been written: the granularity of the kernel's page writeback.
constexpr uint64_t kMaxRequestBytes = 1u << 20;
struct PlannedWrite {
  uint64_t block = 0;
  std::vector<std::shared_ptr<const BlockBuffer>> buffers;
};

struct CommitPlan {
  uint64_t delta = 0;
  bool unify = false;
  uint32_t block_bits = 0;
  // Data, leaves, log blocks, and for a unify bnodes and bitmap blocks: all before the
  // flush, in any order.
  std::vector<PlannedWrite> writes;
  // written[i]: writes[i] is on the device and its buffers were let go (the commit holds
  // them no longer; a later write changes them in place). Guarded by the volume lock.
  std::vector<bool> written;
  format::Superblock next;  // the superblock of this delta, written last with FUA
  // Released once durable.
  std::vector<std::pair<uint64_t, uint32_t>> delta_frees;
  std::vector<uint64_t> unify_frees;  // this delta's blocks that wait for the next unify
  std::vector<uint64_t> log_blocks;
  // Counters added to the volume's statistics at completion.
  uint64_t data_blocks = 0, leaves = 0, bnodes = 0, bitmap_blocks = 0, log_records = 0;
  // (Counts released buffers too: a request keeps its size when it lets go of them.)
  uint64_t bytes() const {
    uint64_t n = 0;
    for (const PlannedWrite& w : writes) n += w.buffers.size() << block_bits;
    return n;
  }
};

}  // namespace tux3
