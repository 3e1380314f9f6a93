// chain.cc: reading a log chain for listing (chain.h).
#include "chain.h"

#include <algorithm>

#include <fmt/format.h>

#include "tuxdisk/format/constants.h"

namespace tux3::debugfs {

using namespace format;

LogChain read_log_chain(BlockDevice& device, const Superblock& sb) {
  LogChain out;
  std::vector<uint8_t> buf(sb.block_size());
  uint64_t first_data = first_data_block(sb.block_bits);
  uint64_t block = sb.log_head;
  for (uint32_t i = 0; i < sb.log_count; ++i) {
    if (block < first_data || block >= sb.vol_blocks) {
      out.damage = ChainDamage{block, fmt::format("log block {} of {}: pointer {} is outside the "
                                                  "data area", i + 1, sb.log_count, block)};
      break;
    }
    Status read = device.read(block << sb.block_bits, buf);
    if (!read) {
      out.damage = ChainDamage{block, read.message()};
      break;
    }
    auto decoded = decode_log_block(buf, Expect{kMagicLog, block, sb.uuid, sb.delta}, sb.vol_blocks);
    if (!decoded) {
      out.damage = ChainDamage{block, decoded.status().message()};
      break;
    }
    out.blocks.push_back(block);
    uint64_t prev = decoded->prev;
    out.decoded.push_back(std::move(*decoded));
    block = prev;
  }
  std::reverse(out.blocks.begin(), out.blocks.end());
  std::reverse(out.decoded.begin(), out.decoded.end());
  for (std::size_t b = 0; b < out.decoded.size(); ++b) {
    const LogBlock& lb = out.decoded[b];
    if (out.deltas.empty() || out.deltas.back().delta != lb.header.delta) {
      ChainDelta d;
      d.delta = lb.header.delta;
      d.first = b;
      d.unify = !lb.records.empty() && lb.records.front().code == LogCode::kUnify;
      out.deltas.push_back(d);
    }
    ChainDelta& d = out.deltas.back();
    ++d.count;
    d.records += lb.records.size();
    for (const LogRecord& r : lb.records) {
      if (r.code == LogCode::kRoots) d.roots = decode_roots(r);
    }
  }
  return out;
}

std::optional<Superblock> state_superblock(const Superblock& top, const LogChain& chain,
                                           std::size_t index) {
  const ChainDelta& d = chain.deltas[index];
  if (index + 1 == chain.deltas.size()) return top;
  if (!d.roots) return std::nullopt;
  Superblock out = top;
  out.delta = d.delta;
  out.slot = unsigned(d.delta & 1);
  out.state = 0;
  out.itree = d.roots->itree;
  out.otree = d.roots->otree;
  out.inode_count = d.roots->inode_count;
  out.free_blocks = d.roots->free_blocks;
  out.commit_time = d.roots->commit_time;
  std::size_t end = d.first + d.count;
  out.log_head = chain.blocks[end - 1];
  out.log_count = uint32_t(end);
  out.streams = {};
  out.feature_incompat &= ~kIncompatStreams;
  return out;
}

}  // namespace tux3::debugfs
