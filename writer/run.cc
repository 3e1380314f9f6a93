// run.cc: the script interpreter: each bound command as calls on the Volume (script.h).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include <fmt/format.h>

#include "command.h"
#include "script.h"
#include "workload.h"

namespace tux3::writer {
namespace {

// Why a command failed: an errno (from the engine or the host), or 0 for a check that
// found something other than what it expected.
struct Error {
  int err = 0;
  std::string message;
};

using Outcome = std::optional<Error>;

Error from_status(const Status& s, std::string_view path) {
  return {status_errno(s), path.empty() ? s.message() : fmt::format("{}: {}", path, s.message())};
}

Error mismatch(std::string_view path, std::string message) {
  return {0, fmt::format("{}: {}", path, message)};
}

std::string_view type_name(uint32_t mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return "file";
    case S_IFDIR: return "dir";
    case S_IFLNK: return "symlink";
    case S_IFIFO: return "fifo";
    case S_IFCHR: return "chr";
    case S_IFBLK: return "blk";
    case S_IFSOCK: return "sock";
  }
  return "unknown";
}

class Runner {
 public:
  Runner(const Script& script, Volume& vol, const RunOptions& opt)
      : script_(script), vol_(vol), opt_(opt) {}

  std::optional<RunFailure> run(const std::vector<Step>& steps);
  uint64_t ops() const { return ops_; }
  bool crashed() const { return crashed_; }
  std::vector<std::string>& fsyncloop_json() { return fsyncloop_json_; }

 private:
  std::vector<std::string> expand(const std::vector<Word>& words) const;
  Outcome execute(const Command& c);

  Result<Attr> resolve(std::string_view path);
  // The directory holding the path's last component, and that component.
  Result<std::pair<uint64_t, std::string>> parent(std::string_view path);
  // The regular file at `path`, created (mode 0644) if missing.
  Result<Attr> open_or_create(std::string_view path);

  Outcome mkdir(const Command& c);
  Outcome write(const Command& c, uint64_t offset);
  Outcome fsyncloop(const Command& c);
  Outcome copy(const Command& c);
  Outcome check(const Command& c);
  Outcome list(uint64_t dir, const std::string& path, bool recursive);

  const Script& script_;
  Volume& vol_;
  const RunOptions& opt_;
  uint64_t ops_ = 0;
  bool crashed_ = false;

 public:
  // Releases the handles `open` left (as a process's exit closes its files).
  void close_handles() {
    for (auto& [path, ino] : handles_) (void)vol_.release_file(ino);
    handles_.clear();
  }

 private:
  std::multimap<std::string, uint64_t> handles_;  // open: the path given -> its inode
  std::vector<std::string> fsyncloop_json_;
  std::vector<uint64_t> loops_;  // the index of each open repeat, outermost first
};

std::vector<std::string> Runner::expand(const std::vector<Word>& words) const {
  std::vector<std::string> out;
  out.reserve(words.size());
  for (const Word& w : words) {
    std::string s;
    for (const Segment& seg : w.segments) {
      if (seg.level) s += std::to_string(loops_[seg.level - 1]);
      else s += seg.text;
    }
    out.push_back(std::move(s));
  }
  return out;
}

Result<Attr> Runner::resolve(std::string_view path) {
  TUX3_ASSIGN_OR_RETURN(Attr at, vol_.getattr(kRootIno));
  for (std::string_view name : path_components(path)) {
    TUX3_ASSIGN_OR_RETURN(at, vol_.lookup(at.ino, name));
  }
  return at;
}

Result<std::pair<uint64_t, std::string>> Runner::parent(std::string_view path) {
  std::size_t slash = path.rfind('/');
  std::string_view dir = path.substr(0, slash), name = path.substr(slash + 1);
  TUX3_ASSIGN_OR_RETURN(Attr d, resolve(dir));
  return std::pair<uint64_t, std::string>(d.ino, std::string(name));
}

Result<Attr> Runner::open_or_create(std::string_view path) {
  TUX3_ASSIGN_OR_RETURN(auto where, parent(path));
  auto a = vol_.lookup(where.first, where.second);
  if (a || status_errno(a.status()) != ENOENT) return a;
  return vol_.create(where.first, where.second, 0644, opt_.uid, opt_.gid);
}

Outcome Runner::mkdir(const Command& c) {
  uint32_t mode = c.mode.value_or(0755);
  if (!c.parents) {
    auto where = parent(c.path);
    if (!where) return from_status(where.status(), c.path);
    auto made = vol_.mkdir(where->first, where->second, mode, opt_.uid, opt_.gid);
    if (!made) return from_status(made.status(), c.path);
    return std::nullopt;
  }
  uint64_t at = kRootIno;
  std::string walked;
  for (std::string_view name : path_components(c.path)) {
    walked += '/';
    walked += name;
    auto a = vol_.lookup(at, name);
    if (!a && status_errno(a.status()) == ENOENT) a = vol_.mkdir(at, name, mode, opt_.uid, opt_.gid);
    if (!a) return from_status(a.status(), walked);
    if ((a->mode & S_IFMT) != S_IFDIR) return Error{ENOTDIR, fmt::format("{}: not a directory", walked)};
    at = a->ino;
  }
  return std::nullopt;
}

// write (offset given or 0) and append (offset: the file's size).
Outcome Runner::write(const Command& c, uint64_t offset) {
  auto file = open_or_create(c.path);
  if (!file) return from_status(file.status(), c.path);
  if (c.op == Op::kAppend) offset = file->size;
  if (c.size > UINT64_MAX - offset) return Error{EFBIG, fmt::format("{}: offset + size overflows", c.path)};
  uint64_t key = pattern_key(c.seed.value_or(opt_.seed), c.path);
  std::vector<uint8_t> buf(std::size_t(std::min<uint64_t>(c.block, c.size)));
  for (uint64_t done = 0; done < c.size;) {
    std::size_t n = std::size_t(std::min<uint64_t>(buf.size(), c.size - done));
    std::span<uint8_t> chunk(buf.data(), n);
    fill_pattern(c.pattern, key, offset + done, chunk);
    auto wrote = vol_.write(file->ino, offset + done, chunk);
    if (!wrote) return from_status(wrote.status(), fmt::format("{} at byte {}", c.path, offset + done));
    if (c.sync_after != SyncAfter::kNone) {
      // sync=: each write call is followed by fsync, as a file opened O_SYNC/O_DSYNC is.
      Status s = vol_.fsync(file->ino, c.sync_after == SyncAfter::kFdatasync);
      if (!s) return from_status(s, fmt::format("{}: fsync after byte {}", c.path, offset + done + n));
    }
    done += n;
  }
  return std::nullopt;
}

// fsyncloop: jobs on PATH.0 .. PATH.<jobs-1>, writers on PATH.w.0 .. PATH.w.<writers-1>.
Outcome Runner::fsyncloop(const Command& c) {
  FsyncLoopParams params;
  params.size = c.size;
  params.block = c.block;
  params.millis = c.millis;
  params.overwrite = c.overwrite;
  auto files = [&](std::string_view infix, unsigned count, std::vector<uint64_t>& inos) -> Outcome {
    for (unsigned i = 0; i < count; ++i) {
      std::string path = fmt::format("{}.{}{}", c.path, infix, i);
      auto file = open_or_create(path);
      if (!file) return from_status(file.status(), path);
      if ((file->mode & S_IFMT) != S_IFREG) return Error{EINVAL, fmt::format("{}: not a regular file", path)};
      inos.push_back(file->ino);
    }
    return std::nullopt;
  };
  if (Outcome failed = files("", c.jobs, params.jobs)) return failed;
  if (Outcome failed = files("w.", c.writers, params.writers)) return failed;
  auto report = run_fsyncloop(vol_, params);
  if (!report) return from_status(report.status(), c.path);
  fmt::print("{}\n", report->summary());
  fsyncloop_json_.push_back(report->json());
  return std::nullopt;
}

Outcome Runner::copy(const Command& c) {
  std::string host = c.path2;
  if (host[0] != '/' && !script_.host_dir.empty()) host = script_.host_dir + "/" + host;
  int fd = ::open(host.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{errno, fmt::format("{}: {}", host, std::strerror(errno))};
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0) return Error{errno, fmt::format("{}: {}", host, std::strerror(errno))};
  if (S_ISDIR(st.st_mode)) return Error{EISDIR, fmt::format("{}: {}", host, std::strerror(EISDIR))};
  auto file = open_or_create(c.path);
  if (!file) return from_status(file.status(), c.path);
  if (file->size) {
    SetAttr empty;
    empty.size = 0;
    auto s = vol_.setattr(file->ino, empty);
    if (!s) return from_status(s.status(), c.path);
  }
  std::vector<uint8_t> buf(64 << 10);
  for (uint64_t offset = 0;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{errno, fmt::format("{}: {}", host, std::strerror(errno))};
    if (n == 0) return std::nullopt;
    auto wrote = vol_.write(file->ino, offset, std::span<const uint8_t>(buf.data(), std::size_t(n)));
    if (!wrote) return from_status(wrote.status(), c.path);
    offset += uint64_t(n);
  }
}

Outcome Runner::check(const Command& c) {
  const Expectations& e = c.expect;
  auto a = resolve(c.path);
  if (!a) return from_status(a.status(), c.path);
  auto differs = [&](std::string_view what, auto got, auto want) -> Outcome {
    return mismatch(c.path, fmt::format("{} is {}, expected {}", what, got, want));
  };
  if (e.type && (a->mode & S_IFMT) != *e.type) return differs("type", type_name(a->mode), type_name(*e.type));
  if (e.mode && (a->mode & 07777) != *e.mode) return differs("mode", fmt::format("{:04o}", a->mode & 07777), fmt::format("{:04o}", *e.mode));
  if (e.uid && a->uid != *e.uid) return differs("uid", a->uid, *e.uid);
  if (e.gid && a->gid != *e.gid) return differs("gid", a->gid, *e.gid);
  if (e.nlink && a->nlink != *e.nlink) return differs("nlink", a->nlink, *e.nlink);
  if (e.size && a->size != *e.size) return differs("size", a->size, *e.size);
  if (e.target) {
    auto t = vol_.readlink(a->ino);
    if (!t) return from_status(t.status(), c.path);
    if (*t != *e.target) return differs("target", fmt::format("'{}'", *t), fmt::format("'{}'", *e.target));
  }
  if (!e.content) return std::nullopt;
  if (e.offset > a->size) return differs("size", a->size, fmt::format("at least {}", e.offset));
  uint64_t length = e.length.value_or(a->size - e.offset);
  if (length > a->size - e.offset) {
    return differs("size", a->size, fmt::format("at least {}", e.offset + length));
  }
  uint64_t key = pattern_key(e.seed.value_or(opt_.seed), e.key.value_or(c.path));
  std::vector<uint8_t> got(std::size_t(std::min<uint64_t>(length, 1 << 20))), want(got.size());
  for (uint64_t done = 0; done < length;) {
    std::size_t n = std::size_t(std::min<uint64_t>(got.size(), length - done));
    auto r = vol_.read(a->ino, e.offset + done, std::span(got.data(), n));
    if (!r) return from_status(r.status(), c.path);
    if (*r != n) return mismatch(c.path, fmt::format("short read at byte {}", e.offset + done));
    fill_pattern(*e.content, key, e.offset + done, std::span(want.data(), n));
    if (std::memcmp(got.data(), want.data(), n) != 0) {
      std::size_t i = 0;
      while (got[i] == want[i]) ++i;
      return mismatch(c.path, fmt::format("byte {} is {:#04x}, pattern {} has {:#04x}",
                                          e.offset + done + i, got[i], pattern_name(*e.content),
                                          want[i]));
    }
    done += n;
  }
  return std::nullopt;
}

Outcome Runner::execute(const Command& c) {
  auto done = [&](const Status& s, std::string_view path) -> Outcome {
    if (s) return std::nullopt;
    return from_status(s, path);
  };
  auto setattr = [&](const SetAttr& change) -> Outcome {
    auto a = resolve(c.path);
    if (!a) return from_status(a.status(), c.path);
    return done(vol_.setattr(a->ino, change).status(), c.path);
  };
  switch (c.op) {
    case Op::kMkdir: return mkdir(c);
    case Op::kWrite: return write(c, c.offset.value_or(0));
    case Op::kRewrite: {
      auto file = open_or_create(c.path);
      if (!file) return from_status(file.status(), c.path);
      RewriteParams params{file->ino, c.size, c.block, c.threads, c.millis, c.fresh};
      auto report = run_rewrite(vol_, params);
      if (!report) return from_status(report.status(), c.path);
      fmt::print("{}\n", report->summary());
      return std::nullopt;
    }
    case Op::kAppend: return write(c, 0);
    case Op::kCopy: return copy(c);
    case Op::kTruncate: {
      SetAttr change;
      change.size = c.size;
      return setattr(change);
    }
    case Op::kLink: {
      auto a = resolve(c.path);
      if (!a) return from_status(a.status(), c.path);
      auto where = parent(c.path2);
      if (!where) return from_status(where.status(), c.path2);
      return done(vol_.link(a->ino, where->first, where->second).status(), c.path2);
    }
    case Op::kSymlink: {
      auto where = parent(c.path);
      if (!where) return from_status(where.status(), c.path);
      return done(vol_.symlink(where->first, where->second, c.name, opt_.uid, opt_.gid).status(), c.path);
    }
    case Op::kRename: {
      auto from = parent(c.path);
      if (!from) return from_status(from.status(), c.path);
      auto to = parent(c.path2);
      if (!to) return from_status(to.status(), c.path2);
      return done(vol_.rename(from->first, from->second, to->first, to->second, c.flags), c.path);
    }
    case Op::kUnlink:
    case Op::kRmdir: {
      auto where = parent(c.path);
      if (!where) return from_status(where.status(), c.path);
      return done(c.op == Op::kUnlink ? vol_.unlink(where->first, where->second)
                                      : vol_.rmdir(where->first, where->second), c.path);
    }
    case Op::kMknod: {
      auto where = parent(c.path);
      if (!where) return from_status(where.status(), c.path);
      return done(vol_.mknod(where->first, where->second, c.node_type | 0644, c.rdev, opt_.uid,
                             opt_.gid).status(), c.path);
    }
    case Op::kChmod: {
      SetAttr change;
      change.mode = c.mode;
      return setattr(change);
    }
    case Op::kChown: {
      SetAttr change;
      change.uid = c.uid;
      change.gid = c.gid;
      return setattr(change);
    }
    case Op::kTouch: {
      auto a = resolve(c.path);
      if (!a && status_errno(a.status()) == ENOENT) a = open_or_create(c.path);
      if (!a) return from_status(a.status(), c.path);
      SetAttr change;
      change.atime = change.mtime = c.time ? *c.time : opt_.now();
      return done(vol_.setattr(a->ino, change).status(), c.path);
    }
    case Op::kSetxattr:
    case Op::kRmxattr: {
      auto a = resolve(c.path);
      if (!a) return from_status(a.status(), c.path);
      if (c.op == Op::kRmxattr) return done(vol_.removexattr(a->ino, c.name), c.path);
      std::span<const uint8_t> value(reinterpret_cast<const uint8_t*>(c.value.data()), c.value.size());
      return done(vol_.setxattr(a->ino, c.name, value, int(c.flags)), c.path);
    }
    case Op::kOpen: {
      auto a = resolve(c.path);
      if (!a) return from_status(a.status(), c.path);
      Status s = vol_.open_file(a->ino);
      if (s) handles_.insert({c.path, a->ino});
      return done(s, c.path);
    }
    case Op::kClose: {
      auto it = handles_.find(c.path);
      if (it == handles_.end()) return Error{EBADF, fmt::format("{}: not open", c.path)};
      uint64_t ino = it->second;
      handles_.erase(it);
      return done(vol_.release_file(ino), c.path);
    }
    case Op::kSync: return done(vol_.sync(), "");
    case Op::kFsync:
    case Op::kFdatasync: {
      auto a = resolve(c.path);
      if (!a) return from_status(a.status(), c.path);
      return done(vol_.fsync(a->ino, c.op == Op::kFdatasync), c.path);
    }
    case Op::kFsyncloop: return fsyncloop(c);
    case Op::kCrash:
      crashed_ = true;
      return std::nullopt;
    case Op::kUnify: return done(vol_.commit_delta(true), "");
    case Op::kCheck: return check(c);
    case Op::kLs: {
      auto a = resolve(c.path);
      if (!a) return from_status(a.status(), c.path);
      return list(a->ino, c.path, c.parents);
    }
    case Op::kRepeat: break;  // run() handles loops
  }
  return std::nullopt;
}

// ls: one line per entry, like ls -l: type and permissions, links, owner, size, name, and
// a symlink's target; -R descends into subdirectories after listing each directory.
Outcome Runner::list(uint64_t dir, const std::string& path, bool recursive) {
  std::vector<DirEntry> entries;
  Status s = vol_.readdir(dir, 2, [&](const DirEntry& e) {
    entries.push_back(e);
    return true;
  });
  if (!s) return from_status(s, path);
  std::sort(entries.begin(), entries.end(),
            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  fmt::print("{}:\n", path);
  for (const DirEntry& e : entries) {
    auto a = vol_.getattr(e.ino);
    if (!a) return from_status(a.status(), path + "/" + e.name);
    static constexpr char kTypes[] = "?-dcbps l";
    char type = e.type == format::FileType::kSymlink ? 'l' : kTypes[uint8_t(e.type) & 7];
    std::string perms;
    for (int bit = 8; bit >= 0; --bit) perms += (a->mode >> bit & 1) ? "rwx"[(8 - bit) % 3] : '-';
    std::string line = fmt::format("{}{} {:3} {:5} {:5} {:10} {}", type, perms, a->nlink, a->uid,
                                   a->gid, a->size, e.name);
    if (e.type == format::FileType::kSymlink) {
      auto target = vol_.readlink(e.ino);
      if (target) line += " -> " + *target;
    }
    fmt::print("{}\n", line);
  }
  if (recursive) {
    for (const DirEntry& e : entries) {
      if (e.type != format::FileType::kDirectory) continue;
      Outcome sub = list(e.ino, path == "/" ? "/" + e.name : path + "/" + e.name, true);
      if (sub) return sub;
    }
  }
  return std::nullopt;
}

std::optional<RunFailure> Runner::run(const std::vector<Step>& steps) {
  for (const Step& step : steps) {
    std::vector<std::string> args = expand(step.args);
    auto bound = bind_command(step.command, args);
    if (!bound) {  // a value that came from a variable
      std::string reason = bound.status().message();
      if (reason.starts_with(step.command + ": ")) reason.erase(0, step.command.size() + 2);
      return RunFailure{step.line, step.command, reason, false};
    }
    if (bound->op == Op::kRepeat) {
      loops_.push_back(0);
      for (uint64_t i = 0; i < bound->count; ++i) {
        loops_.back() = i;
        if (auto failed = run(step.body)) return failed;
        if (crashed_) return std::nullopt;
      }
      loops_.pop_back();
      continue;
    }
    uint64_t index = ops_++;
    if (opt_.before_command) opt_.before_command(step, args, index);
    Outcome outcome = execute(*bound);
    if (crashed_) return std::nullopt;
    bool volume_error = outcome && outcome->err == EIO;
    std::string reason;
    if (outcome) {
      reason = outcome->err ? fmt::format("{} ({})", outcome->message, errno_name(outcome->err))
                            : outcome->message;
    }
    if (step.expect_errno && !volume_error) {
      if (!outcome) {
        reason = fmt::format("expected {}, but the command succeeded", errno_name(step.expect_errno));
      } else if (outcome->err != step.expect_errno) {
        reason = fmt::format("expected {}, got: {}", errno_name(step.expect_errno), reason);
      } else {
        if (opt_.after_command) opt_.after_command(step, args, index);
        continue;
      }
    } else if (!outcome) {
      if (opt_.after_command) opt_.after_command(step, args, index);
      continue;
    }
    return RunFailure{step.line, step.command, reason, volume_error, outcome ? outcome->err : 0};
  }
  return std::nullopt;
}

}  // namespace

RunResult run_script(const Script& script, Volume& volume, const RunOptions& options) {
  Runner runner(script, volume, options);
  RunResult result;
  result.failure = runner.run(script.steps);
  result.ops = runner.ops();
  result.crashed = runner.crashed();
  if (!result.crashed) runner.close_handles();
  result.fsyncloop_json = std::move(runner.fsyncloop_json());
  return result;
}

std::string errno_name(int err) {
  const char* name = strerrorname_np(err);
  return name ? std::string(name) : std::to_string(err);
}

int errno_from_name(std::string_view name) {
  if (name == "ENOTSUP") return ENOTSUP;
  if (name == "EWOULDBLOCK") return EWOULDBLOCK;
  if (name == "EDEADLOCK") return EDEADLOCK;
  for (int err = 1; err < 4096; ++err) {
    const char* known = strerrorname_np(err);
    if (known && name == known) return err;
  }
  return 0;
}

}  // namespace tux3::writer
