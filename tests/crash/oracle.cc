// oracle.cc: judging a recovered volume against a recorded run (oracle.h).
#include "oracle.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

namespace tux3::crash {

namespace {

// Thread t's view of the recording. Commands are numbered from 1; state 0 is the
// subtree at "start", state i the subtree after command i.
class ThreadView {
 public:
  // streams: fsyncs may have gone through fsync streams (mode stream), so a file may be
  // ahead of its prefix; in mode delta none may.
  ThreadView(const ThreadRecord& tr, bool streams) : tr_(tr) {
    // The file each fsync made durable, by inode number.
    for (std::size_t i = 1; streams && i <= tr.steps.size(); ++i) {
      const StepRecord& s = step(i);
      if (!s.fsync) continue;
      auto it = s.state.find(s.path);
      if (it != s.state.end()) fsyncs_[it->second.ino].push_back(i);
    }
  }
  std::size_t size() const { return tr_.steps.size(); }
  const StepRecord& step(std::size_t i) const { return tr_.steps[i - 1]; }
  const Tree& state(std::size_t i) const { return i == 0 ? tr_.initial : step(i).state; }

  // The node of inode `ino` in state i.
  const Node* node_of(std::size_t i, uint64_t ino) const {
    for (const auto& [path, n] : state(i)) {
      if (n.ino == ino) return &n;
    }
    return nullptr;
  }

  // "" if `got` may be the subtree with prefix `base` when `completed` commands returned
  // (and command completed + 1 may have been under way).
  std::string matches(const Tree& got, std::size_t base, std::size_t completed) const {
    const Tree& want = state(base);
    std::size_t last_started = std::min(completed + 1, size());
    for (const auto& [path, w] : want) {
      auto it = got.find(path);
      if (it == got.end()) return fmt::format("{} is missing", path);
      const Node& g = it->second;
      Node g_rest = g, w_rest = w;
      g_rest.size = w_rest.size = 0;
      g_rest.data.clear();
      w_rest.data.clear();
      g_rest.mode = w_rest.mode = 0;
      if (g_rest != w_rest) return first_difference({{path, g}}, {{path, w}});
      // Size and data, and the mode: the prefix's, or an fsync's after it. One that had
      // returned must be there (or a later one): fsync for all three, fdatasync for size
      // and data only (a change of mode alone is not written by fdatasync).
      std::size_t acked_data = 0, acked_mode = 0;
      std::vector<std::size_t> after;  // fsyncs of it after the prefix, possibly durable
      auto f = fsyncs_.find(w.ino);
      if (f != fsyncs_.end()) {
        for (std::size_t k : f->second) {
          if (k <= base || k > last_started) continue;
          after.push_back(k);
          if (k <= completed) {
            acked_data = k;
            if (!step(k).datasync) acked_mode = k;
          }
        }
      }
      auto allowed = [&](std::size_t acked, auto same) {
        if (acked == 0 && same(w)) return true;
        for (std::size_t k : after) {
          const Node* n = node_of(k, w.ino);
          if (k >= acked && n && same(*n)) return true;
        }
        return false;
      };
      bool data_ok = allowed(acked_data, [&](const Node& n) {
        return g.size == n.size && g.data == n.data;
      });
      bool mode_ok = allowed(acked_mode, [&](const Node& n) { return g.mode == n.mode; });
      if (!data_ok || !mode_ok) {
        std::size_t acked = data_ok ? acked_mode : acked_data;
        const Node* expected = acked ? node_of(acked, w.ino) : &w;
        return fmt::format("{} (inode {}): {}{}", path, w.ino,
                           acked ? fmt::format("lacks what its fsync (command {}) made durable: ",
                                               acked)
                                 : std::string(),
                           first_difference({{path, g}}, {{path, expected ? *expected : w}}));
      }
    }
    for (const auto& [path, g] : got) {
      if (!want.count(path)) return fmt::format("{} should not exist", path);
    }
    return {};
  }

 private:
  const ThreadRecord& tr_;
  std::map<uint64_t, std::vector<std::size_t>> fsyncs_;
};

std::string judge_one_thread(const Recording& rec, const CrashPoint& point, const Tree& got) {
  ThreadView view(rec.threads[0], rec.workload.fsync_mode == format::FsyncMode::kStream);
  std::size_t c = point.completed[0];
  uint64_t d = point.recovered_delta;
  uint64_t acked = c == 0 ? rec.start_delta : view.step(c).durable_delta;
  if (d < acked) {
    return fmt::format("recovered delta {} is older than delta {}, durable when command {} "
                       "returned (O4)", d, acked, c);
  }
  // The command during which delta d became durable.
  std::size_t j = 0;
  if (d > rec.start_delta) {
    for (std::size_t k = 1; k <= view.size(); ++k) {
      if (view.step(k).durable_delta >= d) {
        j = k;
        break;
      }
    }
    if (j == 0 || j > c + 1) {
      return fmt::format("recovered delta {} was not committed by a command under way ({} had "
                         "returned)", d, c);
    }
  }
  std::string why;
  for (std::size_t base : j == 0 ? std::vector<std::size_t>{0} : std::vector<std::size_t>{j, j - 1}) {
    std::string m = view.matches(got, base, c);
    if (m.empty()) return {};
    if (why.empty()) why = fmt::format("not the state after command {} (delta {}): {}", base, d, m);
  }
  return why;
}

std::string judge_threads(const Recording& rec, const CrashPoint& point,
                          const std::vector<Tree>& got) {
  const std::size_t n = rec.threads.size();
  std::vector<ThreadView> views;
  for (const ThreadRecord& tr : rec.threads) {
    views.emplace_back(tr, rec.workload.fsync_mode == format::FsyncMode::kStream);
  }
  // The prefixes each thread's subtree may be.
  std::vector<std::vector<std::size_t>> candidates(n);
  for (std::size_t t = 0; t < n; ++t) {
    std::size_t c = point.completed[t];
    std::string first;
    for (std::size_t i = 0; i <= std::min(c + 1, views[t].size()); ++i) {
      std::string m = views[t].matches(got[t], i, c);
      if (m.empty()) {
        candidates[t].push_back(i);
      } else if (first.empty() || i == c) {
        first = m;
      }
    }
    if (candidates[t].empty()) {
      return fmt::format("thread {} ({}): no prefix of its commands matches; after command {}: {}",
                         t, rec.threads[t].root, c, first);
    }
  }
  // Lower bounds: every command that returned before an acknowledged sync began.
  std::vector<std::size_t> lower(n, 0);
  auto returned_before = [&](std::size_t t, uint64_t seq, bool mutating_only) {
    std::size_t last = 0;
    for (std::size_t i = 1; i <= views[t].size(); ++i) {
      const StepRecord& s = views[t].step(i);
      if (s.end_seq < seq && (!mutating_only || s.mutating)) last = i;
    }
    return last;
  };
  for (std::size_t u = 0; u < n; ++u) {
    for (std::size_t i = 1; i <= point.completed[u]; ++i) {
      const StepRecord& y = views[u].step(i);
      if (!y.sync) continue;
      for (std::size_t t = 0; t < n; ++t) {
        lower[t] = std::max(lower[t], returned_before(t, y.start_seq, false));
      }
    }
  }
  // The least assignment that meets the bounds and the ordering guarantee (O6): raising
  // one thread's prefix only raises what the others need, so iterate to a fixpoint.
  std::vector<std::size_t> at(n);
  auto raise = [&](std::size_t t, std::size_t need) -> bool {
    for (std::size_t i : candidates[t]) {
      if (i >= need) {
        at[t] = std::max(at[t], i);
        return true;
      }
    }
    return false;
  };
  for (std::size_t t = 0; t < n; ++t) {
    if (!raise(t, lower[t])) {
      return fmt::format("thread {} ({}): its subtree is older than command {}, which had "
                         "returned before an acknowledged sync (O4)", t, rec.threads[t].root,
                         lower[t]);
    }
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t t = 0; t < n; ++t) {
      std::size_t b = at[t];
      while (b > 0 && !views[t].step(b).mutating) --b;
      if (b == 0) continue;
      uint64_t began = views[t].step(b).start_seq;
      for (std::size_t u = 0; u < n; ++u) {
        if (u == t) continue;
        std::size_t need = returned_before(u, began, true);
        if (need <= at[u]) continue;
        std::size_t before = at[u];
        if (!raise(u, need)) {
          return fmt::format("ordering (O6): thread {}'s command {} ({}) is durable, but thread "
                             "{}'s command {} returned before it began and is not", t, b,
                             views[t].step(b).command, u, need);
        }
        changed |= at[u] != before;
      }
    }
  }
  return {};
}

}  // namespace

CrashPoint crash_point(const Recording& rec, const std::vector<std::string>& marks,
                       uint64_t recovered_delta) {
  CrashPoint p;
  p.completed.assign(rec.threads.size(), 0);
  p.recovered_delta = recovered_delta;
  for (const std::string& m : marks) {
    unsigned t = 0;
    uint64_t index = 0;
    if (m.size() < 2 || m[0] != 'T') continue;
    std::size_t space = m.find(' ');
    if (space == std::string::npos) continue;
    auto r1 = std::from_chars(m.data() + 1, m.data() + space, t);
    auto r2 = std::from_chars(m.data() + space + 1, m.data() + m.size(), index);
    if (r1.ec != std::errc() || r2.ec != std::errc() || t >= p.completed.size()) continue;
    p.completed[t] = std::max<std::size_t>(p.completed[t], index + 1);
  }
  return p;
}

std::string judge(const Recording& rec, const CrashPoint& point,
                  const std::vector<Tree>& recovered) {
  if (rec.threads.size() == 1 && !rec.workload.async_commits) {
    return judge_one_thread(rec, point, recovered[0]);
  }
  return judge_threads(rec, point, recovered);
}

}  // namespace tux3::crash
