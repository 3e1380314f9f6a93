// byte_stream.cc: dump streams on file descriptors (files, pipes, standard input/output).
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "tuxdisk/metadump.h"

namespace tux3 {

namespace {

class FdSink final : public ByteSink {
 public:
  FdSink(int fd, std::string name) : fd_(fd), name_(std::move(name)) { buffer_.reserve(kBuffer); }

  Status write(std::span<const uint8_t> bytes) override {
    if (buffer_.size() + bytes.size() > kBuffer) TUX3_RETURN_IF_ERROR(drain());
    if (bytes.size() >= kBuffer) return write_all(bytes);
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    return Status::ok();
  }
  Status finish() override { return drain(); }

 private:
  static constexpr std::size_t kBuffer = std::size_t(1) << 20;

  Status drain() {
    Status s = write_all(buffer_);
    buffer_.clear();
    return s;
  }
  Status write_all(std::span<const uint8_t> bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::from_errno(errno, name_);
      bytes = bytes.subspan(std::size_t(n));
    }
    return Status::ok();
  }

  int fd_;
  std::string name_;
  std::vector<uint8_t> buffer_;
};

class FdSource final : public ByteSource {
 public:
  FdSource(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}

  Result<std::size_t> read(std::span<uint8_t> out) override {
    for (;;) {
      ssize_t n = ::read(fd_, out.data(), out.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::from_errno(errno, name_);
      return std::size_t(n);
    }
  }
  std::string name() const override { return name_; }

 private:
  int fd_;
  std::string name_;
};

}  // namespace

Status VectorSink::write(std::span<const uint8_t> bytes) {
  bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  return Status::ok();
}

Result<std::size_t> SpanSource::read(std::span<uint8_t> out) {
  std::size_t n = std::min({out.size(), bytes_.size() - pos_, max_read_});
  if (n) std::memcpy(out.data(), bytes_.data() + pos_, n);
  pos_ += n;
  return n;
}

std::unique_ptr<ByteSink> fd_sink(int fd, std::string name) {
  return std::make_unique<FdSink>(fd, std::move(name));
}

std::unique_ptr<ByteSource> fd_source(int fd, std::string name) {
  return std::make_unique<FdSource>(fd, std::move(name));
}

}  // namespace tux3
