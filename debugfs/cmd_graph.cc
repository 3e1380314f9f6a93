// cmd_graph.cc: graph: a Graphviz (dot) picture of the state shown: the superblock, btrees
// node by node (every file's tree hanging from the inode table leaf that holds its
// record), the log chain and the fsync streams.
//
// Marks: a bnode rebuilt from the log (changed since the last unify, so not yet on disk as
// shown) is dashed; a block written since the last unify (header delta newer than the
// unify delta) is filled; a block that does not verify is red, with the reason.
#include <functional>
#include <map>
#include <set>

#include <fmt/format.h>

#include "commands.h"
#include "fs.h"
#include "names.h"
#include "tree_walk.h"
#include "trees.h"
#include "tuxdisk/format/constants.h"

namespace tux3::debugfs {

using namespace format;

namespace {

std::string dot_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

class Graph {
 public:
  Graph(CommandContext& ctx, VolumeReader& reader) : ctx_(ctx), r_(reader) {}

  void node(const std::string& id, const std::string& label, const std::string& attrs = "") {
    if (!declared_.insert(id).second) return;
    fmt::print(ctx_.out, "  {} [label=\"{}\"{}];\n", id, dot_escape(label),
               attrs.empty() ? "" : ", " + attrs);
  }
  void edge(const std::string& from, const std::string& to, const std::string& label = "") {
    fmt::print(ctx_.out, "  {} -> {}{};\n", from, to,
               label.empty() ? "" : fmt::format(" [label=\"{}\"]", dot_escape(label)));
  }
  static std::string id(uint64_t block) { return fmt::format("b{}", block); }
  // Attributes joined, the empty ones left out.
  static std::string attrs(std::initializer_list<std::string> list) {
    std::string out;
    for (const std::string& a : list) {
      if (!a.empty()) out += (out.empty() ? "" : ", ") + a;
    }
    return out;
  }

  std::string fresh(uint64_t delta) const {
    return delta > r_.super().unify_delta ? "style=filled, fillcolor=lightyellow" : "";
  }

  // Draws a tree; on_leaf gets each verified leaf (to hang more from it).
  void tree(const std::string& from, const std::string& label, const TreeRoot& root,
            uint64_t owner, uint32_t leaf_magic,
            const std::function<void(uint64_t, const LeafView&)>& on_leaf = {}) {
    if (root.empty()) return;
    edge(from, id(root.block), label);
    WalkVisitor v;
    v.on_bnode = [&](uint64_t block, const Bnode& node, uint64_t, uint64_t) {
      bool from_log = rebuilt_from_log(r_, block, node);
      std::string attrs = from_log ? "style=dashed" : fresh(node.header.delta);
      this->node(id(block), fmt::format("bnode {}\nlevel {}, {}{}", block, node.level,
                                        plural(node.entries.size(), "entry"),
                                        from_log ? "\n(from the log)" : ""),
                 attrs);
      for (const BnodeEntry& e : node.entries) edge(id(block), id(e.child));
    };
    v.on_leaf = [&](uint64_t block, const LeafView& leaf, uint64_t, uint64_t) {
      this->node(id(block), fmt::format("{} {}\n{}\ndelta {}", magic_name(leaf_magic), block,
                                        plural(leaf.size(), "item"), leaf.header().delta),
                 fresh(leaf.header().delta));
      if (on_leaf) on_leaf(block, leaf);
    };
    v.on_bad = [&](uint64_t block, uint16_t, const Status& why) {
      this->node(id(block), fmt::format("block {}\nBAD: {}", block, why.message()),
                 "color=red, fontcolor=red");
      ++bad_;
    };
    auto walked = walk_tolerant(r_, root, owner, leaf_magic, v);
    if (!walked) ++bad_;
  }

  // Every file's own tree, hung from the ileaf holding its record.
  void file_trees(uint64_t block, const LeafView& leaf) {
    for (std::size_t i = 0; i < leaf.size(); ++i) {
      auto rec = decode_inode(leaf.value(i), leaf.key(i));
      if (!rec || rec->root.empty()) continue;
      tree(id(block), fmt::format("inode {}", leaf.key(i)), rec->root, leaf.key(i),
           leaf_magic_for_mode(rec->mode));
    }
  }

  void log(Session& s) {
    const LogChain& chain = s.chain();
    const Superblock& sb = r_.super();
    if (sb.log_count == 0) return;
    std::string prev_id = "super";
    for (std::size_t i = chain.blocks.size(); i-- > 0;) {
      const LogBlock& lb = chain.decoded[i];
      std::string me = id(chain.blocks[i]);
      node(me, fmt::format("log {}\ndelta {}, {}", chain.blocks[i], lb.header.delta,
                           plural(lb.records.size(), "record")),
           attrs({"shape=note", fresh(lb.header.delta)}));
      edge(prev_id, me, prev_id == "super" ? "log head" : "prev");
      prev_id = me;
    }
    if (chain.damage) {
      std::string me = id(chain.damage->block);
      node(me, fmt::format("block {}\nBAD: {}", chain.damage->block, chain.damage->reason),
           "shape=note, color=red, fontcolor=red");
      edge(prev_id, me, prev_id == "super" ? "log head" : "prev");
      ++bad_;
    }
  }

  void streams(Session& s) {
    const Superblock& sb = r_.super();
    std::map<uint64_t, const FsyncReplayInfo*> fsync_of;
    for (const FsyncReplayInfo& f : s.overlay().fsyncs()) {
      for (uint64_t b : f.blocks) fsync_of[b] = &f;
    }
    for (std::size_t i = 0; i < sb.streams.size(); ++i) {
      const StreamHead& h = sb.streams[i];
      if (!h.block) continue;
      std::string label = fmt::format("stream {}", i);
      edge("super", id(h.block), label);
      // The stream's valid blocks, in order, as replay found them.
      std::vector<const FsyncReplayInfo*> chain;
      for (const FsyncReplayInfo& f : s.overlay().fsyncs()) {
        if (f.stream == i) chain.push_back(&f);
      }
      std::string prev;
      for (const FsyncReplayInfo* f : chain) {
        for (std::size_t k = 0; k < f->blocks.size(); ++k) {
          std::string me = id(f->blocks[k]);
          node(me, fmt::format("stream {} block {}\nseq {}, inode {}\n{}", i, f->blocks[k],
                               f->first_seq + k, f->record.inum,
                               f->applied ? "applied" : "not applied"),
               attrs({"shape=cds", f->applied ? "" : "color=orange"}));
          if (!prev.empty()) edge(prev, me, "next");
          prev = me;
        }
      }
      for (const StreamInfo& end : s.overlay().stream_ends()) {
        if (end.stream != i) continue;
        std::string me = id(end.end_block);
        node(me, fmt::format("block {}\nstream {} ends: {}", end.end_block, i, end.end_reason),
             "shape=cds, style=dotted");
        if (!prev.empty()) edge(prev, me, "next");
      }
    }
  }

  int bad() const { return bad_; }

 private:
  CommandContext& ctx_;
  VolumeReader& r_;
  std::set<std::string> declared_;
  int bad_ = 0;
};

}  // namespace

Status cmd_graph(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args, parse_args(ctx, spec, ArgSpec{{}, {}, 0, 1}));
  Session& s = ctx.session;
  TUX3_ASSIGN_OR_RETURN(VolumeReader * reader, s.reader());
  const Superblock& sb = reader->super();
  std::string what = args.operands.empty() ? "all" : args.operands[0];
  std::optional<TreeChoice> one;
  if (what != "all" && what != "log" && what != "streams") {
    TUX3_ASSIGN_OR_RETURN(one, choose_tree(s, what));
  }
  Graph g(ctx, *reader);
  fmt::print(ctx.out, "digraph tux3 {{\n");
  fmt::print(ctx.out, "  node [shape=box, fontname=\"monospace\", fontsize=10];\n");
  fmt::print(ctx.out, "  edge [fontname=\"monospace\", fontsize=9];\n");
  g.node("super", fmt::format("superblock slot {}\ndelta {}, unify delta {}\n{} inodes, {} free",
                              sb.delta & 1, sb.delta, sb.unify_delta, sb.inode_count,
                              sb.free_blocks),
         "shape=box3d");
  if (what == "all" || what == "itree") {
    std::function<void(uint64_t, const LeafView&)> hang;
    if (what == "all") hang = [&](uint64_t b, const LeafView& l) { g.file_trees(b, l); };
    g.tree("super", "itree", sb.itree, kOwnerInodeTable, kMagicIleaf, hang);
  }
  if (what == "all" || what == "otree") {
    g.tree("super", "otree", sb.otree, kOwnerOrphans, kMagicOleaf);
  }
  if (what == "all" || what == "log") g.log(s);
  if (what == "all" || what == "streams") g.streams(s);
  if (one && one->owner != kOwnerInodeTable && one->owner != kOwnerOrphans) {
    g.node("inode", fmt::format("inode {}", one->owner), "shape=ellipse");
    g.tree("inode", "root", one->root, one->owner, one->leaf_magic);
  }
  fmt::print(ctx.out, "}}\n");
  if (g.bad()) {
    return Status::corruption(fmt::format("{} damaged (drawn in red)", plural(uint64_t(g.bad()), "block")));
  }
  return Status::ok();
}

}  // namespace tux3::debugfs
