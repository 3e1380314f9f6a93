// trace_device.h: records every write, flush and discard sent to another device, in order.
//
// The trace is what crash-state tests replay: each write keeps its bytes, so any prefix or
// subset of the writes can be applied to the starting image. Marks are free-form labels the
// workload inserts (operation begin/end, "fsync returned", "delta 7 committed").
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "tuxdisk/device.h"

namespace tux3 {

struct TraceEvent {
  enum class Kind : uint8_t { kWrite, kFlush, kDiscard, kMark };
  Kind kind = Kind::kMark;
  uint64_t offset = 0;         // write, discard
  uint64_t length = 0;         // write, discard
  bool fua = false;            // write
  std::vector<uint8_t> data;   // write: the bytes written
  std::string label;           // mark
};

class TraceDevice final : public BlockDevice {
 public:
  // REQUIRES: inner outlives this object.
  explicit TraceDevice(BlockDevice& inner) : inner_(inner) {}

  uint64_t size() const override { return inner_.size(); }
  Topology topology() const override { return inner_.topology(); }
  std::string name() const override { return inner_.name(); }

  void mark(std::string label);
  // REQUIRES (events): no I/O in progress.
  const std::vector<TraceEvent>& events() const { return events_; }
  uint64_t bytes_written() const { return bytes_written_; }
  uint64_t write_count() const { return writes_; }
  uint64_t flush_count() const { return flushes_; }

 private:
  Status do_read(uint64_t offset, std::span<uint8_t> out) override;
  Status do_write(uint64_t offset, std::span<const uint8_t> data, WriteFlags flags) override;
  Status do_flush() override;
  Status do_discard(uint64_t offset, uint64_t length) override;

  BlockDevice& inner_;
  // Held across each inner write, so the event order is the order writes reached the device.
  std::mutex mu_;
  std::vector<TraceEvent> events_;
  uint64_t bytes_written_ = 0;
  uint64_t writes_ = 0;
  uint64_t flushes_ = 0;
};

}  // namespace tux3
