// crash_states.h: the images a crash could leave from a recorded run (TESTING.md §1):
//   G1 every flush point (all writes before it), G2 every write prefix, G3 after each write
//   the FUA writes plus seeded random subsets of the writes not yet flushed, G4 after each
//   write of more than one sector, that write torn (only its first half of sectors); and
//   the end of the run (every write landed).
// Marks recorded in the trace before the crash point are passed along, so an oracle knows
// which operations were acknowledged.
#pragma once

#include <functional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tuxdisk/memory_device.h"
#include "tuxdisk/trace_device.h"

namespace tux3::testing {

struct CrashState {
  std::string name;              // "G2 write prefix 17", ...
  std::vector<uint8_t> image;
  std::set<std::string> marks;   // labels of the marks before the crash point
};

inline void for_each_crash_state(const std::vector<uint8_t>& start,
                                 const std::vector<TraceEvent>& events,
                                 const std::function<void(const CrashState&)>& visit,
                                 unsigned subsets_per_write = 2, uint32_t sector = 512) {
  std::vector<uint8_t> flushed = start;  // everything up to the last flush
  std::size_t window = 0;                // first event after it
  std::set<std::string> marks;
  std::mt19937 rng(12345);
  auto apply = [](MemoryDevice& dev, const TraceEvent& e) {
    (void)dev.write(e.offset, e.data);
  };
  visit({"G1 start", start, marks});
  for (std::size_t cut = 1; cut <= events.size(); ++cut) {
    const TraceEvent& e = events[cut - 1];
    if (e.kind == TraceEvent::Kind::kMark) {
      marks.insert(e.label);
      continue;
    }
    if (e.kind == TraceEvent::Kind::kFlush) {
      MemoryDevice image(flushed);
      for (std::size_t k = window; k < cut; ++k) {
        if (events[k].kind == TraceEvent::Kind::kWrite) apply(image, events[k]);
      }
      flushed = image.bytes();
      window = cut;
      visit({"G1 flush at " + std::to_string(cut), flushed, marks});
      continue;
    }
    if (e.kind != TraceEvent::Kind::kWrite) continue;
    {
      MemoryDevice image(flushed);
      for (std::size_t k = window; k < cut; ++k) {
        if (events[k].kind == TraceEvent::Kind::kWrite) apply(image, events[k]);
      }
      visit({"G2 write prefix " + std::to_string(cut), image.bytes(), marks});
    }
    for (unsigned s = 0; s < subsets_per_write; ++s) {
      MemoryDevice image(flushed);
      for (std::size_t k = window; k < cut; ++k) {
        const TraceEvent& w = events[k];
        if (w.kind == TraceEvent::Kind::kWrite && (w.fua || rng() % 2)) apply(image, w);
      }
      visit({"G3 subset " + std::to_string(s) + " at " + std::to_string(cut), image.bytes(),
             marks});
    }
    if (e.data.size() > sector) {
      MemoryDevice image(flushed);
      for (std::size_t k = window; k + 1 < cut; ++k) {
        if (events[k].kind == TraceEvent::Kind::kWrite) apply(image, events[k]);
      }
      std::size_t half = (e.data.size() / sector / 2) * sector;
      if (half == 0) half = sector;
      (void)image.write(e.offset, std::span(e.data).first(half));
      visit({"G4 torn write " + std::to_string(cut), image.bytes(), marks});
    }
  }
  // The end of the run: every write landed, every mark passed.
  MemoryDevice image(flushed);
  for (std::size_t k = window; k < events.size(); ++k) {
    if (events[k].kind == TraceEvent::Kind::kWrite) apply(image, events[k]);
  }
  visit({"end of run", image.bytes(), marks});
}

}  // namespace tux3::testing
