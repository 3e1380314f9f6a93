// memory_device.h: a BlockDevice held in memory, for tests and in-process tools.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "tuxdisk/device.h"

namespace tux3 {

class MemoryDevice final : public BlockDevice {
 public:
  explicit MemoryDevice(uint64_t size, Topology topology = {});
  // Wraps existing bytes (a copy); size() is bytes.size().
  explicit MemoryDevice(std::vector<uint8_t> bytes, Topology topology = {});

  uint64_t size() const override { return bytes_.size(); }
  Topology topology() const override { return topology_; }
  std::string name() const override { return "memory"; }

  const std::vector<uint8_t>& bytes() const { return bytes_; }
  std::vector<uint8_t>& bytes() { return bytes_; }
  uint64_t flush_count() const { return flushes_; }
  uint64_t bytes_written() const { return bytes_written_; }

 private:
  Status do_read(uint64_t offset, std::span<uint8_t> out) override;
  Status do_write(uint64_t offset, std::span<const uint8_t> data, WriteFlags flags) override;
  Status do_flush() override;
  Status do_discard(uint64_t offset, uint64_t length) override;

  std::vector<uint8_t> bytes_;
  Topology topology_;
  std::atomic<uint64_t> flushes_ = 0;
  std::atomic<uint64_t> bytes_written_ = 0;
};

}  // namespace tux3
