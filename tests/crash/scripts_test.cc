// scripts_test.cc: longer workloads, each aimed at one kind of recovery (the list of
// issue "crash-state enumeration", TESTING.md §3), every crash state checked; and the
// coverage they give together: every log record kind and every kind of stream block must
// be replayed from at least one crash state.
#include <gtest/gtest.h>

#include <iostream>

#include <fmt/format.h>

#include "suite.h"
#include "tuxdisk/format/log.h"
#include "tuxdisk/format/stream.h"

namespace tux3::crash {
namespace {

std::vector<Workload> scripted() {
  std::vector<Workload> out;
  auto add = [&](std::string name, std::string setup, std::string script) -> Workload& {
    Workload w;
    w.name = std::move(name);
    w.setup = std::move(setup);
    w.scripts = {std::move(script)};
    out.push_back(std::move(w));
    return out.back();
  };

  // Rewrites of a few blocks while deltas commit in the background: writes fork blocks
  // under I/O; every state is still some prefix.
  {
    Workload& w = add("rewrite under fork", "write /hot 4k pattern=random seed=1\n",
                      "repeat 40\n"
                      "  write /hot 1k offset=${i}k pattern=random seed=$i bs=1k\n"
                      "  write /hot 1k offset=2k pattern=random seed=9$i bs=1k\n"
                      "end\n"
                      "fsync /hot\n");
    w.async_commits = true;
    w.dirty_limit_bytes = 3 << 10;
  }
  add("truncate up and down", "write /t 8k pattern=random seed=2\n",
      "truncate /t 3000\nsync\ntruncate /t 20k\nwrite /t 1k offset=12k pattern=random seed=3\n"
      "fsync /t\ntruncate /t 0\nappend /t 5000 pattern=random seed=4\nfdatasync /t\n"
      "truncate /t 1\nsync\n");
  add("rename over existing", "mkdir /d\nwrite /d/a 2k seed=5\nwrite /d/b 3k seed=6\n",
      "write /d/tmp 4k pattern=random seed=7\nfsync /d/tmp\nrename /d/tmp /d/a\nfsync /d\n"
      "rename /d/a /b\nexpect-error EEXIST rename /d/b /b noreplace\nsync\n"
      "rename /b /d/b exchange\nfsync /d\n");
  add("hard links", "mkdir /x\nmkdir /y\nwrite /x/f 2k seed=8\n",
      "link /x/f /y/g\nlink /x/f /x/h\nfsync /y/g\nunlink /x/f\nsync\n"
      "write /y/g 1k offset=4k seed=9\nfsync /x/h\nunlink /x/h\nunlink /y/g\nsync\n");
  add("unlink while open", "write /o 3k seed=10\nwrite /p 5k seed=11\n",
      "open /o\nunlink /o\nsync\nopen /p\nunlink /p\nwrite /q 1k seed=12\nfsync /q\n"
      "close /o\nsync\n");
  add("mkdir and rmdir trees", "",
      "mkdir -p /a/b/c/d\nmkdir /a/e\nwrite /a/b/c/d/f 1k seed=13\nsync\n"
      "rename /a/b/c /a/e/c\nfsync /a/e\nunlink /a/e/c/d/f\nrmdir /a/e/c/d\nrmdir /a/e/c\n"
      "sync\nrmdir /a/b\nmkdir /a/b\nsymlink /a/e /a/b/up\nfsync /a/b\n");
  add("xattrs", "write /x 1k seed=14\nmkdir /xd\n",
      "setxattr /x user.a 1\nsetxattr /x user.b \"two words\"\nsetxattr /x trusted.t t\n"
      "sync\nsetxattr /x user.a replaced replace\nrmxattr /x user.b\nsetxattr /xd user.dir d\n"
      "fsync /x\nsetxattr /x security.s s create\nrmxattr /x user.a\nfsync /xd\n");
  {
    // A small volume filled to ENOSPC, emptied and filled again.
    Workload& w = add("fill to ENOSPC", "",
                      "repeat 40\n  write /f$i 16k pattern=random seed=$i\nend\nsync\n"
                      "expect-error ENOSPC write /big 2m pattern=random bs=2m\n"
                      "repeat 20\n  unlink /f$i\nend\nsync\n"
                      "write /again 100k pattern=random seed=99 bs=100k\nfsync /again\n");
    w.volume_bytes = 1 << 20;
  }
  {
    Workload& w = add("many deltas spanning unifies", "write /u 1k seed=15\n",
                      "repeat 10\n  write /u$i 1k seed=$i\n  append /u 100 seed=$i\n  sync\nend\n");
    w.unify_every_deltas = 3;
  }
  add("fsync then further writes", "write /w 4k seed=16\n",
      "write /w 2k offset=1k pattern=random seed=17\nfsync /w\n"
      "write /w 1k offset=3k pattern=random seed=18\nappend /w 2k seed=19\n"
      "chmod /w 600\nfsync /w\nwrite /w 1k pattern=random seed=20\n");
  add("delete of a fsynced file", "write /del 4k seed=21\nwrite /keep 1k seed=22\n",
      "append /del 3k pattern=random seed=23\nfsync /del\nunlink /del\nappend /keep 1k seed=24\n"
      "fsync /keep\nsync\n");
  // Directory indexes and inode tables deep enough for bnodes, changed between unifies
  // (BNODE_NEW, _REDIRECT, _ADD, _UPDATE, _DEL, _FREE).
  add("big directories",
      "mkdir /big\nrepeat 150\n  write /big/entry-with-a-long-name-$i 1 seed=$i\nend\n",
      "mkdir /big2\nrepeat 120\n  write /big2/another-entry-with-a-long-name-$i 1 seed=$i\nend\n"
      "sync\nrepeat 150\n  unlink /big/entry-with-a-long-name-$i\nend\nrmdir /big\nsync\n"
      "repeat 40\n  rename /big2/another-entry-with-a-long-name-$i /big2/r$i\nend\nfsync /big2\n");
  // A file of many small extents: its extent tree has bnodes; deleting it frees them.
  add("fragmented file deleted",
      "repeat 120\n  write /frag 1k offset=${i}k pattern=random seed=$i bs=1k\n"
      "  write /pad$i 1k seed=$i\n  sync\nend\n",
      "repeat 60\n  write /frag 1k offset=${i}k pattern=random seed=5$i bs=1k\nend\nsync\n"
      "unlink /frag\nsync\n");
  // One fsync of more extents than a stream block holds (CONTINUED), and one that
  // changes the mode (HAS_MODE).
  add("fsync of many extents", "write /many 1k seed=30\n",
      "repeat 50\n  write /many 1k offset=${i}0k pattern=random seed=$i bs=1k\nend\n"
      "fsync /many\nchmod /many 640\nappend /many 1k seed=31\nfsync /many\n");
  {
    Workload& w = add("delta mode fsyncs", "write /m 2k seed=32\nmkdir /md\n",
                      "write /md/n 1k seed=33\nfsync /md/n\nwrite /m 1k offset=1k seed=34\n"
                      "fdatasync /m\nrename /m /md/m\nfsync /md\n");
    w.fsync_mode = format::FsyncMode::kDelta;
  }
  return out;
}

std::string coverage_table(const Coverage& c) {
  std::string out = "log records replayed:";
  for (const auto& kind : format::all_log_record_kinds()) {
    out += fmt::format(" {} {}", kind.name, c.records[uint8_t(kind.code)]);
  }
  out += fmt::format("\nfsyncs replayed from streams: {} (of more than one block: {}); flags:",
                     c.fsyncs_applied, c.continued_fsyncs);
  const std::pair<const char*, unsigned> flags[] = {
      {"HAS_SIZE", 0}, {"HAS_MTIME", 1}, {"HAS_CTIME", 2}, {"HAS_MODE", 3},
      {"HAS_DATA_CRC", 4}, {"CONTINUED", 15}};
  for (auto [name, bit] : flags) out += fmt::format(" {} {}", name, c.stream_flags[bit]);
  out += fmt::format("\norphans destroyed by replay: {}", c.orphans);
  return out;
}

TEST(Scripts, EveryCrashStateRecoversAndEveryRecordKindIsReplayed) {
  CheckOptions opt = check_options(level());
  opt.g5_states = level() == Level::kLong ? 4 : 2;
  SuiteResult r = run_suite(scripted(), opt);
  std::cout << summary("scripted workloads", r) << "\n" << coverage_table(r.check.coverage) << "\n";
  for (const std::string& e : r.errors) ADD_FAILURE() << e;
  for (std::size_t i = 0; i < r.check.failures.size() && i < 20; ++i) {
    ADD_FAILURE() << r.check.failures[i];
  }
  EXPECT_TRUE(r.check.failures.empty()) << r.check.failures.size() << " failing crash states";
  if (std::getenv("TUX3_CRASH_ONLY")) return;  // one workload covers only what it covers
  const Coverage& c = r.check.coverage;
  for (const auto& kind : format::all_log_record_kinds()) {
    EXPECT_GT(c.records[uint8_t(kind.code)], 0u) << kind.name << " was never replayed";
  }
  for (unsigned bit : {0u, 1u, 2u, 3u, 4u, 15u}) {
    EXPECT_GT(c.stream_flags[bit], 0u) << "no replayed fsync had stream flag bit " << bit;
  }
  EXPECT_GT(c.orphans, 0u) << "no orphan was destroyed by replay";
}

}  // namespace
}  // namespace tux3::crash
