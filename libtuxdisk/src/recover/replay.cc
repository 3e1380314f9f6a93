// replay.cc: replay for recovery tools (tuxdisk/replay.h).
//
// Replay of a state, in steps:
//   1. read both slots: the committed superblock is the newest valid one;
//   2. find the state asked for: the committed delta; a delta of its log chain (its ROOTS
//      record gives its roots, and its chain is a prefix of the committed one); or a delta
//      of the other slot's chain. An older state gets a superblock made from its ROOTS:
//      its delta, roots, counts, log head and count, no live streams;
//   3. open a read-only engine at it: the log rebuilds bnodes and bitmap, the streams'
//      fsyncs go on top (the committed state only, up to the limits), orphans are listed.
//      A failure here is damage: the newest state that does open is the last valid point;
//   4. an older state: check that what it uses is still there (the verifier, reading with
//      that delta as the newest, for metadata; for data blocks, which carry no header,
//      that each stayed allocated in every newer state and was never allocated again);
//   5. write: open the engine read-write at the same state, numbered after the committed
//      delta, with every block a newer durable state uses protected until the first delta
//      is durable, and close it: a unify marks the volume clean.
#include "tuxdisk/replay.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "delta/chain_replay.h"
#include "delta/stream_replay.h"
#include "fs/engine_start.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/superblock_io.h"
#include "tuxdisk/verify.h"
#include "tuxdisk/volume_reader.h"

namespace tux3 {

using namespace format;

namespace {

// Disjoint block ranges [start, end), merged as they are added.
class BlockRanges {
 public:
  void add(uint64_t start, uint64_t count) {
    if (count == 0) return;
    uint64_t end = start + count;
    auto it = ranges_.upper_bound(start);
    if (it != ranges_.begin()) {
      auto prev = std::prev(it);
      if (prev->second >= start) {
        start = prev->first;
        end = std::max(end, prev->second);
        it = ranges_.erase(prev);
      }
    }
    while (it != ranges_.end() && it->first <= end) {
      end = std::max(end, it->second);
      it = ranges_.erase(it);
    }
    ranges_[start] = end;
  }
  bool contains(uint64_t block) const {
    auto it = ranges_.upper_bound(block);
    return it != ranges_.begin() && std::prev(it)->second > block;
  }
  template <class F>
  void for_each_block(F f) const {
    for (auto [start, end] : ranges_) {
      for (uint64_t b = start; b < end; ++b) f(b);
    }
  }

 private:
  std::map<uint64_t, uint64_t> ranges_;
};

std::optional<Superblock> other_slot(const SlotPair& slots) {
  unsigned other = 1 - *slots.chosen;
  if (!slots.slots[other].is_ok()) return std::nullopt;
  return *slots.slots[other];
}

LogDamage damage_of(uint64_t delta, const Status& s) {
  return {delta, s.block(), s.message(), std::nullopt};
}

std::vector<LogDeltaInfo> delta_infos(const ChainReplay& chain) {
  std::vector<LogDeltaInfo> out;
  for (const LoggedDelta& d : chain.deltas) {
    LogDeltaInfo info{d.delta, d.unify, {}, d.record_count, d.roots};
    for (std::size_t b = d.first_block; b < d.first_block + d.block_count; ++b) {
      info.blocks.push_back(chain.chain[b]);
    }
    out.push_back(std::move(info));
  }
  return out;
}

// The superblock of delta `index` of `chain`, whose newest delta is `sb`'s.
Superblock state_of(const Superblock& sb, const ChainReplay& chain, std::size_t index) {
  const LoggedDelta& d = chain.deltas[index];
  if (index + 1 == chain.deltas.size()) return sb;
  Superblock out = sb;
  out.delta = d.delta;
  out.slot = unsigned(d.delta & 1);
  out.state = 0;
  out.itree = d.roots.itree;
  out.otree = d.roots.otree;
  out.inode_count = d.roots.inode_count;
  out.free_blocks = d.roots.free_blocks;
  out.commit_time = d.roots.commit_time;
  std::size_t end = d.first_block + d.block_count;
  out.log_head = chain.chain[end - 1];
  out.log_count = uint32_t(end);
  out.streams = {};
  out.feature_incompat &= ~kIncompatStreams;
  return out;
}

// Blocks allocated by the deltas of `chain` newer than `after`: the records that allocate,
// and the deltas' own log blocks.
void add_allocations_after(const ChainReplay& chain, uint64_t after, BlockRanges& out) {
  for (const LoggedDelta& d : chain.deltas) {
    if (d.delta <= after) continue;
    for (std::size_t b = d.first_block; b < d.first_block + d.block_count; ++b) {
      out.add(chain.chain[b], 1);
      for (const LogRecord& r : chain.blocks[b].records) {
        const auto& f = r.fields;
        switch (r.code) {
          case LogCode::kAlloc: out.add(f[0], f[1]); break;
          case LogCode::kLeafRedirect:
          case LogCode::kBnodeRedirect: out.add(f[1], 1); break;
          case LogCode::kBnodeNew: out.add(f[0], 1); break;
          case LogCode::kStreamReserve: out.add(f[1], 1); break;
          default: break;
        }
      }
    }
  }
}

StreamInfo stream_info(const StreamEnd& end, const Superblock& sb) {
  StreamInfo info;
  info.stream = end.stream;
  info.head = sb.streams[end.stream];
  info.end_block = end.block;
  info.end_seq = end.seq;
  info.end_reason = end.reason;
  info.incomplete_blocks = end.incomplete_blocks;
  return info;
}

// Where replay goes: the state, and what else is known about it.
struct Target {
  Superblock super;                // the state (delta = the state's delta)
  bool committed = true;           // the committed delta itself
  std::vector<LogDeltaInfo> deltas;
  std::vector<uint64_t> discarded;
  BlockRanges later_allocations;   // older states: allocated by newer deltas
  bool later_known = true;         // false: a newer delta's allocations are unknown
  std::vector<Superblock> newer;   // older states: newer states that must keep its blocks
};

class Replayer {
 public:
  Replayer(BlockDevice& dev, const ReplayOptions& opt) : dev_(dev), opt_(opt) {}

  // Steps 1 and 2. report.damage is set (and the Result is ok) when the state cannot be
  // reached.
  Result<Target> find_target(ReplayReport& report) {
    TUX3_ASSIGN_OR_RETURN(slots_, read_superblock(dev_));
    const Superblock committed = *slots_.slots[*slots_.chosen];
    report.committed = committed;
    uint64_t want = opt_.until_delta.value_or(committed.delta);
    report.target_delta = want;
    if (want > committed.delta) {
      return Status::invalid_argument(fmt::format(
          "delta {} is newer than the committed delta {}", want, committed.delta));
    }
    auto chain = read_chain(dev_, committed);
    if (!chain && chain.status().code() != Errc::kCorruption) return chain.status();
    std::optional<Superblock> other = other_slot(slots_);
    std::optional<ChainReplay> other_chain;
    if (other && other->delta < committed.delta) {
      auto c = read_chain(dev_, *other);
      if (c) other_chain = std::move(*c);
    }

    Target t;
    if (want == committed.delta) {
      if (!chain) {
        report.damage = damage_of(committed.delta, chain.status());
        report.damage->last_valid_delta = last_valid(committed);
        return t;
      }
      t.super = committed;
      t.deltas = delta_infos(*chain);
      return t;
    }

    // An older state.
    t.committed = false;
    auto find_in = [&](const ChainReplay& c) -> std::optional<std::size_t> {
      for (std::size_t i = 0; i < c.deltas.size(); ++i) {
        if (c.deltas[i].delta == want) return i;
      }
      return std::nullopt;
    };
    if (chain) {
      for (const LoggedDelta& d : chain->deltas) {
        if (d.delta > want) t.discarded.push_back(d.delta);
      }
    }
    if (chain && find_in(*chain)) {
      std::size_t i = *find_in(*chain);
      t.super = state_of(committed, *chain, i);
      t.deltas = delta_infos(*chain);
      t.deltas.resize(i + 1);
      add_allocations_after(*chain, want, t.later_allocations);
      t.newer.push_back(committed);
      return t;
    }
    if (other_chain && find_in(*other_chain)) {
      std::size_t i = *find_in(*other_chain);
      t.super = state_of(*other, *other_chain, i);
      t.deltas = delta_infos(*other_chain);
      t.deltas.resize(i + 1);
      add_allocations_after(*other_chain, want, t.later_allocations);
      for (const LoggedDelta& d : other_chain->deltas) {
        if (d.delta > want) t.discarded.push_back(d.delta);
      }
      if (chain) {
        // The committed chain starts after the other slot's (a unify began it): its
        // deltas allocate too, and the unify's own allocations are blocks free in the
        // other slot's state, which the other state must then keep.
        add_allocations_after(*chain, want, t.later_allocations);
        t.newer.push_back(*other);
        t.newer.push_back(committed);
      } else {
        t.later_known = false;  // the committed delta's log is unreadable
        t.newer.push_back(*other);
        t.discarded.push_back(committed.delta);
      }
      std::sort(t.discarded.begin(), t.discarded.end());
      t.discarded.erase(std::unique(t.discarded.begin(), t.discarded.end()), t.discarded.end());
      return t;
    }
    std::string held = !chain                  ? std::string("nothing readable")
                       : chain->deltas.empty() ? std::string("no delta (it is empty)")
                                               : fmt::format("deltas {} to {}",
                                                             chain->deltas.front().delta,
                                                             chain->deltas.back().delta);
    std::string other_held;
    if (other_chain && !other_chain->deltas.empty()) {
      other_held = fmt::format("; the other superblock slot's log, deltas {} to {}",
                               other_chain->deltas.front().delta, other_chain->deltas.back().delta);
    }
    return Status::invalid_argument(fmt::format("delta {} is not in the log: it holds {}{}", want,
                                                held, other_held));
  }

  // Step 3.
  Result<std::unique_ptr<Volume>> open_view(const Target& t, EngineReplayLog& log,
                                            const Superblock& super) {
    EngineStart start;
    start.super = super;
    start.apply_streams = t.committed && opt_.apply_streams;
    start.stream_limit = opt_.stream_limit;
    start.log = &log;
    VolumeOptions vo = opt_.engine;
    vo.read_only = true;
    return open_volume_at(dev_, vo, start);
  }

  // The last valid point below the state `newest` (whose log does not read or apply
  // whole): the newest older state whose log applies and whose metadata verifies. The
  // candidates, newest first: the deltas of newest's chain, the other slot, the deltas of
  // the other slot's chain. (Its data may still have been reused since: replaying to it
  // reports that.)
  std::optional<uint64_t> last_valid(const Superblock& newest) {
    auto usable = [&](const Superblock& sb) {
      Target older;
      older.committed = false;
      EngineReplayLog log;
      if (!open_view(older, log, sb)) return false;
      auto reader = VolumeReader::open_at(dev_, slots_, sb);
      if (!reader) return false;
      auto verified = verify_volume(**reader);
      return verified && verified->clean();
    };
    auto from_chain = [&](const Superblock& top, bool include_top) -> std::optional<uint64_t> {
      auto chain = read_chain(dev_, top);
      if (!chain) return std::nullopt;  // no state of this chain replays
      for (std::size_t i = chain->deltas.size(); i-- > 0;) {
        uint64_t d = chain->deltas[i].delta;
        if (d == top.delta && !include_top) continue;
        if (usable(state_of(top, *chain, i))) return d;
      }
      return std::nullopt;
    };
    if (auto d = from_chain(newest, false)) return d;
    std::optional<Superblock> other = other_slot(slots_);
    if (other && other->delta < newest.delta) return from_chain(*other, true);
    return std::nullopt;
  }

  // Step 4: problems with an older state's blocks.
  Status check_intact(const Target& t, ReplayReport& report) {
    auto reader = VolumeReader::open_at(dev_, slots_, t.super);
    if (!reader) {
      report.problems.push_back(reader.status().message());
      return Status::ok();
    }
    TUX3_ASSIGN_OR_RETURN(VerifyReport verify, verify_volume(**reader));
    for (const std::string& p : verify.problems) report.problems.push_back(p);

    // Every newer state, opened read-only, says which blocks it keeps allocated.
    std::vector<std::unique_ptr<Volume>> newer;
    for (const Superblock& sb : t.newer) {
      EngineStart start;
      start.super = sb;
      start.apply_streams = sb.delta == report.committed.delta;
      VolumeOptions vo = opt_.engine;
      vo.read_only = true;
      auto v = open_volume_at(dev_, vo, start);
      if (!v) {
        report.problems.push_back(fmt::format("the state of delta {} cannot be read to check "
                                              "delta {}'s blocks: {}", sb.delta, t.super.delta,
                                              v.status().message()));
        return Status::ok();
      }
      newer.push_back(std::move(*v));
    }
    if (!t.later_known) {
      report.problems.push_back(fmt::format(
          "the log of delta {} cannot be read: data blocks delta {} freed may have been reused",
          report.committed.delta, report.committed.delta));
    }
    auto intact = [&](uint64_t b) -> Result<bool> {
      if (t.later_allocations.contains(b)) return false;
      for (auto& v : newer) {
        TUX3_ASSIGN_OR_RETURN(bool used, engine_block_allocated(*v, b));
        if (!used) return false;
      }
      return true;
    };
    TreeVisitor visit;
    std::vector<std::pair<uint64_t, InodeRecord>> files;
    visit.on_leaf = [&](uint64_t, const LeafView& leaf, uint64_t, uint64_t) {
      for (std::size_t i = 0; i < leaf.size(); ++i) {
        auto inode = decode_inode(leaf.value(i), leaf.key(i));
        if (inode && leaf.key(i) != kInoBitmap &&
            (!inode->root.empty() || !inode->inline_extents.empty()) && !inode->is_dir()) {
          files.push_back({leaf.key(i), std::move(*inode)});
        }
      }
      return Status::ok();
    };
    Status walked = (*reader)->walk_tree(t.super.itree, kOwnerInodeTable, kMagicIleaf, visit);
    if (!walked) {
      report.problems.push_back(walked.message());
      return Status::ok();
    }
    for (const auto& [inum, rec] : files) {
      auto extents = (*reader)->file_extents(inum, rec);
      if (!extents) {
        report.problems.push_back(extents.status().message());
        continue;
      }
      uint64_t reused = 0, first = 0;
      for (const Extent& e : *extents) {
        if (e.flags & kExtentUnwritten) continue;
        for (uint64_t i = 0; i < e.count; ++i) {
          TUX3_ASSIGN_OR_RETURN(bool ok, intact(e.physical + i));
          if (!ok && reused++ == 0) first = e.logical + i;
        }
      }
      if (reused) {
        report.problems.push_back(fmt::format(
            "inode {}: {} data block{} (from logical block {}) may have been reused after "
            "delta {}", inum, reused, reused == 1 ? "" : "s", first, t.super.delta));
      }
    }
    return Status::ok();
  }

  // What a write must protect: blocks the committed state (with its streams) uses and the
  // target state does not, and the committed state's stream blocks.
  Result<std::vector<uint64_t>> protect_set(const Target& t, Volume& view) {
    std::vector<uint64_t> out;
    if (t.committed) return out;
    EngineStart start;
    start.super = slots_.slots[*slots_.chosen].value();
    VolumeOptions vo = opt_.engine;
    vo.read_only = true;
    EngineReplayLog log;
    start.log = &log;
    auto newest = open_volume_at(dev_, vo, start);
    if (!newest) return out;  // unreadable: nothing of it can be protected
    for (uint64_t b = first_data_block(t.super.block_bits); b < t.super.vol_blocks; ++b) {
      TUX3_ASSIGN_OR_RETURN(bool in_newest, engine_block_allocated(**newest, b));
      if (!in_newest) continue;
      TUX3_ASSIGN_OR_RETURN(bool in_target, engine_block_allocated(view, b));
      if (!in_target) out.push_back(b);
    }
    for (const StreamFsyncOutcome& f : log.fsyncs) {
      out.insert(out.end(), f.fsync.blocks.begin(), f.fsync.blocks.end());
    }
    for (const StreamEnd& e : log.stream_ends) {
      if (e.block) out.push_back(e.block);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  const SlotPair& slots() const { return slots_; }

 private:
  BlockDevice& dev_;
  const ReplayOptions& opt_;
  SlotPair slots_;
};

void fill_from_log(const EngineReplayLog& log, const Superblock& sb, ReplayReport& report) {
  report.log_blocks = log.log_blocks;
  report.log_records = log.records;
  report.records_by_code = log.records_by_code;
  for (const StreamFsyncOutcome& o : log.fsyncs) {
    report.fsyncs.push_back({o.fsync.stream, o.fsync.first_seq, o.fsync.last_seq, o.fsync.blocks,
                             o.fsync.record, o.applied, o.not_applied});
  }
  for (const StreamEnd& e : log.stream_ends) report.streams.push_back(stream_info(e, sb));
  report.orphans = log.orphans;
}

bool discards(const ReplayOptions& opt, const ReplayReport& report) {
  if (!report.discarded.empty()) return true;
  for (const FsyncReplayInfo& f : report.fsyncs) {
    if (!f.applied && (!opt.apply_streams || opt.stream_limit.count(f.stream))) return true;
  }
  return false;
}

// Steps 1-4, shared by replay_volume and open_state. `view` is the read-only engine at the
// state, unless the report has damage.
Result<std::unique_ptr<Volume>> replay_into(Replayer& r, ReplayReport& report, Target& target) {
  TUX3_ASSIGN_OR_RETURN(target, r.find_target(report));
  if (report.damage) return std::unique_ptr<Volume>();
  report.deltas = target.deltas;
  report.discarded = target.discarded;
  EngineReplayLog log;
  auto view = r.open_view(target, log, target.super);
  if (!view) {
    if (view.status().code() != Errc::kCorruption) return view.status();
    report.damage = damage_of(target.super.delta, view.status());
    report.damage->log_intact = target.committed;  // find_target read its chain whole
    if (!target.committed) {
      report.damage->reason = fmt::format("the state of delta {} no longer reads whole (a later "
                                          "delta may have reused its blocks): {}",
                                          target.super.delta, report.damage->reason);
    }
    report.damage->last_valid_delta = r.last_valid(target.super);
    return std::unique_ptr<Volume>();
  }
  fill_from_log(log, target.super, report);
  VolumeStatFs fs = (*view)->statfs();
  report.free_blocks = fs.free_blocks;
  report.inodes = fs.inodes - fs.free_inodes;
  if (!target.committed) {
    TUX3_RETURN_IF_ERROR(r.check_intact(target, report));
    report.intact = report.problems.empty();
  }
  const Superblock& c = report.committed;
  report.clean = target.committed && (c.state & kStateClean) && !has_live_streams(c) &&
                 c.otree.empty() && report.orphans.empty();
  return std::move(*view);
}

}  // namespace

Result<std::unique_ptr<Volume>> open_state(BlockDevice& device, const ReplayOptions& options,
                                           ReplayReport* report) {
  ReplayReport local;
  ReplayReport& out = report ? *report : local;
  Replayer r(device, options);
  Target target;
  TUX3_ASSIGN_OR_RETURN(auto view, replay_into(r, out, target));
  if (out.damage) {
    return Status::corruption(fmt::format("delta {}: {}", out.damage->delta, out.damage->reason));
  }
  return view;
}

Result<ReplayReport> replay_volume(BlockDevice& device, const ReplayOptions& options) {
  ReplayReport report;
  Replayer r(device, options);
  Target target;
  TUX3_ASSIGN_OR_RETURN(auto view, replay_into(r, report, target));
  if (report.damage || report.clean || options.dry_run) return report;
  if (discards(options, report) && !options.force) {
    const auto& d = report.discarded;
    std::string what = d.empty()             ? std::string("fsyncs the streams hold")
                       : d.size() == 1       ? fmt::format("committed delta {}", d.front())
                                             : fmt::format("committed deltas {} to {}", d.front(),
                                                           d.back());
    return Status::invalid_argument(fmt::format("writing this state discards {}: give --force "
                                                "to write it", what));
  }

  // Step 5.
  EngineStart start;
  start.super = target.super;
  start.apply_streams = target.committed && options.apply_streams;
  start.stream_limit = options.stream_limit;
  TUX3_ASSIGN_OR_RETURN(start.protect, r.protect_set(target, *view));
  view.reset();
  // An older state is numbered as the committed delta, so the new state supersedes it.
  if (!target.committed) start.renumber = report.committed.delta;
  VolumeOptions vo = options.engine;
  vo.read_only = false;
  TUX3_ASSIGN_OR_RETURN(auto vol, open_volume_at(device, vo, start));
  TUX3_RETURN_IF_ERROR(vol->close().with_context("writing the replayed state"));
  report.wrote = true;
  report.written_delta = vol->super().delta;
  return report;
}

Result<LogListing> list_log(BlockDevice& device) {
  LogListing out;
  TUX3_ASSIGN_OR_RETURN(out.slots, read_superblock(device));
  out.super = *out.slots.slots[*out.slots.chosen];
  const Superblock& sb = out.super;
  auto chain = read_chain(device, sb);
  if (!chain && chain.status().code() != Errc::kCorruption) return chain.status();
  if (chain) {
    for (std::size_t b = 0; b < chain->blocks.size(); ++b) {
      const LogBlock& lb = chain->blocks[b];
      out.blocks.push_back({chain->chain[b], lb.header.delta, lb.prev, lb.records});
    }
    out.deltas = delta_infos(*chain);
  } else {
    out.damage = damage_of(sb.delta, chain.status());
    // What can be read: the chain from its head back to the damage, newest first.
    std::vector<uint8_t> buf(sb.block_size());
    uint64_t block = sb.log_head;
    for (uint32_t i = 0; i < sb.log_count && block != 0 && block < sb.vol_blocks; ++i) {
      if (!device.read(block << sb.block_bits, buf)) break;
      auto lb = decode_log_block(buf, {kMagicLog, block, sb.uuid, sb.delta}, sb.vol_blocks);
      if (!lb) break;
      out.blocks.insert(out.blocks.begin(), {block, lb->header.delta, lb->prev, lb->records});
      block = lb->prev;
    }
    ReplayOptions none;
    Replayer r(device, none);
    ReplayReport ignored;
    if (r.find_target(ignored).is_ok() && ignored.damage) {
      out.damage->last_valid_delta = ignored.damage->last_valid_delta;
    }
  }
  if (!has_live_streams(sb)) return out;
  TUX3_ASSIGN_OR_RETURN(StreamReplay streams, read_streams(device, sb));
  std::vector<uint8_t> buf(sb.block_size());
  for (const StreamEnd& end : streams.ends) {
    StreamInfo info = stream_info(end, sb);
    // The valid blocks, again one by one (read_streams merged each fsync's blocks).
    uint64_t block = info.head.block, seq = info.head.seq;
    for (uint64_t n = 0; n < end.valid_blocks; ++n) {
      TUX3_RETURN_IF_ERROR(device.read(block << sb.block_bits, buf));
      StreamExpect expect{{kMagicStream, block, sb.uuid, info.head.delta}, end.stream, seq,
                          sb.vol_blocks, first_data_block(sb.block_bits)};
      auto decoded = decode_stream_block(buf, expect);
      if (!decoded) break;  // cannot happen: read_streams counted it valid
      info.blocks.push_back({block, *decoded});
      block = decoded->next;
      seq = decoded->seq + 1;
    }
    out.streams.push_back(std::move(info));
  }
  return out;
}

}  // namespace tux3
