// crash_states.h: the device images a crash could leave, from a recorded trace.
//
// A TraceDevice records a run: writes with their bytes, flushes, FUA writes and marks (the
// workload's acknowledgements). CrashStates enumerates the images a crash during that run
// could leave (TESTING.md §1, G1-G4) as descriptions: which writes landed in full, and which
// one landed in part. A description is applied to a device holding the image the trace
// started from, normally an OverlayDevice over it; CrashImages does that cheaply for a whole
// enumeration.
//
// The model (what a device may keep after a crash):
//  - A flush makes every write completed before it durable. A FUA write is durable once it
//    completes. Any other write completed since the last flush may or may not have landed,
//    independently of the others, and may have landed in part (sector by sector).
//  - Trace order is completion order (TraceDevice serialises the device's calls).
//  - Discards are not modelled: a discarded range keeps its bytes, which the device contract
//    allows. Marks cost nothing: they are not crash points of their own.
//
// The states, in the order for_each visits them (trace order, each generator at its event):
//  - start:  nothing applied.
//  - G1 (kBarrier):     after a flush, every write before it.
//  - G2 (kWritePrefix): after a write, every write up to it in issue order (not when a flush
//                       follows it: that is the G1 state).
//  - G3 (kSubset):      at the end of each epoch (the writes since the last flush: just before
//                       the flush that ends it, or at the end of the trace), and just before
//                       each FUA write in it (with subsets_at_every_write: after each of its
//                       writes instead), the FUA writes of the epoch so far and a subset of its
//                       other writes: every subset when there are at most
//                       exhaustive_subset_limit of them, otherwise every "all but one", every
//                       "only one" and random_subsets seeded random subsets; at most
//                       max_subsets_per_cut per point. With exhaustive subsets, every image a
//                       crash can leave without a torn write is visited.
//  - G4 (kTorn):        for each write of more than one sector, every write before it, and it
//                       in part: its first half of sectors (rounded down, at least one), and
//                       torn_random_masks seeded random masks (never empty, never full).
//  - end:    every write applied.
// No description is visited twice: a subset that equals a prefix (the full subset is the next
// G1 or G2 state, the empty one the previous G1), repeated random subsets and masks are
// skipped. The enumeration is deterministic for given events and options.
//
// The crash point of a state (`cut`) is the latest one at which its image is possible: just
// before the first flush that follows a write the state lacks (or tears), just before the
// first FUA write it lacks, or the end of the trace. marks_before() lists the marks before it:
// the operations acknowledged before the crash, which the image must honour. (A mark right
// after a flush thus belongs to that flush's G1 state; the prefix after write k carries the
// marks up to the next flush, since the writes after k may all have been lost.)
//
// Cost: the enumeration copies no write data and keeps only the descriptions of the current
// epoch for de-duplication; apply() writes from the events' bytes. Every CrashStates member
// is const: several threads may enumerate and apply at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tuxdisk/device.h"
#include "tuxdisk/overlay_device.h"
#include "tuxdisk/status.h"
#include "tuxdisk/trace_device.h"

namespace tux3 {

struct CrashStateOptions {
  unsigned exhaustive_subset_limit = 10;  // G3: every subset when an epoch has at most this many
  unsigned random_subsets = 16;           // G3 beyond: random subsets besides the drop/keep-ones
  uint64_t max_subsets_per_cut = 1024;    // G3: at most this many subsets per point
  bool subsets_at_every_write = false;    // G3 after every write, not only at epoch ends
  bool torn_writes = true;                // G4 at all
  unsigned torn_random_masks = 1;         // G4: random masks besides the half prefix
  uint32_t sector = 512;                  // G4: the unit a write tears at
  uint64_t seed = 1;                      // G3 and G4 random choices
};

enum class CrashKind : uint8_t { kStart, kBarrier, kWritePrefix, kSubset, kTorn, kEnd };

// "start", "G1", "G2", "G3", "G4", "end".
std::string_view crash_kind_name(CrashKind kind);

// How a G3 state chose its subset of the epoch's n non-FUA writes ("the choices").
enum class SubsetPick : uint8_t {
  kMask,     // exhaustive: bit i of `pick` keeps the i-th choice
  kDropOne,  // all but the write at trace index `pick`
  kKeepOne,  // only the write at trace index `pick`
  kRandom,   // the pick-th random subset at this point
};

// A write that landed in part. Bit i of `mask` stands for the i-th `sector`-sized unit of
// the write (the last one may be shorter); for a write of more than 64 units, for the i-th
// run of ceil(units / 64) units.
struct TornWrite {
  std::size_t event = 0;  // trace index of the write
  uint64_t mask = 0;
  bool operator==(const TornWrite&) const = default;
};

struct CrashState {
  CrashKind kind = CrashKind::kStart;
  // The event the generator worked from: the flush (G1), the write (G2, G4), the point the
  // subset was taken at (G3: a flush, a write, or events.size()); start and end: 0 and
  // events.size().
  std::size_t origin = 0;
  // The crash happened just before trace event `cut` (a write or flush, or events.size()).
  std::size_t cut = 0;
  // Every write before trace event `durable` landed: `durable` is the last flush before the
  // cut, 0 if there is none.
  std::size_t durable = 0;
  // The other writes that landed in full: trace indices, all at or after `durable`, in trace
  // order.
  std::vector<std::size_t> writes;
  std::optional<TornWrite> torn;
  // G3 only: how the subset was chosen, and from how many writes.
  SubsetPick pick_kind = SubsetPick::kMask;
  uint64_t pick = 0;
  uint32_t choices = 0;

  // Stable, and unique within one enumeration: "start", "G1 after the flush at event 12",
  // "G2 after the write at event 17", "G3 subset 0x5 of the 7 writes before event 42",
  // "G3 all but write 31 of the 12 writes before event 42", "G3 only write 31 of ...",
  // "G3 random subset 3 of ...", "G4 write at event 17 torn to mask 0x3", "end".
  std::string name() const;
};

class CrashStates {
 public:
  // REQUIRES: events outlive this object and do not change.
  explicit CrashStates(const std::vector<TraceEvent>& events, CrashStateOptions options = {});

  const std::vector<TraceEvent>& events() const { return events_; }
  const CrashStateOptions& options() const { return options_; }

  // Visits every state in order; stops early when visit returns false.
  void for_each(const std::function<bool(const CrashState&)>& visit) const;
  // How many states for_each visits (one enumeration).
  uint64_t count() const;
  // The state called `name` (one enumeration), if there is one.
  std::optional<CrashState> find(std::string_view name) const;

  // Writes the state's image over target, which must hold the trace's starting image:
  // every write before `durable`, then `writes`, then the torn part.
  Status apply(const CrashState& state, BlockDevice& target) const;
  // The two halves of apply(): every write with trace index in [from, to), and the state's
  // own part (`writes` and the torn part) over a target that already holds `durable`.
  Status apply_writes(std::size_t from, std::size_t to, BlockDevice& target) const;
  Status apply_own(const CrashState& state, BlockDevice& target) const;

  // Labels of the marks before the state's cut, in trace order.
  std::vector<std::string> marks_before(const CrashState& state) const;
  // Every write that landed in full (those before `durable` too), in trace order.
  std::vector<std::size_t> landed_writes(const CrashState& state) const;

 private:
  class Walk;

  const std::vector<TraceEvent>& events_;
  CrashStateOptions options_;
  // Indexed by trace position i (0..events.size()): the first flush, write and FUA write at
  // or after i (events.size() if none), and the last flush before i (0 if none).
  std::vector<std::size_t> next_flush_, next_write_, next_fua_, last_flush_before_;
  std::vector<std::size_t> write_events_;  // trace indices of the writes
  std::vector<std::size_t> mark_events_;   // trace indices of the marks
};

// The images of a sequence of states, as overlays over the starting image: one overlay
// holds the durable writes of the current state (advanced as `durable` grows, rebuilt only
// when it goes back), and each image is a fresh overlay above it holding the state's own
// writes. Visiting states in for_each order costs each state only its own writes.
//
// Not thread-safe. REQUIRES: states and start outlive this object; start holds the image
// the trace started from and is not written while this object is in use; an image returned
// by open() is no longer used when open() is called again.
class CrashImages {
 public:
  CrashImages(const CrashStates& states, BlockDevice& start);

  Result<std::unique_ptr<OverlayDevice>> open(const CrashState& state);

 private:
  const CrashStates& states_;
  OverlayDevice durable_;
  std::size_t durable_end_ = 0;  // durable_ holds every write before this trace index
};

}  // namespace tux3
