// volume_crash_test.cc: every crash state G1-G4 of a recorded workload (flush points, write
// prefixes, subsets of the unflushed writes, torn writes), each an overlay over the
// starting image: each must open (replaying its log), verify clean, and hold exactly the
// tree of a committed delta no older than the last one acknowledged.
#include <map>
#include <string>

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

TEST(VolumeCrash, EveryCrashStateRecoversACommittedDelta) {
  MkfsOptions o;
  o.block_bits = 10;
  o.uuid = testing::kSampleUuid;
  o.now = {1700000000, 0};
  MemoryDevice base(8 << 20);
  auto g = plan_volume(base.size(), base.topology(), o);
  ASSERT_TRUE(write_volume(base, *g, o).is_ok());
  const std::vector<uint8_t> start = base.bytes();

  // The workload, recorded. committed[k] is the tree after the k-th acknowledged sync;
  // marks[k] the trace position where that sync returned.
  MemoryDevice live(start);
  TraceDevice trace(live);
  VolumeOptions opt;
  opt.delta_interval_ms = 1u << 30;
  opt.unify_every_deltas = 3;
  std::vector<Tree> committed{Tree{}};
  std::vector<std::size_t> acked{0};
  {
    auto vol = Volume::open(trace, opt);
    ASSERT_TRUE(vol.is_ok());
    Volume& v = **vol;
    for (int round = 0; round < 12; ++round) {
      std::string dir = "d" + std::to_string(round % 3);
      auto d = v.lookup(kRootIno, dir);
      uint64_t dino = d ? d->ino : v.mkdir(kRootIno, dir, 0755, 0, 0)->ino;
      std::string name = "f" + std::to_string(round);
      auto f = v.create(dino, name, 0644, 0, 0);
      ASSERT_TRUE(f.is_ok());
      std::string data(100 + round * 700, char('a' + round));
      ASSERT_TRUE(v.write(f->ino, 0, bytes(data)).is_ok());
      if (round % 4 == 3 && v.lookup(dino, "f" + std::to_string(round - 3)).is_ok()) {
        ASSERT_TRUE(v.unlink(dino, "f" + std::to_string(round - 3)).is_ok());
      }
      if (round % 5 == 4) {
        ASSERT_TRUE(v.rename(dino, name, kRootIno, "moved" + std::to_string(round)).is_ok());
      }
      ASSERT_TRUE(v.sync().is_ok());
      committed.push_back(snapshot(v));
      acked.push_back(trace.events().size());
    }
    ASSERT_TRUE(v.close().is_ok());
    committed.push_back(snapshot(v));
    acked.push_back(trace.events().size());
  }

  // Every crash state G1-G4 of the run, each an overlay over the starting image.
  MemoryDevice start_dev(start);
  CrashStates crash(trace.events());
  CrashImages images(crash, start_dev);
  std::size_t states = 0;
  auto check = [&](const CrashState& state) {
    const std::string name = state.name();
    const std::size_t cut = state.cut;
    auto image = images.open(state);
    ASSERT_TRUE(image.is_ok()) << name << ": " << image.status().to_string();
    OverlayDevice& dev = **image;
    ++states;
    auto reader = VolumeReader::open(dev);
    ASSERT_TRUE(reader.is_ok()) << name << ": " << reader.status().to_string();
    auto report = verify_volume(**reader);
    ASSERT_TRUE(report.is_ok());
    ASSERT_TRUE(report->clean()) << name << ": " << report->problems.front();
    auto vol = Volume::open(dev, opt);
    ASSERT_TRUE(vol.is_ok()) << name << ": " << vol.status().to_string();
    Tree now = snapshot(**vol);
    // The newest delta acknowledged before the crash must be there (or a later one).
    std::size_t newest_acked = 0;
    while (newest_acked + 1 < acked.size() && acked[newest_acked + 1] <= cut) ++newest_acked;
    bool matched = false;
    for (std::size_t k = newest_acked; k < committed.size() && !matched; ++k) {
      matched = now == committed[k];
    }
    ASSERT_TRUE(matched) << name << " (crash before event " << cut << ") recovered a state "
                         << "that is no committed delta at or after the acknowledged delta "
                         << newest_acked;
  };
  crash.for_each([&](const CrashState& state) {
    check(state);
    return !::testing::Test::HasFatalFailure();
  });
  EXPECT_GT(states, 100u);
}

}  // namespace
}  // namespace tux3
