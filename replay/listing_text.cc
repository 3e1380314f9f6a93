// listing_text.cc: tux3-replay --print: the superblocks, the log chain and the fsync
// streams as text, like a log dump: every block, every record with its field names.
#include <map>

#include <fmt/format.h>

#include "names.h"
#include "output.h"

namespace tux3::replay {

using namespace format;

namespace {

void print_superblock(unsigned slot, const Result<Superblock>& read, bool committed) {
  if (!read) {
    fmt::print("superblock slot {}: invalid: {}\n", slot, read.status().message());
    return;
  }
  const Superblock& sb = *read;
  fmt::print("superblock slot {}: delta {}{}\n", slot, sb.delta, committed ? ", committed" : "");
  fmt::print("  uuid {}, label '{}', version {}, block size {}, {} blocks\n",
             uuid_to_string(sb.uuid), sb.label, sb.version, sb.block_size(), sb.vol_blocks);
  fmt::print("  state {}, features compat {:#x} ro_compat {:#x} incompat {}\n",
             join(state_names(sb.state), ","), sb.feature_compat, sb.feature_ro_compat,
             join(incompat_names(sb.feature_incompat), ","));
  fmt::print("  free_blocks {}, inode_count {}, next_inum {}, next_block {}\n", sb.free_blocks,
             sb.inode_count, sb.next_inum, sb.next_block);
  fmt::print("  itree {} depth {}, otree {} depth {}\n", sb.itree.block, sb.itree.depth,
             sb.otree.block, sb.otree.depth);
  fmt::print("  log_head {}, log_count {}, unify_delta {}\n", sb.log_head, sb.log_count,
             sb.unify_delta);
  fmt::print("  created {}, committed {}\n", timestamp_text(sb.create_time),
             timestamp_text(sb.commit_time));
  fmt::print("  fsync_mode {}, stream_count {}\n", fsync_mode_name(sb.fsync_mode),
             sb.stream_count);
  for (std::size_t i = 0; i < sb.streams.size(); ++i) {
    const StreamHead& h = sb.streams[i];
    if (h.block) {
      fmt::print("  stream {}: block {}, seq {}, tag delta {}\n", i, h.block, h.seq, h.delta);
    }
  }
}

std::string record_text(const LogRecord& r) {
  std::string out = record_name(r);
  for (const auto& [name, value] : record_fields(r)) {
    if (field_is_signed(name)) {
      out += fmt::format(" {}={}", name, int64_t(value));
    } else {
      out += fmt::format(" {}={}", name, value);
    }
  }
  return out;
}

void print_delta_header(uint64_t delta, const LogDeltaInfo* info) {
  if (!info) {
    fmt::print("delta {}:\n", delta);
    return;
  }
  std::vector<std::string> blocks;
  for (uint64_t b : info->blocks) blocks.push_back(fmt::format("{}", b));
  const DeltaRoots& r = info->roots;
  fmt::print("delta {}{}: {} block{} ({}), {} records\n", delta, info->unify ? " (unify)" : "",
             blocks.size(), blocks.size() == 1 ? "" : "s", join(blocks, " "), info->records);
  fmt::print("  roots: itree {} depth {}, otree {} depth {}, {} inodes, {} free blocks, "
             "committed {}\n", r.itree.block, r.itree.depth, r.otree.block, r.otree.depth,
             r.inode_count, r.free_blocks, timestamp_text(r.commit_time));
}

void print_stream(const StreamInfo& s) {
  fmt::print("stream {}: head block {}, seq {}, tag delta {}, {} valid block{}\n", s.stream,
             s.head.block, s.head.seq, s.head.delta, s.blocks.size(),
             s.blocks.size() == 1 ? "" : "s");
  for (const StreamBlockInfo& info : s.blocks) {
    const StreamBlock& b = info.decoded;
    fmt::print("  block {}: seq {}, inode {}, flags {}, size {}, mtime {}, ctime {}, mode {}, "
               "data_crc {:#010x}, {} extent{}, next {}\n",
               info.block, b.seq, b.inum, join(stream_flag_names(b.flags), "|"), b.size,
               timestamp_text(b.mtime), timestamp_text(b.ctime), mode_text(b.mode), b.data_crc,
               b.extents.size(), b.extents.size() == 1 ? "" : "s", b.next);
    for (const Extent& e : b.extents) {
      fmt::print("    extent logical {}, physical {}, count {}, flags {}\n", e.logical,
                 e.physical, e.count, join(extent_flag_names(e.flags), "|"));
    }
  }
  fmt::print("  end: block {} (seq {}): {}\n", s.end_block, s.end_seq, s.end_reason);
  if (s.incomplete_blocks) {
    fmt::print("  {} block{} of an unfinished fsync before the end, not applied\n",
               s.incomplete_blocks, s.incomplete_blocks == 1 ? "" : "s");
  }
}

}  // namespace

void print_listing_text(const LogListing& listing, const std::string& device) {
  fmt::print("volume: {}, committed delta {}\n", device, listing.super.delta);
  for (unsigned i = 0; i < 2; ++i) {
    print_superblock(i, listing.slots.slots[i], listing.slots.chosen == i);
  }

  const Superblock& sb = listing.super;
  fmt::print("log: {} block{} from head {}, {} delta{}{}\n", sb.log_count,
             sb.log_count == 1 ? "" : "s", sb.log_head, listing.deltas.size(),
             listing.deltas.size() == 1 ? "" : "s",
             listing.damage ? fmt::format(" readable; {} block{} read before the damage",
                                          listing.blocks.size(),
                                          listing.blocks.size() == 1 ? "" : "s")
                            : std::string());
  std::map<uint64_t, const LogDeltaInfo*> deltas;
  for (const LogDeltaInfo& d : listing.deltas) deltas[d.delta] = &d;
  bool first = true;
  uint64_t current = 0;
  for (const LogBlockInfo& b : listing.blocks) {
    if (first || b.delta != current) {
      auto it = deltas.find(b.delta);
      print_delta_header(b.delta, it == deltas.end() ? nullptr : it->second);
      current = b.delta;
      first = false;
    }
    fmt::print("  block {}: delta {}, prev {}, {} record{}\n", b.block, b.delta, b.prev,
               b.records.size(), b.records.size() == 1 ? "" : "s");
    for (const LogRecord& r : b.records) fmt::print("    {}\n", record_text(r));
  }
  if (listing.damage) {
    const LogDamage& d = *listing.damage;
    fmt::print("damage: delta {}{}: {}\n", d.delta,
               d.block ? fmt::format(", block {}", *d.block) : std::string(), d.reason);
  }

  if (listing.streams.empty()) fmt::print("streams: none live\n");
  for (const StreamInfo& s : listing.streams) print_stream(s);
}

}  // namespace tux3::replay
