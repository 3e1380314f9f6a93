// status.cc: Status formatting and errno mapping.
#include "tuxdisk/status.h"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace tux3 {

std::string_view errc_name(Errc code) {
  switch (code) {
    case Errc::kOk: return "ok";
    case Errc::kCorruption: return "corruption";
    case Errc::kIoError: return "I/O error";
    case Errc::kNoSpace: return "no space";
    case Errc::kInvalidArgument: return "invalid argument";
    case Errc::kNotSupported: return "not supported";
    case Errc::kNotFound: return "not found";
    case Errc::kExists: return "exists";
    case Errc::kBusy: return "busy";
  }
  return "unknown error";
}

Status Status::from_errno(int err, std::string_view what) {
  std::string msg = fmt::format("{}: {}", what, std::strerror(err));
  Status s;
  switch (err) {
    case ENOENT: s = not_found(std::move(msg)); break;
    case EEXIST: s = exists(std::move(msg)); break;
    case EBUSY: s = busy(std::move(msg)); break;
    case ENOSPC: s = no_space(std::move(msg)); break;
    case EINVAL: s = invalid_argument(std::move(msg)); break;
    case EOPNOTSUPP: s = not_supported(std::move(msg)); break;
    default: s = io_error(std::move(msg)); break;
  }
  s.sys_errno_ = err;
  return s;
}

Status Status::with_context(std::string_view context) && {
  if (is_ok()) return std::move(*this);
  message_ = fmt::format("{}: {}", context, message_);
  return std::move(*this);
}

Status Status::with_context(std::string_view context) const& {
  Status copy = *this;
  return std::move(copy).with_context(context);
}

Status Status::at_block(uint64_t block) && {
  if (!is_ok()) block_ = block;
  return std::move(*this);
}

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  return fmt::format("{}: {}", errc_name(code_), message_);
}

}  // namespace tux3
