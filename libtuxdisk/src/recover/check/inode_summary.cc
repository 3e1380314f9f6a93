// inode_summary.cc: the compact per-inode state of a check (inode_summary.h).
#include "recover/check/inode_summary.h"

#include <algorithm>

namespace tux3::check {

void SlotCounts::set(Slot s, uint32_t v) {
  if (v < kLarge) {
    if (small_[s] == kLarge) large_.erase(s);
    small_[s] = uint8_t(v);
    return;
  }
  small_[s] = kLarge;
  large_[s] = v;
}

void InodeSummary::reserve(std::size_t n) {
  state_.reserve(n);
  nlink.reserve(n);
  names.reserve(n);
}

std::optional<Slot> InodeSummary::append(uint64_t inum) {
  if (state_.size() >= UINT32_MAX) return std::nullopt;
  Slot slot = size();
  if (!runs_.empty()) {
    const Run& last = runs_.back();
    uint64_t last_inum = last.inum + (slot - 1 - last.slot);
    if (inum <= last_inum) return std::nullopt;
    if (inum != last_inum + 1) runs_.push_back({inum, slot});
  } else {
    runs_.push_back({inum, slot});
  }
  state_.push_back(0);
  nlink.resize(size());
  names.resize(size());
  return slot;
}

Slot InodeSummary::insert(uint64_t inum) {
  auto after = std::upper_bound(runs_.begin(), runs_.end(), inum,
                                [](uint64_t n, const Run& r) { return n < r.inum; });
  if (after == runs_.end()) return *append(inum);
  // Before every run from `after` on: a run of its own, and every later slot moves up one.
  Slot slot = after->slot;
  for (auto r = after; r != runs_.end(); ++r) ++r->slot;
  runs_.insert(after, Run{inum, slot});
  state_.insert(state_.begin() + std::ptrdiff_t(slot), 0);
  for (std::size_t i = 0; i < dirs_.size(); ++i) dirs_[i].slot += dirs_[i].slot >= slot;
  // Counts: rebuilt shifted (rare: inodes 1 and 2 only).
  SlotCounts n2, m2;
  n2.resize(size());
  m2.resize(size());
  for (Slot s = 0; s + 1 < size(); ++s) {
    Slot to = s < slot ? s : s + 1;
    n2.set(to, nlink.get(s));
    m2.set(to, names.get(s));
  }
  nlink = std::move(n2);
  names = std::move(m2);
  return slot;
}

std::optional<Slot> InodeSummary::find(uint64_t inum) const {
  auto after = std::upper_bound(runs_.begin(), runs_.end(), inum,
                                [](uint64_t n, const Run& r) { return n < r.inum; });
  if (after == runs_.begin()) return std::nullopt;
  const Run& run = *(after - 1);
  Slot end = after != runs_.end() ? after->slot : size();
  uint64_t offset = inum - run.inum;
  if (offset >= end - run.slot) return std::nullopt;
  return run.slot + offset;
}

uint64_t InodeSummary::inum(Slot slot) const {
  auto after = std::upper_bound(runs_.begin(), runs_.end(), slot,
                                [](Slot s, const Run& r) { return s < r.slot; });
  const Run& run = *(after - 1);
  return run.inum + (slot - run.slot);
}

DirSummary& DirTable::insert(std::size_t at, const DirSummary& d) {
  if (size_ == chunks_.size() * kChunk) chunks_.push_back(std::make_unique<DirSummary[]>(kChunk));
  for (std::size_t i = size_; i > at; --i) (*this)[i] = (*this)[i - 1];
  ++size_;
  return (*this)[at] = d;
}

namespace {

// The first position in `dirs` whose slot is not below `slot`.
std::size_t dir_position(const DirTable& dirs, Slot slot) {
  std::size_t low = 0, high = dirs.size();
  while (low < high) {
    std::size_t mid = low + (high - low) / 2;
    if (dirs[mid].slot < slot) low = mid + 1;
    else high = mid;
  }
  return low;
}

}  // namespace

DirSummary& InodeSummary::add_dir(Slot slot) {
  DirSummary d;
  d.slot = slot;
  return dirs_.insert(dir_position(dirs_, slot), d);
}

DirSummary* InodeSummary::dir(Slot slot) {
  std::size_t at = dir_position(dirs_, slot);
  return at < dirs_.size() && dirs_[at].slot == slot ? &dirs_[at] : nullptr;
}

std::size_t InodeSummary::capacity_bytes() const {
  return runs_.capacity() * sizeof(Run) + state_.capacity() * 2 + nlink.capacity_bytes() +
         names.capacity_bytes() + dirs_.capacity_bytes();
}

}  // namespace tux3::check
