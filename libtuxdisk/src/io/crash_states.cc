// crash_states.cc: enumerating crash states of a trace (G1-G4) and building their images.
//
// One pass over the trace, epoch by epoch (an epoch: the writes since the last flush):
//   1. start;
//   2. at each write: before a FUA write the G3 subsets of the epoch so far; after it, its G2
//      prefix (unless a flush follows it), G3 subsets if asked for at every write, and its
//      G4 torn states;
//   3. at each flush: the G3 subsets of the epoch it ends, then its G1 state; the
//      descriptions seen so far are forgotten, since no later state can repeat them;
//   4. at the end: the G3 subsets of the last epoch, then end.
// Every state's crash point is derived from its description alone (the first write it
// lacks and the first FUA write it lacks), so equal descriptions are equal states and a
// hash set of the current epoch's descriptions is all the de-duplication needs.
#include "tuxdisk/crash_states.h"

#include <algorithm>
#include <random>
#include <unordered_set>

#include <fmt/format.h>

namespace tux3 {
namespace {

using Kind = TraceEvent::Kind;

uint64_t mix(uint64_t seed, uint64_t a, uint64_t b) {
  // splitmix64 over the three values: independent streams per point and purpose.
  uint64_t x = seed ^ (a * 0x9e3779b97f4a7c15ull) ^ (b * 0xc2b2ae3d27d4eb4full);
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// A state's description: what de-duplication compares.
struct Key {
  std::size_t durable;
  std::vector<std::size_t> writes;
  std::optional<TornWrite> torn;
  bool operator==(const Key&) const = default;
};

struct KeyHash {
  std::size_t operator()(const Key& k) const {
    uint64_t h = mix(k.durable, k.writes.size(), k.torn ? k.torn->event + 1 : 0);
    for (std::size_t w : k.writes) h = mix(h, w, 1);
    if (k.torn) h = mix(h, k.torn->mask, 2);
    return std::size_t(h);
  }
};

// The units a torn write is cut into (see TornWrite): unit bytes per bit, bits in all.
struct TornGeometry {
  uint64_t bytes_per_bit;
  unsigned bits;
};

TornGeometry torn_geometry(uint64_t length, uint32_t sector) {
  uint64_t units = (length + sector - 1) / sector;
  uint64_t group = units > 64 ? (units + 63) / 64 : 1;
  return {group * sector, unsigned((units + group - 1) / group)};
}

}  // namespace

std::string_view crash_kind_name(CrashKind kind) {
  switch (kind) {
    case CrashKind::kStart: return "start";
    case CrashKind::kBarrier: return "G1";
    case CrashKind::kWritePrefix: return "G2";
    case CrashKind::kSubset: return "G3";
    case CrashKind::kTorn: return "G4";
    case CrashKind::kEnd: return "end";
  }
  return "?";
}

std::string CrashState::name() const {
  switch (kind) {
    case CrashKind::kStart:
    case CrashKind::kEnd:
      return std::string(crash_kind_name(kind));
    case CrashKind::kBarrier:
      return fmt::format("G1 after the flush at event {}", origin);
    case CrashKind::kWritePrefix:
      return fmt::format("G2 after the write at event {}", origin);
    case CrashKind::kTorn:
      return fmt::format("G4 write at event {} torn to mask {:#x}", torn ? torn->event : 0,
                         torn ? torn->mask : 0);
    case CrashKind::kSubset:
      break;
  }
  std::string which;
  switch (pick_kind) {
    case SubsetPick::kMask: which = fmt::format("subset {:#x}", pick); break;
    case SubsetPick::kDropOne: which = fmt::format("all but write {}", pick); break;
    case SubsetPick::kKeepOne: which = fmt::format("only write {}", pick); break;
    case SubsetPick::kRandom: which = fmt::format("random subset {}", pick); break;
  }
  return fmt::format("G3 {} of the {} writes before event {}", which, choices, origin);
}

class CrashStates::Walk {
 public:
  Walk(const CrashStates& cs, const std::function<bool(const CrashState&)>& visit)
      : cs_(cs), ev_(cs.events_), n_(ev_.size()), opt_(cs.options_), visit_(visit) {}

  void run();

 private:
  // The latest crash point for a description lacking write `missing` (or none: n_) and
  // FUA write `missing_fua` (or none: n_).
  std::size_t cut_for(std::size_t missing, std::size_t missing_fua) const {
    std::size_t cut = missing < n_ ? cs_.next_flush_[missing] : n_;
    return std::min(cut, missing_fua);
  }
  std::size_t durable_at(std::size_t cut) const { return cs_.last_flush_before_[cut]; }
  // Appends the writes with trace index in [from, to) to out.
  void writes_between(std::size_t from, std::size_t to, std::vector<std::size_t>& out) const;

  // Visits `state` unless its description was seen; false once the visitor said stop.
  bool emit(CrashState state);
  // Every write before trace index `end`: start, G1, G2, end.
  bool prefix(CrashKind kind, std::size_t origin, std::size_t end);
  bool subsets_at(std::size_t point);
  bool torn_states(std::size_t write);

  const CrashStates& cs_;
  const std::vector<TraceEvent>& ev_;
  const std::size_t n_;
  const CrashStateOptions& opt_;
  const std::function<bool(const CrashState&)>& visit_;
  std::vector<std::size_t> epoch_;  // writes since the last flush, in trace order
  std::unordered_set<Key, KeyHash> seen_;
};

void CrashStates::Walk::writes_between(std::size_t from, std::size_t to,
                                       std::vector<std::size_t>& out) const {
  auto it = std::lower_bound(cs_.write_events_.begin(), cs_.write_events_.end(), from);
  for (; it != cs_.write_events_.end() && *it < to; ++it) out.push_back(*it);
}

bool CrashStates::Walk::emit(CrashState state) {
  if (!seen_.insert(Key{state.durable, state.writes, state.torn}).second) return true;
  return visit_(state);
}

bool CrashStates::Walk::prefix(CrashKind kind, std::size_t origin, std::size_t end) {
  CrashState s;
  s.kind = kind;
  s.origin = origin;
  s.cut = cut_for(cs_.next_write_[end], cs_.next_fua_[end]);
  s.durable = durable_at(s.cut);
  writes_between(s.durable, end, s.writes);
  return emit(std::move(s));
}

bool CrashStates::Walk::subsets_at(std::size_t point) {
  // The choices: the epoch's non-FUA writes before the point (its FUA writes always land).
  std::vector<std::size_t> choices;
  for (std::size_t w : epoch_) {
    if (w < point && !ev_[w].fua) choices.push_back(w);
  }
  const std::size_t n = choices.size();
  if (n == 0) return true;
  uint64_t made = 0;
  std::vector<bool> keep(n);
  // Emits the subset in `keep`; false when the visitor said stop.
  auto try_keep = [&](SubsetPick pick_kind, uint64_t pick) {
    ++made;
    std::size_t missing = n_;
    for (std::size_t i = 0; i < n && missing == n_; ++i) {
      if (!keep[i]) missing = choices[i];
    }
    if (missing == n_) return true;  // all of them: the prefix state up to the point
    CrashState s;
    s.kind = CrashKind::kSubset;
    s.origin = point;
    s.cut = cut_for(missing, cs_.next_fua_[point]);
    s.durable = durable_at(s.cut);
    std::size_t epoch_begin = epoch_.front();
    writes_between(s.durable, epoch_begin, s.writes);
    for (std::size_t w : epoch_) {
      if (w >= point) break;
      if (ev_[w].fua) {
        s.writes.push_back(w);
        continue;
      }
      auto at = std::lower_bound(choices.begin(), choices.end(), w) - choices.begin();
      if (keep[std::size_t(at)]) s.writes.push_back(w);
    }
    s.pick_kind = pick_kind;
    s.pick = pick;
    s.choices = uint32_t(n);
    return emit(std::move(s));
  };
  const uint64_t cap = opt_.max_subsets_per_cut;
  if (n <= opt_.exhaustive_subset_limit && n < 64) {
    for (uint64_t mask = 0; mask + 1 < (uint64_t(1) << n) && made < cap; ++mask) {
      for (std::size_t i = 0; i < n; ++i) keep[i] = mask >> i & 1;
      if (!try_keep(SubsetPick::kMask, mask)) return false;
    }
    return true;
  }
  for (std::size_t i = 0; i < n && made < cap; ++i) {
    for (std::size_t j = 0; j < n; ++j) keep[j] = j != i;
    if (!try_keep(SubsetPick::kDropOne, choices[i])) return false;
  }
  for (std::size_t i = 0; i < n && made < cap; ++i) {
    for (std::size_t j = 0; j < n; ++j) keep[j] = j == i;
    if (!try_keep(SubsetPick::kKeepOne, choices[i])) return false;
  }
  std::mt19937_64 rng(mix(opt_.seed, point, 1));
  for (unsigned k = 0; k < opt_.random_subsets && made < cap; ++k) {
    uint64_t word = 0;
    for (std::size_t j = 0; j < n; ++j) {
      if (j % 64 == 0) word = rng();
      keep[j] = word >> (j % 64) & 1;
    }
    if (!try_keep(SubsetPick::kRandom, k)) return false;
  }
  return true;
}

bool CrashStates::Walk::torn_states(std::size_t write) {
  const TraceEvent& e = ev_[write];
  const TornGeometry g = torn_geometry(e.data.size(), opt_.sector);
  if (g.bits < 2) return true;
  const uint64_t full = g.bits == 64 ? ~uint64_t(0) : (uint64_t(1) << g.bits) - 1;
  std::vector<uint64_t> masks;
  masks.push_back((uint64_t(1) << std::max(1u, g.bits / 2)) - 1);
  std::mt19937_64 rng(mix(opt_.seed, write, 2));
  for (unsigned k = 0; k < opt_.torn_random_masks; ++k) masks.push_back(1 + rng() % (full - 1));
  for (uint64_t mask : masks) {
    CrashState s;
    s.kind = CrashKind::kTorn;
    s.origin = write;
    s.cut = cut_for(write, e.fua ? write : cs_.next_fua_[write + 1]);
    s.durable = durable_at(s.cut);
    writes_between(s.durable, write, s.writes);
    s.torn = TornWrite{write, mask};
    if (!emit(std::move(s))) return false;
  }
  return true;
}

void CrashStates::Walk::run() {
  if (cs_.write_events_.empty()) {
    (void)prefix(CrashKind::kEnd, n_, n_);
    return;
  }
  if (!prefix(CrashKind::kStart, 0, 0)) return;
  for (std::size_t i = 0; i < n_; ++i) {
    const TraceEvent& e = ev_[i];
    if (e.kind == Kind::kWrite) {
      // A FUA write ends the images that lack it: take the epoch's subsets before it too
      // (at every write, the previous write already did).
      if (e.fua && !opt_.subsets_at_every_write && !subsets_at(i)) return;
      epoch_.push_back(i);
      // The next write or flush: a prefix followed by a flush is that flush's G1 state.
      std::size_t next = std::min(cs_.next_write_[i + 1], cs_.next_flush_[i + 1]);
      if (next < n_ && ev_[next].kind == Kind::kWrite) {
        if (!prefix(CrashKind::kWritePrefix, i, i + 1)) return;
        if (opt_.subsets_at_every_write && !subsets_at(next)) return;
      }
      if (opt_.torn_writes && !torn_states(i)) return;
    } else if (e.kind == Kind::kFlush) {
      if (epoch_.empty()) continue;  // nothing new became durable
      if (!subsets_at(i)) return;
      if (cs_.next_write_[i] < n_ && !prefix(CrashKind::kBarrier, i, i)) return;
      // Every later state has every write before this flush: none can repeat these.
      std::erase_if(seen_, [&](const Key& k) { return k.durable < i; });
      epoch_.clear();
    }
  }
  if (!epoch_.empty() && !subsets_at(n_)) return;
  (void)prefix(CrashKind::kEnd, n_, n_);
}

CrashStates::CrashStates(const std::vector<TraceEvent>& events, CrashStateOptions options)
    : events_(events), options_(options) {
  if (options_.sector == 0) options_.sector = 512;
  const std::size_t n = events.size();
  next_flush_.assign(n + 1, n);
  next_write_.assign(n + 1, n);
  next_fua_.assign(n + 1, n);
  for (std::size_t i = n; i-- > 0;) {
    const TraceEvent& e = events[i];
    next_flush_[i] = e.kind == Kind::kFlush ? i : next_flush_[i + 1];
    next_write_[i] = e.kind == Kind::kWrite ? i : next_write_[i + 1];
    next_fua_[i] = e.kind == Kind::kWrite && e.fua ? i : next_fua_[i + 1];
  }
  last_flush_before_.assign(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    last_flush_before_[i + 1] = events[i].kind == Kind::kFlush ? i : last_flush_before_[i];
    if (events[i].kind == Kind::kWrite) write_events_.push_back(i);
    if (events[i].kind == Kind::kMark) mark_events_.push_back(i);
  }
}

void CrashStates::for_each(const std::function<bool(const CrashState&)>& visit) const {
  Walk(*this, visit).run();
}

uint64_t CrashStates::count() const {
  uint64_t n = 0;
  for_each([&](const CrashState&) {
    ++n;
    return true;
  });
  return n;
}

std::optional<CrashState> CrashStates::find(std::string_view name) const {
  std::optional<CrashState> found;
  for_each([&](const CrashState& s) {
    if (s.name() == name) found = s;
    return !found;
  });
  return found;
}

Status CrashStates::apply_writes(std::size_t from, std::size_t to, BlockDevice& target) const {
  auto it = std::lower_bound(write_events_.begin(), write_events_.end(), from);
  for (; it != write_events_.end() && *it < to; ++it) {
    const TraceEvent& e = events_[*it];
    TUX3_RETURN_IF_ERROR(target.write(e.offset, e.data));
  }
  return Status::ok();
}

Status CrashStates::apply_own(const CrashState& state, BlockDevice& target) const {
  for (std::size_t w : state.writes) {
    const TraceEvent& e = events_[w];
    TUX3_RETURN_IF_ERROR(target.write(e.offset, e.data));
  }
  if (!state.torn) return Status::ok();
  const TraceEvent& e = events_[state.torn->event];
  const TornGeometry g = torn_geometry(e.data.size(), options_.sector);
  const uint64_t mask = state.torn->mask;
  for (unsigned b = 0; b < g.bits;) {
    if (!(mask >> b & 1)) {
      ++b;
      continue;
    }
    unsigned end = b;
    while (end < g.bits && (mask >> end & 1)) ++end;
    uint64_t lo = b * g.bytes_per_bit;
    uint64_t hi = std::min<uint64_t>(e.data.size(), end * g.bytes_per_bit);
    TUX3_RETURN_IF_ERROR(target.write(e.offset + lo, std::span(e.data).subspan(lo, hi - lo)));
    b = end;
  }
  return Status::ok();
}

Status CrashStates::apply(const CrashState& state, BlockDevice& target) const {
  TUX3_RETURN_IF_ERROR(apply_writes(0, state.durable, target));
  return apply_own(state, target);
}

std::vector<std::string> CrashStates::marks_before(const CrashState& state) const {
  std::vector<std::string> out;
  for (std::size_t m : mark_events_) {
    if (m >= state.cut) break;
    out.push_back(events_[m].label);
  }
  return out;
}

std::vector<std::size_t> CrashStates::landed_writes(const CrashState& state) const {
  auto end = std::lower_bound(write_events_.begin(), write_events_.end(), state.durable);
  std::vector<std::size_t> out(write_events_.begin(), end);
  out.insert(out.end(), state.writes.begin(), state.writes.end());
  return out;
}

CrashImages::CrashImages(const CrashStates& states, BlockDevice& start)
    : states_(states), durable_(start) {}

Result<std::unique_ptr<OverlayDevice>> CrashImages::open(const CrashState& state) {
  if (state.durable < durable_end_) {
    durable_.reset();
    durable_end_ = 0;
  }
  TUX3_RETURN_IF_ERROR(states_.apply_writes(durable_end_, state.durable, durable_));
  durable_end_ = state.durable;
  auto image = std::make_unique<OverlayDevice>(durable_);
  TUX3_RETURN_IF_ERROR(states_.apply_own(state, *image));
  return image;
}

}  // namespace tux3
