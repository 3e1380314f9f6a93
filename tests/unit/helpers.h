// helpers.h: small helpers the library's unit tests share.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "tuxdisk/device.h"
#include "tuxdisk/verify.h"
#include "tuxdisk/volume.h"
#include "tuxdisk/volume_reader.h"

namespace tux3::testing {

// The bytes of s, for the engine's write calls.
inline std::span<const uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Volume options for a test that decides every commit itself: no timed deltas and no I/O
// threads.
inline VolumeOptions quiet() {
  VolumeOptions o;
  o.delta_interval_ms = 1u << 30;
  o.io_threads = 0;
  return o;
}

// verify_volume on dev, failing the test (and returning an empty report) if the volume
// cannot be opened or walked.
inline VerifyReport verify(BlockDevice& dev) {
  auto reader = VolumeReader::open(dev);
  EXPECT_TRUE(reader.is_ok()) << reader.status().to_string();
  if (!reader.is_ok()) return {};
  auto report = verify_volume(**reader);
  EXPECT_TRUE(report.is_ok()) << report.status().to_string();
  return report.is_ok() ? *report : VerifyReport{};
}

// A volume's namespace as seen through the engine: path -> "d" (directory), "f:DATA"
// (regular file and its contents), "l:TARGET" (symlink) or "o" (anything else).
using Tree = std::map<std::string, std::string>;

inline Tree snapshot(Volume& v) {
  Tree t;
  std::function<void(uint64_t, const std::string&)> walk = [&](uint64_t dir,
                                                                const std::string& path) {
    Status s = v.readdir(dir, 0, [&](const DirEntry& e) {
      if (e.name == "." || e.name == "..") return true;
      std::string p = path + "/" + e.name;
      if (t.count(p)) ADD_FAILURE() << "two entries named " << p;
      if (e.type == format::FileType::kDirectory) {
        t[p] = "d";
        walk(e.ino, p);
      } else if (e.type == format::FileType::kRegular) {
        auto a = v.getattr(e.ino);
        std::string data(a.is_ok() ? a->size : 0, '\0');
        (void)v.read(e.ino, 0, std::span(reinterpret_cast<uint8_t*>(data.data()), data.size()));
        t[p] = "f:" + data;
      } else if (e.type == format::FileType::kSymlink) {
        auto target = v.readlink(e.ino);
        t[p] = "l:" + (target.is_ok() ? *target : std::string("?"));
      } else {
        t[p] = "o";
      }
      return true;
    });
    EXPECT_TRUE(s.is_ok()) << s.to_string();
  };
  walk(kRootIno, "");
  return t;
}

}  // namespace tux3::testing
