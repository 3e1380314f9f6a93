// gate_device.h: a test device that can hold writes open, to prove what the engine does
// while a delta's I/O is in flight.
//
// While the gate is closed, every write and flush (or, closed for flushes only, every
// flush) blocks inside the device until the gate opens; reads pass. blocked() tells how many calls are waiting, so a test can tell
// "the backend is mid-delta" from "the backend has not started yet".
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "tuxdisk/device.h"

namespace tux3::testing {

class GateDevice final : public BlockDevice {
 public:
  explicit GateDevice(BlockDevice& inner) : inner_(inner) {}

  enum class Hold { kWritesAndFlushes, kFlushes };
  void close_gate(Hold hold = Hold::kWritesAndFlushes) {
    std::lock_guard lock(mu_);
    closed_ = true;
    hold_writes_ = hold == Hold::kWritesAndFlushes;
  }
  void open_gate() {
    {
      std::lock_guard lock(mu_);
      closed_ = false;
    }
    cv_.notify_all();
  }
  // Waits until at least `n` calls are held; false after `timeout`.
  bool wait_blocked(unsigned n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return blocked_ >= n; });
  }

  uint64_t size() const override { return inner_.size(); }
  Topology topology() const override { return inner_.topology(); }
  std::string name() const override { return "gate"; }

 private:
  void pass(bool is_write) {
    std::unique_lock lock(mu_);
    if (!closed_ || (is_write && !hold_writes_)) return;
    ++blocked_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return !closed_; });
    --blocked_;
  }
  Status do_read(uint64_t offset, std::span<uint8_t> out) override {
    return inner_.read(offset, out);
  }
  Status do_write(uint64_t offset, std::span<const uint8_t> data, WriteFlags flags) override {
    pass(true);
    return inner_.write(offset, data, flags);
  }
  Status do_flush() override {
    pass(false);
    return inner_.flush();
  }

  BlockDevice& inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool closed_ = false;
  bool hold_writes_ = true;
  unsigned blocked_ = 0;
};

}  // namespace tux3::testing
