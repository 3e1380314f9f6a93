// volume_litmus_test.cc: the litmus tests L1-L12 of TESTING.md §3, each run in both fsync
// modes and checked in every crash state G1-G4 of its recorded run (tuxdisk/crash_states.h).
//
// Every state must open (replaying log and streams), verify clean before and after, and
// satisfy the litmus's oracle given the operations acknowledged before the crash. What
// each mode allows (volume.h, fsync; man/tux3-writer.1, FSYNC):
//   delta:  fsync commits the delta: everything before it is durable with it.
//   stream: fsync makes that file's data, size, times and mode durable; earlier operations
//           on other files may still be lost (L1 shows it happen).
#include <map>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "helpers.h"
#include "samples.h"
#include "tuxdisk/crash_states.h"
#include "tuxdisk/memory_device.h"
#include "tuxdisk/mkfs.h"
#include "tuxdisk/overlay_device.h"
#include "tuxdisk/trace_device.h"
#include "tuxdisk/verify.h"
#include "tuxdisk/volume.h"
#include "tuxdisk/volume_reader.h"

namespace tux3 {
namespace {

using testing::bytes;
using testing::snapshot;
using testing::Tree;

using format::FsyncMode;
VolumeOptions options(FsyncMode mode) {
  VolumeOptions opt;
  opt.delta_interval_ms = 1u << 30;
  opt.fsync_mode = mode;
  return opt;
}

struct Recorded {
  std::vector<uint8_t> start;
  std::vector<TraceEvent> events;
};

// Runs `setup` and makes it durable (with the fsync streams reserved), then records
// `workload`; the run ends in a crash (no close).
Recorded record(FsyncMode mode, const std::function<void(Volume&)>& setup,
                const std::function<void(Volume&, TraceDevice&)>& workload) {
  MkfsOptions o;
  o.block_bits = 10;
  o.uuid = testing::kSampleUuid;
  o.now = {1700000000, 0};
  MemoryDevice dev(4 << 20);
  auto g = plan_volume(dev.size(), dev.topology(), o);
  EXPECT_TRUE(g.is_ok() && write_volume(dev, *g, o).is_ok());
  {
    auto vol = Volume::open(dev, options(mode));
    EXPECT_TRUE(vol.is_ok());
    Volume& v = **vol;
    setup(v);
    // Reserve the streams: the first fsync commits, and that delta names them.
    uint64_t warm = v.create(kRootIno, "warm", 0644, 0, 0)->ino;
    EXPECT_TRUE(v.sync().is_ok());
    EXPECT_TRUE(v.fsync(warm, false).is_ok());
    EXPECT_TRUE(v.sync().is_ok());
    // Crash here, with the streams live (a close would drop them).
  }
  Recorded r;
  r.start = dev.bytes();
  MemoryDevice live(r.start);
  TraceDevice trace(live);
  {
    auto vol = Volume::open(trace, options(mode));
    EXPECT_TRUE(vol.is_ok());
    // Opening replayed the setup's streams (none were written) and may have committed.
    EXPECT_TRUE((*vol)->sync().is_ok());
    uint64_t warm = (*vol)->lookup(kRootIno, "warm")->ino;
    EXPECT_TRUE((*vol)->fsync(warm, false).is_ok());  // reserve again after the reopen
    EXPECT_TRUE((*vol)->sync().is_ok());
    trace.mark("start");
    workload(**vol, trace);
  }
  r.events = trace.events();
  return r;
}

// Checks every crash state: it opens, verifies, and `oracle` accepts its tree.
void check_states(const Recorded& r, FsyncMode mode,
                  const std::function<void(const Tree&, const std::set<std::string>&,
                                           const std::string&)>& oracle) {
  // Each state is an overlay over the starting image: nothing is copied per state.
  MemoryDevice start(r.start);
  // Torn writes keep only their first half of sectors (no random masks): a superblock slot
  // torn at random reads as a bad checksum, which the check before recovery reports although
  // recovery uses the other slot and rewrites this one.
  CrashStateOptions o;
  o.torn_random_masks = 0;
  CrashStates crash(r.events, o);
  CrashImages images(crash, start);
  std::size_t states = 0;
  auto check = [&](const CrashState& state) {
    const std::vector<std::string> marks = crash.marks_before(state);
    const std::set<std::string> m(marks.begin(), marks.end());
    if (!m.count("start")) return;  // the setup is not under test
    const std::string name = state.name();
    ++states;
    auto image = images.open(state);
    ASSERT_TRUE(image.is_ok()) << name << ": " << image.status().to_string();
    OverlayDevice& dev = **image;
    {
      auto reader = VolumeReader::open(dev);
      ASSERT_TRUE(reader.is_ok()) << name << ": " << reader.status().to_string();
      auto report = verify_volume(**reader);
      ASSERT_TRUE(report.is_ok() && report->clean())
          << name << ": "
          << (report.is_ok() && !report->problems.empty() ? report->problems[0] : "");
    }
    Tree tree;
    {
      auto vol = Volume::open(dev, options(mode));
      ASSERT_TRUE(vol.is_ok()) << name << ": " << vol.status().to_string();
      tree = snapshot(**vol);
      ASSERT_TRUE((*vol)->close().is_ok()) << name;
    }
    {
      auto reader = VolumeReader::open(dev);
      ASSERT_TRUE(reader.is_ok()) << name;
      auto report = verify_volume(**reader);
      ASSERT_TRUE(report.is_ok() && report->clean())
          << name << " after recovery: "
          << (report.is_ok() && !report->problems.empty() ? report->problems[0] : "");
    }
    auto again = Volume::open(dev, options(mode));
    ASSERT_TRUE(again.is_ok()) << name;
    ASSERT_EQ(snapshot(**again), tree) << name << ": recovery is not idempotent";
    oracle(tree, m, name);
  };
  crash.for_each([&](const CrashState& state) {
    check(state);
    return !::testing::Test::HasFatalFailure();
  });
  EXPECT_GT(states, 3u);
}

std::string content(const Tree& t, const std::string& path) {
  auto it = t.find(path);
  if (it == t.end()) return "<absent>";
  return it->second.rfind("f:", 0) == 0 ? it->second.substr(2) : "<" + it->second + ">";
}

class Litmus : public ::testing::TestWithParam<FsyncMode> {
 protected:
  FsyncMode mode() const { return GetParam(); }
  bool stream() const { return GetParam() == FsyncMode::kStream; }
};

// L1: creat a; write b; fsync b. b is durable; a is durable too in delta mode only.
TEST_P(Litmus, L1_FsyncOfOneFileAndAnEarlierCreate) {
  auto r = record(
      mode(),
      [](Volume& v) {
        uint64_t b = v.create(kRootIno, "b", 0644, 0, 0)->ino;
        ASSERT_TRUE(v.write(b, 0, bytes("old b")).is_ok());
      },
      [](Volume& v, TraceDevice& t) {
        uint64_t a = v.create(kRootIno, "a", 0644, 0, 0)->ino;
        ASSERT_TRUE(v.write(a, 0, bytes("A")).is_ok());
        uint64_t b = v.lookup(kRootIno, "b")->ino;
        ASSERT_TRUE(v.write(b, 0, bytes("new b, longer")).is_ok());
        ASSERT_TRUE(v.fsync(b, false).is_ok());
        EXPECT_EQ(v.stats().fsync_stream, v.stats().fsync_delta_mode == 0 ? 1u : 0u);
        t.mark("fsync b");
      });
  bool jump_seen = false;
  check_states(r, mode(), [&](const Tree& t, const std::set<std::string>& m, const std::string& at) {
    std::string b = content(t, "/b"), a = content(t, "/a");
    EXPECT_TRUE(b == "old b" || b == "new b, longer") << at << ": b = " << b;
    EXPECT_TRUE(a == "<absent>" || a == "A") << at << ": a = " << a;
    if (m.count("fsync b")) {
      EXPECT_EQ(b, "new b, longer") << at;
      if (!stream()) { EXPECT_EQ(a, "A") << at << ": delta mode keeps the earlier create"; }
      jump_seen |= a == "<absent>";
    }
    // The namespace never holds a without b's committed state being at least as new.
    if (!stream() && a == "A") { EXPECT_EQ(b, "new b, longer") << at; }
  });
  // Stream mode: the documented jump happens (b durable, the earlier create not yet).
  EXPECT_EQ(jump_seen, stream());
}

// L2: write tmp; fsync tmp; rename tmp over f: f is wholly old or wholly new.
TEST_P(Litmus, L2_ReplaceByRenameIsAtomic) {
  const std::string old_data(3000, 'o'), new_data(5000, 'n');
  auto r = record(
      mode(),
      [&](Volume& v) {
        uint64_t f = v.create(kRootIno, "f", 0644, 0, 0)->ino;
        ASSERT_TRUE(v.write(f, 0, bytes(old_data)).is_ok());
      },
      [&](Volume& v, TraceDevice& t) {
        uint64_t tmp = v.create(kRootIno, "tmp", 0644, 0, 0)->ino;
        ASSERT_TRUE(v.write(tmp, 0, bytes(new_data)).is_ok());
        ASSERT_TRUE(v.fsync(tmp, false).is_ok());
        t.mark("fsync tmp");
        ASSERT_TRUE(v.rename(kRootIno, "tmp", kRootIno, "f").is_ok());
        ASSERT_TRUE(v.sync().is_ok());
        t.mark("sync");
      });
  check_states(r, mode(), [&](const Tree& t, const std::set<std::string>& m, const std::string& at) {
    std::string f = content(t, "/f"), tmp = content(t, "/tmp");
    EXPECT_TRUE(f == old_data || f == new_data) << at << ": f is " << f.size() << " bytes";
    if (f == new_data) { EXPECT_EQ(tmp, "<absent>") << at; }
    if (m.count("fsync tmp") && tmp != "<absent>") { EXPECT_EQ(tmp, new_data) << at; }
    if (m.count("sync")) { EXPECT_EQ(f, new_data) << at; }
  });
}

// L3: renames within and across directories: never both names, never neither.
TEST_P(Litmus, L3_RenameNeverBothNeverNeither) {
  auto r = record(
      mode(),
      [](Volume& v) {
        uint64_t d1 = v.mkdir(kRootIno, "d1", 0755, 0, 0)->ino;
        (void)v.mkdir(kRootIno, "d2", 0755, 0, 0);
        uint64_t x = v.create(d1, "x", 0644, 0, 0)->ino;
        ASSERT_TRUE(v.write(x, 0, bytes("payload")).is_ok());
      },
      [](Volume& v, TraceDevice& t) {
        uint64_t d1 = v.lookup(kRootIno, "d1")->ino, d2 = v.lookup(kRootIno, "d2")->ino;
        ASSERT_TRUE(v.rename(d1, "x", d1, "y").is_ok());
        ASSERT_TRUE(v.sync().is_ok());
        t.mark("y");
        ASSERT_TRUE(v.rename(d1, "y", d2, "z").is_ok());
        ASSERT_TRUE(v.fsync(d2, false).is_ok());
        t.mark("z");
      });
  check_states(r, mode(), [&](const Tree& t, const std::set<std::string>& m, const std::string& at) {
    int names = 0;
    for (const char* p : {"/d1/x", "/d1/y", "/d2/z"}) {
      if (t.count(p)) {
        ++names;
        EXPECT_EQ(content(t, p), "payload") << at << " " << p;
      }
    }
    EXPECT_EQ(names, 1) << at;
    if (m.count("z")) { EXPECT_TRUE(t.count("/d2/z")) << at; }
    else if (m.count("y")) { EXPECT_TRUE(t.count("/d1/y") || t.count("/d2/z")) << at; }
  });
}

// L4: link and unlink: link counts always match the entries (the checker verifies every
// state), and the data is always reachable.
TEST_P(Litmus, L4_LinkCountsMatchEntries) {
  auto r = record(
      mode(),
      [](Volume& v) {
        uint64_t p = v.create(kRootIno, "p", 0644, 0, 0)->ino;
        ASSERT_TRUE(v.write(p, 0, bytes("linked")).is_ok());
        (void)v.mkdir(kRootIno, "d", 0755, 0, 0);
      },
      [](Volume& v, TraceDevice& t) {
        uint64_t p = v.lookup(kRootIno, "p")->ino, d = v.lookup(kRootIno, "d")->ino;
        ASSERT_TRUE(v.link(p, kRootIno, "q").is_ok());
        ASSERT_TRUE(v.fsync(p, false).is_ok());
        ASSERT_TRUE(v.unlink(kRootIno, "p").is_ok());
        ASSERT_TRUE(v.sync().is_ok());
        ASSERT_TRUE(v.link(p, d, "r").is_ok());
        ASSERT_TRUE(v.unlink(kRootIno, "q").is_ok());
        ASSERT_TRUE(v.fsync(p, false).is_ok());
        t.mark("moved");
      });
  check_states(r, mode(), [&](const Tree& t, const std::set<std::string>& m, const std::string& at) {
    int names = 0;
    for (const char* p : {"/p", "/q", "/d/r"}) {
      if (t.count(p)) {
        ++names;
        EXPECT_EQ(content(t, p), "linked") << at << " " << p;
      }
    }
    EXPECT_GE(names, 1) << at;
    if (m.count("moved")) { EXPECT_TRUE(t.count("/d/r") && names == 1) << at; }
  });
}

// L5: append then crash: no garbage or zeros past the old end unless the append is durable.
TEST_P(Litmus, L5_AppendNeverShowsGarbage) {
  const std::string base(3000, 'o'), more(5000, 'n'), last(700, 'l');
  auto r = record(
      mode(),
      [&](Volume& v) {
        uint64_t g = v.create(kRootIno, "g", 0644, 0, 0)->ino;
        ASSERT_TRUE(v.write(g, 0, bytes(base)).is_ok());
      },
      [&](Volume& v, TraceDevice& t) {
        uint64_t g = v.lookup(kRootIno, "g")->ino;
        ASSERT_TRUE(v.write(g, base.size(), bytes(more)).is_ok());
        ASSERT_TRUE(v.fsync(g, true).is_ok());
        t.mark("fdatasync");
        ASSERT_TRUE(v.write(g, base.size() + more.size(), bytes(last)).is_ok());
        ASSERT_TRUE(v.start_commit(false).is_ok());
        ASSERT_TRUE(v.sync().is_ok());
        t.mark("sync");
      });
  check_states(r, mode(), [&](const Tree& t, const std::set<std::string>& m, const std::string& at) {
    std::string g = content(t, "/g");
    std::vector<std::string> versions{base, base + more, base + more + last};
    std::size_t at_least = m.count("sync") ? 2 : m.count("fdatasync") ? 1 : 0;
    bool ok = false;
    for (std::size_t k = at_least; k < versions.size(); ++k) ok |= g == versions[k];
    EXPECT_TRUE(ok) << at << ": g is " << g.size() << " bytes, wanted version >= " << at_least;
  });
}

// L6: truncate then rewrite: never stale data.
TEST_P(Litmus, L6_TruncateThenRewriteNoStaleData) {
  const std::string before(8000, 's'), after(3000, 't');
  auto r = record(
      mode(),
      [&](Volume& v) {
        uint64_t h = v.create(kRootIno, "h", 0644, 0, 0)->ino;
        ASSERT_TRUE(v.write(h, 0, bytes(before)).is_ok());
      },
      [&](Volume& v, TraceDevice& t) {
        uint64_t h = v.lookup(kRootIno, "h")->ino;
        SetAttr zero;
        zero.size = 0;
        ASSERT_TRUE(v.setattr(h, zero).is_ok());
        ASSERT_TRUE(v.write(h, 0, bytes(after)).is_ok());
        ASSERT_TRUE(v.fsync(h, false).is_ok());
        t.mark("fsync");
      });
  check_states(r, mode(), [&](const Tree& t, const std::set<std::string>& m, const std::string& at) {
    std::string h = content(t, "/h");
    EXPECT_TRUE(h == before || h == "" || h == after) << at << ": h is " << h.size() << " bytes";
    if (m.count("fsync")) { EXPECT_EQ(h, after) << at; }
  });
}

// L7: two threads fsync two files at once: both durable.
TEST_P(Litmus, L7_ConcurrentFsyncsBothDurable) {
  auto r = record(
      mode(),
      [](Volume& v) {
        (void)v.create(kRootIno, "m", 0644, 0, 0);
        (void)v.create(kRootIno, "n", 0644, 0, 0);
      },
      [](Volume& v, TraceDevice& t) {
        auto job = [&](const char* name, char c) {
          uint64_t ino = v.lookup(kRootIno, name)->ino;
          for (int i = 0; i < 3; ++i) {
            EXPECT_TRUE(v.write(ino, uint64_t(i) * 1500, bytes(std::string(1500, c))).is_ok());
            EXPECT_TRUE(v.fsync(ino, false).is_ok());
          }
        };
        std::thread one(job, "m", 'm'), two(job, "n", 'n');
        one.join();
        two.join();
        t.mark("both");
      });
  check_states(r, mode(), [&](const Tree& t, const std::set<std::string>& m, const std::string& at) {
    for (auto [path, c] : {std::pair{"/m", 'm'}, std::pair{"/n", 'n'}}) {
      std::string data = content(t, path);
      EXPECT_TRUE(data.size() % 1500 == 0 && data == std::string(data.size(), c)) << at << path;
      if (m.count("both")) { EXPECT_EQ(data, std::string(4500, c)) << at << path; }
    }
  });
}

// L8: fsync of the directory after creat: the entry is durable.
TEST_P(Litmus, L8_DirectoryFsyncMakesTheEntryDurable) {
  auto r = record(
      mode(), [](Volume& v) { (void)v.mkdir(kRootIno, "d", 0755, 0, 0); },
      [](Volume& v, TraceDevice& t) {
        uint64_t d = v.lookup(kRootIno, "d")->ino;
        uint64_t e = v.create(d, "e", 0644, 0, 0)->ino;
        ASSERT_TRUE(v.write(e, 0, bytes("entry")).is_ok());
        ASSERT_TRUE(v.fsync(d, false).is_ok());
        t.mark("fsync d");
      });
  check_states(r, mode(), [&](const Tree& t, const std::set<std::string>& m, const std::string& at) {
    std::string e = content(t, "/d/e");
    EXPECT_TRUE(e == "<absent>" || e == "entry") << at;
    if (m.count("fsync d")) { EXPECT_EQ(e, "entry") << at; }
  });
}

// L9: a block rewritten while its delta commits: whole old or whole new, never a mix.
TEST_P(Litmus, L9_RewriteDuringCommitNeverMixes) {
  const uint32_t bs = 1024;
  auto r = record(
      mode(),
      [&](Volume& v) {
        uint64_t k = v.create(kRootIno, "k", 0644, 0, 0)->ino;
        ASSERT_TRUE(v.write(k, 0, bytes(std::string(4 * bs, 'a'))).is_ok());
      },
      [&](Volume& v, TraceDevice& t) {
        uint64_t k = v.lookup(kRootIno, "k")->ino;
        ASSERT_TRUE(v.write(k, bs, bytes(std::string(bs, 'b'))).is_ok());
        ASSERT_TRUE(v.start_commit(false).is_ok());
        ASSERT_TRUE(v.write(k, bs, bytes(std::string(bs / 2, 'c'))).is_ok());
        ASSERT_TRUE(v.fsync(k, false).is_ok());
        t.mark("fsync");
      });
  const std::string b_block(bs, 'b');
  const std::string c_block = std::string(bs / 2, 'c') + std::string(bs / 2, 'b');
  check_states(r, mode(), [&](const Tree& t, const std::set<std::string>& m, const std::string& at) {
    std::string k = content(t, "/k");
    ASSERT_EQ(k.size(), 4u * bs) << at;
    std::string block = k.substr(bs, bs);
    EXPECT_TRUE(block == std::string(bs, 'a') || block == b_block || block == c_block)
        << at << ": block 1 is a mix";
    if (m.count("fsync")) { EXPECT_EQ(block, c_block) << at; }
  });
}

// L10: operations in one delta: all or none.
TEST_P(Litmus, L10_OneDeltaAllOrNone) {
  auto r = record(
      mode(), [](Volume& v) { (void)v.create(kRootIno, "x2", 0644, 0, 0); },
      [](Volume& v, TraceDevice& t) {
        uint64_t x1 = v.create(kRootIno, "x1", 0644, 0, 0)->ino;
        ASSERT_TRUE(v.write(x1, 0, bytes("one")).is_ok());
        uint64_t y = v.mkdir(kRootIno, "y", 0755, 0, 0)->ino;
        ASSERT_TRUE(v.rename(kRootIno, "x2", y, "x2").is_ok());
        ASSERT_TRUE(v.symlink(y, "s", "../x1", 0, 0).is_ok());
        ASSERT_TRUE(v.sync().is_ok());
        t.mark("sync");
      });
  check_states(r, mode(), [&](const Tree& t, const std::set<std::string>& m, const std::string& at) {
    bool none = !t.count("/x1") && !t.count("/y") && t.count("/x2");
    bool all = content(t, "/x1") == "one" && t.count("/y/x2") && !t.count("/x2") &&
               t.count("/y/s") && t.at("/y/s") == "l:../x1";
    EXPECT_TRUE(none || all) << at << ": part of a delta";
    if (m.count("sync")) { EXPECT_TRUE(all) << at; }
  });
}

// L11: a file unlinked while open, across a crash: reclaimed, and the checker is clean
// (check_states verifies every recovered state: a leaked block would be reported).
TEST_P(Litmus, L11_OpenUnlinkedFileIsReclaimed) {
  auto r = record(
      mode(),
      [](Volume& v) {
        uint64_t o = v.create(kRootIno, "o", 0644, 0, 0)->ino;
        ASSERT_TRUE(v.write(o, 0, bytes(std::string(20000, 'o'))).is_ok());
      },
      [](Volume& v, TraceDevice& t) {
        uint64_t o = v.lookup(kRootIno, "o")->ino;
        ASSERT_TRUE(v.open_file(o).is_ok());
        ASSERT_TRUE(v.unlink(kRootIno, "o").is_ok());
        ASSERT_TRUE(v.write(o, 0, bytes(std::string(3000, 'w'))).is_ok());
        ASSERT_TRUE(v.fsync(o, false).is_ok());
        ASSERT_TRUE(v.sync().is_ok());
        t.mark("unlinked");
      });
  check_states(r, mode(), [&](const Tree& t, const std::set<std::string>& m, const std::string& at) {
    std::string o = content(t, "/o");
    EXPECT_TRUE(o == "<absent>" || o == std::string(20000, 'o')) << at;
    if (m.count("unlinked")) { EXPECT_EQ(o, "<absent>") << at; }
  });
}

// L12: rename over an existing file, then fsync of the directory: never two inodes under
// one name (snapshot() fails on a duplicate), never neither.
TEST_P(Litmus, L12_RenameOverExistingThenDirectoryFsync) {
  auto r = record(
      mode(),
      [](Volume& v) {
        uint64_t d = v.mkdir(kRootIno, "d", 0755, 0, 0)->ino;
        uint64_t old_file = v.create(d, "old", 0644, 0, 0)->ino;
        ASSERT_TRUE(v.write(old_file, 0, bytes("OLD")).is_ok());
        uint64_t tmp = v.create(d, "tmp", 0644, 0, 0)->ino;
        ASSERT_TRUE(v.write(tmp, 0, bytes("NEW")).is_ok());
      },
      [](Volume& v, TraceDevice& t) {
        uint64_t d = v.lookup(kRootIno, "d")->ino;
        ASSERT_TRUE(v.rename(d, "tmp", d, "old").is_ok());
        ASSERT_TRUE(v.fsync(d, false).is_ok());
        t.mark("fsync d");
      });
  check_states(r, mode(), [&](const Tree& t, const std::set<std::string>& m, const std::string& at) {
    std::string o = content(t, "/d/old"), tmp = content(t, "/d/tmp");
    EXPECT_TRUE((o == "OLD" && tmp == "NEW") || (o == "NEW" && tmp == "<absent>")) << at;
    if (m.count("fsync d")) { EXPECT_EQ(o, "NEW") << at; }
  });
}

INSTANTIATE_TEST_SUITE_P(BothModes, Litmus,
                         ::testing::Values(FsyncMode::kStream, FsyncMode::kDelta),
                         [](const auto& info) {
                           return info.param == FsyncMode::kStream ? "stream" : "delta";
                         });

}  // namespace
}  // namespace tux3
