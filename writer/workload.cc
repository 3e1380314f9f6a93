// workload.cc: the rewrite and fsyncloop workloads (workload.h).
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

namespace {

// The median, 99th percentile and maximum of `v` (sorted here); zeros when empty.
void percentiles(std::vector<uint64_t>& v, uint64_t& p50, uint64_t& p99, uint64_t& max) {
  if (v.empty()) return;
  std::sort(v.begin(), v.end());
  p50 = v[v.size() / 2];
  p99 = v[std::min(v.size() - 1, v.size() * 99 / 100)];
  max = v.back();
}

// The first error of any thread; every thread stops when one is recorded.
class FirstError {
 public:
  void record(const Status& s) {
    std::lock_guard lock(mu_);
    if (error_.is_ok()) error_ = s;
    stop_ = true;
  }
  bool stopped() const { return stop_.load(std::memory_order_relaxed); }
  Status take() { return error_; }

 private:
  std::mutex mu_;
  Status error_;
  std::atomic<bool> stop_{false};
};

}  // namespace

std::string FsyncLoopReport::summary() const {
  double mib = double(writer_bytes) / (1 << 20);
  return fmt::format(
      "fsyncloop: {} fsyncs in {:.3f} s: {:.1f} fsyncs/s; latency p50 {:.1f} us, p99 {:.1f} "
      "us, max {:.1f} us; writers {:.1f} MiB/s",
      fsyncs, seconds, seconds > 0 ? double(fsyncs) / seconds : 0.0, double(p50_ns) / 1e3,
      double(p99_ns) / 1e3, double(max_ns) / 1e3, seconds > 0 ? mib / seconds : 0.0);
}

std::string FsyncLoopReport::json() const {
  return fmt::format(
      "{{\"fsyncs\": {}, \"seconds\": {:.6f}, \"fsyncs_per_second\": {:.1f}, \"p50_us\": {:.1f}, "
      "\"p99_us\": {:.1f}, \"max_us\": {:.1f}, \"writer_bytes\": {}, \"writer_mib_per_second\": "
      "{:.1f}}}",
      fsyncs, seconds, seconds > 0 ? double(fsyncs) / seconds : 0.0, double(p50_ns) / 1e3,
      double(p99_ns) / 1e3, double(max_ns) / 1e3, writer_bytes,
      seconds > 0 ? double(writer_bytes) / (1 << 20) / seconds : 0.0);
}

Result<FsyncLoopReport> run_fsyncloop(Volume& vol, const FsyncLoopParams& p) {
  uint64_t blocks = p.size / p.block;
  if (blocks == 0) return Status::invalid_argument("fsyncloop: SIZE is smaller than bs");
  if (p.overwrite && !p.jobs.empty()) {
    // Every overwrite replaces data that is already durable.
    std::vector<uint8_t> fill(std::size_t(std::min<uint64_t>(blocks * p.block, 1 << 20)), 0x5a);
    for (uint64_t ino : p.jobs) {
      for (uint64_t off = 0; off < blocks * p.block; off += fill.size()) {
        std::size_t n = std::size_t(std::min<uint64_t>(fill.size(), blocks * p.block - off));
        TUX3_RETURN_IF_ERROR(vol.write(ino, off, std::span(fill.data(), n)).status());
      }
    }
    TUX3_RETURN_IF_ERROR(vol.sync());
  }
  std::vector<uint64_t> start(p.jobs.size());
  for (std::size_t j = 0; j < p.jobs.size(); ++j) {
    TUX3_ASSIGN_OR_RETURN(Attr a, vol.getattr(p.jobs[j]));
    start[j] = a.size;
  }

  FirstError errors;
  std::atomic<std::size_t> jobs_running{p.jobs.size()};
  std::vector<std::vector<uint64_t>> latencies(p.jobs.size());  // nanoseconds
  std::vector<uint64_t> written(p.writers.size());
  auto t0 = Clock::now();
  auto deadline = t0 + std::chrono::milliseconds(p.millis);
  std::vector<std::thread> threads;
  for (std::size_t j = 0; j < p.jobs.size(); ++j) {
    threads.emplace_back([&, j] {
      std::mt19937_64 rng(j + 1);
      std::vector<uint8_t> buf(std::size_t(p.block), uint8_t('A' + j % 26));
      auto& lat = latencies[j];
      for (uint64_t done = 0; !errors.stopped();) {
        if (!p.overwrite && done + p.block > p.size) break;
        uint64_t offset = p.overwrite ? rng() % blocks * p.block : start[j] + done;
        ++buf[0];
        auto begin = Clock::now();
        Status s = vol.write(p.jobs[j], offset, buf).status();
        if (s) s = vol.fsync(p.jobs[j], false);
        auto end = Clock::now();
        if (!s) {
          errors.record(s);
          break;
        }
        lat.push_back(uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(end - begin).count()));
        done += p.block;
        if (end >= deadline) break;
      }
      jobs_running.fetch_sub(1);
    });
  }
  for (std::size_t w = 0; w < p.writers.size(); ++w) {
    threads.emplace_back([&, w] {
      std::vector<uint8_t> buf(std::size_t(p.block), uint8_t('a' + w % 26));
      // With fsync jobs, the writers stop when the last job does: they measure the
      // throughput beside fsyncs, not after them.
      bool beside_jobs = !p.jobs.empty();
      for (uint64_t index = 0; !errors.stopped(); ++index) {
        ++buf[0];
        auto wrote = vol.write(p.writers[w], index % blocks * p.block, buf);
        if (!wrote) {
          errors.record(wrote.status());
          break;
        }
        written[w] += p.block;
        if ((index & 63) == 63 &&
            (Clock::now() >= deadline || (beside_jobs && jobs_running.load() == 0))) {
          break;
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  FsyncLoopReport r;
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  TUX3_RETURN_IF_ERROR(errors.take());
  std::vector<uint64_t> all;
  for (auto& v : latencies) all.insert(all.end(), v.begin(), v.end());
  r.fsyncs = all.size();
  percentiles(all, r.p50_ns, r.p99_ns, r.max_ns);
  for (uint64_t bytes : written) r.writer_bytes += bytes;
  return r;
}

}  // namespace tux3::writer
