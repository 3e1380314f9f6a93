// bytes.h: bounded byte readers and writers for variable-length on-disk records.
//
// A ByteReader never reads past its span: a read that would overrun returns zero and puts the
// reader into a sticky failed state, so a decoder reads all fields and checks ok() once.
// A ByteWriter behaves the same way for writes. Neither allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "tuxdisk/endian.h"

namespace tux3 {

// True when every byte is zero (reserved fields, gaps, never-written blocks).
inline bool all_zero(std::span<const uint8_t> bytes) {
  // Zero if the first byte is and every byte equals the one before it (libc's memcmp is
  // fast in every build; checks of whole blocks are on every read path).
  if (bytes.empty()) return true;
  return bytes[0] == 0 && std::memcmp(bytes.data(), bytes.data() + 1, bytes.size() - 1) == 0;
}

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  bool ok() const { return ok_; }
  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return ok_ ? bytes_.size() - pos_ : 0; }
  bool at_end() const { return ok_ && pos_ == bytes_.size(); }

  uint8_t u8() { return take(1) ? bytes_[pos_ - 1] : 0; }
  uint16_t be16() { return take(2) ? load_be16(&bytes_[pos_ - 2]) : 0; }
  uint32_t be32() { return take(4) ? load_be32(&bytes_[pos_ - 4]) : 0; }
  uint64_t be64() { return take(8) ? load_be64(&bytes_[pos_ - 8]) : 0; }
  int64_t sbe64() { return static_cast<int64_t>(be64()); }
  // The next n bytes; an empty span (and failure) if fewer remain.
  std::span<const uint8_t> bytes(std::size_t n) {
    if (!take(n)) return {};
    return bytes_.subspan(pos_ - n, n);
  }
  void skip(std::size_t n) { take(n); }

 private:
  bool take(std::size_t n) {
    if (!ok_ || n > bytes_.size() - pos_) {
      ok_ = false;
      return false;
    }
    pos_ += n;
    return true;
  }
  std::span<const uint8_t> bytes_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

class ByteWriter {
 public:
  explicit ByteWriter(std::span<uint8_t> bytes) : bytes_(bytes) {}

  bool ok() const { return ok_; }
  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return ok_ ? bytes_.size() - pos_ : 0; }

  void u8(uint8_t v) {
    if (take(1)) bytes_[pos_ - 1] = v;
  }
  void be16(uint16_t v) {
    if (take(2)) store_be16(&bytes_[pos_ - 2], v);
  }
  void be32(uint32_t v) {
    if (take(4)) store_be32(&bytes_[pos_ - 4], v);
  }
  void be64(uint64_t v) {
    if (take(8)) store_be64(&bytes_[pos_ - 8], v);
  }
  void sbe64(int64_t v) { be64(static_cast<uint64_t>(v)); }
  void bytes(std::span<const uint8_t> v) {
    if (take(v.size()) && !v.empty()) std::memcpy(&bytes_[pos_ - v.size()], v.data(), v.size());
  }
  void bytes(std::string_view v) {
    bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(v.data()), v.size()));
  }
  void zeros(std::size_t n) {
    if (take(n) && n) std::memset(&bytes_[pos_ - n], 0, n);
  }

 private:
  bool take(std::size_t n) {
    if (!ok_ || n > bytes_.size() - pos_) {
      ok_ = false;
      return false;
    }
    pos_ += n;
    return true;
  }
  std::span<uint8_t> bytes_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace tux3
