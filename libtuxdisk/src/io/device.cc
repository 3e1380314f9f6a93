// device.cc: behaviour shared by every BlockDevice.
#include "tuxdisk/device.h"

#include <vector>

#include <fmt/format.h>

namespace tux3 {

Status BlockDevice::read(uint64_t offset, std::span<uint8_t> out) {
  TUX3_RETURN_IF_ERROR(check_range(offset, out.size(), "read"));
  return do_read(offset, out);
}

void BlockDevice::read_many(std::span<ReadRequest> requests) {
  std::vector<ReadRequest*> valid;
  valid.reserve(requests.size());
  for (ReadRequest& r : requests) {
    r.status = check_range(r.offset, r.out.size(), "read");
    if (r.status) valid.push_back(&r);
  }
  if (!valid.empty()) do_read_many(valid);
}

void BlockDevice::do_read_many(std::span<ReadRequest*> requests) {
  for (ReadRequest* r : requests) r->status = do_read(r->offset, r->out);
}

Status BlockDevice::write(uint64_t offset, std::span<const uint8_t> data, WriteFlags flags) {
  TUX3_RETURN_IF_ERROR(check_range(offset, data.size(), "write"));
  return do_write(offset, data, flags);
}

Status BlockDevice::discard(uint64_t offset, uint64_t length) {
  TUX3_RETURN_IF_ERROR(check_range(offset, length, "discard"));
  return do_discard(offset, length);
}

Status BlockDevice::do_discard(uint64_t, uint64_t) {
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
