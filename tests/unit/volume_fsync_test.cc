// volume_fsync_test.cc: fsync through fsync log streams (fs/fsync.cc).
//
// What is proved here:
//  - a stream fsync writes the file's blocks and one stream block, flushes, and writes no
//    superblock and nothing of any other file; a stream block whose data did not all land
//    is ignored (StreamFsyncWritesOnlyThatFile);
//  - after a crash the file has its fsynced content, the other files their committed one,
//    and a second open changes nothing (same test, and LatestOfSeveralFsyncsWins);
//  - every fallback of DESIGN.md section 5 (and the ones added) is taken and counted;
//  - every crash state of a recorded run (tuxdisk/crash_states.h, G1-G4: flush points,
//    write prefixes, subsets of the unflushed writes, torn writes) leaves every fsynced file
//    with its fsynced content or a later one (CrashAtEveryPointKeepsFsyncedContent);
//  - concurrent fsyncs of many files and of one file, with commits in the background;
//  - truncate, unlink and rename of a file between its fsync and the commit; ENOSPC.
#include <atomic>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "helpers.h"
#include "samples.h"
#include "tuxdisk/crash_states.h"
#include "tuxdisk/format/constants.h"
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

std::vector<uint8_t> fresh_volume(uint64_t size, unsigned block_bits = 12) {
  MkfsOptions o;
  o.block_bits = block_bits;
  o.uuid = testing::kSampleUuid;
  o.now = {1700000000, 0};
  MemoryDevice dev(size);
  auto g = plan_volume(dev.size(), dev.topology(), o);
  EXPECT_TRUE(g.is_ok());
  EXPECT_TRUE(write_volume(dev, *g, o).is_ok());
  return dev.bytes();
}

VolumeOptions quiet_options() {
  VolumeOptions opt;
  opt.delta_interval_ms = 1u << 30;  // deltas only when asked
  return opt;
}

std::string read_all(Volume& v, uint64_t ino) {
  auto a = v.getattr(ino);
  EXPECT_TRUE(a.is_ok());
  if (!a.is_ok()) return {};
  std::string data(a->size, '\0');
  auto n = v.read(ino, 0, std::span(reinterpret_cast<uint8_t*>(data.data()), data.size()));
  EXPECT_TRUE(n.is_ok());
  return data;
}

void expect_verified(BlockDevice& dev, const std::string& where) {
  auto reader = VolumeReader::open(dev);
  ASSERT_TRUE(reader.is_ok()) << where << ": " << reader.status().to_string();
  auto report = verify_volume(**reader);
  ASSERT_TRUE(report.is_ok()) << where;
  std::string all;
  for (const auto& p : report->problems) all += p + "\n";
  EXPECT_TRUE(report->clean()) << where << ":\n" << all;
}

// Every regular file of the root directory, by name.
std::map<std::string, std::string> files_of(Volume& v) {
  std::map<std::string, std::string> out;
  Status s = v.readdir(kRootIno, 0, [&](const DirEntry& e) {
    if (e.type == format::FileType::kRegular) out[e.name] = read_all(v, e.ino);
    return true;
  });
  EXPECT_TRUE(s.is_ok()) << s.to_string();
  return out;
}

// Opens a copy of `image` (replaying log and streams), checks it before and after, and
// returns its files; a second open must see the same.
std::map<std::string, std::string> recover(const std::vector<uint8_t>& image,
                                           const std::string& where,
                                           uint64_t* replayed = nullptr) {
  MemoryDevice dev(image);
  expect_verified(dev, where + " (committed state)");
  std::map<std::string, std::string> first;
  {
    auto vol = Volume::open(dev, quiet_options());
    EXPECT_TRUE(vol.is_ok()) << where << ": " << vol.status().to_string();
    if (!vol.is_ok()) return first;
    first = files_of(**vol);
    if (replayed) *replayed = (*vol)->stats().stream_records_replayed;
    EXPECT_TRUE((*vol)->close().is_ok()) << where;
  }
  expect_verified(dev, where + " (after replay)");
  auto again = Volume::open(dev, quiet_options());
  EXPECT_TRUE(again.is_ok()) << where;
  if (again.is_ok()) {
    EXPECT_EQ((*again)->stats().stream_records_replayed, 0u) << where;
    EXPECT_EQ(files_of(**again), first) << where << ": a second open changed the volume";
  }
  return first;
}

bool is_superblock_write(const TraceEvent& e) {
  return e.kind == TraceEvent::Kind::kWrite &&
         (e.offset == format::kSuperSlotOffset[0] || e.offset == format::kSuperSlotOffset[1]);
}

// True when `data` holds a run of at least `run` bytes equal to `c`. A single byte is not
// enough evidence: a stream block's checksums and times may contain any byte value.
bool contains_run(const std::vector<uint8_t>& data, char c, std::size_t run) {
  std::size_t length = 0;
  for (uint8_t b : data) {
    length = b == uint8_t(c) ? length + 1 : 0;
    if (length >= run) return true;
  }
  return false;
}

TEST(VolumeFsync, StreamFsyncWritesOnlyThatFile) {
  MemoryDevice base(fresh_volume(32 << 20));
  TraceDevice trace(base);
  auto vol = Volume::open(trace, quiet_options());
  ASSERT_TRUE(vol.is_ok());
  Volume& v = **vol;
  uint64_t a = v.create(kRootIno, "a", 0644, 0, 0)->ino;
  uint64_t b = v.create(kRootIno, "b", 0644, 0, 0)->ino;
  ASSERT_TRUE(v.write(a, 0, bytes(std::string(8192, '1'))).is_ok());
  ASSERT_TRUE(v.write(b, 0, bytes(std::string(5000, '2'))).is_ok());
  ASSERT_TRUE(v.sync().is_ok());
  // The first fsync finds no stream reserved yet: it commits, and that delta reserves them.
  ASSERT_TRUE(v.write(a, 0, bytes(std::string(100, '3'))).is_ok());
  ASSERT_TRUE(v.fsync(a, false).is_ok());
  EXPECT_EQ(v.stats().fsync_fallback_unreserved, 1u);
  EXPECT_TRUE(v.super().feature_incompat & format::kIncompatStreams);

  std::string a_now = std::string(8192, '1');
  a_now.replace(0, 100, std::string(100, '3'));
  a_now.replace(4096, 4096, std::string(4096, 'x'));
  a_now += std::string(4000, 'y');
  ASSERT_TRUE(v.write(a, 4096, bytes(std::string(4096, 'x'))).is_ok());
  ASSERT_TRUE(v.write(a, 8192, bytes(std::string(4000, 'y'))).is_ok());
  ASSERT_TRUE(v.write(b, 0, bytes(std::string(5000, 'z'))).is_ok());
  std::size_t mark = trace.events().size();
  const std::vector<uint8_t> before_fsync = base.bytes();  // no I/O in flight here
  uint64_t delta = v.super().delta;
  ASSERT_TRUE(v.fsync(a, false).is_ok());
  VolumeStats st = v.stats();
  EXPECT_EQ(st.fsync_stream, 1u);
  EXPECT_EQ(st.stream_blocks_written, 1u);
  EXPECT_EQ(st.stream_data_blocks, 2u);
  EXPECT_EQ(v.super().delta, delta) << "a stream fsync must not commit a delta";

  // Data (2 blocks) and one stream block, then one flush; no superblock, nothing of b.
  auto events = trace.events();
  std::vector<TraceEvent> after(events.begin() + std::ptrdiff_t(mark), events.end());
  std::size_t writes = 0, flushes = 0;
  for (const TraceEvent& e : after) {
    EXPECT_FALSE(is_superblock_write(e));
    if (e.kind == TraceEvent::Kind::kWrite) {
      ++writes;
      EXPECT_FALSE(e.fua);
      EXPECT_FALSE(contains_run(e.data, 'z', 64)) << "b's data was written by a's fsync";
    }
    flushes += e.kind == TraceEvent::Kind::kFlush;
  }
  EXPECT_EQ(flushes, 1u);
  EXPECT_LE(writes, 3u);
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(after.back().kind, TraceEvent::Kind::kFlush) << "the flush goes last";

  // The stream block landed but not all of the data: its data checksum does not match, so
  // replay ignores it and a keeps its committed content (no garbage).
  {
    MemoryDevice torn(before_fsync);
    bool skipped = false;
    for (const TraceEvent& e : after) {
      if (e.kind != TraceEvent::Kind::kWrite) continue;
      if (!skipped) {
        skipped = true;  // the first data write is lost
        continue;
      }
      ASSERT_TRUE(torn.write(e.offset, e.data).is_ok());
    }
    uint64_t replayed = 1;
    auto files = recover(torn.bytes(), "stream block without its data", &replayed);
    EXPECT_EQ(replayed, 0u);
    EXPECT_EQ(files["a"].substr(0, 100), std::string(100, '3'));
    EXPECT_EQ(files["a"].size(), 8192u);
  }

  // Crash now: a has its fsynced content, b its committed one.
  uint64_t replayed = 0;
  auto files = recover(base.bytes(), "crash after the stream fsync", &replayed);
  EXPECT_EQ(replayed, 1u);
  EXPECT_EQ(files["a"], a_now);
  EXPECT_EQ(files["b"], std::string(5000, '2'));

  // The delta absorbs it: a clean close leaves no live stream and no incompat bit.
  ASSERT_TRUE(v.close().is_ok());
  EXPECT_FALSE(v.super().feature_incompat & format::kIncompatStreams);
  for (const auto& head : v.super().streams) EXPECT_EQ(head.block, 0u);
  auto closed = recover(base.bytes(), "after close");
  EXPECT_EQ(closed["a"], a_now);
  EXPECT_EQ(closed["b"], std::string(5000, 'z'));
}

TEST(VolumeFsync, LatestOfSeveralFsyncsWins) {
  MemoryDevice dev(fresh_volume(32 << 20));
  auto vol = Volume::open(dev, quiet_options());
  ASSERT_TRUE(vol.is_ok());
  Volume& v = **vol;
  uint64_t f = v.create(kRootIno, "f", 0644, 0, 0)->ino;
  ASSERT_TRUE(v.write(f, 0, bytes("first")).is_ok());
  ASSERT_TRUE(v.fsync(f, false).is_ok());  // new file: commits (and reserves the streams)
  EXPECT_EQ(v.stats().fsync_fallback_new, 1u);
  std::string expect;
  for (int i = 0; i < 6; ++i) {
    // Grow, rewrite the start, then shrink nothing: every fsync a new version.
    std::string chunk(3000 + 1000 * i, char('a' + i));
    ASSERT_TRUE(v.write(f, 0, bytes(chunk)).is_ok());
    if (expect.size() < chunk.size()) expect.resize(chunk.size());
    expect.replace(0, chunk.size(), chunk);
    ASSERT_TRUE(v.fsync(f, false).is_ok());
  }
  EXPECT_EQ(v.stats().fsync_stream, 6u);
  auto files = recover(dev.bytes(), "six fsyncs, no commit");
  EXPECT_EQ(files["f"], expect);
}

TEST(VolumeFsync, FallbacksAreTakenAndCounted) {
  MemoryDevice dev(fresh_volume(32 << 20));
  auto vol = Volume::open(dev, quiet_options());
  ASSERT_TRUE(vol.is_ok());
  Volume& v = **vol;
  uint64_t d = v.mkdir(kRootIno, "d", 0755, 0, 0)->ino;
  uint64_t f = v.create(kRootIno, "f", 0644, 0, 0)->ino;
  ASSERT_TRUE(v.write(f, 0, bytes(std::string(9000, 'f'))).is_ok());
  ASSERT_TRUE(v.fsync(f, false).is_ok());
  EXPECT_EQ(v.stats().fsync_fallback_new, 1u);
  ASSERT_TRUE(v.fsync(d, false).is_ok());
  EXPECT_EQ(v.stats().fsync_fallback_dir, 1u);
  // Nothing changed: nothing to write.
  ASSERT_TRUE(v.fsync(f, false).is_ok());
  EXPECT_EQ(v.stats().fsync_clean, 1u);
  // Owner changes, xattrs and shrinking truncates do not fit a stream block.
  SetAttr owner;
  owner.uid = 1000;
  ASSERT_TRUE(v.setattr(f, owner).is_ok());
  ASSERT_TRUE(v.fsync(f, false).is_ok());
  EXPECT_EQ(v.stats().fsync_fallback_meta, 1u);
  ASSERT_TRUE(v.setxattr(f, "user.k", bytes("v"), 0).is_ok());
  ASSERT_TRUE(v.fsync(f, false).is_ok());
  EXPECT_EQ(v.stats().fsync_fallback_meta, 2u);
  SetAttr shrink;
  shrink.size = 100;
  ASSERT_TRUE(v.setattr(f, shrink).is_ok());
  ASSERT_TRUE(v.write(f, 50, bytes("tail")).is_ok());
  ASSERT_TRUE(v.fsync(f, false).is_ok());
  EXPECT_EQ(v.stats().fsync_fallback_meta, 3u);
  // Growing by truncate, a chmod and a write do fit.
  SetAttr grow;
  grow.size = 20000;
  grow.mode = 0600;
  ASSERT_TRUE(v.setattr(f, grow).is_ok());
  ASSERT_TRUE(v.write(f, 0, bytes("head")).is_ok());
  ASSERT_TRUE(v.fsync(f, false).is_ok());
  EXPECT_EQ(v.stats().fsync_stream, 1u);
  // fdatasync of a time-only change writes nothing.
  SetAttr times;
  times.mtime = format::Timestamp{1800000000, 0};
  ASSERT_TRUE(v.setattr(f, times).is_ok());
  ASSERT_TRUE(v.fsync(f, true).is_ok());
  EXPECT_EQ(v.stats().fsync_clean, 2u);
  EXPECT_EQ(v.stats().fsync_stream, 1u);
  // ... while fsync records it.
  ASSERT_TRUE(v.fsync(f, false).is_ok());
  EXPECT_EQ(v.stats().fsync_stream, 2u);
  EXPECT_EQ(v.stats().fsync_calls, 9u);
  uint64_t total = 0;
  for (uint64_t n : v.stats().fsync_latency_us_log2) total += n;
  EXPECT_EQ(total, 9u);

  MemoryDevice crash(dev.bytes());
  auto after = Volume::open(crash, quiet_options());
  ASSERT_TRUE(after.is_ok());
  auto a = (*after)->getattr(f);
  ASSERT_TRUE(a.is_ok());
  EXPECT_EQ(a->size, 20000u);
  EXPECT_EQ(a->mode & 07777, 0600u);
  EXPECT_EQ(a->mtime.sec, 1800000000);
  EXPECT_EQ(a->uid, 1000u);
  std::string data = read_all(**after, f);
  EXPECT_EQ(data.substr(0, 4), "head");
  EXPECT_EQ(data.substr(50, 4), "tail");
  EXPECT_EQ(data.substr(100, 10), std::string(10, '\0'));
}

TEST(VolumeFsync, DeltaModeCommitsTheDelta) {
  MemoryDevice dev(fresh_volume(32 << 20));
  VolumeOptions opt = quiet_options();
  opt.fsync_mode = format::FsyncMode::kDelta;
  auto vol = Volume::open(dev, opt);
  ASSERT_TRUE(vol.is_ok());
  Volume& v = **vol;
  uint64_t a = v.create(kRootIno, "a", 0644, 0, 0)->ino;
  uint64_t b = v.create(kRootIno, "b", 0644, 0, 0)->ino;
  ASSERT_TRUE(v.sync().is_ok());
  ASSERT_TRUE(v.write(b, 0, bytes("earlier")).is_ok());
  ASSERT_TRUE(v.write(a, 0, bytes("later")).is_ok());
  uint64_t delta = v.super().delta;
  ASSERT_TRUE(v.fsync(a, false).is_ok());
  EXPECT_EQ(v.stats().fsync_delta_mode, 1u);
  EXPECT_EQ(v.stats().fsync_stream, 0u);
  EXPECT_EQ(v.super().delta, delta + 1);
  auto files = recover(dev.bytes(), "delta mode");
  EXPECT_EQ(files["a"], "later");
  EXPECT_EQ(files["b"], "earlier") << "delta mode keeps the order of earlier operations";
}

// A recorded run with fsyncs, writes and deltas committing in the background; every crash
// state must give each file a version it had, no older than its last acknowledged fsync.
TEST(VolumeFsync, CrashAtEveryPointKeepsFsyncedContent) {
  const std::vector<uint8_t> start = fresh_volume(8 << 20, 10);
  MemoryDevice live(start);
  TraceDevice trace(live);
  constexpr int kFiles = 4;
  std::vector<std::vector<std::string>> versions(kFiles);  // every content each file had
  std::mt19937 rng(20261122);
  {
    auto vol = Volume::open(trace, quiet_options());
    ASSERT_TRUE(vol.is_ok());
    Volume& v = **vol;
    std::vector<uint64_t> ino(kFiles);
    for (int i = 0; i < kFiles; ++i) {
      ino[i] = v.create(kRootIno, "f" + std::to_string(i), 0644, 0, 0)->ino;
      versions[i].push_back("");
    }
    ASSERT_TRUE(v.sync().is_ok());
    // Acknowledgements are marks in the trace (the backend may be writing meanwhile).
    auto ack = [&](int file) {
      trace.mark("ack " + std::to_string(file) + " " + std::to_string(versions[file].size() - 1));
    };
    for (int i = 0; i < kFiles; ++i) ack(i);
    for (int step = 0; step < 120; ++step) {
      int i = int(rng() % kFiles);
      std::string content = versions[i].back();
      uint64_t offset = rng() % 6000, length = 1 + rng() % 2500;
      std::string chunk(length, char('A' + step % 50));
      if (content.size() < offset + length) content.resize(offset + length);
      content.replace(offset, length, chunk);
      ASSERT_TRUE(v.write(ino[i], offset, bytes(chunk)).is_ok());
      versions[i].push_back(content);
      unsigned action = rng() % 10;
      if (action < 5) {
        ASSERT_TRUE(v.fsync(ino[i], rng() % 4 == 0).is_ok());
        ack(i);
      } else if (action < 7) {
        ASSERT_TRUE(v.start_commit(false).is_ok());  // a delta in flight during what follows
      } else if (action == 7) {
        ASSERT_TRUE(v.sync().is_ok());
        for (int k = 0; k < kFiles; ++k) ack(k);
      }
    }
    EXPECT_GT(v.stats().fsync_stream, 20u);
    EXPECT_GT(v.stats().fsync_waited_delta + v.stats().fsync_stream, 0u);
    // No close: the run ends in a crash.
    (void)v.start_commit(false);
    ASSERT_TRUE(v.sync().is_ok());
    for (int k = 0; k < kFiles; ++k) ack(k);
  }
  // Each state is an overlay over the starting image: nothing is copied per state.
  MemoryDevice start_dev(start);
  CrashStates crash(trace.events());
  CrashImages images(crash, start_dev);
  std::size_t states = 0;
  auto check = [&](const CrashState& state) {
    const std::string name = state.name();
    // The newest version of each file acknowledged before the crash point.
    std::vector<std::size_t> acked(kFiles, 0);
    for (const std::string& mark : crash.marks_before(state)) {
      int file = 0;
      std::size_t version = 0;
      ASSERT_EQ(std::sscanf(mark.c_str(), "ack %d %zu", &file, &version), 2) << mark;
      acked[file] = std::max(acked[file], version);
    }
    ++states;
    auto image = images.open(state);
    ASSERT_TRUE(image.is_ok()) << name << ": " << image.status().to_string();
    OverlayDevice& dev = **image;
    auto vol = Volume::open(dev, quiet_options());
    ASSERT_TRUE(vol.is_ok()) << name << ": " << vol.status().to_string();
    auto files = files_of(**vol);
    for (int i = 0; i < kFiles; ++i) {
      const std::string& got = files["f" + std::to_string(i)];
      bool ok = false;
      for (std::size_t k = acked[i]; k < versions[i].size() && !ok; ++k) ok = versions[i][k] == got;
      ASSERT_TRUE(ok) << name << ": f" << i << " (" << got.size() << " bytes) is no "
                      << "version at or after the acknowledged version " << acked[i];
    }
    ASSERT_TRUE((*vol)->close().is_ok()) << name;
    expect_verified(dev, name + " after recovery");
  };
  crash.for_each([&](const CrashState& state) {
    check(state);
    return !::testing::Test::HasFatalFailure();
  });
  EXPECT_GT(states, 200u);
}

TEST(VolumeFsync, ConcurrentFsyncsOfManyFilesAndOfOneFile) {
  const std::vector<uint8_t> start = fresh_volume(64 << 20);
  MemoryDevice dev(start);
  TraceDevice trace(dev);  // the crash image is rebuilt from the writes before a mark
  VolumeOptions opt;
  opt.delta_interval_ms = 5;  // deltas commit in the background all the time ...
  opt.unify_every_deltas = 4;  // ... and unify often
  auto vol = Volume::open(trace, opt);
  ASSERT_TRUE(vol.is_ok());
  Volume& v = **vol;
  constexpr int kThreads = 4;
  std::vector<uint64_t> own(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    own[t] = v.create(kRootIno, "own" + std::to_string(t), 0644, 0, 0)->ino;
  }
  uint64_t shared = v.create(kRootIno, "shared", 0644, 0, 0)->ino;
  ASSERT_TRUE(v.sync().is_ok());
  std::vector<std::string> own_content(kThreads);
  std::vector<std::thread> threads;
  std::atomic<bool> failed{false};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng{unsigned(t)};
      std::string& content = own_content[t];
      for (int i = 0; i < 60 && !failed; ++i) {
        std::string chunk(4096, char('a' + (i + t) % 26));
        uint64_t at = (rng() % 8) * 4096;
        if (content.size() < at + chunk.size()) content.resize(at + chunk.size());
        content.replace(at, chunk.size(), chunk);
        failed = failed || !v.write(own[t], at, bytes(chunk)).is_ok() ||
                 !v.fsync(own[t], false).is_ok();
        // The shared file: each thread owns block t of it.
        std::string mine(4096, char('0' + t));
        mine[0] = char('a' + i % 26);
        failed = failed || !v.write(shared, uint64_t(t) * 4096, bytes(mine)).is_ok() ||
                 !v.fsync(shared, i % 2 == 0).is_ok();
      }
    });
  }
  // Beside them: a file fsynced, shrunk, renamed, unlinked and recreated, over and over.
  threads.emplace_back([&] {
    for (int i = 0; i < 40 && !failed; ++i) {
      auto created = v.create(kRootIno, "victim", 0644, 0, 0);
      if (!created.is_ok()) {
        failed = true;
        break;
      }
      uint64_t ino = created->ino;
      SetAttr shrink;
      shrink.size = 1000;
      failed = failed || !v.write(ino, 0, bytes(std::string(9000, 'v'))).is_ok() ||
               !v.fsync(ino, false).is_ok() || !v.write(ino, 0, bytes("again")).is_ok() ||
               !v.fsync(ino, true).is_ok() || !v.setattr(ino, shrink).is_ok() ||
               !v.fsync(ino, false).is_ok() ||
               !v.rename(kRootIno, "victim", kRootIno, "moved").is_ok() ||
               !v.fsync(ino, false).is_ok() || !v.unlink(kRootIno, "moved").is_ok() ||
               !v.fsync(ino, false).is_ok();
    }
  });
  for (auto& th : threads) th.join();
  ASSERT_FALSE(failed);
  VolumeStats st = v.stats();
  EXPECT_GT(st.fsync_stream, 100u);
  EXPECT_EQ(st.fsync_calls, uint64_t(kThreads) * 120 + 40 * 5);
  EXPECT_GT(st.unifies, 0u);
  // The last fsyncs returned: a crash now (whatever the backend writes later) keeps them.
  trace.mark("joined");
  std::string shared_now = read_all(v, shared);
  ASSERT_TRUE(v.close().is_ok());
  expect_verified(dev, "after close");
  MemoryDevice image(start);
  for (const TraceEvent& e : trace.events()) {
    if (e.kind == TraceEvent::Kind::kMark && e.label == "joined") break;
    if (e.kind == TraceEvent::Kind::kWrite) {
      ASSERT_TRUE(image.write(e.offset, e.data).is_ok());
    }
  }
  auto files = recover(image.bytes(), "after the concurrent fsyncs");
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(files["own" + std::to_string(t)], own_content[t]);
  EXPECT_EQ(files["shared"], shared_now);
}

TEST(VolumeFsync, NamespaceChangesAfterTheFsync) {
  MemoryDevice dev(fresh_volume(32 << 20));
  auto vol = Volume::open(dev, quiet_options());
  ASSERT_TRUE(vol.is_ok());
  Volume& v = **vol;
  uint64_t t = v.create(kRootIno, "truncated", 0644, 0, 0)->ino;
  uint64_t u = v.create(kRootIno, "unlinked", 0644, 0, 0)->ino;
  uint64_t r = v.create(kRootIno, "renamed", 0644, 0, 0)->ino;
  for (uint64_t ino : {t, u, r}) ASSERT_TRUE(v.write(ino, 0, bytes("old")).is_ok());
  ASSERT_TRUE(v.sync().is_ok());
  ASSERT_TRUE(v.fsync(t, false).is_ok());  // clean; the next delta reserves the streams
  ASSERT_TRUE(v.sync().is_ok());
  for (uint64_t ino : {t, u, r}) {
    ASSERT_TRUE(v.write(ino, 0, bytes(std::string(10000, 'n'))).is_ok());
    ASSERT_TRUE(v.fsync(ino, false).is_ok());
  }
  EXPECT_EQ(v.stats().fsync_stream, 3u);
  SetAttr zero;
  zero.size = 0;
  ASSERT_TRUE(v.setattr(t, zero).is_ok());
  ASSERT_TRUE(v.unlink(kRootIno, "unlinked").is_ok());
  ASSERT_TRUE(v.rename(kRootIno, "renamed", kRootIno, "moved").is_ok());
  // Crash before any commit: the fsynced states, under the committed names.
  auto crash = recover(dev.bytes(), "namespace changes, no commit");
  EXPECT_EQ(crash["truncated"], std::string(10000, 'n'));
  EXPECT_EQ(crash["unlinked"], std::string(10000, 'n'));
  EXPECT_EQ(crash["renamed"], std::string(10000, 'n'));
  ASSERT_TRUE(v.sync().is_ok());
  auto committed = recover(dev.bytes(), "namespace changes, committed");
  EXPECT_EQ(committed.count("unlinked"), 0u);
  EXPECT_EQ(committed.count("renamed"), 0u);
  EXPECT_EQ(committed["moved"], std::string(10000, 'n'));
  EXPECT_EQ(committed["truncated"], "");
}

TEST(VolumeFsync, FullVolumeFallsBackAndStaysConsistent) {
  MemoryDevice dev(fresh_volume(2 << 20, 10));
  auto vol = Volume::open(dev, quiet_options());
  ASSERT_TRUE(vol.is_ok());
  Volume& v = **vol;
  uint64_t f = v.create(kRootIno, "f", 0644, 0, 0)->ino;
  ASSERT_TRUE(v.write(f, 0, bytes("x")).is_ok());
  ASSERT_TRUE(v.fsync(f, false).is_ok());
  // Fill the volume with fsynced writes until it is full.
  std::string chunk(1024, 'q');
  uint64_t at = 0;
  Status s;
  for (int i = 0; i < 4000; ++i) {
    auto w = v.write(f, at, bytes(chunk));
    if (!w.is_ok()) {
      s = w.status();
      break;
    }
    at += chunk.size();
    Status fs = v.fsync(f, false);
    if (!fs) {
      s = fs;
      break;
    }
  }
  ASSERT_FALSE(s.is_ok()) << "the volume never filled";
  EXPECT_EQ(status_errno(s), ENOSPC) << s.to_string();
  EXPECT_GT(v.stats().fsync_stream, 10u);
  auto files = recover(dev.bytes(), "full volume");
  EXPECT_GE(files["f"].size(), at - chunk.size());
  ASSERT_TRUE(v.close().is_ok());
  expect_verified(dev, "full volume, closed");
}

}  // namespace
}  // namespace tux3
