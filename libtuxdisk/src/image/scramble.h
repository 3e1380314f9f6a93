// scramble.h: replacing the names in a volume's metadata for a scrambled dump.
//
// NameScrambler maps names to names of the same length: a keyed hash (XXH3-128 with a
// secret derived from the key) picks characters from [A-Za-z0-9_-]. The same name always
// maps to the same replacement, and no two names share one (on a clash the next attempt's
// hash is taken; names too short for the 64 characters to go round fall back to any byte
// but NUL and '/'). "lost+found" is kept. Not a cryptographic guarantee: a name can be
// guessed back only by someone who has the key, but the hash is not designed as a MAC.
//
// scramble_volume rewrites, in memory, every block that holds a name or a value:
//   - each directory index: entries renamed, re-keyed with the new names' hashes (the
//     directory hash is a 55-bit XXH64, so a same-hash name cannot be searched for),
//     sorted, and packed again into the same leaves; the bnodes' keys follow; every
//     rewritten block resealed;
//   - inode records: user and trusted xattr names renamed (and the xattrs sorted again),
//     every xattr value but POSIX ACLs zeroed, inline symlink targets renamed component by
//     component ("/", "." and ".." kept, so a link still points at the renamed path);
//   - long symlink targets in their data blocks, the same way;
//   - both superblock slots' label; the boot area outside the slots zeroed.
// Lengths never change, so every record and leaf keeps its size.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tuxdisk/device.h"
#include "tuxdisk/status.h"

namespace tux3::image {

class NameScrambler {
 public:
  // An empty key: a random one, which is never stored.
  explicit NameScrambler(std::string_view key);

  // The replacement of a name (1..255 bytes, no NUL or '/'); "lost+found" is its own.
  const std::string& name(std::string_view original);
  // A symlink target: each component renamed, "/", "." and ".." kept.
  std::string path(std::string_view target);
  // A replacement chosen for `original` under `salt` among those `available` accepts:
  // the hash's attempts first, then every name of that length in order. A directory whose
  // entries do not fit its leaves in the order the shared mapping gives them gets names of
  // its own this way (see scramble.cc). REQUIRES: some name of that length is available.
  std::string pick(std::string_view original, uint32_t salt,
                   const std::function<bool(const std::string&)>& available) const;

  std::size_t size() const { return forward_.size(); }
  // Room for about `names` names without growing the tables on the way.
  void reserve(std::size_t names) {
    forward_.reserve(names);
    taken_.reserve(names);
  }

 private:
  std::string candidate(std::string_view original, uint32_t salt, uint32_t attempt) const;

  // Looked up by string_view, without making a string of each name first.
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  std::vector<uint8_t> secret_;
  std::unordered_map<std::string, std::string, NameHash, std::equal_to<>> forward_;
  std::unordered_set<std::string, NameHash, std::equal_to<>> taken_;
};

struct Scrambled {
  std::map<uint64_t, std::vector<uint8_t>> blocks;  // rewritten blocks
  std::string label;                                // the new label
  uint64_t entries = 0;            // directory entries renamed
  uint64_t directories = 0;        // directory indexes rebuilt
  uint64_t resalted = 0;           // ... of them with names of their own (see pick)
  uint64_t xattrs = 0, symlinks = 0;
};

// Scrambles the volume on `device` (read only). REQUIRES: the volume's log holds no bnode
// changes (a unified state, as replay leaves it); otherwise InvalidArgument. A volume that
// does not verify while walking is Corruption: scramble only a volume fsck accepts.
Result<Scrambled> scramble_volume(BlockDevice& device, std::string_view key);

}  // namespace tux3::image
