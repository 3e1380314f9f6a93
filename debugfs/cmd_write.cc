// cmd_write.cc: mkdir, write, rm, rmdir, ln, symlink, setxattr, rmxattr: changes made through
// the writer engine (-w), each committed as one delta before the command returns.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "commands.h"
#include "fs.h"
#include "names.h"
#include "tuxdisk/bytes.h"
#include "tuxdisk/format/inode.h"
#include "tuxdisk/format/values.h"

namespace tux3::debugfs {

using namespace format;

namespace {

struct Place {
  uint64_t dir = 0;
  std::string name;
};

// The directory and the new name of PATH (which need not exist).
Result<Place> place_of(CommandContext& ctx, std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  std::size_t slash = path.rfind('/');
  std::string parent = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (!valid_name(name)) {
    return ctx.usage(fmt::format("'{}': not a name a file can have", printable(name)));
  }
  TUX3_ASSIGN_OR_RETURN(Resolved where, resolve(ctx.session, parent));
  TUX3_ASSIGN_OR_RETURN(InodeRef dir, load_inode(ctx.session, where.inum));
  if (!dir.rec.is_dir()) {
    return Status::invalid_argument(fmt::format("{}: not a directory", printable(parent)));
  }
  return Place{dir.inum, name};
}

Result<uint32_t> mode_option(CommandContext& ctx, const ParsedArgs& args, uint32_t fallback) {
  const std::string* text = args.value("-m");
  if (!text) return fallback;
  uint32_t mode = 0;
  bool ok = !text->empty() && text->size() <= 5;
  for (char c : *text) {
    ok = ok && c >= '0' && c <= '7';
    mode = mode * 8 + uint32_t(c - '0');
  }
  if (!ok || mode > 07777) return ctx.usage(fmt::format("-m '{}': expected an octal mode", *text));
  return mode;
}

// Runs one engine change and commits it.
Status change(CommandContext& ctx, const std::function<Status(Volume&)>& op) {
  TUX3_ASSIGN_OR_RETURN(Volume * vol, ctx.session.engine());
  Status done = op(*vol);
  // Whatever the operation did before failing is committed too, as tux3-writer does.
  Status committed = ctx.session.commit_engine_change(ctx.warnings);
  TUX3_RETURN_IF_ERROR(done);
  return committed;
}

}  // namespace

Status cmd_mkdir(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args, parse_args(ctx, spec, ArgSpec{{}, {"-m"}, 1, 1}));
  TUX3_ASSIGN_OR_RETURN(uint32_t mode, mode_option(ctx, args, 0755));
  TUX3_ASSIGN_OR_RETURN(Place at, place_of(ctx, args.operands[0]));
  return change(ctx, [&](Volume& v) { return v.mkdir(at.dir, at.name, mode, 0, 0).status(); });
}

Status cmd_write(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args, parse_args(ctx, spec, ArgSpec{{}, {"-m"}, 2, 2}));
  const std::string& host = args.operands[0];
  int fd = ::open(host.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::from_errno(errno, host);
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::from_errno(errno, host);
  if (!S_ISREG(st.st_mode)) return Status::invalid_argument(fmt::format("{}: not a regular file", host));
  TUX3_ASSIGN_OR_RETURN(uint32_t mode, mode_option(ctx, args, st.st_mode & 07777));
  TUX3_ASSIGN_OR_RETURN(Place at, place_of(ctx, args.operands[1]));
  const uint32_t bs = ctx.session.super().block_size();
  return change(ctx, [&](Volume& v) -> Status {
    TUX3_ASSIGN_OR_RETURN(Attr attr, v.create(at.dir, at.name, kModeRegular | mode, 0, 0));
    std::vector<uint8_t> buf(std::size_t(bs) * 256);
    uint64_t offset = 0;
    for (;;) {
      ssize_t n = ::pread(fd, buf.data(), buf.size(), off_t(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::from_errno(errno, host);
      if (n == 0) break;
      // All-zero blocks are left as holes.
      for (std::size_t at_byte = 0; at_byte < std::size_t(n); at_byte += bs) {
        std::size_t len = std::min<std::size_t>(bs, std::size_t(n) - at_byte);
        std::span<const uint8_t> piece(buf.data() + at_byte, len);
        if (all_zero(piece)) continue;
        TUX3_RETURN_IF_ERROR(v.write(attr.ino, offset + at_byte, piece).status());
      }
      offset += uint64_t(n);
    }
    SetAttr size;
    size.size = offset;
    return v.setattr(attr.ino, size).status();
  });
}

Status cmd_rm(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args, parse_args(ctx, spec, ArgSpec{{}, {}, 1, 1}));
  TUX3_ASSIGN_OR_RETURN(Place at, place_of(ctx, args.operands[0]));
  return change(ctx, [&](Volume& v) { return v.unlink(at.dir, at.name); });
}

Status cmd_rmdir(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args, parse_args(ctx, spec, ArgSpec{{}, {}, 1, 1}));
  TUX3_ASSIGN_OR_RETURN(Place at, place_of(ctx, args.operands[0]));
  return change(ctx, [&](Volume& v) { return v.rmdir(at.dir, at.name); });
}

Status cmd_ln(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args, parse_args(ctx, spec, ArgSpec{{}, {}, 2, 2}));
  TUX3_ASSIGN_OR_RETURN(Resolved target, resolve(ctx.session, args.operands[0]));
  TUX3_ASSIGN_OR_RETURN(Place at, place_of(ctx, args.operands[1]));
  return change(ctx, [&](Volume& v) { return v.link(target.inum, at.dir, at.name).status(); });
}

Status cmd_symlink(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args, parse_args(ctx, spec, ArgSpec{{}, {}, 2, 2}));
  TUX3_ASSIGN_OR_RETURN(Place at, place_of(ctx, args.operands[0]));
  const std::string& target = args.operands[1];
  return change(ctx, [&](Volume& v) { return v.symlink(at.dir, at.name, target, 0, 0).status(); });
}

Status cmd_setxattr(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args, parse_args(ctx, spec, ArgSpec{{}, {}, 3, 3}));
  TUX3_ASSIGN_OR_RETURN(Resolved where, resolve(ctx.session, args.operands[0]));
  const std::string& name = args.operands[1];
  const std::string& value = args.operands[2];
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(value.data()), value.size());
  return change(ctx, [&](Volume& v) { return v.setxattr(where.inum, name, bytes, 0); });
}

Status cmd_rmxattr(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args, parse_args(ctx, spec, ArgSpec{{}, {}, 2, 2}));
  TUX3_ASSIGN_OR_RETURN(Resolved where, resolve(ctx.session, args.operands[0]));
  const std::string& name = args.operands[1];
  return change(ctx, [&](Volume& v) { return v.removexattr(where.inum, name); });
}

}  // namespace tux3::debugfs
