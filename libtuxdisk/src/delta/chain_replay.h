// chain_replay.h: reading the log chain of the committed delta and rebuilding what it
// describes: the bnodes changed since the last unify, and the allocation changes. Shared
// by the engine (open), the read-only reader and the checker, so all three see the same
// committed state. See man/tux3-format.5, "Applying the log".
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "delta/bnode_replay.h"
#include "tuxdisk/device.h"
#include "tuxdisk/format/log.h"
#include "tuxdisk/format/superblock.h"

namespace tux3 {

// One delta of the chain: its log blocks (a run of `chain`) and what it committed.
struct LoggedDelta {
  uint64_t delta = 0;
  bool unify = false;           // its records begin with UNIFY: the delta began the cycle
  std::size_t first_block = 0;  // index in ChainReplay::chain
  std::size_t block_count = 0;
  std::size_t record_count = 0;
  format::DeltaRoots roots;     // from its ROOTS record
};

struct ChainReplay {
  std::vector<uint64_t> chain;            // log blocks, oldest first
  std::vector<format::LogBlock> blocks;   // their contents, oldest first
  std::vector<LoggedDelta> deltas;        // oldest first; the last is the superblock's
  std::map<uint64_t, BnodeImage> bnodes;  // bnodes as of the committed delta (changed ones)
  std::vector<uint64_t> released_at_unify;  // allocated, unreachable, freed by the next unify
  std::vector<uint64_t> freed_bnodes;       // bnodes of the cycle dropped again
  uint64_t records = 0;
  std::vector<std::string> skipped;         // tolerant replay: records not applied, why
};

// Reads the chain and verifies its blocks and its shape: each delta's records begin with
// DELTA (the cycle's first delta: UNIFY, DELTA) naming the delta of its blocks, deltas
// grow along the chain, each ends with ROOTS, the last is the superblock's delta and its
// ROOTS agrees with the superblock. Fills chain, blocks and deltas. Corruption names the
// block (Status::block()) and what is wrong; IoError if a read fails.
Result<ChainReplay> read_chain(BlockDevice& device, const format::Superblock& super);
// Rebuilds the bnodes a chain from read_chain describes (reading unify-time bnodes
// through read_bnode). Corruption names the block and record that stopped it.
// tolerant: see BnodeReplay (for fsck: the records that do not apply are listed in
// `skipped`, and the trees they edit then read as damaged).
Status rebuild_bnodes(ChainReplay& replay, const BnodeReplay::DiskReader& read_bnode,
                      bool tolerant = false);
// read_chain, then rebuild_bnodes.
Result<ChainReplay> replay_chain(BlockDevice& device, const format::Superblock& super,
                                 const BnodeReplay::DiskReader& read_bnode,
                                 bool tolerant = false);

// What applying the chain's allocation changes needs from a bitmap.
struct BitmapEdits {
  std::function<Status(uint64_t block, uint64_t count, bool tolerate_set)> mark;
  std::function<Status(uint64_t block, uint64_t count)> release;
};
// Applies, log block by log block, oldest first: the block itself (tolerating a bit a unify
// already set), then its records' allocation effects; then the frees of bnodes created and
// dropped in the cycle.
Status apply_chain_allocations(const ChainReplay& replay, const BitmapEdits& edits);

}  // namespace tux3
