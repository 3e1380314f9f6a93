// check.cc: a whole check (tuxdisk/check.h): pass 0 (superblock), pass 1 (the log and
// streams, through the shared replay), passes 2-8 (context.h), then the repairs.
//
// Steps:
//   1. read both slots; a clean volume without problems in them is skipped unless forced;
//   2. replay: in memory for -n, else written first, as recovery would (a damaged log is
//      a problem whose fix rolls back to the last valid point; declined, the check stops;
//      a sound log whose edits do not apply to damaged blocks is replayed tolerantly, in
//      memory, and the repairs replay it with them);
//   3. passes 2-8 on the state replay leaves, collecting problems and the repairs for them;
//   4. decide which repairs to make (the mode, or the person asked); preen makes none when
//      some error needs a person, as e2fsck -p stops for one;
//   5. write them (carry_out.cc) as one delta, then check again, read-only: anything found
//      then is an error left.
#include <fmt/format.h>

#include "delta/stream_replay.h"
#include "recover/check/carry_out.h"
#include "recover/check/context.h"
#include "tuxdisk/check.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/replay.h"
#include "tuxdisk/superblock_io.h"

namespace tux3 {

using namespace format;
using check::Context;
using check::Repair;

namespace {

VolumeOptions engine_options() {
  VolumeOptions o;
  o.delta_interval_ms = 1u << 30;
  o.io_threads = 0;
  return o;
}

bool needs_replay(const Superblock& sb) {
  return !(sb.state & kStateClean) || has_live_streams(sb) || !sb.otree.empty();
}

// Pass 0. Returns the problems found (their repairs are added once the passes run).
std::vector<std::size_t> check_slots(const SlotPair& slots, CheckReport& report) {
  std::vector<std::size_t> found;
  unsigned chosen = *slots.chosen;
  const Superblock& sb = *slots.slots[chosen];
  const auto& other = slots.slots[1 - chosen];
  auto add = [&](ProblemCode code, std::string detail) {
    report.problems.push_back({code, std::move(detail), 0, 0, Problem::Outcome::kReported});
    found.push_back(report.problems.size() - 1);
  };
  if (!other && other.status().code() != Errc::kNotFound && !needs_replay(sb)) {
    // Right after a crash a torn newer slot is normal (replay writes over it); on a clean
    // volume it is damage.
    add(ProblemCode::kSlotUnreadable, fmt::format("slot {}: {}", 1 - chosen, other.status().message()));
  }
  if (other && (other->uuid != sb.uuid || other->block_bits != sb.block_bits ||
                other->vol_blocks != sb.vol_blocks)) {
    add(ProblemCode::kSlotsDisagree,
        fmt::format("slot {} (delta {}) and slot {} (delta {}) differ in UUID, block size or "
                    "volume size", chosen, sb.delta, 1 - chosen, other->delta));
  }
  return found;
}

bool decide(const ProblemInfo& info, const Problem& p, const CheckOptions& opt, bool& all,
            bool& cancel) {
  switch (opt.mode) {
    case CheckMode::kReadOnly: return false;
    case CheckMode::kPreen: return info.preen;
    case CheckMode::kRepair: return true;
    case CheckMode::kAsk:
      if (all) return true;
      if (!opt.ask) return false;
      switch (opt.ask(p, info)) {
        case Answer::kYes: return true;
        case Answer::kNo: return false;
        case Answer::kYesToAll: all = true; return true;
        case Answer::kCancel: cancel = true; return false;
      }
  }
  return false;
}

}  // namespace

Result<CheckReport> check_volume(BlockDevice& dev, const CheckOptions& opt) {
  CheckReport report;
  const bool writing = opt.mode != CheckMode::kReadOnly;
  if (opt.progress) opt.progress({CheckPass::kSuperblock, 0, 1});
  TUX3_ASSIGN_OR_RETURN(SlotPair slots, read_superblock(dev));
  const Superblock committed = *slots.slots[*slots.chosen];
  report.committed_delta = committed.delta;
  report.vol_blocks = committed.vol_blocks;
  std::vector<std::size_t> slot_problems = check_slots(slots, report);
  if (!opt.force && !needs_replay(committed) && slot_problems.empty()) {
    report.skipped = true;
    report.inodes = committed.inode_count;
    report.free_blocks = committed.free_blocks;
    return report;
  }

  // Pass 1: the log and the streams.
  if (opt.progress) opt.progress({CheckPass::kLog, 0, 1});
  std::optional<std::size_t> pending_replay;  // kLogDoesNotApply's problem
  ReplayOptions ro;
  ro.dry_run = !writing;
  ro.engine = engine_options();
  TUX3_ASSIGN_OR_RETURN(ReplayReport replay, replay_volume(dev, ro));
  // The log itself may be sound while what it edits is not (a bitmap block, a tree node):
  // then the passes check the state with those edits skipped, and the repairs rebuild it.
  if (replay.damage && replay.damage->log_intact) {
    std::size_t p = report.problems.size();
    report.problems.push_back({ProblemCode::kLogDoesNotApply,
                               fmt::format("delta {}: {}", replay.damage->delta,
                                           replay.damage->reason),
                               0, replay.damage->block.value_or(0), Problem::Outcome::kReported});
    replay.damage.reset();
    pending_replay = p;
  } else if (replay.damage) {
    const LogDamage& d = *replay.damage;
    std::string detail = fmt::format("delta {}{}: {}; ", d.delta,
                                     d.block ? fmt::format(", block {}", *d.block) : std::string(),
                                     d.reason);
    detail += d.last_valid_delta ? fmt::format("the last valid point is delta {}", *d.last_valid_delta)
                                 : std::string("no older state replays");
    report.problems.push_back({ProblemCode::kLogDamaged, detail, 0, d.block.value_or(0),
                               Problem::Outcome::kReported});
    Problem& p = report.problems.back();
    bool all = false, cancel = false;
    bool yes = d.last_valid_delta && decide(problem_info(p.code), p, opt, all, cancel);
    if (cancel) {
      report.cancelled = true;
      return report;
    }
    if (!yes) {
      // Declined only when there was a choice: with no valid point, nothing could be done.
      if (writing && d.last_valid_delta) p.outcome = Problem::Outcome::kDeclined;
      report.aborted = true;
      return report;
    }
    ReplayOptions back = ro;
    back.until_delta = d.last_valid_delta;
    back.force = true;
    TUX3_ASSIGN_OR_RETURN(ReplayReport rolled, replay_volume(dev, back));
    if (rolled.damage || !rolled.wrote) {
      report.aborted = true;
      return report;
    }
    report.problems[report.problems.size() - 1].outcome = Problem::Outcome::kFixed;
    report.replayed = true;
    report.written_delta = rolled.written_delta;
  } else if (!pending_replay) {
    for (const FsyncReplayInfo& f : replay.fsyncs) {
      if (f.applied || f.not_applied.starts_with("after a record")) continue;
      report.problems.push_back(
          {ProblemCode::kStreamRecordRejected,
           fmt::format("stream {} seq {} (inode {}): {}", f.stream, f.first_seq, f.record.inum,
                       f.not_applied),
           f.record.inum, f.blocks.empty() ? 0 : f.blocks.front(),
           writing ? Problem::Outcome::kFixed : Problem::Outcome::kReported});
    }
    if (replay.needed()) {
      report.problems.push_back(
          {ProblemCode::kLogNotReplayed,
           fmt::format("delta {}: {} log records, {} fsyncs, {} orphans to apply",
                       replay.committed.delta, replay.log_records, replay.fsyncs.size(),
                       replay.orphans.size()),
           0, 0, writing ? Problem::Outcome::kFixed : Problem::Outcome::kReported});
      if (writing) {
        report.replayed = true;
        report.written_delta = replay.written_delta;
      }
    }
  }

  // Passes 2-8, on the state replay leaves (in memory for -n: streams are not applied).
  TUX3_ASSIGN_OR_RETURN(auto reader, VolumeReader::open(dev, true, pending_replay.has_value()));
  Context c(dev, *reader, opt, report);
  for (std::size_t p : slot_problems) c.repair(fix(Repair::Kind::kRewriteSuper, p));
  if (pending_replay) c.repair(fix(Repair::Kind::kReplayLog, *pending_replay));
  TUX3_RETURN_IF_ERROR(check::check_inode_table(c));
  TUX3_RETURN_IF_ERROR(check::check_files(c));
  TUX3_RETURN_IF_ERROR(check::check_directories(c));
  TUX3_RETURN_IF_ERROR(check::check_connectivity(c));
  TUX3_RETURN_IF_ERROR(check::check_links(c));
  TUX3_RETURN_IF_ERROR(check::check_orphans(c));
  TUX3_RETURN_IF_ERROR(check::check_allocation(c));
  report.peak_state_bytes = c.state_bytes();
  if (!writing || c.repairs.empty()) return report;

  // Which repairs to make.
  std::vector<int> verdict(report.problems.size(), -1);  // -1 undecided, 0 no, 1 yes
  bool preen_stops = false;
  if (opt.mode == CheckMode::kPreen) {
    for (const Repair& r : c.repairs) {
      if (!problem_info(report.problems[r.problem].code).preen) preen_stops = true;
    }
  }
  bool all = false, cancel = false;
  for (const Repair& r : c.repairs) {
    int& v = verdict[r.problem];
    if (v >= 0) continue;
    const Problem& p = report.problems[r.problem];
    v = !preen_stops && decide(problem_info(p.code), p, opt, all, cancel);
    if (cancel) {
      report.cancelled = true;
      return report;
    }
  }
  std::vector<const Repair*> accepted;
  for (const Repair& r : c.repairs) {
    if (verdict[r.problem] == 1) accepted.push_back(&r);
  }
  for (std::size_t i = 0; i < verdict.size(); ++i) {
    if (verdict[i] == 0) report.problems[i].outcome = Problem::Outcome::kDeclined;
  }
  if (accepted.empty()) return report;
  TUX3_ASSIGN_OR_RETURN(report.written_delta, check::carry_out(c, accepted, engine_options()));
  for (std::size_t i = 0; i < verdict.size(); ++i) {
    if (verdict[i] == 1) report.problems[i].outcome = Problem::Outcome::kFixed;
  }

  // Check again: whatever is found now was not fixed.
  CheckOptions again;
  again.force = true;
  TUX3_ASSIGN_OR_RETURN(CheckReport after, check_volume(dev, again));
  auto declined = [&](const Problem& p) {
    for (const Problem& q : report.problems) {
      if (q.outcome == Problem::Outcome::kDeclined && q.code == p.code && q.inode == p.inode &&
          q.block == p.block) {
        return true;
      }
    }
    return false;
  };
  for (Problem& p : after.problems) {
    if (problem_info(p.code).severity != Severity::kError) continue;
    if (declined(p)) continue;  // left as it was, by choice: reported once already
    p.detail = "after the repairs: " + p.detail;
    p.outcome = Problem::Outcome::kReported;
    report.problems.push_back(std::move(p));
  }
  return report;
}

}  // namespace tux3
