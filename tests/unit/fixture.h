// fixture.h: byte-exact fixtures kept as reviewable hex text in tests/fixtures/.
//
// expect_fixture(name, bytes) compares bytes with tests/fixtures/<name>.hex. Run the tests with
// TUX3_UPDATE_FIXTURES=1 to (re)write the files, then review the diff. Format: a "size N"
// line, then "OFFSET: 32 hex bytes" lines; all-zero lines are omitted.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <span>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace tux3::testing {

inline std::string to_fixture_text(std::span<const uint8_t> bytes) {
  std::string out = fmt::format("size {}\n", bytes.size());
  for (std::size_t off = 0; off < bytes.size(); off += 32) {
    auto line = bytes.subspan(off, std::min<std::size_t>(32, bytes.size() - off));
    bool zero = true;
    for (uint8_t b : line) zero &= b == 0;
    if (zero) continue;
    out += fmt::format("{:06x}:", off);
    for (std::size_t i = 0; i < line.size(); ++i) {
      out += fmt::format("{}{:02x}", i % 4 == 0 ? " " : "", line[i]);
    }
    out += "\n";
  }
  return out;
}

inline void expect_fixture(const std::string& name, std::span<const uint8_t> bytes) {
  std::string path = std::string(TUX3_FIXTURE_DIR) + "/" + name + ".hex";
  std::string actual = to_fixture_text(bytes);
  if (std::getenv("TUX3_UPDATE_FIXTURES")) {
    std::ofstream(path) << actual;
    return;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << "missing fixture " << path
                         << " (run with TUX3_UPDATE_FIXTURES=1 to create it)";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(expected.str(), actual) << "encoding of " << name << " changed: the on-disk format "
                                    << "must not change silently";
}

}  // namespace tux3::testing
