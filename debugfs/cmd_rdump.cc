// cmd_rdump.cc: rdump: copy files and directories of the volume into a host directory,
// hardened against a hostile volume.
//
// The volume decides the names and the shape of what is written, so nothing it says is
// trusted: a name is used only when it is a single path component (no '/', no NUL, not
// empty, not . or ..); every file is made relative to an open directory descriptor
// (openat, mkdirat, symlinkat, mknodat), and opened with O_NOFOLLOW; what already exists
// in the target is used only if it is of the same kind (a directory to fill, a regular file
// to overwrite), never a symlink; a directory that is already being copied (a cycle in a
// damaged volume) is not entered again. Symlinks are created with their target as it is,
// and never followed.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include <fmt/format.h>

#include "commands.h"
#include "fs.h"
#include "host_files.h"
#include "names.h"
#include "tuxdisk/format/constants.h"

namespace tux3::debugfs {

using namespace format;

namespace {

class Rdump {
 public:
  explicit Rdump(CommandContext& ctx) : ctx_(ctx), s_(ctx.session) {}

  // Copies `in` into directory `dirfd` as `name`; `shown` names it in messages.
  void copy(int dirfd, const std::string& name, const InodeRef& in, const std::string& shown) {
    if (!valid_name(name)) {
      error(shown, fmt::format("refusing the name '{}': not a single path component",
                               printable(name)));
      return;
    }
    switch (in.rec.type()) {
      case kModeRegular: copy_file(dirfd, name, in, shown); break;
      case kModeDirectory: copy_dir(dirfd, name, in, shown); break;
      case kModeSymlink: copy_symlink(dirfd, name, in, shown); break;
      default: copy_special(dirfd, name, in, shown); break;
    }
  }

  // The entries of directory `in` into `dirfd` (the root's, or a directory just made).
  void copy_entries(int dirfd, const InodeRef& in, const std::string& shown) {
    if (!active_.insert(in.inum).second) return;  // copy_dir checked it
    auto listing = list_dir(s_, in);
    if (!listing) {
      error(shown, listing.status().message());
    } else {
      for (const std::string& p : listing->problems) error(shown, p);
      for (const Dirent& d : listing->entries) {
        std::string child = (shown == "/" ? "" : shown) + "/" + d.name;
        auto inode = load_inode(s_, d.inum);
        if (!inode) {
          error(child, inode.status().message());
          continue;
        }
        copy(dirfd, d.name, *inode, child);
      }
    }
    active_.erase(in.inum);
  }

  uint64_t errors() const { return errors_; }
  uint64_t copied() const { return copied_; }

 private:
  void error(const std::string& shown, const std::string& why) {
    ++errors_;
    fmt::print(stderr, "tux3-debugfs: rdump: {}: {}\n", printable(shown), why);
  }
  void warn(std::vector<std::string> warnings) {
    for (std::string& w : warnings) ctx_.warnings.push_back(std::move(w));
  }

  // What is at `name` in `dirfd` already, if anything (never following a symlink).
  std::optional<struct stat> existing(int dirfd, const std::string& name) {
    struct stat st;
    if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return std::nullopt;
    return st;
  }

  std::string in_the_way(const struct stat& st) {
    if (S_ISLNK(st.st_mode)) return "a symlink is in the way: refusing to write through it";
    return "something that is not of the same kind is in the way: refusing to replace it";
  }

  void copy_file(int dirfd, const std::string& name, const InodeRef& in, const std::string& shown) {
    if (auto st = existing(dirfd, name); st && !S_ISREG(st->st_mode)) {
      error(shown, in_the_way(*st));
      return;
    }
    int fd = ::openat(dirfd, name.c_str(),
                      O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
    if (fd < 0) {
      error(shown, errno == ELOOP ? "a symlink is in the way: refusing to write through it"
                                  : std::strerror(errno));
      return;
    }
    HostFile file(fd, shown);
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      error(shown, "not a regular file once opened: refusing it");
      return;
    }
    if (Status s = write_file_data(s_, in, file); !s) {
      error(shown, s.message());
      return;
    }
    warn(file.set_attributes(in.rec, true));
    if (Status s = file.close(); !s) {
      error(shown, s.message());
      return;
    }
    ++copied_;
  }

  void copy_dir(int dirfd, const std::string& name, const InodeRef& in, const std::string& shown) {
    if (active_.size() >= kMaxDepth) {
      error(shown, fmt::format("more than {} directories deep: not entered", kMaxDepth));
      return;
    }
    if (active_.count(in.inum)) {
      error(shown, fmt::format("directory {} is already being copied (a directory cycle): not "
                               "entered again", in.inum));
      return;
    }
    if (::mkdirat(dirfd, name.c_str(), 0700) != 0 && errno != EEXIST) {
      error(shown, std::strerror(errno));
      return;
    }
    auto st = existing(dirfd, name);
    if (!st || !S_ISDIR(st->st_mode)) {
      error(shown, st ? in_the_way(*st) : std::string("vanished after mkdir"));
      return;
    }
    int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      error(shown, std::strerror(errno));
      return;
    }
    HostFile dir(fd, shown);
    ::fchmod(fd, 0700);  // writable while it is filled; its own mode is set last
    copy_entries(fd, in, shown);
    warn(dir.set_attributes(in.rec, true));
    if (Status s = dir.close(); !s) error(shown, s.message());
    ++copied_;
  }

  // Owner (as root), mode and times of something made at `name` that cannot be opened
  // (a symlink, a device, a FIFO, a socket): through the directory, never following.
  void set_attributes_at(int dirfd, const std::string& name, const InodeRecord& rec,
                         const std::string& shown, bool symlink) {
    auto note = [&](const char* what) {
      ctx_.warnings.push_back(fmt::format("{}: {}: {}", printable(shown), what,
                                          std::strerror(errno)));
    };
    if (::geteuid() == 0 &&
        ::fchownat(dirfd, name.c_str(), rec.uid, rec.gid, AT_SYMLINK_NOFOLLOW) != 0) {
      note("owner not kept");
    }
    if (!symlink && ::fchmodat(dirfd, name.c_str(), rec.mode & 07777, 0) != 0) {
      note("mode not kept");
    }
    struct timespec times[2];
    host_times(rec, times);
    if (::utimensat(dirfd, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) note("times not kept");
  }

  void copy_symlink(int dirfd, const std::string& name, const InodeRef& in,
                    const std::string& shown) {
    auto target = symlink_target(s_, in);
    if (!target) {
      error(shown, target.status().message());
      return;
    }
    if (target->find('\0') != std::string::npos) {
      error(shown, "the symlink's target holds a NUL byte: not made");
      return;
    }
    if (::symlinkat(target->c_str(), dirfd, name.c_str()) != 0) {
      if (errno == EEXIST) {
        error(shown, "something is in the way: refusing to replace it");
      } else {
        error(shown, std::strerror(errno));
      }
      return;
    }
    set_attributes_at(dirfd, name, in.rec, shown, true);
    ++copied_;
  }

  void copy_special(int dirfd, const std::string& name, const InodeRef& in,
                    const std::string& shown) {
    uint64_t rdev = in.rec.rdev.value_or(0);
    dev_t dev = makedev(unsigned(rdev >> 32), unsigned(rdev & 0xffffffff));
    if (::mknodat(dirfd, name.c_str(), (in.rec.mode & kModeTypeMask) | 0600, dev) != 0) {
      if (errno == EEXIST) {
        error(shown, "something is in the way: refusing to replace it");
      } else if (errno == EPERM) {
        ctx_.warnings.push_back(fmt::format("{}: a {} is not made without privilege",
                                            printable(shown), type_name(in.rec.mode)));
      } else {
        error(shown, std::strerror(errno));
      }
      return;
    }
    set_attributes_at(dirfd, name, in.rec, shown, false);
    ++copied_;
  }

  // Each level holds an open directory; a damaged volume may nest without end.
  static constexpr std::size_t kMaxDepth = 512;

  CommandContext& ctx_;
  Session& s_;
  std::set<uint64_t> active_;  // directories being copied, from the top down
  uint64_t errors_ = 0;
  uint64_t copied_ = 0;
};

}  // namespace

Status cmd_rdump(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args, parse_args(ctx, spec, ArgSpec{{}, {}, 2, SIZE_MAX}));
  Session& s = ctx.session;
  const std::string& host_dir = args.operands.back();
  int top = ::open(host_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (top < 0) return Status::from_errno(errno, host_dir);
  HostFile top_dir(top, host_dir);
  Rdump rdump(ctx);
  for (std::size_t i = 0; i + 1 < args.operands.size(); ++i) {
    const std::string& path = args.operands[i];
    auto where = resolve(s, path);
    auto inode = where ? load_inode(s, where->inum) : Result<InodeRef>(where.status());
    if (!inode) return inode.status().with_context(printable(path));
    if (inode->inum == kInoRoot) {
      rdump.copy_entries(top, *inode, "/");
      continue;
    }
    std::string name = where->path.substr(where->path.rfind('/') + 1);
    if (name.starts_with("<")) name = fmt::format("inode-{}", inode->inum);
    rdump.copy(top, name, *inode, where->path);
  }
  if (rdump.errors()) {
    return Status::corruption(fmt::format("{} not copied (each reported above); {} copied",
                                          plural(rdump.errors(), "item"), rdump.copied()));
  }
  return top_dir.close();
}

}  // namespace tux3::debugfs
