// device.h: the one interface every byte of volume I/O goes through.
//
// Implementations: FileDevice (regular files and block devices), MemoryDevice (tests),
// TraceDevice (records every write and flush of another device, for crash tests).
//
// Contract:
//  - Offsets and lengths are in bytes. A read or write must lie within [0, size()); anything
//    else is InvalidArgument, never a partial transfer.
//  - write() returns when the device has the data, not when it is durable. Durability needs
//    flush() (everything written before it is durable when it returns) or a write with
//    WriteFlags::kFua (that write is durable when it returns).
//  - Every implementation here (FileDevice, MemoryDevice, TraceDevice) accepts concurrent
//    calls from several threads on disjoint byte ranges (the engine writes a delta's blocks
//    from a pool of I/O threads while its frontend reads others).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "tuxdisk/status.h"

namespace tux3 {

// What the device reports about its geometry (for a regular file: the filesystem's view).
struct Topology {
  uint32_t logical_sector = 512;   // smallest addressable unit
  uint32_t physical_sector = 512;  // smallest unit written atomically
  uint32_t io_min = 0;             // minimum I/O size the device prefers (0: unknown)
  uint32_t io_opt = 0;             // optimal I/O size, e.g. a RAID stripe (0: unknown)
  uint32_t alignment_offset = 0;   // bytes by which the device start is misaligned
  bool discard = false;            // supports discard (TRIM / punch hole)
  bool is_block_device = false;
};

enum class WriteFlags : uint8_t {
  kNone = 0,
  kFua = 1,  // forced unit access: durable when write() returns
};

// One of the reads of BlockDevice::read_many.
struct ReadRequest {
  uint64_t offset = 0;
  std::span<uint8_t> out;
  Status status;  // set by read_many
};

class BlockDevice {
 public:
  virtual ~BlockDevice() = default;

  // Each call checks the range, then runs the implementation's do_ function.
  Status read(uint64_t offset, std::span<uint8_t> out);
  // Several reads, each as read() would make it, each with its own status. A device that
  // can issues them together (FileDevice: one io_uring submission), so scattered blocks
  // cost one system call, not one each.
  void read_many(std::span<ReadRequest> requests);
  Status write(uint64_t offset, std::span<const uint8_t> data,
               WriteFlags flags = WriteFlags::kNone);
  // Make every completed write durable.
  Status flush() { return do_flush(); }
  // Tell the device [offset, offset+length) holds nothing of value. Reads of the range may
  // then return anything. NotSupported where the device cannot.
  Status discard(uint64_t offset, uint64_t length);

  virtual uint64_t size() const = 0;
  virtual Topology topology() const = 0;
  // A name for messages: the path, or "memory".
  virtual std::string name() const = 0;

 private:
  // REQUIRES (all): the range lies inside the device; checked by the public wrappers.
  virtual Status do_read(uint64_t offset, std::span<uint8_t> out) = 0;
  // Called with requests whose ranges are checked. Default: do_read each.
  virtual void do_read_many(std::span<ReadRequest*> requests);
  virtual Status do_write(uint64_t offset, std::span<const uint8_t> data, WriteFlags flags) = 0;
  virtual Status do_flush() = 0;
  virtual Status do_discard(uint64_t offset, uint64_t length);

  Status check_range(uint64_t offset, uint64_t length, const char* op) const;
};

}  // namespace tux3
