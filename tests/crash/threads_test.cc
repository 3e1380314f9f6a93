// threads_test.cc: seeded random runs of several threads, each on its own subtree, while
// deltas commit in the background and fsyncs go through parallel streams; every crash
// state must hold, per thread, a prefix of its commands (with fsynced files possibly
// ahead), and the prefixes must respect "completed before began" across threads (O6).
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <random>
#include <set>

#include <fmt/format.h>

#include "suite.h"

namespace tux3::crash {
namespace {

// A script of `ops` random commands under `root`, every one valid where it runs: the
// generator keeps the names that exist. Each command is one engine call (a file is made
// by touch, then written), so a delta committed in the background never splits one.
std::string random_script(const std::string& root, uint64_t seed, unsigned ops) {
  std::mt19937_64 rng(seed);
  std::set<std::string> files, dirs{root};
  std::string out;
  unsigned next = 0;
  auto pick = [&](const std::set<std::string>& s) {
    auto it = s.begin();
    std::advance(it, long(rng() % s.size()));
    return *it;
  };
  auto fresh = [&] { return fmt::format("{}/n{}", pick(dirs), next++); };
  for (unsigned i = 0; i < ops; ++i) {
    unsigned r = unsigned(rng() % 100);
    if (files.empty() || r < 15) {
      // Created empty, then written: two engine calls, two commands (a delta may come
      // between them, as between a program's creat and write).
      std::string f = fresh();
      out += fmt::format("touch {}\nwrite {} {} pattern=random seed={} bs=64k\n", f, f,
                         1 + rng() % 5000, rng() % 1000);
      files.insert(f);
    } else if (r < 35) {
      out += fmt::format("write {} {} offset={} pattern=random seed={} bs=64k\n", pick(files),
                         1 + rng() % 3000, rng() % 6000, rng() % 1000);
    } else if (r < 45) {
      out += fmt::format("append {} {} pattern=random seed={} bs=64k\n", pick(files), 1 + rng() % 2000,
                         rng() % 1000);
    } else if (r < 52) {
      out += fmt::format("truncate {} {}\n", pick(files), rng() % 6000);
    } else if (r < 62) {
      std::string f = pick(files);
      out += fmt::format("fsync {}\n", f);
    } else if (r < 66) {
      out += fmt::format("fdatasync {}\n", pick(files));
    } else if (r < 70) {
      out += "sync\n";
    } else if (r < 76) {
      std::string from = pick(files), to = fresh();
      out += fmt::format("rename {} {}\n", from, to);
      files.erase(from);
      files.insert(to);
    } else if (r < 80) {
      std::string to = fresh();
      out += fmt::format("link {} {}\n", pick(files), to);
      files.insert(to);
    } else if (r < 86 && files.size() > 1) {
      std::string f = pick(files);
      out += fmt::format("unlink {}\n", f);
      files.erase(f);
    } else if (r < 90 && dirs.size() < 4) {
      std::string d = fresh();
      out += fmt::format("mkdir {}\n", d);
      dirs.insert(d);
    } else if (r < 95) {
      out += fmt::format("setxattr {} user.k{} v{}\n", pick(files), rng() % 3, rng() % 100);
    } else {
      out += fmt::format("chmod {} {:o}\n", pick(files), 0600 + rng() % 0100);
    }
  }
  return out;
}

Workload threads_workload(uint64_t seed, unsigned threads, format::FsyncMode mode, unsigned ops) {
  Workload w;
  w.name = fmt::format("{} threads seed {} ({})", threads, seed,
                       mode == format::FsyncMode::kStream ? "stream" : "delta");
  w.fsync_mode = mode;
  w.seed = seed;
  w.async_commits = true;
  w.dirty_limit_bytes = 12 << 10;
  w.io_threads = 2;
  w.unify_every_deltas = 8;
  for (unsigned t = 0; t < threads; ++t) {
    w.setup += fmt::format("mkdir /t{}\nwrite /t{}/base 2k seed={}\n", t, t, t);
    w.scripts.push_back(random_script(fmt::format("/t{}", t), seed * 100 + t, ops));
  }
  return w;
}

class Threads : public ::testing::TestWithParam<format::FsyncMode> {};

TEST_P(Threads, SeededRandomRunsRecoverInOrder) {
  Level lvl = level();
  unsigned runs = lvl == Level::kLong ? 40 : lvl == Level::kQuick ? 2 : 6;
  std::vector<Workload> workloads;
  for (unsigned s = 1; s <= runs; ++s) workloads.push_back(threads_workload(s, 3, GetParam(), 30));
  CheckOptions opt = check_options(lvl);
  opt.g5_states = lvl == Level::kLong ? 2 : 0;
  SuiteResult r = run_suite(workloads, opt);
  std::cout << summary(fmt::format("threads ({})", GetParam() == format::FsyncMode::kStream
                                                       ? "stream" : "delta"), r)
            << "\n";
  for (const std::string& e : r.errors) ADD_FAILURE() << e;
  for (std::size_t i = 0; i < r.check.failures.size() && i < 20; ++i) {
    ADD_FAILURE() << r.check.failures[i];
  }
  EXPECT_TRUE(r.check.failures.empty()) << r.check.failures.size() << " failing crash states";
  EXPECT_GT(r.check.states, 0u);
}

INSTANTIATE_TEST_SUITE_P(BothModes, Threads,
                         ::testing::Values(format::FsyncMode::kStream, format::FsyncMode::kDelta),
                         [](const ::testing::TestParamInfo<format::FsyncMode>& info) {
                           return info.param == format::FsyncMode::kStream ? "Stream" : "Delta";
                         });

}  // namespace
}  // namespace tux3::crash
