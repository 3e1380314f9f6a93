// backend.cc: the backend thread, which commits deltas while the frontend goes on.
//
// Its loop: wait for a request (a trigger, sync, start_commit) or the delta timer; under
// the lock, marshal the open delta into a plan (the frontend is held only for this, and
// the time is counted in marshal_ns); without the lock, write the plan's blocks through
// the I/O pool, flush, write the superblock with FUA; under the lock again, complete the
// delta (its frees are released, waiters wake) and trim the cache. Only then is another
// delta marshalled, so one delta at most is under commit.
#include <chrono>

#include <fmt/format.h>

#include "fs/volume_impl.h"
#include "tuxdisk/format/superblock.h"

namespace tux3 {

using namespace format;
using Clock = std::chrono::steady_clock;

namespace {

uint64_t elapsed_ns(Clock::time_point since) {
  return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - since)
                      .count());
}

}  // namespace

void VolumeImpl::backend_main() {
  std::unique_lock lock(mu_);
  while (true) {
    // Wait for a request or for the open delta to reach its age limit.
    while (!stop_ && !commit_requested_) {
      if (delta_started_ns_ >= 0) {
        auto due = Clock::time_point(std::chrono::nanoseconds(
            delta_started_ns_ + int64_t(opt_.delta_interval_ms) * 1000000));
        if (Clock::now() >= due) {
          commit_requested_ = true;
          break;
        }
        backend_cv_.wait_until(lock, due);
      } else {
        backend_cv_.wait(lock);
      }
    }
    if (stop_) break;
    // fsyncs writing with the lock released finish first: the delta absorbs what they
    // write, so it must not be durable before their blocks are. New ones wait meanwhile.
    if (streams_busy_ > 0) {
      marshal_waiting_ = true;
      cv_.wait(lock, [&] { return streams_busy_ == 0 || stop_; });
      marshal_waiting_ = false;
      cv_.notify_all();
      if (stop_) break;
    }
    bool unify = unify_requested_ || unify_due();
    commit_requested_ = unify_requested_ = false;
    if (failed_ || !has_work(unify)) {
      cv_.notify_all();
      continue;
    }
    auto t0 = Clock::now();
    auto plan = marshal_delta(unify);
    uint64_t held = elapsed_ns(t0);
    stats_.marshal_ns += held;
    stats_.marshal_max_ns = std::max(stats_.marshal_max_ns, held);
    if (!plan) {
      fail(plan.status().with_context(fmt::format("delta {}", sb_.delta + 1)));
      continue;
    }
    CommitPlan& p = **plan;
    p.written.assign(p.writes.size(), false);
    in_flight_ = &p;
    marshalled_delta_ = p.delta;
    inflight_bytes_ = p.bytes();
    stats_.inflight_bytes_peak = std::max(stats_.inflight_bytes_peak, inflight_bytes_);
    cv_.notify_all();  // throttled writers: the open delta is empty again

    lock.unlock();
    uint64_t peak = 0;
    Status s = write_plan(p, peak);
    lock.lock();

    stats_.inflight_writes_peak = std::max(stats_.inflight_writes_peak, peak);
    if (s) s = complete_delta(p);
    if (!s) fail(s.with_context(fmt::format("delta {}", p.delta)));
    in_flight_ = nullptr;
    inflight_bytes_ = 0;
    plan->reset();  // the plan's buffers go: forked pages' old copies are freed here
    evict_to_budget();
    cv_.notify_all();
  }
  cv_.notify_all();
}

// The blocks, then the commit point (step 6 of commit.cc).
Status VolumeImpl::write_plan(CommitPlan& plan, uint64_t& peak) {
  // A request on the device lets go of its buffers: a write to one of them changes it in
  // place from now on (no fork), and a stable-pages writer waiting for it goes on.
  auto on_written = [&](std::size_t index) {
    for (auto& buffer : plan.writes[index].buffers) buffer.reset();
    {
      std::lock_guard lock(mu_);
      plan.written[index] = true;
    }
    cv_.notify_all();
  };
  TUX3_RETURN_IF_ERROR(io_->write(plan.writes, plan.block_bits, peak, on_written));
  std::vector<uint8_t> slot(kSuperSlotSize);
  encode_superblock(plan.next, slot);
  TUX3_RETURN_IF_ERROR(dev_.flush());
  return dev_.write(kSuperSlotOffset[plan.delta & 1], slot, WriteFlags::kFua);
}

Status VolumeImpl::commit_and_wait(bool unify) {
  if (failed_) return failed_status();
  auto t0 = Clock::now();
  bool waited = false;
  ++waiters_;
  // The delta in flight first: what the open one needs to write depends on its outcome.
  while (in_flight_ && !failed_) {
    waited = true;
    cv_.wait(mu_);
  }
  if (!failed_ && has_work(unify)) {
    uint64_t target = marshalled_delta_ + 1;
    commit_requested_ = true;
    unify_requested_ |= unify;
    backend_cv_.notify_all();
    waited = true;
    cv_.wait(mu_, [&] { return failed_ || sb_.delta >= target; });
  }
  --waiters_;
  if (waited) {
    stats_.commit_waits++;
    stats_.commit_wait_ns += elapsed_ns(t0);
  }
  return failed_ ? failed_status() : Status::ok();
}

Status VolumeImpl::throttle(uint64_t writer_ino, bool* waited) {
  if (waited) *waited = false;
  if (failed_) return failed_status();
  bool light = false;
  if (writer_ino) {
    auto it = inodes_.find(writer_ino);
    uint64_t pages = it == inodes_.end() ? 0 : it->second->dirty_blocks.size();
    light = pages * bs_ * 8 < opt_.dirty_limit_bytes;
  }
  uint64_t limit = (light ? 3 : 2) * opt_.dirty_limit_bytes;
  auto over = [&] {
    return dirty_bytes_ >= limit || dirty_inodes_.size() >= 2 * kMaxDirtyInodes;
  };
  if (!over()) {
    if (cache_charge() > opt_.cache_bytes + opt_.cache_bytes / 8) evict_to_budget();
    return Status::ok();
  }
  if (!commit_requested_) {
    commit_requested_ = true;
    backend_cv_.notify_all();
  }
  // The open delta is full and the previous one is still being written: opening a third
  // would pile up dirty memory, so wait for the backend to take this one.
  uint64_t before = stats_.throttle_waits;
  wait_counted([&] { return failed_ || !over() || (!in_flight_ && !commit_requested_); },
               stats_.throttle_waits, stats_.throttle_wait_ns);
  if (waited) *waited = stats_.throttle_waits != before;
  return failed_ ? failed_status() : Status::ok();
}

void VolumeImpl::stop_backend() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  backend_cv_.notify_all();
  cv_.notify_all();
  if (backend_.joinable()) backend_.join();
}

VolumeImpl::~VolumeImpl() { stop_backend(); }

}  // namespace tux3
