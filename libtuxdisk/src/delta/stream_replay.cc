// stream_replay.cc: walking the fsync streams (stream_replay.h).
#include "delta/stream_replay.h"

#include <fmt/format.h>

#include "tuxdisk/format/constants.h"

namespace tux3 {

using namespace format;

bool has_live_streams(const Superblock& sb) {
  for (std::size_t i = 0; i < sb.stream_count && i < kMaxStreams; ++i) {
    if (sb.streams[i].block != 0) return true;
  }
  return false;
}

Result<StreamReplay> read_streams(BlockDevice& dev, const Superblock& sb) {
  StreamReplay out;
  uint32_t bs = sb.block_size();
  std::vector<uint8_t> buf(bs);
  for (uint16_t s = 0; s < sb.stream_count && s < kMaxStreams; ++s) {
    const StreamHead& head = sb.streams[s];
    if (head.block == 0) continue;
    StreamEnd end{s, head.block, head.block, head.seq, 0, 0, {}};
    StreamFsync pending;
    bool open = false;
    uint64_t block = head.block, seq = head.seq;
    // Sequence numbers only grow, so a chain cannot revisit a block and still count; the
    // bound is a second guard.
    for (uint64_t steps = 0; steps <= sb.vol_blocks; ++steps) {
      TUX3_RETURN_IF_ERROR(dev.read(block << sb.block_bits, buf)
                               .with_context(fmt::format("stream {} block {}", s, block)));
      StreamExpect expect{{kMagicStream, block, sb.uuid, head.delta},
                          s,
                          seq,
                          sb.vol_blocks,
                          first_data_block(sb.block_bits)};
      auto decoded = decode_stream_block(buf, expect);
      if (!decoded) {
        end.block = block;
        end.seq = seq;
        end.reason = decoded.status().message();
        break;
      }
      StreamBlock& b = *decoded;
      if (b.flags & kStreamHasDataCrc) {
        // The data was written with the block, before one flush: it must all be there.
        StreamDataCrc crc;
        std::vector<uint8_t> data(bs);
        for (const Extent& x : b.extents) {
          for (uint64_t i = 0; i < x.count; ++i) {
            TUX3_RETURN_IF_ERROR(dev.read((x.physical + i) << sb.block_bits, data)
                                     .with_context(fmt::format("stream {} data", s)));
            crc.add_block(data);
          }
        }
        if (crc.value() != b.data_crc) {
          end.block = block;
          end.seq = seq;
          end.reason = fmt::format("stream {} block {}: its data does not match data_crc {:#010x} "
                                   "(not all written before the crash)",
                                   s, block, b.data_crc);
          break;
        }
      }
      if (open && b.inum != pending.record.inum) {
        end.block = block;
        end.seq = seq;
        end.reason = fmt::format("stream {} block {}: continues an fsync of inode {} with inode {}",
                                 s, block, pending.record.inum, b.inum);
        break;
      }
      ++end.valid_blocks;
      if (!open) {
        pending = StreamFsync{s, b.seq, b.seq, {}, {}};
        pending.record = b;
        pending.record.extents.clear();
        open = true;
      }
      pending.blocks.push_back(block);
      pending.last_seq = b.seq;
      std::vector<Extent> extents = std::move(pending.record.extents);
      extents.insert(extents.end(), b.extents.begin(), b.extents.end());
      pending.record = b;
      pending.record.extents = std::move(extents);
      if (!(b.flags & kStreamContinued)) {
        out.fsyncs.push_back(std::move(pending));
        pending = {};
        open = false;
      }
      block = b.next;
      seq = b.seq + 1;
      end.block = block;
      end.seq = seq;
    }
    if (open) end.incomplete_blocks = pending.blocks.size();
    if (end.reason.empty()) end.reason = "chain too long";
    out.ends.push_back(std::move(end));
  }
  return out;
}

}  // namespace tux3
