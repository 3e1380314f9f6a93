// overlay_device.h: a copy-on-write BlockDevice over another device, for crash states.
//
// Writes land in memory, at 512-byte sector granularity; reads see them over the base. The
// base is only ever read, so one starting image can carry any number of overlays, each
// holding a different crash state, and an overlay can be the base of another (a state's
// durable writes in one overlay, the state's own writes in a short-lived one above it).
//
// Contract:
//  - The base is borrowed: it must outlive the overlay and must not change while the
//    overlay is in use. size(), topology() and name() ("overlay of <base name>") are the
//    base's.
//  - Any byte range may be written, read or discarded. A write that covers part of a
//    sector the overlay does not hold yet reads that sector from the base first. A
//    discarded range reads as zeros afterwards. flush() only counts; the overlay never
//    writes to the base.
//  - Thread-safe: any number of threads may call read, write, discard and flush at once
//    (one mutex guards the held sectors; reads of ranges the overlay does not hold go to
//    the base without it). Calls on overlapping ranges at the same time see each other's
//    data sector by sector, in some order, as a real device would.
//  - Cost: construction allocates nothing; a read of a range the overlay holds nothing of
//    is one base read; otherwise each 4 KiB of the range costs one hash lookup.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "tuxdisk/device.h"

namespace tux3 {

class OverlayDevice final : public BlockDevice {
 public:
  static constexpr uint32_t kSector = 512;

  // REQUIRES: base outlives this object and is not written while it is in use.
  explicit OverlayDevice(BlockDevice& base) : base_(base) {}
  // An overlay over another overlay (nesting), never a copy of it.
  explicit OverlayDevice(OverlayDevice& base) : base_(static_cast<BlockDevice&>(base)) {}
  OverlayDevice(const OverlayDevice&) = delete;
  OverlayDevice& operator=(const OverlayDevice&) = delete;

  uint64_t size() const override { return base_.size(); }
  Topology topology() const override { return base_.topology(); }
  std::string name() const override { return "overlay of " + base_.name(); }

  // Writes only the sectors of `data` whose bit is set in `sector_mask` (bit i: the i-th
  // 512-byte sector of the write), as a device would leave a write torn by a crash.
  // REQUIRES: offset is a multiple of 512, data.size() a multiple of 512 and at most 64
  // sectors, the range inside the device; otherwise InvalidArgument and nothing lands.
  Status write_torn(uint64_t offset, std::span<const uint8_t> data, uint64_t sector_mask);

  // The sectors written (or discarded) so far, each counted once.
  uint64_t sectors_held() const;
  // Calls of write() and write_torn(), and of flush(), since construction or reset().
  uint64_t write_count() const { return writes_.load(std::memory_order_relaxed); }
  uint64_t flush_count() const { return flushes_.load(std::memory_order_relaxed); }

  // Drops every write and the counts: the overlay reads as its base again.
  // REQUIRES: no other call in progress.
  void reset();

  // The whole device as it reads now (size() bytes), e.g. to save a failing crash state.
  Status read_image(std::vector<uint8_t>& out);

 private:
  // Sectors are held in pages of 8 (4 KiB): one hash lookup serves a whole block.
  static constexpr uint32_t kPageSectors = 8;
  static constexpr uint32_t kPageBytes = kSector * kPageSectors;
  struct Page {
    uint32_t slot = 0;  // the page's bytes are arena_[slot * kPageBytes, +kPageBytes)
    uint8_t held = 0;   // bit i: sector i of the page holds written bytes
  };

  Status do_read(uint64_t offset, std::span<uint8_t> out) override;
  Status do_write(uint64_t offset, std::span<const uint8_t> data, WriteFlags flags) override;
  Status do_flush() override;
  Status do_discard(uint64_t offset, uint64_t length) override;

  // Lays [offset, offset + length) over the base: bytes from `data`, or zeros when it is
  // null. Sectors partly covered and not yet held are first read from the base.
  Status store(uint64_t offset, uint64_t length, const uint8_t* data);
  // REQUIRES: mu_ held. The page of `page_index`, created (nothing held) if missing.
  Page& page_for(uint64_t page_index);
  // REQUIRES: mu_ held. Copies the held sectors that meet [offset, offset + out.size())
  // into out; returns whether every sector of the range was held.
  bool copy_held(uint64_t offset, std::span<uint8_t> out) const;
  // REQUIRES: mu_ held. Whether any sector of [offset, offset + length) is held.
  bool holds_any(uint64_t offset, uint64_t length) const;

  BlockDevice& base_;
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, Page> pages_;  // page index (offset / 4 KiB) -> page
  std::vector<uint8_t> arena_;                // the bytes of every page, slot after slot
  uint64_t sectors_ = 0;
  std::atomic<uint64_t> writes_ = 0;
  std::atomic<uint64_t> flushes_ = 0;
};

}  // namespace tux3
