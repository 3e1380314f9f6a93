// alloc_map.cc: the allocation map of a reader's state (alloc_map.h).
#include "alloc_map.h"

#include <bit>
#include <set>

#include <fmt/format.h>

#include "tuxdisk/format/bitmap.h"
#include "tuxdisk/format/constants.h"

namespace tux3::debugfs {

using namespace format;

uint64_t AllocMap::allocated_count() const {
  uint64_t n = 0;
  for (uint64_t w : words) n += uint64_t(std::popcount(w));
  return n;
}

bool AllocMap::is_unknown(uint64_t block) const {
  for (const BlockRange& r : unknown) {
    if (block >= r.start && block - r.start < r.count) return true;
  }
  return false;
}

namespace {

class Builder {
 public:
  explicit Builder(AllocMap& map) : map_(map) {}

  void set(uint64_t block, uint64_t count, bool value, std::string_view why) {
    if (block >= map_.vol_blocks || count > map_.vol_blocks - block) {
      map_.problems.push_back(fmt::format("{}: blocks {}..+{} lie outside the volume", why, block,
                                          count));
      return;
    }
    for (uint64_t b = block; b < block + count; ++b) {
      if (value) {
        map_.words[b / 64] |= uint64_t(1) << (b % 64);
      } else {
        map_.words[b / 64] &= ~(uint64_t(1) << (b % 64));
      }
    }
  }

 private:
  AllocMap& map_;
};

// The allocation changes of the chain, log block by log block (the block itself first),
// then the frees of bnodes created and dropped within the cycle.
void apply_chain(const LogChain& chain, Builder& edit) {
  std::set<uint64_t> cycle_bnodes;
  std::vector<uint64_t> dropped;
  for (std::size_t b = 0; b < chain.decoded.size(); ++b) {
    std::string why = fmt::format("log block {}", chain.blocks[b]);
    edit.set(chain.blocks[b], 1, true, why);
    for (const LogRecord& r : chain.decoded[b].records) {
      const auto& f = r.fields;
      switch (r.code) {
        case LogCode::kAlloc: edit.set(f[0], f[1], true, why); break;
        case LogCode::kFree: edit.set(f[0], f[1], false, why); break;
        case LogCode::kLeafRedirect:
          edit.set(f[1], 1, true, why);
          if (f[0]) edit.set(f[0], 1, false, why);
          break;
        case LogCode::kBnodeNew:
          edit.set(f[0], 1, true, why);
          cycle_bnodes.insert(f[0]);
          break;
        case LogCode::kBnodeRedirect:
          edit.set(f[1], 1, true, why);
          cycle_bnodes.insert(f[1]);
          break;
        case LogCode::kBnodeFree:
          if (cycle_bnodes.erase(f[0])) dropped.push_back(f[0]);
          break;
        case LogCode::kStreamReserve: edit.set(f[1], 1, true, why); break;
        default: break;
      }
    }
  }
  for (uint64_t b : dropped) edit.set(b, 1, false, "log: a bnode of the cycle dropped");
}

}  // namespace

Result<AllocMap> build_alloc_map(VolumeReader& reader, const LogChain* chain,
                                 const FsyncOverlay& overlay) {
  const Superblock& sb = reader.super();
  // One bit a block: 512 MiB for 2^32 blocks. A volume far larger (or a damaged or hostile
  // size in a dump) is refused rather than run out of memory.
  if (sb.vol_blocks > kMaxMappedBlocks) {
    return Status::not_supported(fmt::format("{} blocks are more than an allocation map in memory "
                                             "holds here ({})", sb.vol_blocks, kMaxMappedBlocks));
  }
  AllocMap map;
  map.vol_blocks = sb.vol_blocks;
  map.words.assign((sb.vol_blocks + 63) / 64, 0);
  Builder edit(map);

  TUX3_ASSIGN_OR_RETURN(auto bitmap_inode, reader.lookup_inode(kInoBitmap));
  if (!bitmap_inode) return Status::corruption("the inode table has no inode 1 (the bitmap)");
  TUX3_ASSIGN_OR_RETURN(std::vector<Extent> extents,
                        reader.file_extents(kInoBitmap, *bitmap_inode));
  const uint32_t bs = sb.block_size();
  const uint64_t bits = bits_per_bitmap_block(bs);
  const uint64_t bitmap_blocks = (sb.vol_blocks + bits - 1) / bits;
  std::vector<uint8_t> buf(bs);
  for (const Extent& e : extents) {
    for (uint64_t i = 0; i < e.count; ++i) {
      uint64_t index = e.logical + i, block = e.physical + i;
      if (index >= bitmap_blocks) break;
      uint64_t base = index * bits;
      uint64_t covered = std::min(bits, sb.vol_blocks - base);
      if (e.flags & kExtentUnwritten) continue;  // reads as zeros: all free
      Status s = reader.read_block(block, buf);
      if (s) {
        s = verify_bitmap_block(buf, reader.expect(kMagicBitmap, block), base, sb.vol_blocks);
      }
      if (!s) {
        map.problems.push_back(fmt::format("bitmap block {} (blocks {} to {}): {}", block, base,
                                           base + covered - 1, s.message()));
        map.unknown.push_back({base, covered});
        edit.set(base, covered, true, "bitmap");
        continue;
      }
      auto bitmap = bitmap_bits(std::span<const uint8_t>(buf));
      for (uint64_t k = 0; k < covered; ++k) {
        if (bit_is_set(bitmap, k)) map.words[(base + k) / 64] |= uint64_t(1) << ((base + k) % 64);
      }
    }
  }
  if (chain) apply_chain(*chain, edit);

  // The applied fsyncs: their new blocks are allocated, what they unmapped is free.
  std::set<uint64_t> inodes;
  for (const FsyncReplayInfo& f : overlay.fsyncs()) {
    if (f.applied) inodes.insert(f.record.inum);
  }
  for (uint64_t inum : inodes) {
    auto rec = reader.lookup_inode(inum);
    if (!rec || !*rec) continue;
    auto mapping = reader.file_extents(inum, **rec);
    if (!mapping) continue;
    std::vector<Extent> freed;
    InodeRecord copy = **rec;
    overlay.apply(inum, copy, *mapping, bs, &freed);
    for (const FsyncReplayInfo* f : overlay.applied_to(inum)) {
      for (const Extent& e : f->record.extents) edit.set(e.physical, e.count, true, "fsync stream");
    }
    for (const Extent& e : freed) edit.set(e.physical, e.count, false, "fsync stream");
  }
  return map;
}

}  // namespace tux3::debugfs
