// chain_replay.cc: the log chain: reading it, rebuilding bnodes, allocation effects.
#include "delta/chain_replay.h"

#include <fmt/format.h>

#include "tuxdisk/format/constants.h"

namespace tux3 {

using namespace format;

namespace {

Status chain_error(uint64_t block, std::size_t index, std::size_t count, uint64_t delta,
                   const std::string& what) {
  return Status::corruption(fmt::format("log block {} (entry {} of {}, delta {}): {}", block,
                                        index + 1, count, delta, what))
      .at_block(block);
}

// A ROOTS record's values must be possible for this volume.
std::string roots_problem(const DeltaRoots& r, const Superblock& sb) {
  uint64_t first_data = first_data_block(sb.block_bits);
  auto bad_root = [&](const TreeRoot& t, bool may_be_empty) {
    if (t.block == 0) return !may_be_empty || t.depth != 0;
    return t.block < first_data || t.block >= sb.vol_blocks || t.depth > kMaxTreeDepth;
  };
  if (bad_root(r.itree, false)) {
    return fmt::format("ROOTS names an impossible inode table root ({}, depth {})", r.itree.block,
                       r.itree.depth);
  }
  if (bad_root(r.otree, true)) {
    return fmt::format("ROOTS names an impossible orphan tree root ({}, depth {})", r.otree.block,
                       r.otree.depth);
  }
  if (r.inode_count < 2) return fmt::format("ROOTS inode_count {} is below 2", r.inode_count);
  if (r.free_blocks > sb.vol_blocks - first_data) {
    return fmt::format("ROOTS free_blocks {} exceeds the data area", r.free_blocks);
  }
  if (r.commit_time.nsec >= 1000000000u) return "ROOTS commit_nsec is not below 10^9";
  return {};
}

}  // namespace

Result<ChainReplay> read_chain(BlockDevice& device, const Superblock& sb) {
  ChainReplay out;
  uint64_t first_data = first_data_block(sb.block_bits);
  std::vector<uint8_t> buf(sb.block_size());
  uint64_t block = sb.log_head;
  for (uint32_t i = 0; i < sb.log_count; ++i) {
    if (block < first_data || block >= sb.vol_blocks) {
      return Status::corruption(fmt::format("log chain entry {} of {}: block {} is outside "
                                            "the data area", i + 1, sb.log_count, block));
    }
    for (uint64_t seen : out.chain) {
      if (seen == block) return Status::corruption(fmt::format("log chain loops at block {}", block));
    }
    TUX3_RETURN_IF_ERROR(device.read(block << sb.block_bits, buf)
                             .with_context(fmt::format("log block {}", block)));
    TUX3_ASSIGN_OR_RETURN(LogBlock lb, decode_log_block(buf, {kMagicLog, block, sb.uuid, sb.delta},
                                                        sb.vol_blocks));
    out.chain.insert(out.chain.begin(), block);
    uint64_t prev = lb.prev;
    out.blocks.insert(out.blocks.begin(), std::move(lb));
    block = prev;
  }

  // The shape: deltas in order, each DELTA ... ROOTS.
  const std::size_t n = out.blocks.size();
  bool open = false;  // inside a delta whose ROOTS has not come yet
  for (std::size_t b = 0; b < n; ++b) {
    const LogBlock& lb = out.blocks[b];
    const uint64_t d = lb.header.delta;
    auto fail = [&](const std::string& what) { return chain_error(out.chain[b], b, n, d, what); };
    bool starts_delta = out.deltas.empty() || out.deltas.back().delta != d;
    if (starts_delta) {
      if (open) {
        const LoggedDelta& last = out.deltas.back();
        return chain_error(out.chain[b - 1], b - 1, n, last.delta,
                           "the delta's records end without ROOTS");
      }
      if (!out.deltas.empty() && d < out.deltas.back().delta) {
        return fail(fmt::format("written by delta {}, older than delta {} before it", d,
                                out.deltas.back().delta));
      }
      LoggedDelta ld;
      ld.delta = d;
      ld.first_block = b;
      out.deltas.push_back(ld);
      open = true;
    }
    LoggedDelta& ld = out.deltas.back();
    ++ld.block_count;
    for (std::size_t r = 0; r < lb.records.size(); ++r) {
      const LogRecord& rec = lb.records[r];
      std::size_t at = ld.record_count++;
      auto record_fail = [&](const std::string& what) {
        return fail(fmt::format("record {} ({}): {}", r, log_record_kind(uint8_t(rec.code))->name,
                                what));
      };
      if (!open) return record_fail("follows the delta's ROOTS record");
      if (rec.code == LogCode::kUnify) {
        if (at != 0 || b != 0) return record_fail("UNIFY is not the first record of the chain");
        ld.unify = true;
        continue;
      }
      bool expect_delta = at == (ld.unify ? 1u : 0u);
      if (expect_delta != (rec.code == LogCode::kDelta)) {
        return record_fail(expect_delta ? "a delta's records must begin with DELTA"
                                        : "a second DELTA record in one delta");
      }
      if (rec.code == LogCode::kDelta && rec.fields[0] != d) {
        return record_fail(fmt::format("DELTA {} in a block written by delta {}", rec.fields[0], d));
      }
      if (rec.code == LogCode::kRoots) {
        ld.roots = decode_roots(rec);
        std::string problem = roots_problem(ld.roots, sb);
        if (!problem.empty()) return record_fail(problem);
        open = false;
      }
    }
  }
  if (open) {
    return chain_error(out.chain[n - 1], n - 1, n, out.deltas.back().delta,
                       "the delta's records end without ROOTS");
  }
  if (!out.deltas.empty()) {
    const LoggedDelta& last = out.deltas.back();
    auto fail = [&](const std::string& what) {
      return chain_error(out.chain[n - 1], n - 1, n, last.delta, what);
    };
    if (last.delta != sb.delta) {
      return fail(fmt::format("the log head belongs to delta {}, the superblock commits delta {}",
                              last.delta, sb.delta));
    }
    DeltaRoots super_roots{sb.itree, sb.otree, sb.inode_count, sb.free_blocks, sb.commit_time};
    if (last.roots != super_roots) {
      return fail("its ROOTS record does not match the superblock (tree roots, counts or "
                  "commit time differ)");
    }
  }
  return out;
}

Status rebuild_bnodes(ChainReplay& out, const BnodeReplay::DiskReader& read_bnode,
                      bool tolerant) {
  BnodeReplay bnodes(read_bnode, tolerant);
  out.records = 0;
  for (std::size_t b = 0; b < out.blocks.size(); ++b) {
    for (std::size_t r = 0; r < out.blocks[b].records.size(); ++r) {
      TUX3_RETURN_IF_ERROR(bnodes.apply(out.blocks[b].records[r])
                               .with_context(fmt::format("log block {} record {}",
                                                         out.chain[b], r)));
      ++out.records;
    }
  }
  out.bnodes = bnodes.images();
  out.released_at_unify = bnodes.released_at_unify();
  out.freed_bnodes = bnodes.freed();
  out.skipped = bnodes.skipped();
  return Status::ok();
}

Result<ChainReplay> replay_chain(BlockDevice& device, const Superblock& sb,
                                 const BnodeReplay::DiskReader& read_bnode, bool tolerant) {
  TUX3_ASSIGN_OR_RETURN(ChainReplay out, read_chain(device, sb));
  TUX3_RETURN_IF_ERROR(rebuild_bnodes(out, read_bnode, tolerant));
  return out;
}

Status apply_chain_allocations(const ChainReplay& replay, const BitmapEdits& edits) {
  for (std::size_t b = 0; b < replay.blocks.size(); ++b) {
    // A log block is allocated by the delta that writes it, so it is marked in its turn:
    // its address may have been used and freed by an older delta of the cycle.
    TUX3_RETURN_IF_ERROR(edits.mark(replay.chain[b], 1, true));
    for (const LogRecord& r : replay.blocks[b].records) {
      const auto& f = r.fields;
      Status s;
      switch (r.code) {
        case LogCode::kAlloc: s = edits.mark(f[0], f[1], false); break;
        case LogCode::kFree: s = edits.release(f[0], f[1]); break;
        case LogCode::kLeafRedirect:
          s = edits.mark(f[1], 1, false);
          if (s && f[0]) s = edits.release(f[0], 1);
          break;
        case LogCode::kBnodeNew: s = edits.mark(f[0], 1, false); break;
        case LogCode::kBnodeRedirect: s = edits.mark(f[1], 1, false); break;
        case LogCode::kStreamReserve: s = edits.mark(f[1], 1, false); break;
        default: break;
      }
      TUX3_RETURN_IF_ERROR(std::move(s).with_context(
          fmt::format("log block {}: applying allocations", replay.chain[b])));
    }
  }
  for (uint64_t b : replay.freed_bnodes) TUX3_RETURN_IF_ERROR(edits.release(b, 1));
  return Status::ok();
}

}  // namespace tux3
