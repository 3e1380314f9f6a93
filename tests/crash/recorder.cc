// recorder.cc: recording a workload (recorder.h).
#include "recorder.h"

#include <atomic>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "script.h"
#include "tuxdisk/mkfs.h"
#include "tuxdisk/overlay_device.h"

namespace tux3::crash {

namespace {

constexpr format::Uuid kUuid = {0x74, 0x75, 0x78, 0x33, 0x63, 0x72, 0x61, 0x73,
                                0x68, 0x74, 0x65, 0x73, 0x74, 0x00, 0x00, 0x01};
constexpr int64_t kEpoch = 1700000000;

// A clock that moves one microsecond a call: times differ, runs repeat.
std::function<format::Timestamp()> test_clock() {
  auto ticks = std::make_shared<std::atomic<uint64_t>>(0);
  return [ticks] {
    uint64_t t = ticks->fetch_add(1);
    return format::Timestamp{kEpoch + int64_t(t / 1000000), uint32_t(t % 1000000) * 1000};
  };
}

Status run(const std::string& text, const std::string& name, Volume& volume, uint64_t seed,
           const writer::RunOptions::CommandHook& before = {},
           const writer::RunOptions::CommandHook& after = {}) {
  TUX3_ASSIGN_OR_RETURN(writer::Script script, writer::parse_script(text, name, "."));
  writer::RunOptions ro;
  ro.seed = seed;
  ro.now = [] { return format::Timestamp{kEpoch, 0}; };
  ro.before_command = before;
  ro.after_command = after;
  writer::RunResult result = writer::run_script(script, volume, ro);
  if (result.failure) {
    std::string what = fmt::format("{}:{}: {}: {}", name, result.failure->line,
                                   result.failure->command, result.failure->reason);
    if (result.failure->err) return Status::from_errno(result.failure->err, what);
    return Status::invalid_argument(what);
  }
  return Status::ok();
}

// Commits a delta, then fsyncs a file (which commits the delta that reserves the streams
// when none are reserved yet) and commits again.
Status reserve_streams(Volume& v) {
  TUX3_RETURN_IF_ERROR(v.sync());
  auto warm = v.lookup(kRootIno, ".warm");
  if (!warm) warm = v.create(kRootIno, ".warm", 0600, 0, 0);
  if (!warm) return warm.status();
  TUX3_RETURN_IF_ERROR(v.fsync(warm->ino, false));
  return v.sync();
}

bool is_mutating(std::string_view command) {
  // open and close change nothing a reader sees (an orphan is nameless).
  static constexpr std::string_view kReadOnly[] = {"check", "ls",        "sync",  "unify", "fsync",
                                                   "fdatasync", "crash", "open", "close"};
  for (auto c : kReadOnly) {
    if (command == c) return false;
  }
  return true;
}

}  // namespace

VolumeOptions workload_options(const Workload& w) {
  VolumeOptions o;
  o.delta_interval_ms = 1u << 30;
  o.unify_every_deltas = w.unify_every_deltas;
  o.dirty_limit_bytes = w.dirty_limit_bytes;
  o.io_threads = w.io_threads;
  o.deterministic_deltas = w.scripts.size() == 1 && !w.async_commits;
  o.fsync_mode = w.fsync_mode;
  o.clock = test_clock();
  return o;
}

// Step 1: mkfs, the setup, the streams reserved, a crash.
Result<std::shared_ptr<MemoryDevice>> make_start_image(const Workload& w) {
  auto image = std::make_shared<MemoryDevice>(w.volume_bytes);
  MkfsOptions mkfs;
  mkfs.block_bits = w.block_bits;
  mkfs.uuid = kUuid;
  mkfs.now = {kEpoch, 0};
  mkfs.fsync_mode = w.fsync_mode;
  TUX3_ASSIGN_OR_RETURN(auto geometry, plan_volume(image->size(), image->topology(), mkfs));
  TUX3_RETURN_IF_ERROR(write_volume(*image, geometry, mkfs));
  TUX3_ASSIGN_OR_RETURN(auto vol, Volume::open(*image, workload_options(w)));
  if (!w.setup.empty()) TUX3_RETURN_IF_ERROR(run(w.setup, w.name + " setup", *vol, w.seed));
  TUX3_RETURN_IF_ERROR(reserve_streams(*vol));
  // Dropped without a close: the streams stay live.
  return image;
}

Result<std::shared_ptr<MemoryDevice>> StartImages::get(const Workload& w) {
  std::string key = fmt::format("{}\n{} {} {} {} {} {} {} {}", w.setup, w.block_bits,
                                w.volume_bytes, int(w.fsync_mode), w.seed, w.unify_every_deltas,
                                w.dirty_limit_bytes, w.scripts.size(), w.async_commits);
  auto it = images_.find(key);
  if (it != images_.end()) return it->second;
  TUX3_ASSIGN_OR_RETURN(auto image, make_start_image(w));
  images_[key] = image;
  return image;
}

Result<Recording> record(const Workload& w, StartImages* cache) {
  Recording rec;
  rec.workload = w;
  if (rec.workload.roots.empty()) {
    for (std::size_t t = 0; t < w.scripts.size(); ++t) {
      rec.workload.roots.push_back(w.scripts.size() == 1 ? "/" : fmt::format("/t{}", t));
    }
  }
  rec.options = workload_options(w);
  if (cache) {
    TUX3_ASSIGN_OR_RETURN(rec.start, cache->get(w));
  } else {
    TUX3_ASSIGN_OR_RETURN(rec.start, make_start_image(w));
  }

  // 2. Open through the trace; reserve the streams again.
  OverlayDevice live(*rec.start);
  TraceDevice trace(live);
  std::vector<std::thread> threads;
  {
    rec.options.clock = test_clock();
    TUX3_ASSIGN_OR_RETURN(auto vol, Volume::open(trace, rec.options));
    Volume& v = *vol;
    TUX3_RETURN_IF_ERROR(reserve_streams(v));
    rec.start_delta = v.super().delta;
    rec.threads.resize(w.scripts.size());
    for (std::size_t t = 0; t < w.scripts.size(); ++t) {
      rec.threads[t].root = rec.workload.roots[t];
      TUX3_ASSIGN_OR_RETURN(rec.threads[t].initial, snapshot(v, rec.threads[t].root));
    }
    trace.mark("start");

    // 3. The scripts.
    std::atomic<uint64_t> seq{0};
    std::vector<Status> results(w.scripts.size());
    bool delta_mode = w.fsync_mode == format::FsyncMode::kDelta;
    auto run_thread = [&](std::size_t t) {
      ThreadRecord& tr = rec.threads[t];
      StepRecord pending;
      auto before = [&](const writer::Step& step, const std::vector<std::string>& args, uint64_t) {
        pending = {};
        pending.line = step.line;
        pending.command = step.command;
        pending.path = args.empty() ? "" : args[0];
        pending.start_seq = seq.fetch_add(1);
        pending.mutating = is_mutating(step.command);
        pending.fsync = step.command == "fsync" || step.command == "fdatasync";
        pending.datasync = step.command == "fdatasync";
        pending.sync = step.command == "sync" || step.command == "unify" ||
                       (pending.fsync && delta_mode);
      };
      auto after = [&](const writer::Step&, const std::vector<std::string>&, uint64_t index) {
        pending.durable_delta = v.super().delta;
        auto state = snapshot(v, tr.root);
        if (!state) {
          results[t] = state.status();
          return;
        }
        pending.state = std::move(*state);
        pending.end_seq = seq.fetch_add(1);
        tr.steps.push_back(std::move(pending));
        trace.mark(fmt::format("T{} {}", t, index));
      };
      Status s = run(w.scripts[t], fmt::format("{} thread {}", w.name, t), v, w.seed + t, before,
                     after);
      if (results[t].is_ok()) results[t] = s;
    };
    if (w.scripts.size() == 1) {
      run_thread(0);
    } else {
      for (std::size_t t = 0; t < w.scripts.size(); ++t) threads.emplace_back(run_thread, t);
      for (auto& th : threads) th.join();
    }
    for (const Status& s : results) TUX3_RETURN_IF_ERROR(s);
    // 4. A crash: no close.
  }
  rec.events = trace.events();
  return rec;
}

}  // namespace tux3::crash
