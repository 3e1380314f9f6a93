// workload.cc: the rewrite workload (workload.h).
#include "workload.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace tux3::writer {

using Clock = std::chrono::steady_clock;

std::string RewriteReport::summary() const {
  double mib = double(bytes) / (1 << 20);
  return fmt::format(
      "rewrite: {} writes, {:.1f} MiB in {:.3f} s: {:.1f} MiB/s, {:.0f} writes/s; latency "
      "p50 {:.1f} us, p99 {:.1f} us, max {:.1f} us",
      writes, mib, seconds, seconds > 0 ? mib / seconds : 0.0,
      seconds > 0 ? double(writes) / seconds : 0.0, double(p50_ns) / 1e3, double(p99_ns) / 1e3,
      double(max_ns) / 1e3);
}

Result<RewriteReport> run_rewrite(Volume& vol, const RewriteParams& p) {
  uint64_t blocks = p.size / p.block;
  if (blocks == 0) return Status::invalid_argument("rewrite: SIZE is smaller than bs");
  if (!p.fresh) {
    // The hot set exists on disk first, so every rewrite replaces committed data.
    std::vector<uint8_t> fill(std::size_t(std::min<uint64_t>(p.size, 1 << 20)), 0x5a);
    for (uint64_t off = 0; off < blocks * p.block; off += fill.size()) {
      std::size_t n = std::size_t(std::min<uint64_t>(fill.size(), blocks * p.block - off));
      TUX3_RETURN_IF_ERROR(vol.write(p.ino, off, std::span(fill.data(), n)).status());
    }
    TUX3_RETURN_IF_ERROR(vol.sync());
  }
  std::atomic<uint64_t> next_fresh{0};
  std::atomic<bool> stop{false};
  std::mutex mu;
  Status first_error;
  std::vector<std::vector<uint32_t>> latencies(p.threads);  // nanoseconds, capped
  auto t0 = Clock::now();
  auto deadline = t0 + std::chrono::milliseconds(p.millis);
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < p.threads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(t + 1);
      std::vector<uint8_t> buf(std::size_t(p.block), uint8_t('a' + t));
      auto& lat = latencies[t];
      lat.reserve(1 << 20);
      while (!stop.load(std::memory_order_relaxed)) {
        uint64_t index;
        if (p.fresh) {
          index = next_fresh.fetch_add(1);
          if (index >= blocks) break;
        } else {
          index = rng() % blocks;
        }
        ++buf[0];
        auto start = Clock::now();
        auto wrote = vol.write(p.ino, index * p.block, buf);
        auto end = Clock::now();
        if (!wrote) {
          std::lock_guard lock(mu);
          if (first_error.is_ok()) first_error = wrote.status();
          stop = true;
          break;
        }
        uint64_t ns = uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
        lat.push_back(uint32_t(std::min<uint64_t>(ns, UINT32_MAX)));
        if ((lat.size() & 63) == 0 && end >= deadline) break;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  RewriteReport r;
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  TUX3_RETURN_IF_ERROR(first_error);
  std::vector<uint32_t> all;
  for (auto& v : latencies) all.insert(all.end(), v.begin(), v.end());
  r.writes = all.size();
  r.bytes = r.writes * p.block;
  if (!all.empty()) {
    std::sort(all.begin(), all.end());
    r.p50_ns = all[all.size() / 2];
    r.p99_ns = all[std::min(all.size() - 1, all.size() * 99 / 100)];
    r.max_ns = all.back();
  }
  return r;
}

}  // namespace tux3::writer
