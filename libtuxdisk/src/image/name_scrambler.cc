// name_scrambler.cc: same-length replacement names from a keyed hash (scramble.h).
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cstring>
#include <random>

#include "image/scramble.h"

namespace tux3::image {

namespace {

constexpr std::string_view kAlphabet =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
static_assert(kAlphabet.size() == 64);
constexpr uint32_t kHashAttempts = 64;
constexpr std::string_view kLostAndFound = "lost+found";

bool valid_name(const std::string& name) { return name != "." && name != ".."; }

}  // namespace

NameScrambler::NameScrambler(std::string_view key) : secret_(192) {
  std::string material(key);
  if (material.empty()) {
    std::random_device random;
    for (int i = 0; i < 8; ++i) {
      uint32_t word = random();
      material.append(reinterpret_cast<const char*>(&word), sizeof word);
    }
  }
  XXH3_generateSecret(secret_.data(), secret_.size(), material.data(), material.size());
  forward_.emplace(kLostAndFound, kLostAndFound);
  taken_.emplace(kLostAndFound);
}

std::string NameScrambler::candidate(std::string_view original, uint32_t salt,
                                     uint32_t attempt) const {
  std::string out;
  out.reserve(original.size());
  // salt, attempt, part (4 bytes each), then the name (a symlink target: up to 4095 bytes).
  uint8_t small[12 + 256];
  std::vector<uint8_t> large;
  uint8_t* input = small;
  if (original.size() > 256) {
    large.resize(12 + original.size());
    input = large.data();
  }
  const std::size_t input_size = 12 + original.size();
  std::memcpy(input, &salt, 4);
  std::memcpy(input + 4, &attempt, 4);
  std::memcpy(input + 12, original.data(), original.size());
  for (uint32_t part = 0; out.size() < original.size(); ++part) {
    std::memcpy(input + 8, &part, 4);
    XXH128_hash_t h = XXH3_128bits_withSecret(input, input_size, secret_.data(), secret_.size());
    // 21 characters of 6 bits from the 128.
    for (int i = 0; i < 21 && out.size() < original.size(); ++i) {
      uint64_t word = i < 10 ? h.low64 >> (6 * i) : h.high64 >> (6 * (i - 10));
      out.push_back(kAlphabet[word & 63]);
    }
  }
  return out;
}

std::string NameScrambler::pick(std::string_view original, uint32_t salt,
                                const std::function<bool(const std::string&)>& available) const {
  for (uint32_t attempt = 0; attempt < kHashAttempts; ++attempt) {
    std::string c = candidate(original, salt, attempt);
    if (valid_name(c) && available(c)) return c;
  }
  // So many names of this length that the hash keeps landing on taken ones: take the first
  // free name of that length, counting through every byte but NUL and '/'.
  std::string c(original.size(), '\x01');
  for (;;) {
    if (valid_name(c) && available(c)) return c;
    std::size_t i = c.size();
    while (i > 0) {
      --i;
      uint8_t next = uint8_t(c[i]) + 1;
      if (next == '/') ++next;
      c[i] = char(next);
      if (next != 0) break;
      c[i] = '\x01';
    }
  }
}

const std::string& NameScrambler::name(std::string_view original) {
  if (auto it = forward_.find(original); it != forward_.end()) return it->second;
  std::string chosen = pick(original, 0, [&](const std::string& c) { return !taken_.contains(c); });
  taken_.insert(chosen);
  return forward_.emplace(std::string(original), std::move(chosen)).first->second;
}

std::string NameScrambler::path(std::string_view target) {
  std::string out;
  out.reserve(target.size());
  std::size_t start = 0;
  while (start <= target.size()) {
    std::size_t slash = target.find('/', start);
    if (slash == std::string_view::npos) slash = target.size();
    std::string_view part = target.substr(start, slash - start);
    if (part.empty() || part == "." || part == "..") {
      out.append(part);
    } else if (part.find('\0') != part.npos) {
      out.append(candidate(part, 1, 0));  // not a name: no entry for it in the mapping
    } else {
      out.append(name(part));
    }
    if (slash < target.size()) out.push_back('/');
    start = slash + 1;
  }
  return out;
}

}  // namespace tux3::image
