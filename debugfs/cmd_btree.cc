// cmd_btree.cc: btree: a tree printed node by node, depth first, damage shown in place.
#include <fmt/format.h>

#include "commands.h"
#include "fs.h"
#include "json_values.h"
#include "names.h"
#include "node_view.h"
#include "tree_walk.h"
#include "trees.h"
#include "tuxdisk/format/constants.h"

namespace tux3::debugfs {

using namespace format;

Result<TreeChoice> choose_tree(Session& s, const std::string& word) {
  const Superblock& sb = s.super();
  if (word == "itree") return TreeChoice{"inode table", "itree", sb.itree, kOwnerInodeTable, kMagicIleaf};
  if (word == "otree") return TreeChoice{"orphan tree", "otree", sb.otree, kOwnerOrphans, kMagicOleaf};
  auto inode = load_path(s, word);
  if (!inode) return inode.status();
  bool dir = inode->rec.is_dir();
  return TreeChoice{fmt::format("inode {} {}", inode->inum, dir ? "directory index" : "extent tree"),
                    inode->inum, inode->rec.root, inode->inum, leaf_magic_for_mode(inode->rec.mode)};
}

Status cmd_btree(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args, parse_args(ctx, spec, ArgSpec{{}, {}, 1, 1}));
  Session& s = ctx.session;
  TUX3_ASSIGN_OR_RETURN(VolumeReader * reader, s.reader());
  TUX3_ASSIGN_OR_RETURN(TreeChoice tree, choose_tree(s, args.operands[0]));
  ItemContext items{tree.leaf_magic, reader->super().hash_seed, reader->super().vol_blocks,
                    reader->first_data_block()};
  Json nodes = Json::array();
  std::vector<std::string> problems;
  auto indent = [&](uint16_t level) { return std::string(2 * (tree.root.depth - level), ' '); };
  auto range = [&](uint64_t low, uint64_t high) {
    return fmt::format("[{}..{})", key_text(tree.leaf_magic, low), key_text(tree.leaf_magic, high));
  };
  if (!ctx.json) {
    fmt::print(ctx.out, "{}: ", tree.name);
    if (tree.root.empty()) {
      fmt::print(ctx.out, "empty (no root)\n");
    } else {
      fmt::print(ctx.out, "root {} depth {}\n", tree.root.block, tree.root.depth);
    }
  }
  // A verified node's JSON, with where the walk found it.
  auto placed = [&](Json node, uint64_t low, uint64_t high, bool from_log) {
    node["low"] = low;
    node["high"] = high;
    node["from_log"] = from_log;
    node["error"] = nullptr;
    nodes.push_back(std::move(node));
  };
  WalkVisitor v;
  v.on_bnode = [&](uint64_t block, const Bnode& node, uint64_t low, uint64_t high) {
    bool from_log = rebuilt_from_log(*reader, block, node);
    if (ctx.json) {
      placed(bnode_json(block, node), low, high, from_log);
      return;
    }
    std::string in = indent(node.level);
    fmt::print(ctx.out, "{}bnode {} level {} {}: {}{}\n", in, block, node.level, range(low, high),
               plural(node.entries.size(), "entry"), from_log ? " (rebuilt from the log)" : "");
    for (const BnodeEntry& e : node.entries) {
      fmt::print(ctx.out, "{}  key {} -> {}\n", in, key_text(tree.leaf_magic, e.key), e.child);
    }
  };
  v.on_leaf = [&](uint64_t block, const LeafView& leaf, uint64_t low, uint64_t high) {
    if (ctx.json) {
      placed(leaf_json(items, block, leaf), low, high, false);
      return;
    }
    std::string in = indent(0);
    fmt::print(ctx.out, "{}{} {} {}: {}, {} bytes used, delta {}\n", in, magic_name(tree.leaf_magic),
               block, range(low, high), plural(leaf.size(), "item"), leaf.bytes_used(),
               leaf.header().delta);
    for (std::size_t i = 0; i < leaf.size(); ++i) {
      fmt::print(ctx.out, "{}  {}\n", in, leaf_item_text(items, leaf.key(i), leaf.value(i)));
    }
  };
  v.on_bad = [&](uint64_t block, uint16_t level, const Status& why) {
    problems.push_back(fmt::format("block {}: {}", block, why.message()));
    if (ctx.json) {
      nodes.push_back(Json{{"block", block}, {"kind", level ? "bnode" : magic_name(tree.leaf_magic)},
                           {"level", level}, {"error", why.message()}});
      return;
    }
    fmt::print(ctx.out, "{}{} {}: BAD: {}\n", indent(std::min(level, tree.root.depth)),
               level ? "bnode" : std::string(magic_name(tree.leaf_magic)), block, why.message());
  };
  TUX3_RETURN_IF_ERROR(walk_tolerant(*reader, tree.root, tree.owner, tree.leaf_magic, v).status());
  if (ctx.json) {
    Json doc = json_document("btree");
    doc["tree"] = tree.id;
    doc["root"] = json_tree_root(tree.root);
    doc["nodes"] = std::move(nodes);
    ctx.emit(doc);
  }
  if (!problems.empty()) {
    return Status::corruption(fmt::format("{}: {} (and {} more)", tree.name, problems.front(),
                                          problems.size() - 1));
  }
  return Status::ok();
}

}  // namespace tux3::debugfs
