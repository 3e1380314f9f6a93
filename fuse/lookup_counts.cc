// lookup_counts.cc: FUSE lookup counts and pinned unlinked inodes (lookup_counts.h).
#include "lookup_counts.h"

#include <algorithm>

namespace tux3::fuse {

void LookupCounts::add(uint64_t ino) {
  Shard& s = shard(ino);
  std::lock_guard lock(s.mu);
  ++s.entries[ino].count;
}

bool LookupCounts::forget(uint64_t ino, uint64_t n) {
  Shard& s = shard(ino);
  std::lock_guard lock(s.mu);
  auto it = s.entries.find(ino);
  if (it == s.entries.end()) return false;
  it->second.count -= std::min(n, it->second.count);
  if (it->second.count > 0) return false;
  bool pinned = it->second.pinned;
  s.entries.erase(it);
  return pinned;
}

bool LookupCounts::pin_if_held(uint64_t ino) {
  Shard& s = shard(ino);
  std::lock_guard lock(s.mu);
  auto it = s.entries.find(ino);
  if (it == s.entries.end() || it->second.count == 0 || it->second.pinned) return false;
  it->second.pinned = true;
  return true;
}

void LookupCounts::unpin(uint64_t ino) {
  Shard& s = shard(ino);
  std::lock_guard lock(s.mu);
  if (auto it = s.entries.find(ino); it != s.entries.end()) it->second.pinned = false;
}

uint64_t LookupCounts::count(uint64_t ino) const {
  const Shard& s = shard(ino);
  std::lock_guard lock(s.mu);
  auto it = s.entries.find(ino);
  return it == s.entries.end() ? 0 : it->second.count;
}

std::vector<uint64_t> LookupCounts::clear() {
  std::vector<uint64_t> pinned;
  for (Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    for (const auto& [ino, entry] : s.entries) {
      if (entry.pinned) pinned.push_back(ino);
    }
    s.entries.clear();
  }
  return pinned;
}

}  // namespace tux3::fuse
