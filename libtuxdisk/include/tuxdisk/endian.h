// endian.h: big-endian on-disk integers, read and written through typed field descriptors.
//
// The on-disk format is big-endian. Code never casts a struct onto disk bytes; instead each
// block kind declares its fields as descriptors:
//
//   using Magic = BeField<uint32_t, 0>;   // 4 bytes at offset 0
//   uint32_t m = Magic::get(block);       // REQUIRES: block.size() >= Magic::kEnd
//
// and pins its layout at compile time with static_assert(fields_contiguous<A, B, C>()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>

namespace tux3 {

inline uint16_t load_be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
inline uint32_t load_be32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return __builtin_bswap32(v);
}
inline uint64_t load_be64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return __builtin_bswap64(v);
}
inline void store_be16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v >> 8);
  p[1] = uint8_t(v);
}
inline void store_be32(uint8_t* p, uint32_t v) {
  v = __builtin_bswap32(v);
  std::memcpy(p, &v, 4);
}
inline void store_be64(uint8_t* p, uint64_t v) {
  v = __builtin_bswap64(v);
  std::memcpy(p, &v, 8);
}

// A big-endian unsigned integer field of type T at a fixed byte offset.
template <typename T, std::size_t Offset>
struct BeField {
  static_assert(std::is_unsigned_v<T> && sizeof(T) <= 8);
  using value_type = T;
  static constexpr std::size_t kOffset = Offset;
  static constexpr std::size_t kSize = sizeof(T);
  static constexpr std::size_t kEnd = Offset + sizeof(T);

  // REQUIRES: b.size() >= kEnd (callers check block length once, up front).
  static T get(std::span<const uint8_t> b) {
    const uint8_t* p = b.data() + Offset;
    if constexpr (sizeof(T) == 1) return p[0];
    else if constexpr (sizeof(T) == 2) return load_be16(p);
    else if constexpr (sizeof(T) == 4) return load_be32(p);
    else return load_be64(p);
  }
  static void set(std::span<uint8_t> b, T v) {
    uint8_t* p = b.data() + Offset;
    if constexpr (sizeof(T) == 1) p[0] = v;
    else if constexpr (sizeof(T) == 2) store_be16(p, v);
    else if constexpr (sizeof(T) == 4) store_be32(p, v);
    else store_be64(p, v);
  }
};

// A fixed-length byte string field (UUIDs, labels, reserved areas).
template <std::size_t Offset, std::size_t N>
struct BytesField {
  static constexpr std::size_t kOffset = Offset;
  static constexpr std::size_t kSize = N;
  static constexpr std::size_t kEnd = Offset + N;
  static std::span<const uint8_t, N> get(std::span<const uint8_t> b) {
    return std::span<const uint8_t, N>(b.data() + Offset, N);
  }
  static std::span<uint8_t, N> get(std::span<uint8_t> b) {
    return std::span<uint8_t, N>(b.data() + Offset, N);
  }
};

// True when each field starts exactly where the previous one ends: no gaps, no overlap.
template <typename First, typename... Rest>
constexpr bool fields_contiguous() {
  if constexpr (sizeof...(Rest) == 0) {
    return true;
  } else {
    constexpr std::size_t next_offsets[] = {Rest::kOffset...};
    return next_offsets[0] == First::kEnd && fields_contiguous<Rest...>();
  }
}

}  // namespace tux3
