// chain_replay.cc: the log chain: reading it, rebuilding bnodes, allocation effects.
#include "delta/chain_replay.h"

#include <fmt/format.h>

#include "tuxdisk/format/constants.h"

namespace tux3 {

using namespace format;

Result<ChainReplay> replay_chain(BlockDevice& device, const Superblock& sb,
                                 const BnodeReplay::DiskReader& read_bnode) {
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
    TUX3_RETURN_IF_ERROR(device.read(block << sb.block_bits, buf));
    TUX3_ASSIGN_OR_RETURN(LogBlock lb, decode_log_block(buf, {kMagicLog, block, sb.uuid, sb.delta},
                                                        sb.vol_blocks));
    out.chain.insert(out.chain.begin(), block);
    uint64_t prev = lb.prev;
    out.blocks.insert(out.blocks.begin(), std::move(lb));
    block = prev;
  }
  BnodeReplay bnodes(read_bnode);
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
