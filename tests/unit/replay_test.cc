// replay_test.cc: the recovery tools' replay (tuxdisk/replay.h): clean volumes, crashed
// ones (log, fsync streams, orphans), dry runs, the state of an older delta and writing it
// back (with a crash during that write), a damaged log and its last valid point, stream
// limits, unsupported volumes, and the listing --print shows.
#include <gtest/gtest.h>

#include "helpers.h"
#include "samples.h"
#include "tuxdisk/crash_states.h"
#include "tuxdisk/format/log.h"
#include "tuxdisk/memory_device.h"
#include "tuxdisk/mkfs.h"
#include "tuxdisk/overlay_device.h"
#include "tuxdisk/replay.h"
#include "tuxdisk/superblock_io.h"
#include "tuxdisk/trace_device.h"
#include "tuxdisk/verify.h"
#include "tuxdisk/volume.h"
#include "tuxdisk/volume_reader.h"

namespace tux3 {
namespace {

using testing::bytes;
using testing::quiet;

using format::FsyncMode;

class ReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MkfsOptions o;
    o.block_bits = 10;
    o.uuid = testing::kSampleUuid;
    o.now = {1700000000, 0};
    auto g = plan_volume(base.size(), base.topology(), o);
    ASSERT_TRUE(g.is_ok() && write_volume(base, *g, o).is_ok());
  }

  // Names in the root directory, each with its contents, as the state `options` selects.
  std::map<std::string, std::string> files(BlockDevice& dev, const ReplayOptions& options = {}) {
    auto vol = open_state(dev, options);
    EXPECT_TRUE(vol.is_ok()) << vol.status().to_string();
    std::map<std::string, std::string> out;
    if (!vol.is_ok()) return out;
    (void)(*vol)->readdir(kRootIno, 2, [&](const DirEntry& e) {
      auto a = (*vol)->getattr(e.ino);
      std::string data(a->size, '\0');
      (void)(*vol)->read(e.ino, 0, std::span(reinterpret_cast<uint8_t*>(data.data()), data.size()));
      out[e.name] = data;
      return true;
    });
    return out;
  }

  void expect_clean(BlockDevice& dev) {
    auto reader = VolumeReader::open(dev);
    ASSERT_TRUE(reader.is_ok());
    auto report = verify_volume(**reader);
    ASSERT_TRUE(report.is_ok());
    EXPECT_TRUE(report->clean()) << (report->problems.empty() ? "" : report->problems[0]);
  }

  // Deltas each adding one file d<i> holding "delta <i>"; returns the committed delta
  // after each (index i). The volume is left as after a crash.
  std::vector<uint64_t> files_per_delta(int count) {
    std::vector<uint64_t> deltas;
    auto vol = Volume::open(base, quiet());
    EXPECT_TRUE(vol.is_ok());
    for (int i = 0; i < count; ++i) {
      auto f = (*vol)->create(kRootIno, "d" + std::to_string(i), 0644, 0, 0);
      EXPECT_TRUE(f.is_ok());
      EXPECT_TRUE((*vol)->write(f->ino, 0, bytes("delta " + std::to_string(i))).is_ok());
      EXPECT_TRUE((*vol)->sync().is_ok());
      deltas.push_back((*vol)->super().delta);
    }
    return deltas;
  }

  MemoryDevice base{2 << 20};
};

TEST_F(ReplayTest, CleanVolumeNeedsNothingAndWritesNothing) {
  {
    auto vol = Volume::open(base, quiet());
    ASSERT_TRUE(vol.is_ok());
    ASSERT_TRUE((*vol)->create(kRootIno, "f", 0644, 0, 0).is_ok());
    ASSERT_TRUE((*vol)->close().is_ok());
  }
  OverlayDevice dev(base);
  auto report = replay_volume(dev, {});
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_TRUE(report->clean);
  EXPECT_FALSE(report->needed());
  EXPECT_FALSE(report->wrote);
  EXPECT_EQ(dev.write_count(), 0u);
}

TEST_F(ReplayTest, CrashedVolumeDryRunThenReplayThenNothing) {
  uint64_t a_ino = 0, b_ino = 0;
  {
    VolumeOptions o = quiet();
    auto vol = Volume::open(base, o);
    ASSERT_TRUE(vol.is_ok());
    Volume& v = **vol;
    a_ino = v.create(kRootIno, "a", 0644, 0, 0)->ino;
    b_ino = v.create(kRootIno, "b", 0644, 0, 0)->ino;
    ASSERT_TRUE(v.write(a_ino, 0, bytes("old a")).is_ok());
    ASSERT_TRUE(v.sync().is_ok());
    ASSERT_TRUE(v.fsync(a_ino, false).is_ok());  // reserves the streams (a delta)
    ASSERT_TRUE(v.open_file(b_ino).is_ok());
    ASSERT_TRUE(v.unlink(kRootIno, "b").is_ok());
    ASSERT_TRUE(v.sync().is_ok());               // b is an orphan in a durable delta
    ASSERT_TRUE(v.write(a_ino, 0, bytes("new a, fsynced")).is_ok());
    ASSERT_TRUE(v.fsync(a_ino, false).is_ok());  // a stream fsync
    ASSERT_EQ(v.stats().fsync_stream, 1u);
    ASSERT_TRUE(v.create(kRootIno, "lost", 0644, 0, 0).is_ok());  // never durable
    // Crash.
  }
  OverlayDevice dev(base);
  ReplayOptions dry;
  dry.dry_run = true;
  auto report = replay_volume(dev, dry);
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_TRUE(report->needed());
  EXPECT_FALSE(report->wrote);
  EXPECT_EQ(dev.write_count(), 0u);
  ASSERT_EQ(report->fsyncs.size(), 1u);
  EXPECT_TRUE(report->fsyncs[0].applied);
  EXPECT_EQ(report->fsyncs[0].record.inum, a_ino);
  EXPECT_EQ(report->orphans, std::vector<uint64_t>{b_ino});
  EXPECT_GT(report->log_records, 0u);
  EXPECT_EQ(report->records_by_code[uint8_t(format::LogCode::kRoots)], report->deltas.size());
  EXPECT_EQ(report->target_delta, report->committed.delta);

  report = replay_volume(dev, {});
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_TRUE(report->wrote);
  EXPECT_GT(report->written_delta, report->committed.delta);
  expect_clean(dev);
  auto slots = read_superblock(dev);
  ASSERT_TRUE(slots.is_ok());
  EXPECT_TRUE(slots->slots[*slots->chosen]->state & format::kStateClean);
  EXPECT_EQ((files(dev)), (std::map<std::string, std::string>{{"a", "new a, fsynced"}}));

  uint64_t writes = dev.write_count();
  report = replay_volume(dev, {});
  ASSERT_TRUE(report.is_ok());
  EXPECT_TRUE(report->clean);
  EXPECT_EQ(dev.write_count(), writes);
}

TEST_F(ReplayTest, StateOfAnOlderDeltaOfTheLog) {
  auto deltas = files_per_delta(5);
  OverlayDevice dev(base);
  ReplayOptions at;
  at.until_delta = deltas[2];
  ReplayReport report;
  auto vol = open_state(dev, at, &report);
  ASSERT_TRUE(vol.is_ok()) << vol.status().to_string();
  EXPECT_EQ(report.target_delta, deltas[2]);
  EXPECT_EQ(report.discarded, (std::vector<uint64_t>{deltas[3], deltas[4]}));
  EXPECT_TRUE(report.intact) << (report.problems.empty() ? "" : report.problems[0]);
  EXPECT_EQ(report.deltas.back().delta, deltas[2]);
  vol->reset();
  EXPECT_EQ(files(dev, at), (std::map<std::string, std::string>{
                                {"d0", "delta 0"}, {"d1", "delta 1"}, {"d2", "delta 2"}}));

  // A delta not in the log, and one newer than the committed: refused.
  at.until_delta = deltas[4] + 1;
  EXPECT_EQ(replay_volume(dev, at).status().code(), Errc::kInvalidArgument);
  at.until_delta = 1;
  EXPECT_EQ(replay_volume(dev, at).status().code(), Errc::kInvalidArgument);
  EXPECT_EQ(dev.write_count(), 0u);
}

TEST_F(ReplayTest, WritingAnOlderStateNeedsForceAndSurvivesACrash) {
  auto deltas = files_per_delta(5);
  const std::vector<uint8_t> start = base.bytes();
  ReplayOptions at;
  at.until_delta = deltas[1];
  {
    OverlayDevice dev(base);
    auto refused = replay_volume(dev, at);
    EXPECT_EQ(refused.status().code(), Errc::kInvalidArgument);
    EXPECT_NE(refused.status().message().find("--force"), std::string::npos);
    EXPECT_EQ(dev.write_count(), 0u);
  }
  at.force = true;
  OverlayDevice whole(base);
  TraceDevice trace(whole);
  auto report = replay_volume(trace, at);
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_TRUE(report->wrote);
  EXPECT_TRUE(report->intact);
  EXPECT_GT(report->written_delta, deltas[4]);
  expect_clean(whole);
  const std::map<std::string, std::string> older{{"d0", "delta 0"}, {"d1", "delta 1"}};
  EXPECT_EQ(files(whole), older);

  // A crash anywhere in that write leaves either the volume as it was or the older state,
  // and replaying again ends there: the newer state's blocks were never overwritten first.
  std::map<std::string, std::string> newest;
  for (int i = 0; i < 5; ++i) newest["d" + std::to_string(i)] = "delta " + std::to_string(i);
  std::vector<TraceEvent> events = trace.events();
  CrashStates states(events);
  std::size_t checked = 0, old_seen = 0, new_seen = 0;
  states.for_each([&](const CrashState& s) {
    OverlayDevice crashed(base);
    EXPECT_TRUE(states.apply(s, crashed).is_ok());
    auto again = replay_volume(crashed, {});
    EXPECT_TRUE(again.is_ok() && !again->damage) << s.name();
    if (!again.is_ok() || again->damage) return true;
    auto got = files(crashed);
    EXPECT_TRUE(got == older || got == newest) << s.name();
    old_seen += got == older;
    new_seen += got == newest;
    expect_clean(crashed);
    ++checked;
    return true;
  });
  EXPECT_GT(checked, 5u);
  EXPECT_GT(old_seen, 0u);
  EXPECT_GT(new_seen, 0u);
}

TEST_F(ReplayTest, OlderStateWhoseBlocksWereReusedSaysSo) {
  uint64_t keep_delta = 0;
  {
    auto vol = Volume::open(base, quiet());
    ASSERT_TRUE(vol.is_ok());
    Volume& v = **vol;
    auto f = v.create(kRootIno, "old", 0644, 0, 0);
    ASSERT_TRUE(v.write(f->ino, 0, bytes(std::string(8192, 'o'))).is_ok());
    ASSERT_TRUE(v.sync().is_ok());
    keep_delta = v.super().delta;
    ASSERT_TRUE(v.unlink(kRootIno, "old").is_ok());
    ASSERT_TRUE(v.sync().is_ok());  // its blocks are free once this is durable
    for (int i = 0; i < 4; ++i) {
      auto g = v.create(kRootIno, "new" + std::to_string(i), 0644, 0, 0);
      ASSERT_TRUE(v.write(g->ino, 0, bytes(std::string(8192, char('a' + i)))).is_ok());
      ASSERT_TRUE(v.sync().is_ok());
    }
  }
  OverlayDevice dev(base);
  ReplayOptions at;
  at.until_delta = keep_delta;
  at.dry_run = true;
  auto report = replay_volume(dev, at);
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_FALSE(report->intact);
  ASSERT_FALSE(report->problems.empty());
  EXPECT_NE(report->problems[0].find("may have been reused"), std::string::npos)
      << report->problems[0];
}

TEST_F(ReplayTest, DamagedNewestLogBlockStopsAtTheLastValidPoint) {
  auto deltas = files_per_delta(4);
  auto slots = read_superblock(base);
  ASSERT_TRUE(slots.is_ok());
  uint64_t head = slots->slots[*slots->chosen]->log_head;
  OverlayDevice dev(base);
  std::vector<uint8_t> junk(1024, 0x5a);
  ASSERT_TRUE(dev.write(head << 10, junk).is_ok());
  uint64_t writes = dev.write_count();

  auto report = replay_volume(dev, {});
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  ASSERT_TRUE(report->damage.has_value());
  EXPECT_EQ(report->damage->delta, deltas[3]);
  EXPECT_EQ(report->damage->block, head);
  EXPECT_EQ(report->damage->last_valid_delta, deltas[2]);
  EXPECT_FALSE(report->wrote);
  EXPECT_EQ(dev.write_count(), writes);

  auto listing = list_log(dev);
  ASSERT_TRUE(listing.is_ok());
  ASSERT_TRUE(listing->damage.has_value());
  EXPECT_EQ(listing->damage->block, head);
  EXPECT_EQ(listing->damage->last_valid_delta, deltas[2]);

  ReplayOptions back;
  back.until_delta = deltas[2];
  back.force = true;
  auto rolled = replay_volume(dev, back);
  ASSERT_TRUE(rolled.is_ok()) << rolled.status().to_string();
  EXPECT_TRUE(rolled->wrote);
  expect_clean(dev);
  EXPECT_EQ(files(dev).size(), 3u);
}

TEST_F(ReplayTest, StreamLimitAppliesFsyncsOnlyUpToIt) {
  uint64_t ino = 0;
  {
    auto vol = Volume::open(base, quiet());
    ASSERT_TRUE(vol.is_ok());
    Volume& v = **vol;
    ino = v.create(kRootIno, "s", 0644, 0, 0)->ino;
    ASSERT_TRUE(v.sync().is_ok());
    ASSERT_TRUE(v.write(ino, 0, bytes("zero")).is_ok());
    ASSERT_TRUE(v.fsync(ino, false).is_ok());  // commits, reserving the streams
    for (std::string text : {"first", "second, longer"}) {
      ASSERT_TRUE(v.write(ino, 0, bytes(text)).is_ok());
      ASSERT_TRUE(v.fsync(ino, false).is_ok());
    }
    ASSERT_EQ(v.stats().fsync_stream, 2u);
  }
  OverlayDevice dev(base);
  ReplayOptions dry;
  dry.dry_run = true;
  auto all = replay_volume(dev, dry);
  ASSERT_TRUE(all.is_ok());
  ASSERT_EQ(all->fsyncs.size(), 2u);
  uint16_t stream = all->fsyncs[0].stream;
  ReplayOptions limited;
  limited.stream_limit[stream] = all->fsyncs[0].last_seq;
  EXPECT_EQ(files(dev, limited), (std::map<std::string, std::string>{{"s", "first"}}));
  limited.dry_run = true;
  auto r = replay_volume(dev, limited);
  ASSERT_TRUE(r.is_ok());
  EXPECT_TRUE(r->fsyncs[0].applied);
  EXPECT_FALSE(r->fsyncs[1].applied);
  EXPECT_NE(r->fsyncs[1].not_applied.find("limit"), std::string::npos);
  limited.dry_run = false;
  EXPECT_EQ(replay_volume(dev, limited).status().code(), Errc::kInvalidArgument);
  limited.force = true;
  ASSERT_TRUE(replay_volume(dev, limited).is_ok());
  EXPECT_EQ(files(dev), (std::map<std::string, std::string>{{"s", "first"}}));
  expect_clean(dev);
}

TEST_F(ReplayTest, ListLogShowsEveryDeltaAndStreamBlock) {
  auto deltas = files_per_delta(3);
  {
    auto vol = Volume::open(base, quiet());
    ASSERT_TRUE(vol.is_ok());
    uint64_t ino = (*vol)->lookup(kRootIno, "d0")->ino;
    ASSERT_TRUE((*vol)->write(ino, 100, bytes("x")).is_ok());
    ASSERT_TRUE((*vol)->fsync(ino, false).is_ok());  // commits, reserving the streams
    ASSERT_TRUE((*vol)->write(ino, 0, bytes("streamed")).is_ok());
    ASSERT_TRUE((*vol)->fsync(ino, false).is_ok());
  }
  auto listing = list_log(base);
  ASSERT_TRUE(listing.is_ok()) << listing.status().to_string();
  EXPECT_FALSE(listing->damage);
  ASSERT_FALSE(listing->deltas.empty());
  EXPECT_EQ(listing->deltas.back().delta, listing->super.delta);
  EXPECT_EQ(listing->deltas.back().roots.itree, listing->super.itree);
  std::size_t blocks = 0;
  for (const auto& d : listing->deltas) blocks += d.blocks.size();
  EXPECT_EQ(blocks, listing->blocks.size());
  std::size_t stream_blocks = 0;
  for (const auto& s : listing->streams) stream_blocks += s.blocks.size();
  EXPECT_EQ(stream_blocks, 1u);
}

TEST_F(ReplayTest, UnknownIncompatibleFeatureIsRefused) {
  auto slots = read_superblock(base);
  ASSERT_TRUE(slots.is_ok());
  for (unsigned i = 0; i < 2; ++i) {
    format::Superblock sb = *slots->slots[i];
    sb.feature_incompat |= 1ull << 40;
    std::vector<uint8_t> slot(format::kSuperSlotSize);
    format::encode_superblock(sb, slot);
    ASSERT_TRUE(base.write(format::kSuperSlotOffset[i], slot).is_ok());
  }
  auto report = replay_volume(base, {});
  EXPECT_EQ(report.status().code(), Errc::kNotSupported);
  EXPECT_EQ(list_log(base).status().code(), Errc::kNotSupported);
}

// A newer writer committed the newest slot with a feature this build does not know:
// falling back to the older slot would discard that delta, so the volume is refused.
TEST_F(ReplayTest, NewestSlotWithAnUnknownFeatureRefusesTheVolume) {
  files_per_delta(2);
  auto slots = read_superblock(base);
  ASSERT_TRUE(slots.is_ok());
  unsigned newest = *slots->chosen;
  format::Superblock sb = *slots->slots[newest];
  sb.feature_incompat |= 1ull << 40;
  std::vector<uint8_t> slot(format::kSuperSlotSize);
  format::encode_superblock(sb, slot);
  ASSERT_TRUE(base.write(format::kSuperSlotOffset[newest], slot).is_ok());
  auto again = read_superblock(base);
  EXPECT_EQ(again.status().code(), Errc::kNotSupported);
  EXPECT_NE(again.status().message().find("newer than slot"), std::string::npos)
      << again.status().message();
  EXPECT_EQ(replay_volume(base, {}).status().code(), Errc::kNotSupported);
}

// --until-delta on a fresh volume, whose log is empty: refused, never a crash.
TEST_F(ReplayTest, OlderDeltaOfAnEmptyLogIsRefused) {
  ReplayOptions at;
  at.until_delta = 0;
  at.dry_run = true;
  auto r = replay_volume(base, at);
  EXPECT_EQ(r.status().code(), Errc::kInvalidArgument);
  EXPECT_NE(r.status().message().find("not in the log"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace tux3
