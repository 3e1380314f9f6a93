// size_parse.cc: human-readable byte counts.
#include "tuxdisk/size_parse.h"

#include <cctype>

#include <fmt/format.h>

namespace tux3 {

Result<uint64_t> parse_size(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Status::invalid_argument(fmt::format("size '{}': {}", text, why));
  };
  std::size_t i = 0;
  uint64_t value = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    uint64_t digit = uint64_t(text[i] - '0');
    if (value > (UINT64_MAX - digit) / 10) return bad("too large");
    value = value * 10 + digit;
    ++i;
  }
  if (i == 0) return bad("expected a number, optionally followed by k, m, g, t or p");
  std::string_view suffix = text.substr(i);
  unsigned shift = 0;
  if (!suffix.empty()) {
    switch (std::tolower(static_cast<unsigned char>(suffix[0]))) {
      case 'k': shift = 10; break;
      case 'm': shift = 20; break;
      case 'g': shift = 30; break;
      case 't': shift = 40; break;
      case 'p': shift = 50; break;
      case 'b': shift = 0; break;
      default: return bad("unknown suffix (use k, m, g, t or p)");
    }
    std::string_view rest = suffix.substr(1);
    if (std::tolower(static_cast<unsigned char>(suffix[0])) == 'b') {
      if (!rest.empty()) return bad("unknown suffix (use k, m, g, t or p)");
    } else if (!(rest.empty() || rest == "B" || rest == "b" || rest == "iB" || rest == "ib")) {
      return bad("unknown suffix (use k, m, g, t or p)");
    }
  }
  if (shift && value > (UINT64_MAX >> shift)) return bad("too large");
  return value << shift;
}

std::string format_size(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return fmt::format("{} B", bytes);
  double v = double(bytes);
  int unit = 0;
  while (v >= 1024 && unit < 6) {
    v /= 1024;
    ++unit;
  }
  return fmt::format("{:.2f} {}", v, kUnits[unit]);
}

}  // namespace tux3
