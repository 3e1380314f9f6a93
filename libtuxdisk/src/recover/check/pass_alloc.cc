// pass_alloc.cc: pass 8, the allocation bitmap, as the last unify wrote it with the log's
// allocation changes applied, against the blocks found in use (after the repairs planned so
// far); and the superblock's free count against the bitmap.
//
// Only one bitmap block is held at a time beside the claim bitmap: the log's changes are
// applied as each block is compared.
#include <endian.h>

#include <cstring>
#include <map>

#include <fmt/format.h>

#include "delta/chain_replay.h"
#include "recover/check/context.h"
#include "tuxdisk/format/bitmap.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/format/inode.h"

namespace tux3::check {

using namespace format;

namespace {

// Runs of blocks, summarised for a message: "3 blocks: 120-121, 300".
class Runs {
 public:
  void add(uint64_t b) {
    ++count_;
    if (!runs_.empty() && runs_.back().second == b) {
      ++runs_.back().second;
    } else if (runs_.size() < 8) {
      runs_.push_back({b, b + 1});
    } else {
      more_ = true;
    }
  }
  uint64_t count() const { return count_; }
  uint64_t first() const { return runs_.empty() ? 0 : runs_.front().first; }
  std::string text() const {
    std::string out = fmt::format("{} block{}:", count_, count_ == 1 ? "" : "s");
    for (auto [a, b] : runs_) out += b - a == 1 ? fmt::format(" {}", a) : fmt::format(" {}-{}", a, b - 1);
    if (more_) out += " ...";
    return out;
  }

 private:
  uint64_t count_ = 0;
  std::vector<std::pair<uint64_t, uint64_t>> runs_;
  bool more_ = false;
};

}  // namespace

Status check_allocation(Context& c) {
  const Superblock& sb = c.sb;
  uint32_t bs = c.reader.block_size();
  uint64_t per = bits_per_bitmap_block(bs);
  uint64_t needed = (sb.vol_blocks + per - 1) / per;
  // The bitmap as found is kept for the repairs only (they must not write over anything it
  // marks): a read-only check does not hold a second bit per block.
  const bool keep = c.options.mode != CheckMode::kReadOnly;

  uint64_t in_use = 0;
  for (uint64_t w : c.used_words()) in_use += uint64_t(__builtin_popcountll(w));
  c.report.blocks_in_use = in_use;
  c.report.free_blocks = sb.vol_blocks - in_use;
  c.report.vol_blocks = sb.vol_blocks;
  if (auto b = c.inodes.find(kInoBitmap); b && c.inodes.has(*b, kReplaced)) {
    // No bitmap to compare with (pass 2): the repair writes one from the blocks in use.
    c.progress(CheckPass::kAllocation, 1, 1);
    if (keep) c.allocated = c.used_words();
    return Status::ok();
  }

  // Where each bitmap block is: inode 1's mapping (its blocks were claimed in pass 3).
  std::map<uint64_t, uint64_t> where;  // bitmap index -> block
  auto rec = c.reader.lookup_inode(kInoBitmap);
  auto need_rewrite = [&](std::size_t p) {
    c.repair(fix(Repair::Kind::kRewriteBitmap, p));
  };
  if (rec && *rec) {
    auto extents = c.reader.file_extents(kInoBitmap, **rec);
    if (extents) {
      for (const Extent& e : *extents) {
        for (uint64_t i = 0; i < e.count; ++i) where[e.logical + i] = e.physical + i;
      }
    }
  }

  // The log's allocation changes, by bitmap block, to apply as each is compared.
  const ChainReplay& chain = c.reader.replay();
  std::map<uint64_t, std::vector<std::pair<uint64_t, bool>>> edits;  // index -> (block, set)
  BitmapEdits collect{
      [&](uint64_t b, uint64_t n, bool) {
        for (uint64_t x = b; x < b + n && x < sb.vol_blocks; ++x) edits[x / per].push_back({x, true});
        return Status::ok();
      },
      [&](uint64_t b, uint64_t n) {
        for (uint64_t x = b; x < b + n && x < sb.vol_blocks; ++x) edits[x / per].push_back({x, false});
        return Status::ok();
      }};
  TUX3_RETURN_IF_ERROR(apply_chain_allocations(chain, collect));

  Runs leaked, unmarked;
  uint64_t allocated = 0;
  if (keep) c.allocated.assign(c.used_words().size(), 0);
  std::vector<uint8_t> buf(bs), bits(per / 8);
  for (uint64_t index = 0; index < needed; ++index) {
    c.progress(CheckPass::kAllocation, index + 1, needed);
    std::fill(bits.begin(), bits.end(), 0);
    if (auto it = where.find(index); it != where.end()) {
      uint64_t block = it->second;
      TUX3_RETURN_IF_ERROR(c.reader.read_block(block, buf));
      Expect expect = c.reader.expect(kMagicBitmap, block);
      Status ok = verify_bitmap_block(buf, expect, index * per, sb.vol_blocks);
      if (!ok && verify_bitmap_block(buf, expect, index * per, UINT64_MAX)) {
        need_rewrite(c.problem(ProblemCode::kBitmapBeyondEnd,
                               fmt::format("bitmap block {} (index {}) marks blocks beyond the "
                                           "volume's end", block, index),
                               kInoBitmap, block));
        ok = Status::ok();
      }
      if (!ok) {
        need_rewrite(c.problem(ProblemCode::kBitmapBlock,
                               fmt::format("bitmap block {} (index {}): {}", block, index,
                                           ok.message()),
                               kInoBitmap, block));
      } else {
        auto b = bitmap_bits(std::span<const uint8_t>(buf));
        std::copy(b.begin(), b.end(), bits.begin());
      }
    }
    if (auto e = edits.find(index); e != edits.end()) {
      for (auto [x, set] : e->second) {
        if (set) set_bit(bits, x - index * per);
        else clear_bit(bits, x - index * per);
      }
    }
    uint64_t base = index * per;
    uint64_t end = std::min(sb.vol_blocks, base + per);
    const auto& used = c.used_words();
    for (uint64_t b = base; keep && b < end; ++b) {
      if (bit_is_set(bits, b - base)) c.allocated[b / 64] |= uint64_t(1) << (b % 64);
    }
    for (uint64_t b = base; b < end; ++b) {
      uint64_t i = b - base;
      if (i % 64 == 0 && b + 64 <= end) {
        uint64_t word;
        std::memcpy(&word, bits.data() + i / 8, 8);
        word = le64toh(word);
        if (word == used[b / 64]) {
          allocated += uint64_t(__builtin_popcountll(word));
          b += 63;
          continue;
        }
      }
      bool set = bit_is_set(bits, i), in_use = c.claimed(b);
      allocated += set;
      if (set && !in_use) leaked.add(b);
      if (!set && in_use) unmarked.add(b);
    }
  }
  if (leaked.count()) {
    need_rewrite(c.problem(ProblemCode::kBlockLeaked,
                           "marked allocated, used by nothing: " + leaked.text(), 0,
                           leaked.first()));
  }
  if (unmarked.count()) {
    need_rewrite(c.problem(ProblemCode::kBlockUnmarked, "in use, marked free: " + unmarked.text(),
                           0, unmarked.first()));
  }
  if (sb.vol_blocks - allocated != sb.free_blocks) {
    std::size_t p = c.problem(ProblemCode::kSuperFreeCount,
                              fmt::format("the superblock counts {} free blocks, the bitmap {}",
                                          sb.free_blocks, sb.vol_blocks - allocated));
    c.repair(fix(Repair::Kind::kRewriteSuper, p));
  }
  return Status::ok();
}

}  // namespace tux3::check
