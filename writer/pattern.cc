// pattern.cc: the data patterns (see pattern.h for their exact definitions).
#include "pattern.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

namespace tux3::writer {
namespace {

constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ull;

uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Output n (0-based) of the SplitMix64 stream whose state starts at `key`.
uint64_t splitmix_at(uint64_t key, uint64_t n) { return mix(key + (n + 1) * kGolden); }

constexpr std::array<std::string_view, 32> kWords = {
    "alpha", "block", "commit", "delta", "extent", "fork",   "graft", "hash",
    "inode", "journal", "kernel", "leaf", "mount", "node", "orphan", "page",
    "quota", "root", "stream", "tree", "unify", "volume", "write", "xattr",
    "yield", "zone", "bitmap", "cache", "dirent", "flush", "log", "sync"};

constexpr uint64_t kLine = 64;

// Line n of the text pattern: 63 visible bytes and a newline.
void text_line(uint64_t key, uint64_t n, char (&line)[kLine]) {
  std::string s = std::to_string(n % 10000000000ull);
  s.insert(0, 10 - s.size(), '0');
  s += ' ';
  uint64_t state = mix(key ^ mix(n + 1));
  for (uint64_t i = 0; s.size() < kLine - 1; ++i) {
    uint64_t r = splitmix_at(state, i);
    s += kWords[r % kWords.size()];
    s += ' ';
  }
  std::memcpy(line, s.data(), kLine - 1);
  line[kLine - 1] = '\n';
}

}  // namespace

std::optional<PatternKind> pattern_from_name(std::string_view name) {
  if (name == "zero") return PatternKind::kZero;
  if (name == "seq") return PatternKind::kSeq;
  if (name == "random") return PatternKind::kRandom;
  if (name == "text") return PatternKind::kText;
  return std::nullopt;
}

std::string_view pattern_name(PatternKind kind) {
  switch (kind) {
    case PatternKind::kZero: return "zero";
    case PatternKind::kSeq: return "seq";
    case PatternKind::kRandom: return "random";
    case PatternKind::kText: return "text";
  }
  return "?";
}

uint64_t pattern_key(uint64_t seed, std::string_view path) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64
  for (char c : path) {
    h ^= uint8_t(c);
    h *= 0x100000001b3ull;
  }
  return seed ^ h;
}

void fill_pattern(PatternKind kind, uint64_t key, uint64_t offset, std::span<uint8_t> out) {
  switch (kind) {
    case PatternKind::kZero:
      std::fill(out.begin(), out.end(), uint8_t(0));
      return;
    case PatternKind::kSeq: {
      unsigned v = unsigned(offset % 251);
      for (uint8_t& b : out) {
        b = uint8_t(v);
        if (++v == 251) v = 0;
      }
      return;
    }
    case PatternKind::kRandom: {
      std::size_t i = 0;
      while (i < out.size()) {
        uint64_t p = offset + i;
        uint64_t word = splitmix_at(key, p / 8);
        for (unsigned byte = unsigned(p % 8); byte < 8 && i < out.size(); ++byte, ++i) {
          out[i] = uint8_t(word >> (8 * byte));
        }
      }
      return;
    }
    case PatternKind::kText: {
      std::size_t i = 0;
      char line[kLine];
      while (i < out.size()) {
        uint64_t p = offset + i;
        text_line(key, p / kLine, line);
        std::size_t from = std::size_t(p % kLine);
        std::size_t n = std::min<std::size_t>(kLine - from, out.size() - i);
        std::memcpy(out.data() + i, line + from, n);
        i += n;
      }
      return;
    }
  }
}

}  // namespace tux3::writer
