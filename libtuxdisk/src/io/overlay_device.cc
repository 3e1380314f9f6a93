// overlay_device.cc: the copy-on-write BlockDevice (sectors held in 4 KiB pages).
#include "tuxdisk/overlay_device.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

#include <fmt/format.h>

namespace tux3 {
namespace {

enum class Coverage { kNone, kSome, kAll };

}  // namespace

OverlayDevice::Page& OverlayDevice::page_for(uint64_t page_index) {
  auto [it, inserted] = pages_.try_emplace(page_index);
  if (inserted) {
    it->second.slot = uint32_t(arena_.size() / kPageBytes);
    arena_.resize(arena_.size() + kPageBytes);
  }
  return it->second;
}

bool OverlayDevice::holds_any(uint64_t offset, uint64_t length) const {
  if (length == 0 || pages_.empty()) return false;
  uint64_t first = offset / kSector, last = (offset + length - 1) / kSector;
  for (uint64_t p = first / kPageSectors; p <= last / kPageSectors; ++p) {
    auto it = pages_.find(p);
    if (it == pages_.end()) continue;
    uint64_t lo = std::max(first, p * kPageSectors) - p * kPageSectors;
    uint64_t hi = std::min(last, p * kPageSectors + kPageSectors - 1) - p * kPageSectors;
    unsigned want = ((1u << (hi + 1)) - 1) & ~((1u << lo) - 1);
    if (it->second.held & want) return true;
  }
  return false;
}

// Copies, page by page, the held sectors that meet the range; reports how much was held so
// the caller knows whether the base must be read.
bool OverlayDevice::copy_held(uint64_t offset, std::span<uint8_t> out) const {
  const uint64_t end = offset + out.size();
  bool all = true;
  for (uint64_t p = offset / kPageBytes; p * kPageBytes < end; ++p) {
    const uint64_t page_lo = p * kPageBytes;
    const uint64_t lo = std::max(offset, page_lo), hi = std::min(end, page_lo + kPageBytes);
    auto it = pages_.find(p);
    if (it == pages_.end()) {
      all = false;
      continue;
    }
    const Page& page = it->second;
    const uint8_t* bytes = arena_.data() + uint64_t(page.slot) * kPageBytes;
    // Runs of held (or missing) sectors: one copy per held run.
    const unsigned s_hi = unsigned((hi - 1 - page_lo) / kSector);
    unsigned s = unsigned((lo - page_lo) / kSector);
    while (s <= s_hi) {
      const bool held = page.held >> s & 1;
      unsigned e = s + 1;
      while (e <= s_hi && bool(page.held >> e & 1) == held) ++e;
      const uint64_t a = std::max(lo, page_lo + s * kSector);
      const uint64_t b = std::min(hi, page_lo + e * kSector);
      if (held) {
        std::memcpy(out.data() + (a - offset), bytes + (a - page_lo), b - a);
      } else {
        all = false;
      }
      s = e;
    }
  }
  return all;
}

Status OverlayDevice::do_read(uint64_t offset, std::span<uint8_t> out) {
  if (out.empty()) return Status::ok();
  Coverage coverage;
  {
    std::lock_guard lock(mu_);
    if (!holds_any(offset, out.size())) {
      coverage = Coverage::kNone;
    } else {
      coverage = copy_held(offset, out) ? Coverage::kAll : Coverage::kSome;
    }
  }
  if (coverage == Coverage::kAll) return Status::ok();
  // The base is read without the lock: it is never written through this overlay.
  TUX3_RETURN_IF_ERROR(base_.read(offset, out));
  if (coverage == Coverage::kSome) {
    std::lock_guard lock(mu_);
    (void)copy_held(offset, out);
  }
  return Status::ok();
}

Status OverlayDevice::store(uint64_t offset, uint64_t length, const uint8_t* data) {
  if (length == 0) return Status::ok();
  const uint64_t end = offset + length;
  const uint64_t first = offset / kSector, last = (end - 1) / kSector;
  const bool head_partial = offset % kSector != 0 || end < (first + 1) * kSector;
  const bool tail_partial = last != first && end % kSector != 0;
  // The base bytes of partly covered sectors, read before the lock; used only if the
  // overlay does not hold those sectors yet.
  std::array<uint8_t, kSector> head{}, tail{};
  if (head_partial) TUX3_RETURN_IF_ERROR(base_.read(first * kSector, head));
  if (tail_partial) TUX3_RETURN_IF_ERROR(base_.read(last * kSector, tail));

  std::lock_guard lock(mu_);
  for (uint64_t p = offset / kPageBytes; p * kPageBytes < end; ++p) {
    const uint64_t page_lo = p * kPageBytes;
    const uint64_t lo = std::max(offset, page_lo), hi = std::min(end, page_lo + kPageBytes);
    Page& page = page_for(p);
    uint8_t* bytes = arena_.data() + uint64_t(page.slot) * kPageBytes;
    const unsigned s_lo = unsigned((lo - page_lo) / kSector);
    const unsigned s_hi = unsigned((hi - 1 - page_lo) / kSector);
    auto fill = [&](unsigned s, const std::array<uint8_t, kSector>& from) {
      if (!(page.held & (1u << s))) std::memcpy(bytes + s * kSector, from.data(), kSector);
    };
    if (head_partial && page_lo + s_lo * kSector == first * kSector) fill(s_lo, head);
    if (tail_partial && page_lo + s_hi * kSector == last * kSector) fill(s_hi, tail);
    if (data) {
      std::memcpy(bytes + (lo - page_lo), data + (lo - offset), hi - lo);
    } else {
      std::memset(bytes + (lo - page_lo), 0, hi - lo);
    }
    const unsigned bits = ((1u << (s_hi + 1)) - 1) & ~((1u << s_lo) - 1);
    sectors_ += unsigned(std::popcount(bits & ~unsigned(page.held)));
    page.held = uint8_t(page.held | bits);
  }
  return Status::ok();
}

Status OverlayDevice::do_write(uint64_t offset, std::span<const uint8_t> data, WriteFlags) {
  writes_.fetch_add(1, std::memory_order_relaxed);
  return store(offset, data.size(), data.data());
}

Status OverlayDevice::write_torn(uint64_t offset, std::span<const uint8_t> data,
                                 uint64_t sector_mask) {
  if (offset % kSector != 0 || data.size() % kSector != 0 || data.size() > 64 * kSector ||
      offset > size() || data.size() > size() - offset) {
    return Status::invalid_argument(fmt::format(
        "{}: torn write of {} bytes at offset {}: needs whole sectors (at most 64) inside "
        "the device",
        name(), data.size(), offset));
  }
  writes_.fetch_add(1, std::memory_order_relaxed);
  const unsigned sectors = unsigned(data.size() / kSector);
  unsigned s = 0;
  while (s < sectors) {
    if (!(sector_mask >> s & 1)) {
      ++s;
      continue;
    }
    unsigned run = s;
    while (run < sectors && (sector_mask >> run & 1)) ++run;
    TUX3_RETURN_IF_ERROR(store(offset + uint64_t(s) * kSector, uint64_t(run - s) * kSector,
                               data.data() + std::size_t(s) * kSector));
    s = run;
  }
  return Status::ok();
}

Status OverlayDevice::do_flush() {
  flushes_.fetch_add(1, std::memory_order_relaxed);
  return Status::ok();
}

Status OverlayDevice::do_discard(uint64_t offset, uint64_t length) {
  return store(offset, length, nullptr);
}

uint64_t OverlayDevice::sectors_held() const {
  std::lock_guard lock(mu_);
  return sectors_;
}

void OverlayDevice::reset() {
  std::lock_guard lock(mu_);
  pages_.clear();
  arena_.clear();
  sectors_ = 0;
  writes_ = 0;
  flushes_ = 0;
}

Status OverlayDevice::read_image(std::vector<uint8_t>& out) {
  out.resize(size());
  return read(0, out);
}

}  // namespace tux3
