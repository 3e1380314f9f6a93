// cmd_icheck.cc: icheck: which structure owns each block. One walk of everything the state
// uses (reserved area, inode table, every file's tree and data, orphan tree, log chain,
// stream blocks), noting the blocks asked about; a block no structure claims is then free
// or leaked, as the allocation map says.
#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include <fmt/format.h>

#include "commands.h"
#include "fs.h"
#include "json_values.h"
#include "names.h"
#include "tree_walk.h"
#include "tuxdisk/format/constants.h"

namespace tux3::debugfs {

using namespace format;

namespace {

struct Owner {
  std::string kind;  // reserved, itree, otree, extent_tree, dir_tree, data, log, stream, ...
  std::optional<uint64_t> inode;
  std::string text;
};

class OwnerFinder {
 public:
  OwnerFinder(Session& s, VolumeReader& r, std::set<uint64_t> wanted)
      : s_(s), r_(r), wanted_(std::move(wanted)) {}

  void note(uint64_t block, uint64_t count, const std::function<Owner(uint64_t offset)>& owner) {
    for (auto it = wanted_.lower_bound(block); it != wanted_.end() && *it - block < count; ++it) {
      owners_[*it].push_back(owner(*it - block));
    }
  }

  void walk() {
    const Superblock& sb = r_.super();
    note(0, r_.first_data_block(), [](uint64_t) {
      return Owner{"reserved", std::nullopt, "reserved area (boot area and superblock slots)"};
    });
    walk_tree("itree", std::nullopt, "inode table", sb.itree, kOwnerInodeTable, kMagicIleaf,
              [&](const LeafView& leaf) {
                for (std::size_t i = 0; i < leaf.size(); ++i) inode(leaf.key(i), leaf.value(i));
              });
    walk_tree("otree", std::nullopt, "orphan tree", sb.otree, kOwnerOrphans, kMagicOleaf, {});
    const LogChain& chain = s_.chain();
    for (const ChainDelta& d : chain.deltas) {
      for (std::size_t b = d.first; b < d.first + d.count; ++b) {
        note(chain.blocks[b], 1, [&](uint64_t) {
          return Owner{"log", std::nullopt,
                       fmt::format("log block of delta {} ({} of the chain)", d.delta, b + 1)};
        });
      }
    }
    for (const FsyncReplayInfo& f : s_.overlay().fsyncs()) {
      for (std::size_t i = 0; i < f.blocks.size(); ++i) {
        note(f.blocks[i], 1, [&](uint64_t) {
          return Owner{"stream", f.record.inum,
                       fmt::format("fsync stream {} block, seq {} (an fsync of inode {})",
                                   f.stream, f.first_seq + i, f.record.inum)};
        });
      }
    }
    for (const StreamInfo& end : s_.overlay().stream_ends()) {
      note(end.end_block, 1, [&](uint64_t) {
        return Owner{"stream_end", std::nullopt,
                     fmt::format("where fsync stream {} ends (seq {} expected): {}", end.stream,
                                 end.end_seq, end.end_reason)};
      });
    }
    for (std::size_t i = 0; i < sb.streams.size(); ++i) {
      if (!sb.streams[i].block) continue;
      note(sb.streams[i].block, 1, [&](uint64_t) {
        return Owner{"stream_reserved", std::nullopt,
                     fmt::format("reserved for fsync stream {} (seq {})", i, sb.streams[i].seq)};
      });
    }
  }

  const std::map<uint64_t, std::vector<Owner>>& owners() const { return owners_; }
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  void walk_tree(const char* kind, std::optional<uint64_t> inum, const std::string& what,
                 const TreeRoot& root, uint64_t owner, uint32_t leaf_magic,
                 const std::function<void(const LeafView&)>& on_leaf) {
    WalkVisitor v;
    v.on_bnode = [&](uint64_t block, const Bnode& node, uint64_t, uint64_t) {
      note(block, 1, [&](uint64_t) {
        return Owner{kind, inum, fmt::format("{}: bnode, level {}", what, node.level)};
      });
    };
    v.on_leaf = [&](uint64_t block, const LeafView& leaf, uint64_t, uint64_t) {
      note(block, 1, [&](uint64_t) {
        return Owner{kind, inum, fmt::format("{}: {}, {}", what, magic_name(leaf_magic),
                                             plural(leaf.size(), "item"))};
      });
      if (on_leaf) on_leaf(leaf);
    };
    v.on_bad = [&](uint64_t block, uint16_t level, const Status& why) {
      problems_.push_back(fmt::format("{}: {} {}: {}", what, level ? "bnode" : "leaf", block,
                                      why.message()));
      note(block, 1, [&](uint64_t) {
        return Owner{kind, inum, fmt::format("{}: a node that does not verify ({})", what,
                                             why.message())};
      });
    };
    auto walked = walk_tolerant(r_, root, owner, leaf_magic, v);
    if (!walked) problems_.push_back(walked.status().message());
  }

  void data(uint64_t inum, const Extent& e, const std::string& from) {
    note(e.physical, e.count, [&](uint64_t offset) {
      std::string what = inum == kInoBitmap ? fmt::format("bitmap block {}", e.logical + offset)
                                            : fmt::format("inode {}: data, logical block {}",
                                                          inum, e.logical + offset);
      if (e.flags & kExtentUnwritten) what += " (unwritten)";
      return Owner{inum == kInoBitmap ? "bitmap" : "data", inum, what + from};
    });
  }

  void inode(uint64_t inum, std::span<const uint8_t> value) {
    auto rec = decode_inode(value, inum);
    if (!rec) {
      problems_.push_back(fmt::format("inode {}: {}", inum, rec.status().message()));
      return;
    }
    std::string what = fmt::format("inode {}", inum);
    if (rec->is_dir()) {
      walk_tree("dir_tree", inum, what + " directory index", rec->root, inum, kMagicDleaf, {});
      return;
    }
    std::vector<Extent> mapping(rec->inline_extents);
    walk_tree("extent_tree", inum, what + " extent tree", rec->root, inum, kMagicXleaf,
              [&](const LeafView& leaf) {
                for (std::size_t i = 0; i < leaf.size(); ++i) {
                  auto e = decode_extent(leaf.key(i), leaf.value(i), r_.super().vol_blocks,
                                         r_.first_data_block());
                  if (e) mapping.push_back(*e);
                }
              });
    auto fsyncs = s_.overlay().applied_to(inum);
    if (!fsyncs.empty()) {
      InodeRecord copy = *rec;
      std::sort(mapping.begin(), mapping.end(),
                [](const Extent& a, const Extent& b) { return a.logical < b.logical; });
      s_.overlay().apply(inum, copy, mapping, r_.block_size());
    }
    for (const Extent& e : mapping) {
      std::string from;
      for (const FsyncReplayInfo* f : fsyncs) {
        for (const Extent& x : f->record.extents) {
          if (e.physical >= x.physical && e.physical < x.physical + x.count) {
            from = fmt::format(" (fsync stream {} seq {})", f->stream, f->last_seq);
          }
        }
      }
      data(inum, e, from);
    }
  }

  Session& s_;
  VolumeReader& r_;
  std::set<uint64_t> wanted_;
  std::map<uint64_t, std::vector<Owner>> owners_;
  std::vector<std::string> problems_;
};

}  // namespace

Status cmd_icheck(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args, parse_args(ctx, spec, ArgSpec{{}, {}, 1, SIZE_MAX}));
  Session& s = ctx.session;
  TUX3_ASSIGN_OR_RETURN(VolumeReader * reader, s.reader());
  std::vector<uint64_t> blocks;
  for (const std::string& word : args.operands) {
    uint64_t b;
    if (!parse_number(word, b)) {
      return ctx.usage(fmt::format("'{}' is not a block number", word));
    }
    if (b >= reader->super().vol_blocks) {
      return ctx.usage(fmt::format("block {} is outside the volume ({} blocks)", b,
                                   reader->super().vol_blocks));
    }
    blocks.push_back(b);
  }
  OwnerFinder finder(s, *reader, std::set<uint64_t>(blocks.begin(), blocks.end()));
  finder.walk();
  auto map = s.alloc_map();
  auto fallback = [&](uint64_t b) -> Owner {
    if (!map) return Owner{"unknown", std::nullopt, "no owner found; the allocation map does not "
                                                    "read: " + map.status().message()};
    if ((*map)->is_unknown(b)) return Owner{"unknown", std::nullopt,
                                            "no owner found; its bitmap block does not verify"};
    if ((*map)->allocated(b)) return Owner{"leaked", std::nullopt,
                                           "allocated, but no structure uses it (leaked)"};
    return Owner{"free", std::nullopt, "free"};
  };
  Json list = Json::array();
  if (!ctx.json) fmt::print(ctx.out, "Block\tOwner\n");
  for (uint64_t b : blocks) {
    std::vector<Owner> owners;
    if (auto it = finder.owners().find(b); it != finder.owners().end()) owners = it->second;
    if (owners.empty()) owners.push_back(fallback(b));
    Json jowners = Json::array();
    for (const Owner& o : owners) {
      if (ctx.json) {
        jowners.push_back(Json{{"kind", o.kind},
                               {"inode", o.inode ? Json(*o.inode) : Json(nullptr)},
                               {"text", o.text}});
      } else {
        fmt::print(ctx.out, "{}\t{}\n", b, o.text);
      }
    }
    if (ctx.json) {
      Json one{{"block", b}, {"owners", std::move(jowners)}};
      one["allocated"] = map && !(*map)->is_unknown(b) ? Json((*map)->allocated(b)) : Json(nullptr);
      list.push_back(std::move(one));
    }
  }
  if (ctx.json) {
    Json doc = json_document("icheck");
    doc["blocks"] = std::move(list);
    doc["problems"] = finder.problems();
    ctx.emit(doc);
  } else {
    for (const std::string& p : finder.problems()) fmt::print(ctx.out, "  BAD: {}\n", p);
  }
  return Status::ok();
}

}  // namespace tux3::debugfs
