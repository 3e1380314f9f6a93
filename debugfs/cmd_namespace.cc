// cmd_namespace.cc: ls, cd, pwd, stat, ncheck.
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "commands.h"
#include "fs.h"
#include "json_values.h"
#include "names.h"
#include "tuxdisk/format/constants.h"

namespace tux3::debugfs {

using namespace format;

namespace {

struct LsRow {
  std::string name;
  uint64_t inum = 0;
  FileType type = FileType::kUnknown;
  std::optional<uint64_t> key;
};

}  // namespace

Status cmd_ls(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args,
                        parse_args(ctx, spec, ArgSpec{{"-l", "-a", "-k"}, {}, 0, 1}));
  Session& s = ctx.session;
  std::string path = args.operands.empty() ? "." : args.operands[0];
  TUX3_ASSIGN_OR_RETURN(InodeRef dir, load_path(s, path));
  if (!dir.rec.is_dir()) {
    return Status::invalid_argument(fmt::format("{}: not a directory", printable(path)));
  }
  TUX3_ASSIGN_OR_RETURN(DirListing listing, list_dir(s, dir));
  std::vector<LsRow> rows;
  if (args.has("-a")) {
    rows.push_back({".", dir.inum, FileType::kDirectory, std::nullopt});
    rows.push_back({"..", dir.rec.parent, FileType::kDirectory, std::nullopt});
  }
  for (const Dirent& d : listing.entries) rows.push_back({d.name, d.inum, d.type, d.key});
  const bool lng = args.has("-l"), keys = args.has("-k");

  Json entries = Json::array();
  for (const LsRow& row : rows) {
    std::optional<InodeRef> inode;
    std::string error, target;
    if (lng) {
      auto loaded = load_inode(s, row.inum);
      if (loaded) {
        inode = std::move(*loaded);
        if (inode->rec.type() == kModeSymlink) {
          auto t = symlink_target(s, *inode);
          target = t ? *t : "(" + t.status().message() + ")";
        }
      } else {
        error = loaded.status().message();
        listing.problems.push_back(fmt::format("{}: {}", printable(row.name), error));
      }
    }
    if (ctx.json) {
      Json e;
      json_name(e, "name", row.name);
      e["inode"] = row.inum;
      e["type"] = file_type_name(row.type);
      e["key"] = row.key ? Json(*row.key) : Json(nullptr);
      if (lng) {
        e["error"] = error.empty() ? Json(nullptr) : Json(error);
        if (inode) {
          e["mode"] = inode->rec.mode;
          e["nlink"] = inode->rec.nlink;
          e["uid"] = inode->rec.uid;
          e["gid"] = inode->rec.gid;
          e["size"] = inode->rec.size;
          e["mtime"] = json_timestamp(inode->rec.mtime);
          if (inode->rec.type() == kModeSymlink) json_name(e, "target", target);
        }
      }
      entries.push_back(std::move(e));
      continue;
    }
    std::string key = keys ? (row.key ? fmt::format("{:#018x} ", *row.key)
                                      : std::string(19, ' '))
                           : std::string();
    if (!lng) {
      fmt::print(ctx.out, "{}{:>8}  {:<9}  {}\n", key, row.inum, file_type_name(row.type),
                 printable(row.name));
    } else if (!inode) {
      fmt::print(ctx.out, "{}{:>8}  {:<47}  {}\n", key, row.inum, "(" + error + ")",
                 printable(row.name));
    } else {
      const InodeRecord& r = inode->rec;
      std::string size = r.rdev ? fmt::format("{},{}", *r.rdev >> 32, *r.rdev & 0xffffffff)
                                : fmt::format("{}", r.size);
      fmt::print(ctx.out, "{}{:>8}  {} {:>5} {:>5} {:>5} {:>10} {}  {}{}\n", key, row.inum,
                 mode_string(r.mode), r.nlink, r.uid, r.gid, size, timestamp_date(r.mtime),
                 printable(row.name), target.empty() ? "" : " -> " + printable(target));
    }
  }
  if (ctx.json) {
    Json doc = json_document("ls");
    doc["inode"] = dir.inum;
    doc["entries"] = std::move(entries);
    doc["problems"] = listing.problems;
    ctx.emit(doc);
  } else {
    for (const std::string& p : listing.problems) fmt::print(ctx.out, "  BAD: {}\n", p);
  }
  if (!listing.problems.empty()) {
    return Status::corruption(fmt::format("{}: {} (and {} more)", printable(path),
                                          listing.problems.front(), listing.problems.size() - 1));
  }
  return Status::ok();
}

Status cmd_cd(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args, parse_args(ctx, spec, ArgSpec{{}, {}, 1, 1}));
  Session& s = ctx.session;
  TUX3_ASSIGN_OR_RETURN(Resolved where, resolve(s, args.operands[0]));
  TUX3_ASSIGN_OR_RETURN(InodeRef dir, load_inode(s, where.inum));
  if (!dir.rec.is_dir()) {
    return Status::invalid_argument(fmt::format("{}: not a directory", printable(args.operands[0])));
  }
  std::string path = where.path;
  if (path.empty() || path[0] != '/') {
    auto named = dir_path(s, dir.inum);
    path = named ? *named : fmt::format("<{}>", dir.inum);
  }
  s.set_cwd(dir.inum, path);
  return Status::ok();
}

Status cmd_pwd(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_RETURN_IF_ERROR(parse_args(ctx, spec, ArgSpec{}).status());
  Session& s = ctx.session;
  if (ctx.json) {
    Json doc = json_document("pwd");
    json_name(doc, "path", s.cwd_path());
    doc["inode"] = s.cwd();
    ctx.emit(doc);
  } else {
    fmt::print(ctx.out, "{} (inode {})\n", printable(s.cwd_path()), s.cwd());
  }
  return Status::ok();
}

namespace {

void print_stat(CommandContext& ctx, Session& s, const InodeRef& in) {
  const InodeRecord& r = in.rec;
  FILE* out = ctx.out;
  fmt::print(out, "inode {}: {}\n", in.inum, type_name(r.mode));
  fmt::print(out, "  record: ileaf {} slot {}, {} bytes\n", in.leaf, in.slot, in.record_bytes);
  fmt::print(out, "  mode {} ({}), uid {}, gid {}, links {}\n", octal_mode(r.mode),
             mode_string(r.mode), r.uid, r.gid, r.nlink);
  fmt::print(out, "  size {}, blocks {}\n", r.size, r.blocks);
  for (auto [name, t] : {std::pair{"atime", r.atime}, std::pair{"mtime", r.mtime},
                         std::pair{"ctime", r.ctime}, std::pair{"btime", r.btime}}) {
    fmt::print(out, "  {} {} ({})\n", name, timestamp_text(t), timestamp_date(t));
  }
  fmt::print(out, "  flags {}, generation {}\n", join(inode_flag_names(r.flags), ","), r.generation);
  if (!r.root.empty()) {
    fmt::print(out, "  {} root {} depth {}\n", r.is_dir() ? "directory index" : "extent tree",
               r.root.block, r.root.depth);
  } else if (!r.inline_extents.empty()) {
    std::string list;
    for (const Extent& e : r.inline_extents) {
      list += fmt::format("{}logical {}-{} -> {}-{}", list.empty() ? "" : ", ", e.logical,
                          e.logical + e.count - 1, e.physical, e.physical + e.count - 1);
    }
    fmt::print(out, "  inline extents: {}\n", list);
  } else {
    fmt::print(out, "  no tree\n");
  }
  if (r.rdev) fmt::print(out, "  device {}:{}\n", *r.rdev >> 32, *r.rdev & 0xffffffff);
  if (r.is_dir()) fmt::print(out, "  parent {}\n", r.parent);
  if (r.type() == kModeSymlink) {
    auto target = symlink_target(s, in);
    fmt::print(out, "  target '{}' ({})\n",
               target ? printable(*target) : "(" + target.status().message() + ")",
               r.inline_symlink ? "inline" : "in data blocks");
  }
  if (!r.xattrs.empty()) {
    std::vector<std::string> names;
    for (const Xattr& x : r.xattrs) names.push_back(printable(xattr_full_name(x)));
    fmt::print(out, "  xattrs: {}\n", join(names, ", "));
  }
  for (const FsyncReplayInfo* f : in.fsyncs) {
    fmt::print(out, "  fsync applied: stream {} seq {}..{} (block {}): {}\n", f->stream,
               f->first_seq, f->last_seq, f->blocks.empty() ? 0 : f->blocks.front(),
               join(stream_flag_names(f->record.flags), ","));
  }
}

}  // namespace

Status cmd_stat(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args, parse_args(ctx, spec, ArgSpec{{}, {}, 1, SIZE_MAX}));
  Session& s = ctx.session;
  TUX3_ASSIGN_OR_RETURN(VolumeReader * reader, s.reader());
  Json inodes = Json::array();
  Status first_error;
  for (const std::string& path : args.operands) {
    auto where = resolve(s, path);
    Result<InodeRef> inode = where ? load_inode(s, where->inum) : Result<InodeRef>(where.status());
    Json one;
    json_name(one, "path", path);
    one["inode"] = where ? Json(where->inum) : Json(nullptr);
    if (inode) {
      one["error"] = nullptr;
      one["location"] = Json{{"leaf", inode->leaf}, {"slot", inode->slot},
                             {"bytes", inode->record_bytes}};
      one["record"] = json_inode_record(inode->rec);
      Json fsyncs = Json::array();
      for (const FsyncReplayInfo* f : inode->fsyncs) {
        fsyncs.push_back(Json{{"stream", f->stream}, {"first_seq", f->first_seq},
                              {"last_seq", f->last_seq}, {"blocks", f->blocks}});
      }
      one["fsyncs"] = std::move(fsyncs);
      if (!ctx.json) print_stat(ctx, s, *inode);
    } else {
      Status error = inode.status().with_context(printable(path));
      if (first_error.is_ok()) first_error = error;
      one["error"] = error.message();
      // A record that does not decode: show its bytes.
      Result<RawInode> raw = where && inode.status().code() == Errc::kCorruption
                                 ? find_inode(*reader, where->inum)
                                 : Result<RawInode>(inode.status());
      one["location"] = raw ? Json{{"leaf", raw->leaf}, {"slot", raw->slot},
                                   {"bytes", raw->value.size()}}
                            : Json(nullptr);
      one["record"] = nullptr;
      one["record_hex"] = raw ? Json(hex_bytes(raw->value)) : Json(nullptr);
      if (!ctx.json) {
        fmt::print(ctx.out, "{}: BAD: {}\n", printable(path), inode.status().message());
        if (raw) fmt::print(ctx.out, "{}", hexdump(raw->value));
      }
    }
    inodes.push_back(std::move(one));
  }
  if (ctx.json) {
    Json doc = json_document("stat");
    doc["inodes"] = std::move(inodes);
    ctx.emit(doc);
  }
  return first_error;
}

Status cmd_ncheck(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args, parse_args(ctx, spec, ArgSpec{{}, {}, 1, SIZE_MAX}));
  Session& s = ctx.session;
  std::map<uint64_t, std::vector<std::string>> found;
  std::vector<uint64_t> wanted;
  for (const std::string& word : args.operands) {
    uint64_t inum = 0;
    std::string digits = word.size() > 2 && word.front() == '<' && word.back() == '>'
                             ? word.substr(1, word.size() - 2) : word;
    if (digits.empty() || digits.size() > 15 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        (inum = std::stoull(digits)) == 0 || inum > kMaxInum) {
      return ctx.usage(fmt::format("'{}' is not an inode number", word));
    }
    wanted.push_back(inum);
    found[inum];
  }
  std::vector<std::string> problems;
  std::set<uint64_t> entered;
  // Depth first from the root, with a stack of its own (a volume may nest directories far
  // deeper than a call stack goes); every directory entered once. Each entry is pushed,
  // and named when popped, so names come in directory order, a directory's subtree right
  // after its own name, as a recursive walk gives them.
  struct Pending {
    uint64_t inum;
    std::string path;
    bool is_dir;
  };
  std::vector<Pending> pending{{kInoRoot, "/", true}};
  while (!pending.empty()) {
    Pending next = std::move(pending.back());
    pending.pop_back();
    if (auto f = found.find(next.inum); f != found.end()) f->second.push_back(next.path);
    if (!next.is_dir || !entered.insert(next.inum).second) continue;
    const std::string& path = next.path;
    auto dir = load_inode(s, next.inum);
    if (!dir) {
      problems.push_back(fmt::format("{}: {}", printable(path), dir.status().message()));
      continue;
    }
    auto listing = list_dir(s, *dir);
    if (!listing) {
      problems.push_back(fmt::format("{}: {}", printable(path), listing.status().message()));
      continue;
    }
    for (const std::string& p : listing->problems) problems.push_back(p);
    for (auto it = listing->entries.rbegin(); it != listing->entries.rend(); ++it) {
      const Dirent& d = *it;
      pending.push_back({d.inum, (path == "/" ? "" : path) + "/" + d.name,
                         d.type == FileType::kDirectory});
    }
  }
  if (ctx.json) {
    Json doc = json_document("ncheck");
    Json inodes = Json::array();
    for (uint64_t inum : wanted) {
      Json paths = Json::array();
      for (const std::string& p : found[inum]) {
        Json one;
        json_name(one, "path", p);
        paths.push_back(one["path"]);
      }
      inodes.push_back(Json{{"inode", inum}, {"paths", std::move(paths)}});
    }
    doc["inodes"] = std::move(inodes);
    doc["problems"] = problems;
    ctx.emit(doc);
  } else {
    fmt::print(ctx.out, "Inode\tPathname\n");
    for (uint64_t inum : wanted) {
      if (found[inum].empty()) fmt::print(ctx.out, "{}\t(no name found)\n", inum);
      for (const std::string& p : found[inum]) fmt::print(ctx.out, "{}\t{}\n", inum, printable(p));
    }
    for (const std::string& p : problems) fmt::print(ctx.out, "  BAD: {}\n", p);
  }
  if (!problems.empty()) {
    return Status::corruption(fmt::format("the namespace is damaged: {} (and {} more)",
                                          problems.front(), problems.size() - 1));
  }
  return Status::ok();
}

}  // namespace tux3::debugfs
