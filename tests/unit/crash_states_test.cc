// crash_states_test.cc: the crash-state generator (G1-G4) on hand-made traces: the exact
// states, their marks and images; every subset of an epoch exactly once; the crash point of
// each state both possible and the latest possible; FUA writes; determinism; caps.
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tuxdisk/crash_states.h"
#include "tuxdisk/memory_device.h"
#include "tuxdisk/overlay_device.h"

namespace tux3 {
namespace {

using Kind = TraceEvent::Kind;
using Events = std::vector<TraceEvent>;

constexpr uint64_t kDeviceSize = 64 << 10;

TraceEvent write_event(uint64_t offset, std::size_t length, uint8_t fill, bool fua = false) {
  TraceEvent e;
  e.kind = Kind::kWrite;
  e.offset = offset;
  e.length = length;
  e.fua = fua;
  e.data.assign(length, fill);
  // Each sector distinguishable, so a torn write shows which sectors landed.
  for (std::size_t s = 0; s < length; s += 512) e.data[s] = uint8_t(s / 512 + 1);
  return e;
}

TraceEvent flush_event() {
  TraceEvent e;
  e.kind = Kind::kFlush;
  return e;
}

TraceEvent mark_event(std::string label) {
  TraceEvent e;
  e.kind = Kind::kMark;
  e.label = std::move(label);
  return e;
}

std::vector<CrashState> all_states(const CrashStates& states) {
  std::vector<CrashState> out;
  states.for_each([&](const CrashState& s) {
    out.push_back(s);
    return true;
  });
  return out;
}

// Every write that landed in full, durable ones included.
std::vector<std::size_t> landed(const Events& events, const CrashState& s) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < s.durable; ++i) {
    if (events[i].kind == Kind::kWrite) out.push_back(i);
  }
  out.insert(out.end(), s.writes.begin(), s.writes.end());
  return out;
}

// The image a state should leave, computed the slow way: a copy of the start image.
std::vector<uint8_t> model_image(const std::vector<uint8_t>& start, const Events& events,
                                 const CrashState& s, uint32_t sector = 512) {
  MemoryDevice dev(start);
  for (std::size_t w : landed(events, s)) {
    EXPECT_TRUE(dev.write(events[w].offset, events[w].data).is_ok());
  }
  if (s.torn) {
    const TraceEvent& e = events[s.torn->event];
    uint64_t units = (e.data.size() + sector - 1) / sector;
    uint64_t group = units > 64 ? (units + 63) / 64 : 1;
    for (uint64_t u = 0; u < units; ++u) {
      if (!(s.torn->mask >> (u / group) & 1)) continue;
      uint64_t lo = u * sector, hi = std::min<uint64_t>(e.data.size(), lo + sector);
      EXPECT_TRUE(dev.write(e.offset + lo, std::span(e.data).subspan(lo, hi - lo)).is_ok());
    }
  }
  return dev.bytes();
}

std::vector<uint8_t> start_image() {
  std::vector<uint8_t> bytes(kDeviceSize);
  std::mt19937 rng(3);
  for (auto& b : bytes) b = uint8_t(rng());
  return bytes;
}

struct Expected {
  std::string name;
  std::size_t cut;
  std::size_t durable;
  std::vector<std::size_t> writes;
  std::vector<std::string> marks;
};

// Two epochs of writes, a FUA write, marks before and after a flush, a last epoch with no
// flush.
Events small_trace() {
  return {
      write_event(0, 1024, 0xa0),               // 0: two sectors
      write_event(4096, 512, 0xb0),             // 1
      mark_event("m1"),                         // 2
      flush_event(),                            // 3
      mark_event("after flush"),                // 4
      write_event(8192, 1024, 0xc0, true),      // 5: FUA
      write_event(12288, 512, 0xd0),            // 6
      flush_event(),                            // 7
      write_event(16384, 512, 0xe0),            // 8
      mark_event("last"),                       // 9
  };
}

TEST(CrashStates, ExactStatesOfASmallTrace) {
  const Events events = small_trace();
  CrashStateOptions o;
  o.torn_random_masks = 0;
  CrashStates states(events, o);
  const std::vector<Expected> expected = {
      {"start", 3, 0, {}, {"m1"}},
      {"G2 after the write at event 0", 3, 0, {0}, {"m1"}},
      {"G4 write at event 0 torn to mask 0x1", 3, 0, {}, {"m1"}},
      // Subsets {} and {0} are start and G2; {0, 1} is the G1 state of the flush.
      {"G3 subset 0x2 of the 2 writes before event 3", 3, 0, {1}, {"m1"}},
      // The mark after the flush is the G1 state's; the crash point runs to the FUA write.
      {"G1 after the flush at event 3", 5, 3, {}, {"m1", "after flush"}},
      {"G2 after the write at event 5", 7, 3, {5}, {"m1", "after flush"}},
      // A FUA write torn: the crash came before it completed.
      {"G4 write at event 5 torn to mask 0x1", 5, 3, {}, {"m1", "after flush"}},
      // The only subset of {6} without it is the G2 state (FUA write 5 always lands); write
      // 6 is the next flush's G1 state, which lasts to the end: the last write may be lost.
      {"G1 after the flush at event 7", 10, 7, {}, {"m1", "after flush", "last"}},
      {"end", 10, 7, {8}, {"m1", "after flush", "last"}},
  };
  std::vector<CrashState> got = all_states(states);
  ASSERT_EQ(got.size(), expected.size());
  EXPECT_EQ(states.count(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(expected[i].name);
    EXPECT_EQ(got[i].name(), expected[i].name);
    EXPECT_EQ(got[i].cut, expected[i].cut);
    EXPECT_EQ(got[i].durable, expected[i].durable);
    EXPECT_EQ(got[i].writes, expected[i].writes);
    EXPECT_EQ(states.marks_before(got[i]), expected[i].marks);
  }
  EXPECT_EQ(got[2].torn, (TornWrite{0, 1}));
  EXPECT_EQ(got[6].torn, (TornWrite{5, 1}));
  EXPECT_EQ(got[0].kind, CrashKind::kStart);
  EXPECT_EQ(got[1].kind, CrashKind::kWritePrefix);
  EXPECT_EQ(got[2].kind, CrashKind::kTorn);
  EXPECT_EQ(got[3].kind, CrashKind::kSubset);
  EXPECT_EQ(got[4].kind, CrashKind::kBarrier);
  EXPECT_EQ(got[8].kind, CrashKind::kEnd);
  // Found again by name.
  auto again = states.find("G3 subset 0x2 of the 2 writes before event 3");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->writes, std::vector<std::size_t>{1});
  EXPECT_FALSE(states.find("G3 subset 0x1 of the 2 writes before event 3").has_value());
}

TEST(CrashStates, ImagesMatchTheDescriptionsAndLeaveTheStartAlone) {
  const Events events = small_trace();
  CrashStates states(events);  // random torn masks too
  const std::vector<uint8_t> start = start_image();
  MemoryDevice base(start);
  CrashImages images(states, base);
  std::size_t n = 0;
  states.for_each([&](const CrashState& s) {
    ++n;
    const std::vector<uint8_t> want = model_image(start, events, s);
    // apply() on a fresh overlay over the start ...
    OverlayDevice fresh(base);
    EXPECT_TRUE(states.apply(s, fresh).is_ok());
    std::vector<uint8_t> got;
    EXPECT_TRUE(fresh.read_image(got).is_ok());
    EXPECT_EQ(got, want) << s.name();
    // ... and CrashImages, which keeps the durable writes in a shared overlay.
    auto image = images.open(s);
    EXPECT_TRUE(image.is_ok());
    if (image.is_ok()) {
      EXPECT_TRUE((*image)->read_image(got).is_ok());
      EXPECT_EQ(got, want) << s.name();
    }
    return true;
  });
  EXPECT_EQ(n, states.count());
  EXPECT_EQ(base.bytes(), start);
  // Out of order (durable going back) rebuilds the shared overlay.
  auto first = states.find("start");
  ASSERT_TRUE(first.has_value());
  auto image = images.open(*first);
  ASSERT_TRUE(image.is_ok());
  std::vector<uint8_t> got;
  ASSERT_TRUE((*image)->read_image(got).is_ok());
  EXPECT_EQ(got, start);
}

TEST(CrashStates, TornWritesHalfPrefixAndSeededMasks) {
  // A 4-sector write, a 100-sector write (masks over runs of 2 sectors), and a one-sector
  // write (never torn).
  const Events events = {write_event(0, 2048, 0x10), write_event(8192, 51200, 0x20),
                         write_event(4096, 512, 0x30)};
  CrashStateOptions o;
  o.torn_random_masks = 3;
  CrashStates states(events, o);
  std::map<std::size_t, std::vector<uint64_t>> masks;
  std::set<std::pair<std::size_t, uint64_t>> distinct;
  const std::vector<uint8_t> start = start_image();
  for (const CrashState& s : all_states(states)) {
    if (s.kind != CrashKind::kTorn) continue;
    ASSERT_TRUE(s.torn.has_value());
    masks[s.torn->event].push_back(s.torn->mask);
    EXPECT_TRUE(distinct.insert({s.torn->event, s.torn->mask}).second) << "repeated " << s.name();
    EXPECT_EQ(landed(events, s), std::vector<std::size_t>(s.torn->event == 0 ? 0 : 1, 0));
    EXPECT_EQ(s.cut, 3u) << "a torn non-FUA write may be found torn until the end";
    // The torn part lands exactly as the mask says.
    MemoryDevice base(start);
    OverlayDevice dev(base);
    ASSERT_TRUE(states.apply(s, dev).is_ok());
    std::vector<uint8_t> got;
    ASSERT_TRUE(dev.read_image(got).is_ok());
    EXPECT_EQ(got, model_image(start, events, s)) << s.name();
  }
  ASSERT_EQ(masks.count(2), 0u) << "a one-sector write cannot tear";
  ASSERT_FALSE(masks[0].empty());
  ASSERT_FALSE(masks[1].empty());
  EXPECT_EQ(masks[0][0], 0x3u) << "first half of 4 sectors";
  EXPECT_EQ(masks[1][0], (uint64_t(1) << 25) - 1) << "first half of 50 runs of 2 sectors";
  for (auto& [event, list] : masks) {
    uint64_t full = event == 0 ? 0xf : (uint64_t(1) << 50) - 1;
    for (uint64_t m : list) {
      EXPECT_NE(m, 0u);
      EXPECT_NE(m, full);
      EXPECT_EQ(m & ~full, 0u);
    }
  }
  EXPECT_EQ(masks[1].size(), 4u) << "three random masks of 50 bits, all distinct";
  EXPECT_LE(masks[0].size(), 4u);
  EXPECT_GE(masks[0].size(), 2u);

  CrashStateOptions none = o;
  none.torn_writes = false;
  for (const CrashState& s : all_states(CrashStates(events, none))) {
    EXPECT_NE(s.kind, CrashKind::kTorn) << s.name();
  }
}

TEST(CrashStates, FuaWritesAlwaysLandOnceIssued) {
  // One epoch: w0, FUA w1, w2, FUA w3, w4, then a flush.
  const Events events = {write_event(0, 512, 1), write_event(512, 512, 2, true),
                         write_event(1024, 512, 3), write_event(1536, 512, 4, true),
                         write_event(2048, 512, 5), flush_event()};
  CrashStateOptions o;
  o.torn_writes = false;
  CrashStates states(events, o);
  std::set<std::vector<std::size_t>> sets;
  for (const CrashState& s : all_states(states)) {
    std::vector<std::size_t> got = landed(events, s);
    EXPECT_TRUE(sets.insert(got).second) << "repeated " << s.name();
    std::set<std::size_t> in(got.begin(), got.end());
    for (std::size_t fua : {1u, 3u}) {
      if (s.cut > fua) { EXPECT_TRUE(in.count(fua)) << s.name() << " lacks FUA write " << fua; }
    }
  }
  // Before FUA write 1 completes: {} and {0}. Before FUA write 3: {0, 2} in any subset with
  // 1. At the flush: {0, 2, 4} in any subset with 1 and 3.
  const std::set<std::vector<std::size_t>> want = {
      {},        {0},          {1},          {0, 1},       {1, 2},          {0, 1, 2},
      {1, 3},    {0, 1, 3},    {1, 2, 3},    {0, 1, 2, 3}, {1, 3, 4},       {0, 1, 3, 4},
      {1, 2, 3, 4}, {0, 1, 2, 3, 4},
  };
  EXPECT_EQ(sets, want);
}

// Every image a crash can leave (no torn write), by brute force over the crash points:
// the writes before the last flush, the FUA writes, any subset of the other writes since.
std::set<std::vector<std::size_t>> possible_images(const Events& events) {
  std::set<std::vector<std::size_t>> out;
  for (std::size_t cut = 0; cut <= events.size(); ++cut) {
    std::size_t last_flush = 0;
    for (std::size_t i = 0; i < cut; ++i) {
      if (events[i].kind == Kind::kFlush) last_flush = i;
    }
    std::vector<std::size_t> choices;
    for (std::size_t i = last_flush; i < cut; ++i) {
      if (events[i].kind == Kind::kWrite && !events[i].fua) choices.push_back(i);
    }
    for (uint64_t mask = 0; mask < (uint64_t(1) << choices.size()); ++mask) {
      std::vector<std::size_t> set;
      for (std::size_t i = 0; i < cut; ++i) {
        if (events[i].kind != Kind::kWrite) continue;
        auto at = std::find(choices.begin(), choices.end(), i);
        if (at == choices.end() || mask >> (at - choices.begin()) & 1) set.push_back(i);
      }
      out.insert(set);
    }
  }
  return out;
}

// Random traces: with exhaustive subsets the states are exactly the possible images (plus
// torn ones), none twice; each state's cut is a point where its image is possible, and the
// latest such point.
TEST(CrashStates, ExactlyThePossibleImagesEachAtItsLatestCut) {
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    std::mt19937 rng(seed);
    Events events;
    const int length = 8 + int(rng() % 14);
    for (int i = 0; i < length; ++i) {
      unsigned r = rng() % 10;
      if (r < 6) {
        events.push_back(write_event((rng() % 60) * 512, 512 * (1 + rng() % 3), uint8_t(i),
                                     rng() % 6 == 0));
      } else if (r < 8) {
        events.push_back(flush_event());
      } else {
        events.push_back(mark_event("m" + std::to_string(i)));
      }
    }
    SCOPED_TRACE("seed " + std::to_string(seed));
    CrashStateOptions o;
    o.exhaustive_subset_limit = 20;
    o.max_subsets_per_cut = 1 << 20;
    o.subsets_at_every_write = seed % 2 == 0;
    CrashStates states(events, o);
    const std::size_t n = events.size();
    std::set<std::pair<std::vector<std::size_t>, std::optional<std::pair<std::size_t, uint64_t>>>>
        seen;
    std::set<std::string> names;
    std::set<std::vector<std::size_t>> full_sets;
    for (const CrashState& s : all_states(states)) {
      std::vector<std::size_t> got = landed(events, s);
      ASSERT_EQ(states.landed_writes(s), got) << s.name();
      std::optional<std::pair<std::size_t, uint64_t>> torn;
      if (s.torn) torn = std::pair{s.torn->event, s.torn->mask};
      ASSERT_TRUE(seen.insert({got, torn}).second) << "repeated " << s.name();
      ASSERT_TRUE(names.insert(s.name()).second) << "name repeated " << s.name();
      if (!s.torn) full_sets.insert(got);
      std::set<std::size_t> in(got.begin(), got.end());
      // Possible: every landed write came before the cut; every write before the last flush
      // before the cut and every FUA write before the cut landed; a torn write is in the
      // epoch, and before the cut (a FUA one: at it).
      std::size_t last_flush = 0;
      for (std::size_t i = 0; i < s.cut; ++i) {
        if (events[i].kind == Kind::kFlush) last_flush = i;
      }
      ASSERT_EQ(s.durable, last_flush) << s.name();
      ASSERT_TRUE(std::is_sorted(s.writes.begin(), s.writes.end())) << s.name();
      for (std::size_t w : s.writes) ASSERT_GE(w, s.durable) << s.name();
      for (std::size_t w : got) ASSERT_LT(w, s.cut) << s.name();
      if (s.torn) {
        std::size_t t = s.torn->event;
        ASSERT_GE(t, s.durable) << s.name();
        ASSERT_TRUE(events[t].fua ? t == s.cut : t < s.cut) << s.name();
      }
      for (std::size_t i = 0; i < s.cut; ++i) {
        if (events[i].kind != Kind::kWrite) continue;
        if (i < last_flush || events[i].fua) {
          ASSERT_TRUE(in.count(i)) << s.name() << " lacks " << i;
        }
      }
      // Latest: the event at the cut is a flush after a write the state lacks (or tears),
      // or a FUA write it lacks.
      if (s.cut < n) {
        const TraceEvent& at = events[s.cut];
        bool lacks_before = false;
        for (std::size_t i = 0; i < s.cut; ++i) {
          lacks_before |= events[i].kind == Kind::kWrite && !in.count(i);
        }
        bool blocks = (at.kind == Kind::kFlush && lacks_before) ||
                      (at.kind == Kind::kWrite && at.fua && !in.count(s.cut));
        ASSERT_TRUE(blocks) << s.name() << ": the crash could come later than event " << s.cut;
      }
    }
    EXPECT_EQ(full_sets, possible_images(events));
    EXPECT_EQ(states.count(), seen.size());
  }
}

// An epoch of 12 writes: every subset with a limit of 12, a capped family with 10.
TEST(CrashStates, ExhaustiveVersusCappedSubsets) {
  Events events;
  for (int i = 0; i < 12; ++i) events.push_back(write_event(uint64_t(i) * 512, 512, uint8_t(i)));
  events.push_back(flush_event());
  auto g3 = [&](const CrashStateOptions& o) {
    std::vector<std::string> names;
    for (const CrashState& s : all_states(CrashStates(events, o))) {
      if (s.kind == CrashKind::kSubset) names.push_back(s.name());
    }
    return names;
  };
  CrashStateOptions o;
  o.exhaustive_subset_limit = 12;
  o.max_subsets_per_cut = 1 << 12;
  // 4096 subsets less the 13 prefixes (start, the 11 G2 states, the G1 state).
  EXPECT_EQ(g3(o).size(), 4096u - 13u);
  o.max_subsets_per_cut = 100;
  EXPECT_EQ(g3(o).size(), 100u - 7u) << "masks 0 to 99, less the prefixes 0, 1, 3, ..., 63";

  CrashStateOptions capped;  // limit 10 < 12
  std::vector<std::string> names = g3(capped);
  std::size_t drop = 0, keep = 0, random = 0;
  for (const std::string& n : names) {
    drop += n.find("all but write") != std::string::npos;
    keep += n.find("only write") != std::string::npos;
    random += n.find("random subset") != std::string::npos;
  }
  EXPECT_EQ(drop, 11u) << "all but the last is the G2 prefix of 11 writes";
  EXPECT_EQ(keep, 11u) << "only the first is the first G2 prefix";
  EXPECT_GE(random, 14u) << "16 random subsets, a repeat is unlikely";
  EXPECT_LE(random, 16u);
  EXPECT_EQ(names.front(), "G3 all but write 0 of the 12 writes before event 12");
  capped.max_subsets_per_cut = 5;
  EXPECT_EQ(g3(capped).size(), 5u);
  capped.random_subsets = 0;
  capped.max_subsets_per_cut = 1024;
  EXPECT_EQ(g3(capped).size(), 22u);
}

TEST(CrashStates, DeterministicPerSeed) {
  Events events;
  for (int i = 0; i < 14; ++i) {
    events.push_back(write_event(uint64_t(i) * 1024, 1024 * 3, uint8_t(i)));
  }
  events.push_back(flush_event());
  auto describe = [&](uint64_t seed) {
    CrashStateOptions o;
    o.seed = seed;
    o.torn_random_masks = 2;
    std::vector<std::string> out;
    for (const CrashState& s : all_states(CrashStates(events, o))) {
      std::string d = s.name() + ":";
      for (std::size_t w : s.writes) d += " " + std::to_string(w);
      out.push_back(d);
    }
    return out;
  };
  EXPECT_EQ(describe(1), describe(1));
  EXPECT_EQ(describe(77), describe(77));
  EXPECT_NE(describe(1), describe(77));
}

TEST(CrashStates, SubsetsAtEveryWriteFindNothingNewWhenExhaustive) {
  Events events;
  for (int i = 0; i < 3; ++i) events.push_back(write_event(uint64_t(i) * 512, 512, uint8_t(i)));
  events.push_back(mark_event("between"));
  events.push_back(flush_event());
  CrashStateOptions o;
  o.subsets_at_every_write = true;
  std::vector<std::string> names;
  for (const CrashState& s : all_states(CrashStates(events, o))) names.push_back(s.name());
  // {1} is first found after write 1 (before write 2), with the crash still before the
  // flush; the rest at the flush.
  const std::vector<std::string> want = {
      "start",
      "G2 after the write at event 0",
      "G2 after the write at event 1",
      "G3 subset 0x2 of the 2 writes before event 2",
      "G3 subset 0x4 of the 3 writes before event 4",
      "G3 subset 0x5 of the 3 writes before event 4",
      "G3 subset 0x6 of the 3 writes before event 4",
      "end",
  };
  EXPECT_EQ(names, want);
  // Every one of them ends at the flush: the marks before it are acknowledged in each.
  for (const CrashState& s : all_states(CrashStates(events, o))) {
    if (s.kind == CrashKind::kSubset) { EXPECT_EQ(s.cut, 4u) << s.name(); }
  }
  o.subsets_at_every_write = false;
  EXPECT_EQ(CrashStates(events, o).count(), want.size());
}

TEST(CrashStates, TracesWithoutWritesOrFlushes) {
  EXPECT_EQ(CrashStates(Events{}).count(), 1u);
  const Events marks_only = {mark_event("a"), flush_event(), mark_event("b")};
  CrashStates states(marks_only);
  std::vector<CrashState> got = all_states(states);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].name(), "end");
  EXPECT_EQ(states.marks_before(got[0]), (std::vector<std::string>{"a", "b"}));
  // A visitor that stops at once sees one state.
  std::size_t visited = 0;
  CrashStates(small_trace()).for_each([&](const CrashState&) {
    ++visited;
    return false;
  });
  EXPECT_EQ(visited, 1u);
}

}  // namespace
}  // namespace tux3
