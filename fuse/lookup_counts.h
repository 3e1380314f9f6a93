// lookup_counts.h: how many times the kernel was told of each inode (FUSE's lookup count),
// and which unlinked inodes it still holds.
//
// Every entry the kernel receives (lookup, create, mknod, mkdir, symlink, link, each
// readdirplus entry but "." and "..") counts once; forget takes counts away. While the
// count is above zero the kernel may still name the inode (an open file, a working
// directory, a cached dentry), so an inode unlinked in that time must outlive its last
// name: it is pinned (the engine keeps it as an orphan, as for an open handle) and let go
// when the count reaches zero. Only inodes about to lose their last name are pinned, so
// the engine's cache stays free to evict everything else the kernel has cached.
//
// Thread-safe: the FUSE worker threads call it concurrently.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace tux3::fuse {

class LookupCounts {
 public:
  // The kernel was told of `ino` once more.
  void add(uint64_t ino);
  // The kernel forgot `n` of its counts of `ino`. True if the count reached zero with the
  // inode pinned: the caller must unpin it (release it in the engine).
  bool forget(uint64_t ino, uint64_t n);
  // True if the kernel holds `ino` and it was not pinned yet: it is pinned now and the
  // caller must pin it in the engine (or call unpin if that fails).
  bool pin_if_held(uint64_t ino);
  // Undoes pin_if_held (the engine refused to pin, or the unlink did not happen).
  void unpin(uint64_t ino);

  uint64_t count(uint64_t ino) const;
  // Forgets everything (the session is over) and returns the inodes that were pinned, for
  // the caller to let go.
  std::vector<uint64_t> clear();

 private:
  struct Entry {
    uint64_t count = 0;
    bool pinned = false;
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<uint64_t, Entry> entries;
  };
  Shard& shard(uint64_t ino) { return shards_[ino % shards_.size()]; }
  const Shard& shard(uint64_t ino) const { return shards_[ino % shards_.size()]; }
  std::array<Shard, 16> shards_;
};

}  // namespace tux3::fuse
