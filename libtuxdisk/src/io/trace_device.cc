// trace_device.cc: the recording BlockDevice wrapper.
#include "tuxdisk/trace_device.h"

namespace tux3 {
namespace {

TraceEvent make_event(TraceEvent::Kind kind) {
  TraceEvent event;
  event.kind = kind;
  return event;
}

}  // namespace

Status TraceDevice::do_read(uint64_t offset, std::span<uint8_t> out) {
  return inner_.read(offset, out);
}

Status TraceDevice::do_write(uint64_t offset, std::span<const uint8_t> data, WriteFlags flags) {
  std::lock_guard lock(mu_);
  TUX3_RETURN_IF_ERROR(inner_.write(offset, data, flags));
  TraceEvent event = make_event(TraceEvent::Kind::kWrite);
  event.offset = offset;
  event.length = data.size();
  event.fua = flags == WriteFlags::kFua;
  event.data.assign(data.begin(), data.end());
  events_.push_back(std::move(event));
  bytes_written_ += data.size();
  ++writes_;
  return Status::ok();
}

Status TraceDevice::do_flush() {
  std::lock_guard lock(mu_);
  TUX3_RETURN_IF_ERROR(inner_.flush());
  events_.push_back(make_event(TraceEvent::Kind::kFlush));
  ++flushes_;
  return Status::ok();
}

Status TraceDevice::do_discard(uint64_t offset, uint64_t length) {
  std::lock_guard lock(mu_);
  TUX3_RETURN_IF_ERROR(inner_.discard(offset, length));
  TraceEvent event = make_event(TraceEvent::Kind::kDiscard);
  event.offset = offset;
  event.length = length;
  events_.push_back(std::move(event));
  return Status::ok();
}

void TraceDevice::mark(std::string label) {
  std::lock_guard lock(mu_);
  TraceEvent event = make_event(TraceEvent::Kind::kMark);
  event.label = std::move(label);
  events_.push_back(std::move(event));
}

}  // namespace tux3
