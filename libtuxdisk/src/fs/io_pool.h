// io_pool.h: writes a batch of blocks to a device with several writes in flight.
//
// A small pool of threads, each issuing pwrite-style BlockDevice::write calls. Chosen over
// io_uring because it works through any BlockDevice (files, block devices, and the test
// devices that record or hold writes), and because on the image files and loop devices the
// tools run on, four synchronous writers keep the device as busy as a ring does (see
// doc/design/2026-11-21-async-backend.md for the measurement).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "fs/commit_plan.h"
#include "tuxdisk/device.h"
#include "tuxdisk/status.h"

namespace tux3 {

class IoPool {
 public:
  // threads == 0: write() issues the requests on the calling thread, one at a time.
  IoPool(BlockDevice& device, unsigned threads);
  ~IoPool();
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  // Called on the thread that wrote writes[index], once it is on the device (not called
  // for a request that failed or was skipped after an error).
  using OnWritten = std::function<void(std::size_t index)>;

  // Writes every request and returns when all are done: the first error, else ok.
  // `peak` is raised to the most requests in flight at once.
  Status write(std::span<const PlannedWrite> writes, uint32_t block_bits, uint64_t& peak,
               const OnWritten& on_written = {});

 private:
  Status write_one(const PlannedWrite& w, uint32_t block_bits);
  void worker();

  BlockDevice& device_;
  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<std::size_t> queue_;           // indexes into batch_
  std::span<const PlannedWrite> batch_;
  const OnWritten* on_written_ = nullptr;
  uint32_t block_bits_ = 0;
  std::size_t pending_ = 0;   // queued or running requests of the current batch
  std::size_t running_ = 0;
  uint64_t peak_ = 0;
  Status first_error_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace tux3
