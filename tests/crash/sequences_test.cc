// sequences_test.cc: every sequence of one and two operations over the vocabulary of
// TESTING.md §3 (creat, mkdir, write, overwrite, append, truncate, link, unlink, rename,
// symlink, setxattr, removexattr), each followed by fsync, fdatasync, sync or nothing, on
// two files in two directories, in both fsync modes; every crash state of each checked.
//
// Two-operation sequences check only the states after their first operation returned: the
// states before are those of the one-operation sequence, checked already. Sequences whose
// second operation cannot follow the first (it names what the first removed) are skipped
// and counted.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "suite.h"

namespace tux3::crash {
namespace {

// /A/foo (6 KiB, an xattr), /B/bar (3 KiB), as the setup leaves them.
constexpr const char* kSetup = R"(mkdir /A
mkdir /B
write /A/foo 6k pattern=random seed=11
write /B/bar 3k pattern=random seed=12
setxattr /A/foo user.x old
)";

struct Op {
  std::string name;    // short, for workload names
  std::string script;  // the operation's commands
  std::string target;  // what fsync/fdatasync then makes durable
};

std::vector<Op> vocabulary() {
  return {
      {"creat-A", "touch /A/new\n", "/A/new"},
      {"creat-B", "touch /B/new\n", "/B/new"},
      {"mkdir-A", "mkdir /A/dir\n", "/A/dir"},
      {"mkdir-B", "mkdir /B/dir\n", "/B/dir"},
      {"write", "write /A/foo 2k offset=9k pattern=random seed=21\n", "/A/foo"},
      {"write-new", "write /B/fresh 3k pattern=random seed=22\n", "/B/fresh"},
      {"overwrite", "write /A/foo 1k offset=1k pattern=random seed=23\n", "/A/foo"},
      {"append", "append /B/bar 1500 pattern=random seed=24\n", "/B/bar"},
      {"shrink", "truncate /A/foo 2500\n", "/A/foo"},
      {"grow", "truncate /B/bar 10k\n", "/B/bar"},
      {"link", "link /A/foo /B/foolink\n", "/B/foolink"},
      {"unlink-A", "unlink /A/foo\n", "/A"},
      {"unlink-B", "unlink /B/bar\n", "/B"},
      {"rename-across", "rename /A/foo /B/foo\n", "/B/foo"},
      {"rename-within", "rename /A/foo /A/baz\n", "/A/baz"},
      {"rename-over", "rename /A/foo /B/bar\n", "/B/bar"},
      {"symlink", "symlink ../A/foo /B/sym\n", "/B"},
      {"setxattr", "setxattr /A/foo user.y new\n", "/A/foo"},
      {"setxattr-dir", "setxattr /B user.d dir\n", "/B"},
      {"removexattr", "rmxattr /A/foo user.x\n", "/A/foo"},
  };
}

const char* kPersist[] = {"fsync", "fdatasync", "sync", "nothing"};

std::string persist(const char* how, const Op& op) {
  std::string h = how;
  if (h == "nothing") return "";
  if (h == "sync") return "sync\n";
  return h + " " + op.target + "\n";
}

Workload make(format::FsyncMode mode, const std::vector<std::pair<const Op*, const char*>>& seq) {
  Workload w;
  w.fsync_mode = mode;
  w.setup = kSetup;
  w.name = mode == format::FsyncMode::kStream ? "stream" : "delta";
  std::string script;
  for (std::size_t i = 0; i < seq.size(); ++i) {
    auto [op, how] = seq[i];
    w.name += fmt::format(" {}+{}", op->name, how);
    script += op->script + persist(how, *op);
    if (i == 0 && seq.size() > 1) {
      // States before the first operation returned belong to the one-operation sequence.
      auto commands = std::count(script.begin(), script.end(), '\n');
      w.check_from_mark = fmt::format("T0 {}", commands - 1);
    }
  }
  w.scripts = {script};
  return w;
}

struct Shard {
  format::FsyncMode mode;
  std::size_t first_op;  // SIZE_MAX: the one-operation sequences
};

class Sequences : public ::testing::TestWithParam<Shard> {};

TEST_P(Sequences, EveryCrashStateRecovers) {
  const Shard shard = GetParam();
  const std::vector<Op> ops = vocabulary();
  Level lvl = level();
  CheckOptions opt = check_options(lvl);
  std::vector<Workload> workloads;
  if (shard.first_op == SIZE_MAX) {
    for (const Op& op : ops) {
      for (const char* how : kPersist) workloads.push_back(make(shard.mode, {{&op, how}}));
    }
  } else {
    const Op& first = ops[shard.first_op];
    // The quick level (sanitizer builds) samples: the first operation followed by fsync
    // or sync, then every fourth operation followed by fsync or sync.
    std::size_t persist_stride = lvl == Level::kQuick ? 2 : 1;
    std::size_t op_stride = lvl == Level::kQuick ? 4 : 1;
    for (std::size_t p1 = 0; p1 < std::size(kPersist); p1 += persist_stride) {
      for (std::size_t j = shard.first_op % op_stride; j < ops.size(); j += op_stride) {
        for (std::size_t p = 0; p < std::size(kPersist); p += persist_stride) {
          workloads.push_back(make(shard.mode, {{&first, kPersist[p1]}, {&ops[j], kPersist[p]}}));
        }
      }
    }
  }
  // Crashes during replay (G5): every one-operation sequence has them; the two-operation
  // sequences replay the same kinds of logs and streams, so only the long level repeats it.
  if (shard.first_op != SIZE_MAX && lvl != Level::kLong) opt.g5_states = 0;
  SuiteResult r = run_suite(workloads, opt, shard.first_op != SIZE_MAX);
  std::string name = fmt::format("{} {}", shard.mode == format::FsyncMode::kStream ? "stream" : "delta",
                                 shard.first_op == SIZE_MAX ? "one operation"
                                                            : "after " + ops[shard.first_op].name);
  std::cout << summary(name, r) << "\n";
  for (const std::string& e : r.errors) ADD_FAILURE() << e;
  for (std::size_t i = 0; i < r.check.failures.size() && i < 20; ++i) {
    ADD_FAILURE() << r.check.failures[i];
  }
  EXPECT_TRUE(r.check.failures.empty()) << r.check.failures.size() << " failing crash states";
  EXPECT_GT(r.check.states, 0u);
}

std::vector<Shard> shards() {
  std::vector<Shard> out;
  for (auto mode : {format::FsyncMode::kStream, format::FsyncMode::kDelta}) {
    out.push_back({mode, SIZE_MAX});
    for (std::size_t i = 0; i < vocabulary().size(); ++i) out.push_back({mode, i});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(All, Sequences, ::testing::ValuesIn(shards()),
                         [](const ::testing::TestParamInfo<Shard>& info) {
                           std::string s = info.param.mode == format::FsyncMode::kStream
                                               ? "Stream" : "Delta";
                           if (info.param.first_op == SIZE_MAX) return s + "_OneOperation";
                           std::string op = vocabulary()[info.param.first_op].name;
                           for (char& c : op) c = c == '-' ? '_' : c;
                           return s + "_After_" + op;
                         });

}  // namespace
}  // namespace tux3::crash
