// tree.h: a volume's namespace and contents as a value, for comparing a recovered volume
// with the states a workload went through.
//
// Times are left out (every delta and replay sets some); everything else a user can see
// is in: type, inode number, permissions, owner, link count, size, data (a symlink's
// target), device number, extended attributes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tuxdisk/status.h"
#include "tuxdisk/volume.h"

namespace tux3::crash {

struct Node {
  format::FileType type = format::FileType::kUnknown;
  uint64_t ino = 0;
  uint32_t mode = 0;  // permission bits and type
  uint32_t uid = 0, gid = 0, nlink = 0;
  uint64_t size = 0;
  uint64_t rdev = 0;
  std::string data;  // regular file contents; symlink target
  std::vector<std::pair<std::string, std::string>> xattrs;  // sorted by name
  bool operator==(const Node&) const = default;
};

// Path ("/a/b") -> node. The root directory itself is not listed.
using Tree = std::map<std::string, Node>;

// Reads every name under `top` (an absolute path; "/" for the whole volume) and what it
// names. Errors: whatever the engine returns (a missing `top` is NotFound).
Result<Tree> snapshot(Volume& volume, const std::string& top = "/");

// One line naming the first difference between `got` and `want`, or "" if equal.
std::string first_difference(const Tree& got, const Tree& want);

}  // namespace tux3::crash
