// command.h: one script command, checked and converted from its (substituted) words.
//
// bind_command() knows every command's arguments; it is the only place that does. It
// validates counts, paths (absolute; normalised to "/a/b"), sizes (tux3::parse_size), octal
// modes, numbers, patterns, flag words (noreplace, create, ...) and key=value options, and
// fails with InvalidArgument naming the command and the bad word. It touches no volume.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pattern.h"
#include "tuxdisk/format/superblock.h"
#include "tuxdisk/status.h"

namespace tux3::writer {

enum class Op {
  kMkdir, kWrite, kAppend, kCopy, kTruncate, kLink, kSymlink, kRename, kUnlink, kRmdir,
  kMknod, kChmod, kChown, kTouch, kSetxattr, kRmxattr, kSync, kUnify, kCheck, kRepeat, kLs,
  kRewrite, kFsync, kFdatasync, kCrash, kFsyncloop, kOpen, kClose,
};

// write/append sync=: what follows each bs-sized write call.
enum class SyncAfter { kNone, kFsync, kFdatasync };

// What `check` compares; each is optional.
struct Expectations {
  std::optional<uint64_t> size;
  std::optional<uint64_t> nlink;
  std::optional<uint32_t> mode;   // permission bits
  std::optional<uint32_t> type;   // S_IF* bits
  std::optional<uint32_t> uid, gid;
  std::optional<std::string> target;  // symlink target
  std::optional<PatternKind> content;
  std::optional<uint64_t> seed;       // content=NAME:SEED
  std::optional<std::string> key;     // key=PATH: the path that keyed the pattern
  uint64_t offset = 0;                // content range
  std::optional<uint64_t> length;
};

struct Command {
  Op op = Op::kSync;
  std::string path;    // the volume path the command acts on, normalised ("/" for the root)
  std::string path2;   // link/rename: the new path; copy: the host file (as written)
  std::string name;    // xattr name; symlink target
  std::string value;   // xattr value
  bool parents = false;                // mkdir -p; ls -R
  std::optional<uint32_t> mode;        // mkdir, chmod
  std::optional<uint32_t> uid, gid;    // chown
  uint64_t size = 0;                   // write/append/truncate bytes
  std::optional<uint64_t> offset;      // write offset=
  uint64_t block = 64 << 10;           // write bs=
  SyncAfter sync_after = SyncAfter::kNone;  // write/append sync=
  PatternKind pattern = PatternKind::kSeq;
  std::optional<uint64_t> seed;
  unsigned flags = 0;                  // rename kRename*, setxattr XATTR_CREATE/REPLACE
  uint32_t node_type = 0;              // mknod: S_IFCHR, S_IFBLK, S_IFIFO or S_IFSOCK
  uint64_t rdev = 0;                   // major << 32 | minor
  std::optional<format::Timestamp> time;  // touch SECONDS
  uint64_t count = 0;                  // repeat N
  unsigned threads = 2;                // rewrite threads=
  uint64_t millis = 5000;              // rewrite/fsyncloop seconds= (in milliseconds)
  bool fresh = false;                  // rewrite mode=fresh
  unsigned jobs = 1;                   // fsyncloop jobs=
  unsigned writers = 0;                // fsyncloop writers=
  bool overwrite = false;              // fsyncloop mode=overwrite
  Expectations expect;                 // check
};

// Binds `command` with its words (after substitution).
Result<Command> bind_command(std::string_view command, const std::vector<std::string>& args);

// Whether `command` names a command bind_command() knows ("repeat" included; "end" and
// "expect-error" are syntax, not commands).
bool is_command(std::string_view command);

// The path's components ("/a//b/" -> {"a", "b"}); the path was normalised by bind_command().
std::vector<std::string_view> path_components(std::string_view path);

}  // namespace tux3::writer
