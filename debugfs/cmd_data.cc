// cmd_data.cc: cat, dump, blocks, extents, bmap, xattrs: a file's data and how it is mapped.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "commands.h"
#include "fs.h"
#include "host_files.h"
#include "json_values.h"
#include "names.h"
#include "tree_walk.h"
#include "tuxdisk/format/constants.h"

namespace tux3::debugfs {

using namespace format;

namespace {

Status need_data(const InodeRef& in, const std::string& path) {
  uint32_t type = in.rec.type();
  if (type == kModeRegular || type == kModeSymlink) return Status::ok();
  return Status::invalid_argument(fmt::format("{}: a {} has no data", printable(path),
                                              type_name(in.rec.mode)));
}

}  // namespace

Status cmd_cat(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args, parse_args(ctx, spec, ArgSpec{{}, {}, 1, 1}));
  TUX3_ASSIGN_OR_RETURN(InodeRef in, load_path(ctx.session, args.operands[0]));
  TUX3_RETURN_IF_ERROR(need_data(in, args.operands[0]));
  if (in.rec.inline_symlink) {
    std::fwrite(in.rec.inline_symlink->data(), 1, in.rec.inline_symlink->size(), ctx.out);
    return Status::ok();
  }
  static const std::vector<uint8_t> zeros(64 * 1024);
  return read_data(ctx.session, in, [&](uint64_t, uint64_t length, const uint8_t* bytes) {
    while (length > 0) {
      std::size_t n = bytes ? length : std::min<uint64_t>(length, zeros.size());
      if (std::fwrite(bytes ? bytes : zeros.data(), 1, n, ctx.out) != n) {
        return Status::from_errno(errno, "writing the output");
      }
      length -= n;
    }
    return Status::ok();
  });
}

Status cmd_dump(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args, parse_args(ctx, spec, ArgSpec{{"-p"}, {}, 2, 2}));
  Session& s = ctx.session;
  TUX3_ASSIGN_OR_RETURN(InodeRef in, load_path(s, args.operands[0]));
  if (in.rec.type() != kModeRegular) {
    return Status::invalid_argument(fmt::format("{}: not a regular file (a {})",
                                                printable(args.operands[0]), type_name(in.rec.mode)));
  }
  const std::string& host = args.operands[1];
  int fd = ::open(host.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    int err = errno;
    Status error = Status::from_errno(err, host);
    return err == ELOOP ? std::move(error).with_context("refusing to write through a symlink")
                        : error;
  }
  HostFile file(fd, host);
  TUX3_RETURN_IF_ERROR(write_file_data(s, in, file));
  if (args.has("-p")) {
    for (std::string& w : file.set_attributes(in.rec)) ctx.warnings.push_back(std::move(w));
  } else {
    mode_t mask = ::umask(0);
    ::umask(mask);
    TUX3_RETURN_IF_ERROR(file.set_mode(0666 & ~mask));
  }
  return file.close();
}

Status cmd_blocks(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args, parse_args(ctx, spec, ArgSpec{{}, {}, 1, 1}));
  TUX3_ASSIGN_OR_RETURN(InodeRef in, load_path(ctx.session, args.operands[0]));
  TUX3_RETURN_IF_ERROR(need_data(in, args.operands[0]));
  TUX3_ASSIGN_OR_RETURN(std::vector<Extent> mapping, file_mapping(ctx.session, in));
  if (ctx.json) {
    Json blocks = Json::array();
    for (const Extent& e : mapping) {
      for (uint64_t i = 0; i < e.count; ++i) blocks.push_back(e.physical + i);
    }
    Json doc = json_document("blocks");
    doc["inode"] = in.inum;
    doc["blocks"] = std::move(blocks);
    ctx.emit(doc);
    return Status::ok();
  }
  std::string line;
  for (const Extent& e : mapping) {
    for (uint64_t i = 0; i < e.count; ++i) line += fmt::format("{} ", e.physical + i);
  }
  if (!line.empty()) line.pop_back();
  fmt::print(ctx.out, "{}\n", line);
  return Status::ok();
}

Status cmd_extents(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args, parse_args(ctx, spec, ArgSpec{{}, {}, 1, 1}));
  Session& s = ctx.session;
  TUX3_ASSIGN_OR_RETURN(VolumeReader * reader, s.reader());
  TUX3_ASSIGN_OR_RETURN(InodeRef in, load_path(s, args.operands[0]));
  TUX3_RETURN_IF_ERROR(need_data(in, args.operands[0]));
  // The disk mapping, leaf by leaf (going on past damage), and where each extent came from.
  struct Source {
    Extent extent;
    std::string where;
  };
  std::vector<Source> disk;
  Json nodes = Json::array();
  std::vector<std::string> problems;
  std::vector<std::string> node_lines;
  const InodeRecord& disk_rec = in.disk;
  for (const Extent& e : disk_rec.inline_extents) disk.push_back({e, "record"});
  WalkVisitor visitor;
  visitor.on_bnode = [&](uint64_t block, const Bnode& node, uint64_t, uint64_t) {
    node_lines.push_back(fmt::format("bnode {} level {}, {}", block, node.level,
                                     plural(node.entries.size(), "entry")));
    nodes.push_back(Json{{"block", block}, {"kind", "bnode"}, {"level", node.level},
                         {"entries", node.entries.size()}, {"error", nullptr}});
  };
  visitor.on_leaf = [&](uint64_t block, const LeafView& leaf, uint64_t, uint64_t) {
    node_lines.push_back(fmt::format("xleaf {}, {}", block, plural(leaf.size(), "extent")));
    nodes.push_back(Json{{"block", block}, {"kind", "xleaf"}, {"level", 0},
                         {"entries", leaf.size()}, {"error", nullptr}});
    for (std::size_t i = 0; i < leaf.size(); ++i) {
      auto e = decode_extent(leaf.key(i), leaf.value(i), reader->super().vol_blocks,
                             reader->first_data_block());
      if (e) {
        disk.push_back({*e, fmt::format("xleaf {}", block)});
      } else {
        problems.push_back(fmt::format("xleaf {} slot {}: {}", block, i, e.status().message()));
      }
    }
  };
  visitor.on_bad = [&](uint64_t block, uint16_t level, const Status& why) {
    problems.push_back(fmt::format("{} {}: {}", level ? "bnode" : "xleaf", block, why.message()));
    nodes.push_back(Json{{"block", block}, {"kind", level ? "bnode" : "xleaf"}, {"level", level},
                         {"entries", nullptr}, {"error", why.message()}});
  };
  TUX3_RETURN_IF_ERROR(walk_tolerant(*reader, disk_rec.root, in.inum, kMagicXleaf, visitor).status());

  // The mapping in effect: the fsyncs laid over the disk mapping.
  std::vector<Extent> mapping;
  for (const Source& d : disk) mapping.push_back(d.extent);
  InodeRecord overlaid = disk_rec;
  s.overlay().apply(in.inum, overlaid, mapping, reader->block_size());
  auto source_of = [&](const Extent& e) -> std::string {
    for (const FsyncReplayInfo* f : in.fsyncs) {
      for (const Extent& x : f->record.extents) {
        if (e.logical >= x.logical && e.logical < x.logical + x.count &&
            e.physical == x.physical + (e.logical - x.logical)) {
          return fmt::format("stream {} seq {}", f->stream, f->last_seq);
        }
      }
    }
    for (const Source& d : disk) {
      const Extent& x = d.extent;
      if (e.logical >= x.logical && e.logical < x.logical + x.count) return d.where;
    }
    return "?";
  };
  if (ctx.json) {
    Json doc = json_document("extents");
    doc["inode"] = in.inum;
    doc["root"] = json_tree_root(disk_rec.root);
    doc["nodes"] = std::move(nodes);
    Json extents = Json::array();
    for (const Extent& e : mapping) {
      Json one = json_extent(e);
      one["source"] = source_of(e);
      extents.push_back(std::move(one));
    }
    doc["extents"] = std::move(extents);
    doc["problems"] = problems;
    ctx.emit(doc);
  } else {
    if (!disk_rec.root.empty()) {
      fmt::print(ctx.out, "inode {}: extent tree root {} depth {}\n", in.inum, disk_rec.root.block,
                 disk_rec.root.depth);
    } else if (!disk_rec.inline_extents.empty()) {
      fmt::print(ctx.out, "inode {}: {} in the inode record\n", in.inum,
                 plural(disk_rec.inline_extents.size(), "inline extent"));
    } else {
      fmt::print(ctx.out, "inode {}: no extents\n", in.inum);
    }
    for (const std::string& line : node_lines) fmt::print(ctx.out, "  {}\n", line);
    if (!mapping.empty()) {
      fmt::print(ctx.out, "  {:<21} {:<21} {:>8}  {:<10} {}\n", "LOGICAL", "PHYSICAL", "COUNT",
                 "FLAGS", "FROM");
    }
    for (const Extent& e : mapping) {
      fmt::print(ctx.out, "  {:<21} {:<21} {:>8}  {:<10} {}\n",
                 fmt::format("{}-{}", e.logical, e.logical + e.count - 1),
                 fmt::format("{}-{}", e.physical, e.physical + e.count - 1), e.count,
                 join(extent_flag_names(e.flags), ",", "-"), source_of(e));
    }
    for (const std::string& p : problems) fmt::print(ctx.out, "  BAD: {}\n", p);
  }
  if (!problems.empty()) {
    return Status::corruption(fmt::format("{} (and {} more)", problems.front(), problems.size() - 1));
  }
  return Status::ok();
}

Status cmd_bmap(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args, parse_args(ctx, spec, ArgSpec{{}, {}, 2, 2}));
  uint64_t lblk = 0;
  if (!parse_number(args.operands[1], lblk) || lblk >= kMaxBlocks) {
    return ctx.usage(fmt::format("'{}' is not a logical block number", args.operands[1]));
  }
  TUX3_ASSIGN_OR_RETURN(InodeRef in, load_path(ctx.session, args.operands[0]));
  TUX3_RETURN_IF_ERROR(need_data(in, args.operands[0]));
  TUX3_ASSIGN_OR_RETURN(std::vector<Extent> mapping, file_mapping(ctx.session, in));
  const Extent* hit = nullptr;
  for (const Extent& e : mapping) {
    if (lblk >= e.logical && lblk - e.logical < e.count) hit = &e;
  }
  if (ctx.json) {
    Json doc = json_document("bmap");
    doc["inode"] = in.inum;
    doc["logical"] = lblk;
    doc["physical"] = hit ? Json(hit->physical + (lblk - hit->logical)) : Json(nullptr);
    doc["unwritten"] = hit && (hit->flags & kExtentUnwritten);
    ctx.emit(doc);
  } else if (!hit) {
    fmt::print(ctx.out, "{}: hole\n", lblk);
  } else {
    fmt::print(ctx.out, "{}: {}{}\n", lblk, hit->physical + (lblk - hit->logical),
               hit->flags & kExtentUnwritten ? " (unwritten)" : "");
  }
  return Status::ok();
}

Status cmd_xattrs(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args, parse_args(ctx, spec, ArgSpec{{}, {}, 1, 1}));
  TUX3_ASSIGN_OR_RETURN(InodeRef in, load_path(ctx.session, args.operands[0]));
  auto is_text = [](const std::vector<uint8_t>& v) {
    return std::all_of(v.begin(), v.end(), [](uint8_t b) { return b >= 0x20 && b < 0x7f; });
  };
  if (ctx.json) {
    Json doc = json_document("xattrs");
    doc["inode"] = in.inum;
    Json list = Json::array();
    for (const Xattr& x : in.rec.xattrs) {
      Json one;
      json_name(one, "name", xattr_full_name(x));
      one["length"] = x.value.size();
      one["text"] = is_text(x.value) ? Json(std::string(x.value.begin(), x.value.end()))
                                     : Json(nullptr);
      one["hex"] = hex_bytes(x.value);
      list.push_back(std::move(one));
    }
    doc["xattrs"] = std::move(list);
    ctx.emit(doc);
    return Status::ok();
  }
  if (in.rec.xattrs.empty()) fmt::print(ctx.out, "inode {}: no extended attributes\n", in.inum);
  for (const Xattr& x : in.rec.xattrs) {
    std::string value = is_text(x.value) ? fmt::format("\"{}\"", printable(x.value))
                                         : "0x" + hex_bytes(x.value);
    fmt::print(ctx.out, "{} ({}) = {}\n", printable(xattr_full_name(x)),
               plural(x.value.size(), "byte"), value);
  }
  return Status::ok();
}

}  // namespace tux3::debugfs
