// suite.cc: workloads in bulk, at the scale TUX3_CRASH_LEVEL asks for (suite.h).
#include "suite.h"

#include <chrono>
#include <cstdlib>

#include <fmt/format.h>

namespace tux3::crash {

Level level() {
  const char* v = std::getenv("TUX3_CRASH_LEVEL");
  std::string s = v ? v : "";
  if (s == "quick") return Level::kQuick;
  if (s == "long") return Level::kLong;
  return Level::kDefault;
}

CheckOptions check_options(Level l) {
  CheckOptions o;
  o.states.torn_random_masks = 1;
  o.g5.torn_random_masks = 0;
  switch (l) {
    case Level::kQuick:
      o.states.exhaustive_subset_limit = 3;
      o.states.random_subsets = 2;
      o.g5.exhaustive_subset_limit = 2;
      o.g5.random_subsets = 1;
      o.g5_states = 1;
      break;
    case Level::kDefault:
      o.states.exhaustive_subset_limit = 4;
      o.states.random_subsets = 4;
      o.g5.exhaustive_subset_limit = 3;
      o.g5.random_subsets = 2;
      o.g5_states = 1;
      break;
    case Level::kLong:
      o.states.exhaustive_subset_limit = 10;
      o.states.random_subsets = 32;
      o.states.subsets_at_every_write = true;
      o.states.torn_random_masks = 3;
      o.g5.exhaustive_subset_limit = 8;
      o.g5.random_subsets = 16;
      o.g5_states = 4;
      break;
  }
  const char* dir = std::getenv("TUX3_CRASH_SAVE_DIR");
  o.save_dir = dir ? dir : "crash-failures";
  return o;
}

SuiteResult run_suite(const std::vector<Workload>& workloads, const CheckOptions& options,
                      bool allow_conflicts) {
  SuiteResult out;
  const char* only = std::getenv("TUX3_CRASH_ONLY");
  auto t0 = std::chrono::steady_clock::now();
  StartImages images;
  for (const Workload& w : workloads) {
    if (only && w.name != only) continue;
    auto rec = record(w, &images);
    if (!rec) {
      int err = status_errno(rec.status());
      bool conflict = err == ENOENT || err == EEXIST || err == ENOTEMPTY || err == ENOTDIR ||
                      err == EISDIR || err == ENODATA;
      if (allow_conflicts && conflict) {
        ++out.skipped;
      } else {
        out.errors.push_back(fmt::format("{}: recording failed: {}", w.name,
                                         rec.status().to_string()));
      }
      continue;
    }
    ++out.workloads;
    check_recording(*rec, options, out.check);
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

std::string summary(const std::string& name, const SuiteResult& r) {
  uint64_t all = r.check.states + r.check.g5_states;
  return fmt::format("{}: {} workloads ({} skipped as conflicting), {} crash states + {} during "
                     "replay (G5), {} failures, {:.1f} s, {:.0f} states/s",
                     name, r.workloads, r.skipped, r.check.states, r.check.g5_states,
                     r.check.failures.size(), r.seconds, r.seconds > 0 ? all / r.seconds : 0.0);
}

}  // namespace tux3::crash
