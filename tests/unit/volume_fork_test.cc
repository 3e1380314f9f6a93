// volume_fork_test.cc: page forking and the asynchronous backend, proved with a device
// that holds a delta's writes open (GateDevice) and one that records them (TraceDevice).
//
// The objections to page forking, each with its test:
//  - a write to a block under I/O forks it and does not wait; the old copy reaches disk
//    unchanged and the new one goes out in the next delta (WriteToBlockUnderIoForks);
//  - two versions of one file block exist at once, and every lookup sees the newest while
//    a reader's pinned reference keeps the old one (same test, and ReadsUnderIo...);
//  - stable-pages mode waits instead, and counts the wait (StablePagesWaitForTheIo), but
//    only for the block's own request, not for the rest of the delta, its flush or its
//    commit block (StablePagesWaitOnlyForTheBlocksRequest); once that request completed,
//    a write changes the block in place in either mode (RewriteAfterItsRequest...), and a
//    commit's data goes out in requests of at most 1 MiB (CommitRequestsAreAtMost...);
//  - truncate, unlink and rename of files whose blocks are under I/O (NamespaceChanges...);
//  - never two writes of one block in a delta, never a block written by consecutive deltas,
//    the superblock always after a flush (TraceNeverReusesABlockTooSoon);
//  - the frontend waits only for a third delta, counted (ThrottleOnlyForAThirdDelta), and
//    the writer filling the delta waits, not a small one beside it (ThrottleSlows...);
//  - memory stays within the cache budget (CacheBudgetEvictsCleanPagesAndInodes).
#include <future>
#include <map>
#include <random>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "gate_device.h"
#include "samples.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/memory_device.h"
#include "tuxdisk/mkfs.h"
#include "tuxdisk/trace_device.h"
#include "tuxdisk/verify.h"
#include "tuxdisk/volume.h"
#include "tuxdisk/volume_reader.h"

namespace tux3 {
namespace {

using namespace std::chrono_literals;
constexpr uint32_t kBs = 4096;

std::vector<uint8_t> filled(char c, std::size_t n = kBs) { return std::vector<uint8_t>(n, uint8_t(c)); }

bool all_of(std::span<const uint8_t> data, char c) {
  for (uint8_t b : data) {
    if (b != uint8_t(c)) return false;
  }
  return !data.empty();
}

// Opens `dev`, checks it, and returns its file contents by name (root directory only).
std::map<std::string, std::string> contents_of(BlockDevice& dev) {
  std::map<std::string, std::string> out;
  {
    auto reader = VolumeReader::open(dev);
    EXPECT_TRUE(reader.is_ok()) << reader.status().to_string();
    if (!reader.is_ok()) return out;
    auto report = verify_volume(**reader);
    EXPECT_TRUE(report.is_ok());
    std::string all;
    for (const auto& p : report->problems) all += p + "\n";
    EXPECT_TRUE(report->clean()) << all;
  }
  VolumeOptions o;
  o.read_only = true;
  auto vol = Volume::open(dev, o);
  EXPECT_TRUE(vol.is_ok()) << vol.status().to_string();
  if (!vol.is_ok()) return out;
  std::vector<DirEntry> entries;
  EXPECT_TRUE((*vol)->readdir(kRootIno, 0, [&](const DirEntry& e) {
    if (e.name != "." && e.name != "..") entries.push_back(e);
    return true;
  }).is_ok());
  for (const DirEntry& e : entries) {
    auto a = (*vol)->getattr(e.ino);
    std::string data(a->size, '\0');
    auto n = (*vol)->read(e.ino, 0, std::span(reinterpret_cast<uint8_t*>(data.data()), data.size()));
    EXPECT_TRUE(n.is_ok());
    out[e.name] = data;
  }
  return out;
}

class VolumeForkTest : public ::testing::Test {
 protected:
  VolumeForkTest() : mem(64 << 20), gate(mem), trace(gate) {}

  void SetUp() override {
    MkfsOptions o;
    o.block_bits = 12;
    o.uuid = testing::kSampleUuid;
    o.now = {1700000000, 0};
    auto g = plan_volume(mem.size(), mem.topology(), o);
    ASSERT_TRUE(g.is_ok());
    ASSERT_TRUE(write_volume(mem, *g, o).is_ok());
  }

  void TearDown() override {
    gate.open_gate();  // never leave the backend stuck, whatever failed
    vol.reset();
  }

  void open(VolumeOptions opt = {}) {
    opt.delta_interval_ms = 1u << 30;
    if (!opt.clock) opt.clock = [this] { return format::Timestamp{1700000000 + int64_t(++ticks), 0}; };
    auto v = Volume::open(trace, opt);
    ASSERT_TRUE(v.is_ok()) << v.status().to_string();
    vol = std::move(*v);
  }

  uint64_t create(std::string_view name) {
    auto a = vol->create(kRootIno, name, 0100644, 0, 0);
    EXPECT_TRUE(a.is_ok()) << a.status().to_string();
    return a->ino;
  }
  void write_block(uint64_t ino, uint64_t index, char c) {
    auto n = vol->write(ino, index * kBs, filled(c));
    ASSERT_TRUE(n.is_ok()) << n.status().to_string();
  }
  std::vector<uint8_t> read_block(uint64_t ino, uint64_t index) {
    std::vector<uint8_t> out(kBs);
    auto n = vol->read(ino, index * kBs, out);
    EXPECT_TRUE(n.is_ok());
    return out;
  }

  // A new file of two blocks, A committed, then B in the open delta.
  uint64_t two_blocks_rewritten(std::string_view name) {
    uint64_t ino = create(name);
    write_block(ino, 0, 'A');
    write_block(ino, 1, 'A');
    EXPECT_TRUE(vol->sync().is_ok());
    write_block(ino, 0, 'B');
    write_block(ino, 1, 'B');
    return ino;
  }

  // Closes the gate and starts committing the open delta; returns once the backend is
  // holding its first write.
  void hold_commit(testing::GateDevice::Hold hold = testing::GateDevice::Hold::kWritesAndFlushes) {
    held_from = trace.events().size();
    before_hold = mem.bytes();
    gate.close_gate(hold);
    ASSERT_TRUE(vol->start_commit(false).is_ok());
    ASSERT_TRUE(gate.wait_blocked(1)) << "the backend never started writing";
  }

  // The image a crash right after the held delta's superblock would leave.
  MemoryDevice image_after_held_delta() {
    std::vector<uint8_t> bytes = before_hold;
    const auto& events = trace.events();
    for (std::size_t i = held_from; i < events.size(); ++i) {
      const TraceEvent& e = events[i];
      if (e.kind != TraceEvent::Kind::kWrite) continue;
      std::copy(e.data.begin(), e.data.end(), bytes.begin() + std::ptrdiff_t(e.offset));
      if (e.fua) break;
    }
    return MemoryDevice(std::move(bytes));
  }

  // Blocks (by number) written whole with `c` after held_from, split at the held delta's
  // superblock: {before or at it, after it}.
  std::pair<std::set<uint64_t>, std::set<uint64_t>> blocks_filled_with(char c) {
    std::set<uint64_t> held, later;
    bool past = false;
    const auto& events = trace.events();
    for (std::size_t i = held_from; i < events.size(); ++i) {
      const TraceEvent& e = events[i];
      if (e.kind != TraceEvent::Kind::kWrite) continue;
      for (std::size_t off = 0; off + kBs <= e.data.size(); off += kBs) {
        if (all_of(std::span(e.data).subspan(off, kBs), c)) {
          (past ? later : held).insert((e.offset + off) / kBs);
        }
      }
      if (e.fua) past = true;
    }
    return {held, later};
  }

  MemoryDevice mem;
  testing::GateDevice gate;
  TraceDevice trace;
  std::unique_ptr<Volume> vol;
  uint64_t ticks = 0;
  std::size_t held_from = 0;
  std::vector<uint8_t> before_hold;
};

TEST_F(VolumeForkTest, WriteToBlockUnderIoForks) {
  VolumeOptions opt;
  opt.io_threads = 1;
  open(opt);
  uint64_t f = two_blocks_rewritten("f");
  auto pinned = vol->pin_block(f, 0);
  ASSERT_TRUE(pinned.is_ok());
  uint64_t forks_before = vol->stats().forks;
  hold_commit();

  // Under I/O: reads see the cache (the new blocks are not on disk yet).
  EXPECT_TRUE(all_of(read_block(f, 0), 'B'));
  // The write returns without waiting for the held I/O.
  auto done = std::async(std::launch::async, [&] { write_block(f, 0, 'C'); });
  ASSERT_EQ(done.wait_for(5s), std::future_status::ready) << "the write waited for the I/O";
  done.get();
  VolumeStats s = vol->stats();
  EXPECT_EQ(s.forks, forks_before + 1);
  EXPECT_EQ(s.fork_bytes, kBs);
  EXPECT_EQ(s.stable_waits, 0u);
  // Two versions of block 0 exist: lookups see the new one, the reader keeps the old.
  EXPECT_TRUE(all_of(read_block(f, 0), 'C'));
  EXPECT_TRUE(all_of(read_block(f, 1), 'B'));
  EXPECT_TRUE(all_of(**pinned, 'B'));

  gate.open_gate();
  ASSERT_TRUE(vol->sync().is_ok());
  EXPECT_TRUE(all_of(**pinned, 'B'));

  // On disk: the held delta wrote B (unchanged by the later write) for both blocks; the
  // next delta wrote C elsewhere, and nothing wrote C before the held delta's superblock.
  auto [b_held, b_later] = blocks_filled_with('B');
  auto [c_held, c_later] = blocks_filled_with('C');
  EXPECT_EQ(b_held.size(), 2u);
  EXPECT_TRUE(b_later.empty());
  EXPECT_TRUE(c_held.empty());
  ASSERT_EQ(c_later.size(), 1u);
  EXPECT_FALSE(b_held.count(*c_later.begin()));

  MemoryDevice at_held = image_after_held_delta();
  auto held_files = contents_of(at_held);
  EXPECT_EQ(held_files["f"], std::string(kBs, 'B') + std::string(kBs, 'B'));
  ASSERT_TRUE(vol->close().is_ok());
  vol.reset();
  auto final_files = contents_of(mem);
  EXPECT_EQ(final_files["f"], std::string(kBs, 'C') + std::string(kBs, 'B'));
}

TEST_F(VolumeForkTest, StablePagesWaitForTheIo) {
  VolumeOptions opt;
  opt.io_threads = 1;
  opt.stable_pages = true;
  open(opt);
  uint64_t f = create("f");
  write_block(f, 0, 'B');
  hold_commit();
  auto done = std::async(std::launch::async, [&] { write_block(f, 0, 'C'); });
  EXPECT_EQ(done.wait_for(300ms), std::future_status::timeout)
      << "stable pages: the write must wait while its block is under I/O";
  gate.open_gate();
  ASSERT_EQ(done.wait_for(10s), std::future_status::ready);
  done.get();
  VolumeStats s = vol->stats();
  EXPECT_EQ(s.stable_waits, 1u);
  EXPECT_GT(s.stable_wait_ns, 200'000'000u);
  EXPECT_EQ(s.forks, 0u);
  ASSERT_TRUE(vol->close().is_ok());
  vol.reset();
  EXPECT_EQ(contents_of(mem)["f"], std::string(kBs, 'C'));
}

// The backend holds the delta at its flush: every data request has completed.
TEST_F(VolumeForkTest, StablePagesWaitOnlyForTheBlocksRequest) {
  VolumeOptions opt;
  opt.io_threads = 1;
  opt.stable_pages = true;
  open(opt);
  uint64_t f = create("f");
  write_block(f, 0, 'A');
  ASSERT_TRUE(vol->sync().is_ok());
  write_block(f, 0, 'B');
  hold_commit(testing::GateDevice::Hold::kFlushes);
  auto done = std::async(std::launch::async, [&] { write_block(f, 0, 'C'); });
  bool waited = done.wait_for(5s) != std::future_status::ready;
  if (waited) gate.open_gate();  // (the future's destructor waits for the write)
  ASSERT_FALSE(waited) << "stable pages waited for the delta's flush, not for the block's write";
  done.get();
  VolumeStats s = vol->stats();
  EXPECT_EQ(s.stable_waits, 0u);
  EXPECT_EQ(s.forks, 0u);
  EXPECT_TRUE(all_of(read_block(f, 0), 'C'));
  gate.open_gate();
  ASSERT_TRUE(vol->sync().is_ok());
  // The held delta's block went out as B before the write changed the buffer; the next
  // delta wrote C elsewhere.
  MemoryDevice at_held = image_after_held_delta();
  EXPECT_EQ(contents_of(at_held)["f"], std::string(kBs, 'B'));
  auto [c_held, c_later] = blocks_filled_with('C');
  EXPECT_TRUE(c_held.empty());
  EXPECT_EQ(c_later.size(), 1u);
  ASSERT_TRUE(vol->close().is_ok());
  vol.reset();
  EXPECT_EQ(contents_of(mem)["f"], std::string(kBs, 'C'));
}

TEST_F(VolumeForkTest, RewriteAfterItsRequestCompletedChangesTheBlockInPlace) {
  VolumeOptions opt;
  opt.io_threads = 2;
  open(opt);
  uint64_t f = two_blocks_rewritten("f");
  auto pinned = vol->pin_block(f, 1);
  ASSERT_TRUE(pinned.is_ok());
  uint64_t forks_before = vol->stats().forks;
  hold_commit(testing::GateDevice::Hold::kFlushes);
  write_block(f, 0, 'C');  // on the device already: changed in place
  write_block(f, 1, 'C');  // a reader holds it: forked all the same
  VolumeStats s = vol->stats();
  EXPECT_EQ(s.stable_waits, 0u);
  EXPECT_EQ(s.forks, forks_before + 1);
  EXPECT_TRUE(all_of(**pinned, 'B'));
  gate.open_gate();
  ASSERT_TRUE(vol->sync().is_ok());
  MemoryDevice at_held = image_after_held_delta();
  EXPECT_EQ(contents_of(at_held)["f"], std::string(2 * kBs, 'B'));
  ASSERT_TRUE(vol->close().is_ok());
  vol.reset();
  EXPECT_EQ(contents_of(mem)["f"], std::string(2 * kBs, 'C'));
}

TEST_F(VolumeForkTest, CommitRequestsAreAtMostOneMebibyte) {
  open();
  uint64_t f = create("f");
  constexpr uint64_t kBlocks = 600;  // 2.3 MiB, placed as one extent
  std::vector<uint8_t> data(kBlocks * kBs, 'D');
  ASSERT_TRUE(vol->write(f, 0, data).is_ok());
  std::size_t from = trace.events().size();
  ASSERT_TRUE(vol->sync().is_ok());
  uint64_t data_bytes = 0;
  for (std::size_t i = from; i < trace.events().size(); ++i) {
    const TraceEvent& e = trace.events()[i];
    if (e.kind != TraceEvent::Kind::kWrite) continue;
    EXPECT_LE(e.data.size(), 1u << 20) << "a request of " << e.data.size() << " bytes";
    if (all_of(e.data, 'D')) data_bytes += e.data.size();
  }
  EXPECT_EQ(data_bytes, kBlocks * kBs);
  ASSERT_TRUE(vol->close().is_ok());
  vol.reset();
  EXPECT_EQ(contents_of(mem)["f"], std::string(kBlocks * kBs, 'D'));
}

TEST_F(VolumeForkTest, NamespaceChangesOfFilesUnderIo) {
  VolumeOptions opt;
  opt.io_threads = 2;
  open(opt);
  uint64_t f = create("f"), g = create("g"), h = create("h");
  for (uint64_t ino : {f, g, h}) {
    for (uint64_t i = 0; i < 3; ++i) write_block(ino, i, 'A');
  }
  ASSERT_TRUE(vol->sync().is_ok());
  for (uint64_t ino : {f, g, h}) {
    for (uint64_t i = 0; i < 3; ++i) write_block(ino, i, 'B');
  }
  hold_commit();
  auto done = std::async(std::launch::async, [&] {
    SetAttr truncate;
    truncate.size = 0;
    EXPECT_TRUE(vol->setattr(f, truncate).is_ok());
    EXPECT_TRUE(vol->unlink(kRootIno, "g").is_ok());
    EXPECT_TRUE(vol->rename(kRootIno, "h", kRootIno, "h2").is_ok());
    write_block(h, 1, 'C');
    EXPECT_TRUE(all_of(read_block(h, 0), 'B'));
    EXPECT_EQ(vol->getattr(f)->size, 0u);
  });
  ASSERT_EQ(done.wait_for(5s), std::future_status::ready) << "an operation waited for the I/O";
  done.get();
  gate.open_gate();
  ASSERT_TRUE(vol->sync().is_ok());

  MemoryDevice at_held = image_after_held_delta();
  auto held_files = contents_of(at_held);
  std::string bbb(3 * kBs, 'B');
  EXPECT_EQ(held_files["f"], bbb);
  EXPECT_EQ(held_files["g"], bbb);
  EXPECT_EQ(held_files["h"], bbb);
  ASSERT_TRUE(vol->close().is_ok());
  vol.reset();
  auto final_files = contents_of(mem);
  EXPECT_EQ(final_files.size(), 2u);
  EXPECT_EQ(final_files["f"], "");
  EXPECT_EQ(final_files["h2"], std::string(kBs, 'B') + std::string(kBs, 'C') + std::string(kBs, 'B'));
}

TEST_F(VolumeForkTest, ThrottleOnlyForAThirdDelta) {
  VolumeOptions opt;
  opt.io_threads = 1;
  opt.dirty_limit_bytes = 16 * kBs;
  open(opt);
  uint64_t f = create("f");
  for (uint64_t i = 0; i < 16; ++i) write_block(f, i, 'A');  // reaches the limit: commit
  ASSERT_TRUE(vol->sync().is_ok());
  for (uint64_t i = 16; i < 20; ++i) write_block(f, i, 'A');
  hold_commit();
  uint64_t waits_before = vol->stats().throttle_waits;
  // Up to twice the limit the open delta takes writes without waiting ...
  auto below = std::async(std::launch::async, [&] {
    for (uint64_t i = 100; i < 131; ++i) write_block(f, i, 'B');
  });
  ASSERT_EQ(below.wait_for(5s), std::future_status::ready);
  below.get();
  EXPECT_EQ(vol->stats().throttle_waits, waits_before);
  // ... then the next writer would need a third delta: it waits, and the wait is counted.
  auto above = std::async(std::launch::async, [&] {
    for (uint64_t i = 131; i < 140; ++i) write_block(f, i, 'B');
  });
  EXPECT_EQ(above.wait_for(300ms), std::future_status::timeout);
  gate.open_gate();
  ASSERT_EQ(above.wait_for(10s), std::future_status::ready);
  above.get();
  EXPECT_EQ(vol->stats().throttle_waits, waits_before + 1);
  ASSERT_TRUE(vol->close().is_ok());
  vol.reset();
  std::string data = contents_of(mem)["f"];
  ASSERT_EQ(data.size(), 140 * kBs);
  EXPECT_EQ(data.substr(0, 20 * kBs), std::string(20 * kBs, 'A'));
  EXPECT_EQ(data.substr(20 * kBs, 80 * kBs), std::string(80 * kBs, '\0'));
  EXPECT_EQ(data.substr(100 * kBs), std::string(40 * kBs, 'B'));
}

// The throttle slows the writer that fills the delta, not a small one beside it (a file
// holding under an eighth of the dirty limit waits only past three times the limit).
TEST_F(VolumeForkTest, ThrottleSlowsTheHeavyWriterNotASmallOne) {
  VolumeOptions opt;
  opt.io_threads = 1;
  opt.dirty_limit_bytes = 64 * kBs;  // an eighth: 8 blocks
  open(opt);
  uint64_t heavy_file = create("heavy"), small_file = create("small");
  ASSERT_TRUE(vol->sync().is_ok());
  for (uint64_t i = 0; i < 4; ++i) write_block(heavy_file, i, 'A');
  hold_commit();
  for (uint64_t i = 100; i < 228; ++i) write_block(heavy_file, i, 'B');  // twice the limit
  uint64_t waits_before = vol->stats().throttle_waits;
  auto heavy = std::async(std::launch::async, [&] { write_block(heavy_file, 240, 'C'); });
  bool heavy_waited = heavy.wait_for(300ms) == std::future_status::timeout;
  auto small = std::async(std::launch::async, [&] {
    for (uint64_t i = 0; i < 3; ++i) write_block(small_file, i, 'S');
  });
  bool small_passed = small.wait_for(5s) == std::future_status::ready;
  uint64_t waits_while_held = vol->stats().throttle_waits;
  gate.open_gate();  // whatever happened, let everything finish
  ASSERT_EQ(heavy.wait_for(10s), std::future_status::ready);
  ASSERT_EQ(small.wait_for(10s), std::future_status::ready);
  heavy.get();
  small.get();
  EXPECT_TRUE(heavy_waited) << "the heavy writer must wait";
  EXPECT_TRUE(small_passed) << "the small writer was throttled";
  EXPECT_EQ(waits_while_held, waits_before);
  EXPECT_EQ(vol->stats().throttle_waits, waits_before + 1);
  ASSERT_TRUE(vol->close().is_ok());
  vol.reset();
  auto files = contents_of(mem);
  EXPECT_EQ(files["small"], std::string(3 * kBs, 'S'));
  EXPECT_EQ(files["heavy"].substr(240 * kBs), std::string(kBs, 'C'));
}

TEST_F(VolumeForkTest, TraceNeverReusesABlockTooSoon) {
  VolumeOptions opt;
  opt.io_threads = 4;
  opt.dirty_limit_bytes = 32 * kBs;
  open(opt);
  std::mt19937 rng(7);
  std::vector<uint64_t> files;
  for (int i = 0; i < 8; ++i) files.push_back(create("f" + std::to_string(i)));
  std::map<uint64_t, std::string> model;
  for (int op = 0; op < 3000; ++op) {
    uint64_t ino = files[rng() % files.size()];
    uint64_t block = rng() % 6;
    char c = char('a' + rng() % 26);
    write_block(ino, block, c);
    std::string& m = model[ino];
    if (m.size() < (block + 1) * kBs) m.resize((block + 1) * kBs, '\0');
    std::fill(m.begin() + std::ptrdiff_t(block * kBs), m.begin() + std::ptrdiff_t((block + 1) * kBs), c);
    if (rng() % 50 == 0) {
      ASSERT_TRUE(vol->start_commit(rng() % 4 == 0).is_ok());
    }
    // Requests made while a delta is in flight fold into one: on a loaded machine the
    // run could end with few deltas. A waited commit now and then keeps it a many-delta run.
    if (op % 300 == 299) {
      ASSERT_TRUE(vol->commit_delta(false).is_ok());
    }
  }
  ASSERT_TRUE(vol->close().is_ok());
  VolumeStats s = vol->stats();
  vol.reset();
  EXPECT_GT(s.deltas, 5u);
  EXPECT_GT(s.forks, 0u);

  // Split the trace into deltas at each superblock (a FUA write).
  std::vector<std::set<uint64_t>> deltas(1);
  bool flushed_since_write = false;
  for (const TraceEvent& e : trace.events()) {
    if (e.kind == TraceEvent::Kind::kFlush) flushed_since_write = true;
    if (e.kind != TraceEvent::Kind::kWrite) continue;
    if (e.fua) {
      EXPECT_TRUE(flushed_since_write) << "a superblock was written before a flush";
      deltas.emplace_back();
      continue;
    }
    flushed_since_write = false;
    for (uint64_t b = e.offset / kBs; b < (e.offset + e.length) / kBs; ++b) {
      EXPECT_TRUE(deltas.back().insert(b).second) << "block " << b << " written twice in a delta";
    }
  }
  for (std::size_t d = 1; d < deltas.size(); ++d) {
    for (uint64_t b : deltas[d]) {
      EXPECT_FALSE(deltas[d - 1].count(b)) << "block " << b << " written by consecutive deltas";
    }
  }
  auto files_now = contents_of(mem);
  for (std::size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(files_now["f" + std::to_string(i)], model[files[i]]) << "file f" << i;
  }
}

TEST_F(VolumeForkTest, CacheBudgetEvictsCleanPagesAndInodes) {
  VolumeOptions opt;
  opt.cache_bytes = 256 << 10;
  open(opt);
  std::vector<uint64_t> files;
  for (int i = 0; i < 300; ++i) {
    uint64_t ino = create("f" + std::to_string(i));
    files.push_back(ino);
    write_block(ino, 0, char('a' + i % 26));
    write_block(ino, 1, char('A' + i % 26));
  }
  ASSERT_TRUE(vol->sync().is_ok());
  for (int i = 0; i < 300; ++i) {
    auto data = read_block(files[i], 1);
    EXPECT_TRUE(all_of(data, char('A' + i % 26))) << "file " << i;
    auto a = vol->lookup(kRootIno, "f" + std::to_string(i));
    ASSERT_TRUE(a.is_ok());
    EXPECT_EQ(a->size, 2 * kBs);
  }
  ASSERT_TRUE(vol->sync().is_ok());
  VolumeStats s = vol->stats();
  EXPECT_GT(s.pages_evicted, 0u);
  EXPECT_GT(s.inodes_evicted, 0u);
  ASSERT_TRUE(vol->close().is_ok());
  vol.reset();
  auto files_now = contents_of(mem);
  EXPECT_EQ(files_now.size(), 300u);
  EXPECT_EQ(files_now["f27"], std::string(kBs, 'b') + std::string(kBs, 'B'));
}

}  // namespace
}  // namespace tux3
