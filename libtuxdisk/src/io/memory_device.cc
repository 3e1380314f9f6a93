// memory_device.cc: the in-memory BlockDevice.
#include "tuxdisk/memory_device.h"

#include <cstring>

namespace tux3 {

MemoryDevice::MemoryDevice(uint64_t size, Topology topology)
    : bytes_(size, 0), topology_(topology) {}

MemoryDevice::MemoryDevice(std::vector<uint8_t> bytes, Topology topology)
    : bytes_(std::move(bytes)), topology_(topology) {}

Status MemoryDevice::do_read(uint64_t offset, std::span<uint8_t> out) {
  if (!out.empty()) std::memcpy(out.data(), bytes_.data() + offset, out.size());
  return Status::ok();
}

Status MemoryDevice::do_write(uint64_t offset, std::span<const uint8_t> data, WriteFlags) {
  if (!data.empty()) std::memcpy(bytes_.data() + offset, data.data(), data.size());
  bytes_written_ += data.size();
  return Status::ok();
}

Status MemoryDevice::do_flush() {
  ++flushes_;
  return Status::ok();
}

Status MemoryDevice::do_discard(uint64_t offset, uint64_t length) {
  std::memset(bytes_.data() + offset, 0, length);
  return Status::ok();
}

}  // namespace tux3
