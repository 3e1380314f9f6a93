// checker.cc: recovering and judging every crash state of a recording (checker.h).
#include "checker.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "oracle.h"
#include "tuxdisk/check.h"
#include "tuxdisk/overlay_device.h"
#include "tuxdisk/replay.h"

namespace tux3::crash {

namespace {

ReplayOptions replay_options(const Recording& rec) {
  ReplayOptions o;
  o.engine = rec.options;
  o.engine.deterministic_deltas = true;
  return o;
}

// O2: fsck's check (read-only, forced) finds nothing.
std::string check_clean(BlockDevice& dev) {
  tux3::CheckOptions o;  // fsck's, not the crash checker's
  o.force = true;
  auto report = check_volume(dev, o);
  if (!report) return "fsck: " + report.status().to_string();
  for (const Problem& p : report->problems) {
    return fmt::format("fsck: {} {}: {}", problem_label(p.code), problem_info(p.code).id, p.detail);
  }
  return {};
}

Result<std::vector<Tree>> snapshots(const Recording& rec, BlockDevice& dev) {
  VolumeOptions vo = rec.options;
  vo.read_only = true;
  TUX3_ASSIGN_OR_RETURN(auto vol, Volume::open(dev, vo));
  std::vector<Tree> out;
  for (const ThreadRecord& t : rec.threads) {
    TUX3_ASSIGN_OR_RETURN(Tree tree, snapshot(*vol, t.root));
    out.push_back(std::move(tree));
  }
  return out;
}

void count(const ReplayReport& r, Coverage& c) {
  for (std::size_t i = 0; i < c.records.size(); ++i) c.records[i] += r.records_by_code[i];
  for (const FsyncReplayInfo& f : r.fsyncs) {
    if (!f.applied) continue;
    ++c.fsyncs_applied;
    if (f.blocks.size() > 1) {
      ++c.continued_fsyncs;
      c.stream_flags[15]++;
    }
    for (unsigned bit = 0; bit < 15; ++bit) {
      if (f.record.flags & (1u << bit)) c.stream_flags[bit]++;
    }
  }
  c.orphans += r.orphans.size();
}

// O1 and O3: replay, then replay again. Returns "" or what failed; `report` is the first.
std::string replay_twice(const Recording& rec, OverlayDevice& dev, ReplayReport& report) {
  auto first = replay_volume(dev, replay_options(rec));
  if (!first) return "replay: " + first.status().to_string();
  report = std::move(*first);
  if (report.damage) {
    return fmt::format("replay: damaged at delta {} (block {}): {}", report.damage->delta,
                       report.damage->block.value_or(0), report.damage->reason);
  }
  if (!report.wrote && !report.clean) return "replay wrote nothing for a volume that needs it";
  uint64_t writes = dev.write_count();
  auto second = replay_volume(dev, replay_options(rec));
  if (!second) return "second replay: " + second.status().to_string();
  if (!second->clean || second->wrote || dev.write_count() != writes) {
    return "second replay changed the volume: replay is not idempotent";
  }
  return {};
}

class Checker {
 public:
  Checker(const Recording& rec, const CheckOptions& opt, CheckResult& out)
      : rec_(rec), opt_(opt), out_(out) {}

  void run() {
    CrashStates states(rec_.events, opt_.states);
    CrashImages images(states, *rec_.start);
    std::vector<CrashState> g5_candidates;
    states.for_each([&](const CrashState& state) {
      auto marks = states.marks_before(state);
      const std::string& from = rec_.workload.check_from_mark;
      if (std::find(marks.begin(), marks.end(), from) == marks.end()) return true;
      auto image = images.open(state);
      if (!image) {
        fail(state.name(), "building the image: " + image.status().to_string(), nullptr);
        return true;
      }
      ++out_.states;
      std::string why = judge_state(**image, marks);
      if (!why.empty()) {
        fail(state.name(), why, &state);
      } else if (state.kind == CrashKind::kEnd || state.kind == CrashKind::kBarrier) {
        g5_candidates.push_back(state);
      }
      return true;
    });
    // G5 on the chosen states: the end first, then barriers from the last back.
    std::reverse(g5_candidates.begin(), g5_candidates.end());
    for (std::size_t i = 0; i < g5_candidates.size() && i < opt_.g5_states; ++i) {
      crash_replay(states, g5_candidates[i]);
    }
  }

 private:
  std::string judge_state(OverlayDevice& dev, const std::vector<std::string>& marks) {
    ReplayReport report;
    if (std::string why = replay_twice(rec_, dev, report); !why.empty()) return why;
    count(report, out_.coverage);
    if (std::string why = check_clean(dev); !why.empty()) return why;
    auto trees = snapshots(rec_, dev);
    if (!trees) return "reading the recovered volume: " + trees.status().to_string();
    CrashPoint point = crash_point(rec_, marks, report.committed.delta);
    return judge(rec_, point, *trees);
  }

  // O7: replay's own writes, crashed at every point, then replayed again.
  void crash_replay(const CrashStates& states, const CrashState& state) {
    OverlayDevice crashed(*rec_.start);
    if (!states.apply(state, crashed)) return;
    OverlayDevice whole(crashed);
    TraceDevice trace(whole);
    ReplayReport report;
    auto first = replay_volume(trace, replay_options(rec_));
    if (!first || first->damage) return;  // judged (and failed) above already
    auto done = snapshots(rec_, whole);
    if (!done) return;
    std::vector<TraceEvent> events = trace.events();
    CrashStates replay_states(events, opt_.g5);
    replay_states.for_each([&](const CrashState& s) {
      OverlayDevice again(crashed);
      if (!replay_states.apply(s, again)) return true;
      ++out_.g5_states;
      std::string name = fmt::format("{}, then replay crashed at {}", state.name(), s.name());
      ReplayReport r;
      std::string why = replay_twice(rec_, again, r);
      if (why.empty()) why = check_clean(again);
      if (why.empty()) {
        auto trees = snapshots(rec_, again);
        if (!trees) {
          why = "reading the recovered volume: " + trees.status().to_string();
        } else if (*trees != *done) {
          for (std::size_t t = 0; t < trees->size() && why.empty(); ++t) {
            why = "O7: an interrupted replay ends elsewhere: " +
                  first_difference((*trees)[t], (*done)[t]);
          }
        }
      }
      if (!why.empty()) fail(name, why, &state);
      return true;
    });
  }

  void fail(const std::string& state, const std::string& why, const CrashState* crash) {
    std::string line = fmt::format("{}: {}: {}", rec_.workload.name, state, why);
    out_.failures.push_back(line);
    if (!crash || opt_.save_dir.empty() || saved_ >= opt_.save_limit) return;
    ++saved_;
    save(state, why, *crash);
  }

  void save(const std::string& state, const std::string& why, const CrashState& crash) {
    std::error_code ec;
    std::filesystem::create_directories(opt_.save_dir, ec);
    std::string base = rec_.workload.name;
    for (char& c : base) {
      if (!isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
    }
    base = fmt::format("{}/{}-{}", opt_.save_dir, base, crash.cut);
    CrashStates states(rec_.events, opt_.states);
    OverlayDevice image(*rec_.start);
    std::vector<uint8_t> bytes;
    if (!states.apply(crash, image) || !image.read_image(bytes)) return;
    std::ofstream(base + ".img", std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    std::ofstream txt(base + ".txt");
    txt << "workload: " << rec_.workload.name << "\n"
        << "crash state: " << state << "\n"
        << "failure: " << why << "\n"
        << "marks before the crash:";
    for (const std::string& m : states.marks_before(crash)) txt << " [" << m << "]";
    txt << "\n\n" << describe(rec_.workload) << "\n"
        << "The image is the volume as the crash left it (before any replay).\n"
        << "Look at it:   tux3-replay --print " << base << ".img\n"
        << "Replay it:    tux3-replay -n -v " << base << ".img\n"
        << "Run the workload alone: TUX3_CRASH_ONLY='" << rec_.workload.name
        << "' tux3_crash_tests\n";
  }

  const Recording& rec_;
  const CheckOptions& opt_;
  CheckResult& out_;
  unsigned saved_ = 0;
};

}  // namespace

void Coverage::add(const Coverage& o) {
  for (std::size_t i = 0; i < records.size(); ++i) records[i] += o.records[i];
  for (std::size_t i = 0; i < stream_flags.size(); ++i) stream_flags[i] += o.stream_flags[i];
  fsyncs_applied += o.fsyncs_applied;
  continued_fsyncs += o.continued_fsyncs;
  orphans += o.orphans;
}

void CheckResult::add(const CheckResult& o) {
  states += o.states;
  g5_states += o.g5_states;
  failures.insert(failures.end(), o.failures.begin(), o.failures.end());
  coverage.add(o.coverage);
}

std::string describe(const Workload& w) {
  std::string out = fmt::format("fsync mode {}, {} byte volume, {}-byte blocks, seed {}\n",
                                w.fsync_mode == format::FsyncMode::kStream ? "stream" : "delta",
                                w.volume_bytes, 1u << w.block_bits, w.seed);
  if (!w.setup.empty()) out += "setup (made durable first):\n" + w.setup + "\n";
  for (std::size_t t = 0; t < w.scripts.size(); ++t) {
    out += fmt::format("script{}:\n{}\n", w.scripts.size() > 1 ? fmt::format(" {}", t) : "",
                       w.scripts[t]);
  }
  return out;
}

void check_recording(const Recording& rec, const CheckOptions& options, CheckResult& out) {
  Checker(rec, options, out).run();
}

}  // namespace tux3::crash
