// pattern.h: deterministic file contents for write/append/check.
//
// Every pattern is a function of the byte's offset in the file, so a file written in pieces
// (write offset=, append) reads back as one pattern and check can verify any range:
//   zero    every byte 0
//   seq     byte at offset p is p mod 251
//   random  the little-endian bytes of the SplitMix64 stream started at state KEY: byte p is
//           byte (p mod 8) of output number p / 8 (output n = mix(KEY + (n + 1) * 0x9e37...))
//   text    64-byte lines: line n (the bytes [64n, 64n + 64)) is n mod 10^10 as ten digits,
//           a space, lower-case words drawn by SplitMix64 from KEY and n, cut to 63 bytes,
//           and a newline
// KEY = seed XOR FNV-1a-64(path), path being the normalised volume path the command names
// (or check's key=PATH); zero and seq ignore it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace tux3::writer {

enum class PatternKind { kZero, kSeq, kRandom, kText };

std::optional<PatternKind> pattern_from_name(std::string_view name);
std::string_view pattern_name(PatternKind kind);

uint64_t pattern_key(uint64_t seed, std::string_view path);

// Fills `out` with the pattern's bytes at file offsets [offset, offset + out.size()).
void fill_pattern(PatternKind kind, uint64_t key, uint64_t offset, std::span<uint8_t> out);

}  // namespace tux3::writer
