// status.h: errors as values. Status says what failed and where; Result<T> carries a value or a Status.
//
// Contract:
//  - Corruption means "the bytes on the volume are wrong"; IoError means "the device failed".
//    Callers must be able to tell them apart, so every code is distinct and never collapsed.
//  - Context is added as the error travels up (with_context), giving messages such as
//    "superblock slot 1: block 2: field blockbits: 40 is outside 9..16".
//  - No exceptions cross the library boundary for expected failures.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace tux3 {

enum class Errc : uint8_t {
  kOk = 0,
  kCorruption,       // on-disk bytes are inconsistent or fail verification
  kIoError,          // the device or the OS failed (errno in sys_errno())
  kNoSpace,          // the volume or a structure is full
  kInvalidArgument,  // the caller asked for something impossible
  kNotSupported,     // valid, but this version cannot do it (feature flags, device ops)
  kNotFound,         // a named thing does not exist
  kExists,           // a named thing already exists
  kBusy,             // in use by someone else (mounted, locked)
};

std::string_view errc_name(Errc code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status ok() { return Status(); }
  static Status corruption(std::string msg) { return Status(Errc::kCorruption, std::move(msg)); }
  static Status io_error(std::string msg, int sys_errno = 0) {
    Status s(Errc::kIoError, std::move(msg));
    s.sys_errno_ = sys_errno;
    return s;
  }
  static Status no_space(std::string msg) { return Status(Errc::kNoSpace, std::move(msg)); }
  static Status invalid_argument(std::string msg) {
    return Status(Errc::kInvalidArgument, std::move(msg));
  }
  static Status not_supported(std::string msg) { return Status(Errc::kNotSupported, std::move(msg)); }
  static Status not_found(std::string msg) { return Status(Errc::kNotFound, std::move(msg)); }
  static Status exists(std::string msg) { return Status(Errc::kExists, std::move(msg)); }
  static Status busy(std::string msg, int sys_errno = 0) {
    Status s(Errc::kBusy, std::move(msg));
    s.sys_errno_ = sys_errno;
    return s;
  }
  // An IoError (or Busy/NotFound/...) derived from errno, with strerror appended.
  static Status from_errno(int err, std::string_view what);

  bool is_ok() const { return code_ == Errc::kOk; }
  explicit operator bool() const { return is_ok(); }
  Errc code() const { return code_; }
  const std::string& message() const { return message_; }
  int sys_errno() const { return sys_errno_; }
  // The block the problem was found in, if one is known.
  std::optional<uint64_t> block() const { return block_; }

  // Prefix the message with "context: "; keeps code, errno and block.
  Status with_context(std::string_view context) &&;
  Status with_context(std::string_view context) const&;
  Status at_block(uint64_t block) &&;

  // "corruption: superblock slot 1: bad checksum".
  std::string to_string() const;

 private:
  Status(Errc code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Errc code_ = Errc::kOk;
  std::string message_;
  int sys_errno_ = 0;
  std::optional<uint64_t> block_;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: must not be OK

  bool is_ok() const { return v_.index() == 0; }
  explicit operator bool() const { return is_ok(); }

  // REQUIRES: is_ok().
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // The error; an OK Status when there is a value.
  Status status() const { return is_ok() ? Status() : std::get<1>(v_); }
  Status take_status() && { return is_ok() ? Status() : std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace tux3

// Propagate a failed Status from an expression returning Status.
#define TUX3_RETURN_IF_ERROR(expr)                 \
  do {                                             \
    ::tux3::Status tux3_status_ = (expr);          \
    if (!tux3_status_.is_ok()) return tux3_status_; \
  } while (0)

#define TUX3_CONCAT_INNER(a, b) a##b
#define TUX3_CONCAT(a, b) TUX3_CONCAT_INNER(a, b)
// Declare `lhs` from a Result-returning expression, or return its Status.
#define TUX3_ASSIGN_OR_RETURN(lhs, expr) \
  TUX3_ASSIGN_OR_RETURN_IMPL(TUX3_CONCAT(tux3_result_, __LINE__), lhs, expr)
#define TUX3_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)         \
  auto tmp = (expr);                                       \
  if (!tmp.is_ok()) return std::move(tmp).take_status();   \
  lhs = std::move(tmp).value()
