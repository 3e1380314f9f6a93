// command.cc: the command table and bind_command(): words -> a checked Command.
#include "command.h"

#include <sys/stat.h>
#include <sys/xattr.h>

#include <array>
#include <charconv>

#include <fmt/format.h>

#include "tuxdisk/size_parse.h"
#include "tuxdisk/volume.h"

namespace tux3::writer {
namespace {

struct Spec {
  std::string_view name;
  Op op;
  std::size_t min_args, max_args;  // positional words (key=value options not counted)
  bool options;                    // words after the positionals are key=value options
  std::string_view usage;
};

constexpr std::array<Spec, 28> kSpecs = {{
    {"mkdir", Op::kMkdir, 1, 2, false, "mkdir [-p] PATH [MODE]"},
    {"write", Op::kWrite, 2, 2, true,
     "write PATH SIZE [pattern=NAME] [seed=N] [offset=N] [bs=N] [sync=fsync|fdatasync]"},
    {"append", Op::kAppend, 2, 2, true,
     "append PATH SIZE [pattern=NAME] [seed=N] [bs=N] [sync=fsync|fdatasync]"},
    {"copy", Op::kCopy, 2, 2, false, "copy HOSTPATH PATH"},
    {"truncate", Op::kTruncate, 2, 2, false, "truncate PATH SIZE"},
    {"link", Op::kLink, 2, 2, false, "link EXISTING NEWPATH"},
    {"symlink", Op::kSymlink, 2, 2, false, "symlink TARGET PATH"},
    {"rename", Op::kRename, 2, 3, false, "rename OLD NEW [noreplace|exchange]"},
    {"unlink", Op::kUnlink, 1, 1, false, "unlink PATH"},
    {"rmdir", Op::kRmdir, 1, 1, false, "rmdir PATH"},
    {"mknod", Op::kMknod, 2, 4, false, "mknod PATH c|b MAJOR MINOR, or mknod PATH p|s"},
    {"chmod", Op::kChmod, 2, 2, false, "chmod PATH MODE"},
    {"chown", Op::kChown, 2, 2, false, "chown PATH UID:GID"},
    {"touch", Op::kTouch, 1, 2, false, "touch PATH [SECONDS[.NANOSECONDS]]"},
    {"setxattr", Op::kSetxattr, 3, 4, false, "setxattr PATH NAME VALUE [create|replace]"},
    {"rmxattr", Op::kRmxattr, 2, 2, false, "rmxattr PATH NAME"},
    {"sync", Op::kSync, 0, 0, false, "sync"},
    {"fsync", Op::kFsync, 1, 1, false, "fsync PATH"},
    {"fdatasync", Op::kFdatasync, 1, 1, false, "fdatasync PATH"},
    {"crash", Op::kCrash, 0, 0, false, "crash"},
    {"unify", Op::kUnify, 0, 0, false, "unify"},
    {"check", Op::kCheck, 1, 1, true,
     "check PATH [size=N] [nlink=N] [mode=MODE] [type=TYPE] [owner=UID:GID] [target=TEXT] "
     "[content=PATTERN[:SEED]] [key=PATH] [offset=N] [length=N]"},
    {"repeat", Op::kRepeat, 1, 1, false, "repeat N"},
    {"ls", Op::kLs, 1, 1, false, "ls [-R] PATH"},
    {"rewrite", Op::kRewrite, 2, 2, true,
     "rewrite PATH SIZE [bs=N] [threads=N] [seconds=S] [mode=hot|fresh]"},
    {"fsyncloop", Op::kFsyncloop, 2, 2, true,
     "fsyncloop PATH SIZE [jobs=N] [bs=N] [seconds=S] [mode=append|overwrite] [writers=N]"},
    {"open", Op::kOpen, 1, 1, false, "open PATH"},
    {"close", Op::kClose, 1, 1, false, "close PATH"},
}};

const Spec* find_spec(std::string_view name) {
  for (const Spec& s : kSpecs) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

// A whole decimal number of at most `max`: digits only.
bool parse_decimal(std::string_view text, uint64_t max, uint64_t& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out <= max;
}

class Binder {
 public:
  Binder(const Spec& spec, const std::vector<std::string>& args) : spec_(spec), args_(args) {}

  Status bad(std::string_view what) const {
    return Status::invalid_argument(fmt::format("{}: {} (usage: {})", spec_.name, what, spec_.usage));
  }

  Result<uint64_t> number(std::string_view what, const std::string& text, uint64_t max) const {
    uint64_t v;
    if (!parse_decimal(text, max, v)) {
      return bad(fmt::format("{} '{}': not a whole number from 0 to {}", what, text, max));
    }
    return v;
  }

  Result<uint64_t> size(std::string_view what, const std::string& text) const {
    auto v = parse_size(text);
    if (!v) return bad(fmt::format("{} '{}': not a size (bytes, or with k, m, g, t, p)", what, text));
    return *v;
  }

  Result<uint32_t> mode(const std::string& text) const {
    uint32_t v = 0;
    bool ok = !text.empty() && text.size() <= 5;
    for (char c : text) {
      ok = ok && c >= '0' && c <= '7';
      v = v * 8 + uint32_t(c - '0');
    }
    if (!ok || v > 07777) return bad(fmt::format("mode '{}': not an octal mode from 0 to 7777", text));
    return v;
  }

  // "/a//b/" -> "/a/b"; `need_name`: the root ("/") is refused.
  Result<std::string> path(const std::string& text, bool need_name) const {
    if (text.empty() || text[0] != '/') {
      return bad(fmt::format("path '{}': must be absolute (start with '/')", text));
    }
    if (text.find('\0') != std::string::npos) return bad("path contains a NUL byte");
    std::string out;
    for (std::string_view c : path_components(text)) {
      out += '/';
      out += c;
    }
    if (out.empty()) {
      if (need_name) return bad("path '/': the root directory has no name here");
      return std::string(1, '/');
    }
    return out;
  }

  Status owner(const std::string& text, std::optional<uint32_t>& uid,
               std::optional<uint32_t>& gid) const {
    std::size_t colon = text.find(':');
    uint64_t u = 0, g = 0;
    std::string us = text.substr(0, colon), gs = colon == std::string::npos ? "" : text.substr(colon + 1);
    if (colon == std::string::npos || (us.empty() && gs.empty()) ||
        (!us.empty() && !parse_decimal(us, UINT32_MAX - 1, u)) ||
        (!gs.empty() && !parse_decimal(gs, UINT32_MAX - 1, g))) {
      return bad(fmt::format("owner '{}': expected UID:GID (either may be empty), each 0..4294967294",
                             text));
    }
    if (!us.empty()) uid = uint32_t(u);
    if (!gs.empty()) gid = uint32_t(g);
    return Status::ok();
  }

  Result<format::Timestamp> seconds(const std::string& text) const {
    std::size_t dot = text.find('.');
    uint64_t sec, nsec = 0;
    std::string frac = dot == std::string::npos ? "" : text.substr(dot + 1);
    if (!parse_decimal(text.substr(0, dot), uint64_t(INT64_MAX), sec) ||
        (dot != std::string::npos && (frac.empty() || frac.size() > 9 ||
                                      !parse_decimal(frac, 999999999, nsec)))) {
      return bad(fmt::format("time '{}': expected SECONDS or SECONDS.NANOSECONDS (up to 9 digits)",
                             text));
    }
    for (std::size_t i = frac.size(); i < 9 && !frac.empty(); ++i) nsec *= 10;
    return format::Timestamp{int64_t(sec), uint32_t(nsec)};
  }

  Result<Command> run();

 private:
  Status options(Command& c, std::size_t first);
  Status check_option(Command& c, std::string_view key, const std::string& value);

  const Spec& spec_;
  const std::vector<std::string>& args_;
};

Status Binder::check_option(Command& c, std::string_view key, const std::string& value) {
  Expectations& e = c.expect;
  if (key == "size") {
    TUX3_ASSIGN_OR_RETURN(e.size, size("size", value));
  } else if (key == "nlink") {
    TUX3_ASSIGN_OR_RETURN(e.nlink, number("nlink", value, UINT32_MAX));
  } else if (key == "mode") {
    TUX3_ASSIGN_OR_RETURN(e.mode, mode(value));
  } else if (key == "type") {
    static constexpr std::pair<std::string_view, uint32_t> kTypes[] = {
        {"file", S_IFREG}, {"dir", S_IFDIR}, {"symlink", S_IFLNK}, {"fifo", S_IFIFO},
        {"chr", S_IFCHR},  {"blk", S_IFBLK}, {"sock", S_IFSOCK}};
    for (auto [name, type] : kTypes) {
      if (value == name) e.type = type;
    }
    if (!e.type) return bad(fmt::format("type '{}': expected file, dir, symlink, fifo, chr, blk or sock", value));
  } else if (key == "owner") {
    TUX3_RETURN_IF_ERROR(owner(value, e.uid, e.gid));
  } else if (key == "target") {
    e.target = value;
  } else if (key == "content") {
    std::size_t colon = value.find(':');
    auto kind = pattern_from_name(value.substr(0, colon));
    if (!kind) return bad(fmt::format("content '{}': unknown pattern (zero, seq, random, text)", value));
    e.content = kind;
    if (colon != std::string::npos) {
      TUX3_ASSIGN_OR_RETURN(e.seed, number("seed", value.substr(colon + 1), UINT64_MAX));
    }
  } else if (key == "key") {
    TUX3_ASSIGN_OR_RETURN(e.key, path(value, false));
  } else if (key == "offset") {
    TUX3_ASSIGN_OR_RETURN(e.offset, size("offset", value));
  } else if (key == "length") {
    TUX3_ASSIGN_OR_RETURN(e.length, size("length", value));
  } else {
    return bad(fmt::format("unknown option '{}'", key));
  }
  return Status::ok();
}

Status Binder::options(Command& c, std::size_t first) {
  for (std::size_t i = first; i < args_.size(); ++i) {
    const std::string& word = args_[i];
    std::size_t eq = word.find('=');
    if (eq == std::string::npos || eq == 0) {
      return bad(fmt::format("'{}': expected an option KEY=VALUE", word));
    }
    std::string key = word.substr(0, eq), value = word.substr(eq + 1);
    if (c.op == Op::kCheck) {
      TUX3_RETURN_IF_ERROR(check_option(c, key, value));
    } else if (key == "pattern") {
      auto kind = pattern_from_name(value);
      if (!kind) return bad(fmt::format("pattern '{}': expected zero, seq, random or text", value));
      c.pattern = *kind;
    } else if (key == "seed") {
      TUX3_ASSIGN_OR_RETURN(c.seed, number("seed", value, UINT64_MAX));
    } else if (key == "offset" && c.op == Op::kWrite) {
      TUX3_ASSIGN_OR_RETURN(c.offset, size("offset", value));
    } else if (key == "threads" && c.op == Op::kRewrite) {
      TUX3_ASSIGN_OR_RETURN(uint64_t n, number("threads", value, 64));
      if (n == 0) return bad("threads must be 1 to 64");
      c.threads = unsigned(n);
    } else if (key == "seconds" && (c.op == Op::kRewrite || c.op == Op::kFsyncloop)) {
      TUX3_ASSIGN_OR_RETURN(format::Timestamp t, seconds(value));
      c.millis = uint64_t(t.sec) * 1000 + t.nsec / 1000000;
      if (c.millis == 0 || c.millis > 3600 * 1000) return bad("seconds must be 0.001 to 3600");
    } else if (key == "mode" && c.op == Op::kRewrite) {
      if (value != "hot" && value != "fresh") return bad(fmt::format("mode '{}': expected hot or fresh", value));
      c.fresh = value == "fresh";
    } else if (key == "mode" && c.op == Op::kFsyncloop) {
      if (value != "append" && value != "overwrite") {
        return bad(fmt::format("mode '{}': expected append or overwrite", value));
      }
      c.overwrite = value == "overwrite";
    } else if ((key == "jobs" || key == "writers") && c.op == Op::kFsyncloop) {
      TUX3_ASSIGN_OR_RETURN(uint64_t n, number(key, value, 64));
      (key == "jobs" ? c.jobs : c.writers) = unsigned(n);
    } else if (key == "sync" && (c.op == Op::kWrite || c.op == Op::kAppend)) {
      if (value == "fsync") c.sync_after = SyncAfter::kFsync;
      else if (value == "fdatasync") c.sync_after = SyncAfter::kFdatasync;
      else return bad(fmt::format("sync '{}': expected fsync or fdatasync", value));
    } else if (key == "bs") {
      TUX3_ASSIGN_OR_RETURN(c.block, size("bs", value));
      if (c.block == 0 || c.block > (64u << 20)) return bad(fmt::format("bs '{}': must be 1 byte to 64m", value));
    } else {
      return bad(fmt::format("unknown option '{}'", key));
    }
  }
  return Status::ok();
}

Result<Command> Binder::run() {
  Command c;
  c.op = spec_.op;
  std::vector<std::string> a = args_;
  bool parents = !a.empty() && ((spec_.op == Op::kMkdir && a[0] == "-p") ||
                                (spec_.op == Op::kLs && a[0] == "-R"));
  if (parents) a.erase(a.begin());
  std::size_t positional = a.size();
  if (spec_.options) positional = std::min(positional, spec_.max_args);
  if (positional < spec_.min_args || (!spec_.options && a.size() > spec_.max_args)) {
    return bad(fmt::format("{} arguments", positional < spec_.min_args ? "too few" : "too many"));
  }
  switch (spec_.op) {
    case Op::kLs: {
      c.parents = parents;
      TUX3_ASSIGN_OR_RETURN(c.path, path(a[0], false));
      break;
    }
    case Op::kMkdir: {
      c.parents = parents;
      TUX3_ASSIGN_OR_RETURN(c.path, path(a[0], !parents));
      if (a.size() > 1) {
        TUX3_ASSIGN_OR_RETURN(c.mode, mode(a[1]));
      }
      break;
    }
    case Op::kRewrite:
    case Op::kFsyncloop:
      c.block = 4096;
      [[fallthrough]];
    case Op::kWrite:
    case Op::kAppend: {
      TUX3_ASSIGN_OR_RETURN(c.path, path(a[0], true));
      TUX3_ASSIGN_OR_RETURN(c.size, size("size", a[1]));
      TUX3_RETURN_IF_ERROR(options(c, 2));
      if (c.op == Op::kFsyncloop && c.jobs == 0 && c.writers == 0) {
        return bad("jobs=0 and writers=0: nothing to run");
      }
      if (c.op == Op::kFsyncloop && c.size < c.block) return bad("SIZE is smaller than bs");
      break;
    }
    case Op::kCopy: {
      if (a[0].empty()) return bad("empty host path");
      c.path2 = a[0];
      TUX3_ASSIGN_OR_RETURN(c.path, path(a[1], true));
      break;
    }
    case Op::kTruncate: {
      TUX3_ASSIGN_OR_RETURN(c.path, path(a[0], false));
      TUX3_ASSIGN_OR_RETURN(c.size, size("size", a[1]));
      break;
    }
    case Op::kLink: {
      TUX3_ASSIGN_OR_RETURN(c.path, path(a[0], false));
      TUX3_ASSIGN_OR_RETURN(c.path2, path(a[1], true));
      break;
    }
    case Op::kSymlink: {
      c.name = a[0];
      TUX3_ASSIGN_OR_RETURN(c.path, path(a[1], true));
      break;
    }
    case Op::kRename: {
      TUX3_ASSIGN_OR_RETURN(c.path, path(a[0], true));
      TUX3_ASSIGN_OR_RETURN(c.path2, path(a[1], true));
      if (a.size() > 2) {
        if (a[2] == "noreplace") c.flags = kRenameNoReplace;
        else if (a[2] == "exchange") c.flags = kRenameExchange;
        else return bad(fmt::format("'{}': expected noreplace or exchange", a[2]));
      }
      break;
    }
    case Op::kOpen:
    case Op::kClose: {
      TUX3_ASSIGN_OR_RETURN(c.path, path(a[0], false));
      break;
    }
    case Op::kUnlink:
    case Op::kRmdir: {
      TUX3_ASSIGN_OR_RETURN(c.path, path(a[0], true));
      break;
    }
    case Op::kMknod: {
      TUX3_ASSIGN_OR_RETURN(c.path, path(a[0], true));
      const std::string& t = a[1];
      bool device = t == "c" || t == "b";
      if (t != "c" && t != "b" && t != "p" && t != "s") {
        return bad(fmt::format("type '{}': expected c, b, p or s", t));
      }
      if (device != (a.size() == 4)) {
        return bad(device ? "a device needs MAJOR and MINOR" : "a fifo or socket takes no numbers");
      }
      c.node_type = t == "c" ? S_IFCHR : t == "b" ? S_IFBLK : t == "p" ? S_IFIFO : S_IFSOCK;
      if (device) {
        TUX3_ASSIGN_OR_RETURN(uint64_t major, number("major", a[2], UINT32_MAX));
        TUX3_ASSIGN_OR_RETURN(uint64_t minor, number("minor", a[3], UINT32_MAX));
        c.rdev = major << 32 | minor;
      }
      break;
    }
    case Op::kChmod: {
      TUX3_ASSIGN_OR_RETURN(c.path, path(a[0], false));
      TUX3_ASSIGN_OR_RETURN(c.mode, mode(a[1]));
      break;
    }
    case Op::kChown: {
      TUX3_ASSIGN_OR_RETURN(c.path, path(a[0], false));
      TUX3_RETURN_IF_ERROR(owner(a[1], c.uid, c.gid));
      break;
    }
    case Op::kTouch: {
      TUX3_ASSIGN_OR_RETURN(c.path, path(a[0], false));
      if (a.size() > 1) {
        TUX3_ASSIGN_OR_RETURN(c.time, seconds(a[1]));
      }
      break;
    }
    case Op::kSetxattr:
    case Op::kRmxattr: {
      TUX3_ASSIGN_OR_RETURN(c.path, path(a[0], false));
      if (a[1].empty()) return bad("empty attribute name");
      c.name = a[1];
      if (spec_.op == Op::kSetxattr) {
        c.value = a[2];
        if (a.size() > 3) {
          if (a[3] == "create") c.flags = XATTR_CREATE;
          else if (a[3] == "replace") c.flags = XATTR_REPLACE;
          else return bad(fmt::format("'{}': expected create or replace", a[3]));
        }
      }
      break;
    }
    case Op::kFsync:
    case Op::kFdatasync: {
      TUX3_ASSIGN_OR_RETURN(c.path, path(a[0], false));
      break;
    }
    case Op::kSync:
    case Op::kUnify:
    case Op::kCrash:
      break;
    case Op::kCheck: {
      TUX3_ASSIGN_OR_RETURN(c.path, path(a[0], false));
      TUX3_RETURN_IF_ERROR(options(c, 1));
      if (c.expect.key && !c.expect.content) return bad("key= needs content=");
      break;
    }
    case Op::kRepeat: {
      TUX3_ASSIGN_OR_RETURN(c.count, number("count", a[0], UINT64_MAX));
      break;
    }
  }
  return c;
}

}  // namespace

std::vector<std::string_view> path_components(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t slash = path.find('/', i);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > i) out.push_back(path.substr(i, slash - i));
    i = slash + 1;
  }
  return out;
}

bool is_command(std::string_view command) { return find_spec(command) != nullptr; }

Result<Command> bind_command(std::string_view command, const std::vector<std::string>& args) {
  const Spec* spec = find_spec(command);
  if (!spec) return Status::invalid_argument(fmt::format("unknown command '{}'", command));
  return Binder(*spec, args).run();
}

}  // namespace tux3::writer
