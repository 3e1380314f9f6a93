// inode_summary.h: what the check passes learn of every inode, in six bytes each.
//
// A volume of a million inodes must be checkable in a few MiB, so the summary is not a
// struct per inode but parallel arrays indexed by a slot: the inode's position in inode
// number order. Inode numbers are handed out densely, so the map from number to slot is a
// list of runs of consecutive numbers (a few runs for most volumes; one per inode at
// worst). Directories, a few percent of the inodes, keep their larger fields in a side
// table in inode number order.
//
// Per inode, three bytes: the type bits of its mode and four flags, its link count and the
// number of entries naming it (larger counts than a byte holds live in a small map).
// Per directory, 40 bytes more. Up to 2^32 - 1 inodes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "tuxdisk/format/superblock.h"

namespace tux3::check {

using Slot = uint32_t;

// Flags of an inode's summary.
enum InodeFlag : uint8_t {
  kBadRecord = 1 << 0,  // does not decode: deleted by repair
  kOrphan = 1 << 1,     // listed in the orphan tree
  kDropped = 1 << 2,    // repair deletes it
  kReplaced = 1 << 3,   // inode 1 or 2: repair writes a fresh record (the old one's
                        // extents, tree and entries are not kept)
};

// A directory's fields (pass 2 fills parent and root; pass 4 named_by and subdirs; pass 5
// the flags).
struct DirSummary {
  Slot slot = 0;
  uint32_t subdirs = 0;   // entries in it naming directories
  uint64_t parent = 0;    // its PARENT attribute
  uint64_t named_by = 0;  // the first directory whose entry names it
  uint64_t root_block = 0;  // its index
  uint8_t root_depth = 0;   // (at most format::kMaxTreeDepth)
  uint8_t flags = 0;
  enum : uint8_t {
    kReached = 1,   // reachable from the root
    kVisiting = 2,  // on the path being followed up
  };
  format::TreeRoot root() const { return {root_block, root_depth}; }
};

// A count per slot, a byte each; the rare larger values are kept aside.
class SlotCounts {
 public:
  void reserve(std::size_t n) { small_.reserve(n); }
  void resize(std::size_t n) { small_.resize(n, 0); }
  std::size_t capacity_bytes() const { return small_.capacity() + large_.size() * 32; }
  uint32_t get(Slot s) const { return small_[s] != kLarge ? small_[s] : large_.at(s); }
  void set(Slot s, uint32_t v);
  void add(Slot s, uint32_t v) { set(s, get(s) + v); }

 private:
  static constexpr uint8_t kLarge = 0xff;
  std::vector<uint8_t> small_;
  std::unordered_map<Slot, uint32_t> large_;
};

// The directories' summaries, in slot order, in chunks: growing never copies the table
// (a vector's doubling would briefly hold three times its size) and references stay valid
// while it grows.
class DirTable {
 public:
  std::size_t size() const { return size_; }
  DirSummary& operator[](std::size_t i) { return chunks_[i / kChunk][i % kChunk]; }
  const DirSummary& operator[](std::size_t i) const { return chunks_[i / kChunk][i % kChunk]; }
  // Inserts `d` at position `at` (the end, but for inode 2 made by repair).
  DirSummary& insert(std::size_t at, const DirSummary& d);
  std::size_t capacity_bytes() const { return chunks_.size() * kChunk * sizeof(DirSummary); }

 private:
  static constexpr std::size_t kChunk = 1024;
  std::vector<std::unique_ptr<DirSummary[]>> chunks_;
  std::size_t size_ = 0;
};

class InodeSummary {
 public:
  // Room for `n` inodes (a hint: untouched room costs no memory).
  void reserve(std::size_t n);
  // Adds inode `inum` after every inode added so far; nullopt (and nothing added) if inum
  // is not above the last one (a damaged tree visited out of order), or the summary is
  // full.
  std::optional<Slot> append(uint64_t inum);
  // Adds inode `inum` where it belongs (for inodes 1 and 2, made by repair when missing:
  // costs a copy of the arrays). REQUIRES: inum is not present.
  Slot insert(uint64_t inum);
  std::optional<Slot> find(uint64_t inum) const;
  // The inode number of a slot. REQUIRES: slot < size().
  uint64_t inum(Slot slot) const;

  Slot size() const { return Slot(state_.size()); }
  // Calls fn(inum, slot) for every inode, in inode number order.
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (std::size_t r = 0; r < runs_.size(); ++r) {
      Slot end = r + 1 < runs_.size() ? runs_[r + 1].slot : size();
      for (Slot s = runs_[r].slot; s < end; ++s) fn(runs_[r].inum + (s - runs_[r].slot), s);
    }
  }

  // The type bits of the mode (format::kModeTypeMask); 0 if the record does not decode.
  uint32_t type(Slot s) const { return uint32_t(state_[s] & 0xf) << 12; }
  void set_type(Slot s, uint32_t mode) {
    state_[s] = uint8_t((state_[s] & 0xf0) | ((mode >> 12) & 0xf));
  }
  bool is_dir(Slot s) const { return type(s) == 0040000; }
  bool has(Slot s, InodeFlag f) const { return state_[s] & (f << 4); }
  void set(Slot s, InodeFlag f) { state_[s] = uint8_t(state_[s] | (f << 4)); }
  void clear(Slot s, InodeFlag f) { state_[s] = uint8_t(state_[s] & ~(f << 4)); }
  // Neither undecodable nor dropped by repair.
  bool live(Slot s) const { return !has(s, kBadRecord) && !has(s, kDropped); }

  SlotCounts nlink;  // the record's link count
  SlotCounts names;  // entries naming it (and reconnections planned)

  // Directories, in inode number order. REQUIRES: slot is a directory's without a
  // summary yet (its place is found, so inode 2 may come last).
  DirSummary& add_dir(Slot slot);
  DirSummary* dir(Slot slot);
  DirSummary* dir_of(uint64_t inum) {
    auto s = find(inum);
    return s ? dir(*s) : nullptr;
  }
  DirTable& dirs() { return dirs_; }

  std::size_t capacity_bytes() const;

 private:
  struct Run {
    uint64_t inum;  // the first inode number of the run
    Slot slot;      // its slot; the run ends where the next begins
  };
  std::vector<Run> runs_;
  std::vector<uint8_t> state_;
  DirTable dirs_;
};

}  // namespace tux3::check
