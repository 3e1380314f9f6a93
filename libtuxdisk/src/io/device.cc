// device.cc: behaviour shared by every BlockDevice.
#include "tuxdisk/device.h"

#include <fmt/format.h>

namespace tux3 {

Status BlockDevice::discard(uint64_t, uint64_t) {
  return Status::not_supported(fmt::format("{}: discard is not supported", name()));
}

Status BlockDevice::check_range(uint64_t offset, uint64_t length, const char* op) const {
  uint64_t dev_size = size();
  if (offset > dev_size || length > dev_size - offset) {
    return Status::invalid_argument(
        fmt::format("{}: {} of {} bytes at offset {} is beyond the end ({} bytes)", name(), op,
                    length, offset, dev_size));
  }
  return Status::ok();
}

}  // namespace tux3
