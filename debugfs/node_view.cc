// node_view.cc: nodes and leaf items as text and JSON (node_view.h).
#include "node_view.h"

#include <limits>

#include <fmt/format.h>

#include "json_values.h"
#include "names.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/format/inode.h"
#include "tuxdisk/format/values.h"

namespace tux3::debugfs {

using namespace format;

std::string key_text(uint32_t leaf_magic, uint64_t key) {
  if (key == std::numeric_limits<uint64_t>::max()) return "max";
  if (leaf_magic == kMagicDleaf) return fmt::format("{:#x}", key);
  return fmt::format("{}", key);
}

std::string leaf_item_text(const ItemContext& c, uint64_t key, std::span<const uint8_t> value) {
  switch (c.leaf_magic) {
    case kMagicIleaf: {
      auto rec = decode_inode(value, key);
      if (!rec) return fmt::format("inode {}: BAD: {}", key, rec.status().message());
      std::string where = !rec->root.empty() ? fmt::format(", root {} depth {}", rec->root.block,
                                                            rec->root.depth)
                          : !rec->inline_extents.empty()
                              ? fmt::format(", {}", plural(rec->inline_extents.size(),
                                                           "inline extent"))
                              : std::string();
      return fmt::format("inode {}: {} {}, {} bytes, {}{} ({} byte record)", key,
                         type_name(rec->mode), octal_mode(rec->mode), rec->size,
                         plural(rec->nlink, "link"), where, value.size());
    }
    case kMagicXleaf: {
      auto e = decode_extent(key, value, c.vol_blocks, c.first_data_block);
      if (!e) return fmt::format("logical {}: BAD: {}", key, e.status().message());
      return fmt::format("logical {}-{} -> {}-{} ({}){}", key, key + e->count - 1, e->physical,
                         e->physical + e->count - 1, plural(e->count, "block"),
                         e->flags ? " " + join(extent_flag_names(e->flags), ",") : "");
    }
    case kMagicDleaf: {
      auto d = decode_dirent(key, value, c.hash_seed);
      if (!d) {
        std::string name = value.size() > DirentLayout::kNameOffset
                               ? printable(value.subspan(DirentLayout::kNameOffset)) : "";
        return fmt::format("{:#018x}: '{}': BAD: {}", key, name, d.status().message());
      }
      return fmt::format("{:#018x}: '{}' -> inode {} ({})", key, printable(d->name), d->inum,
                         file_type_name(d->type));
    }
    case kMagicOleaf:
      return value.empty() ? fmt::format("orphan inode {}", key)
                           : fmt::format("orphan inode {}: BAD: a value of {}", key,
                                         plural(value.size(), "byte"));
    default:
      return fmt::format("{}: {}", key, plural(value.size(), "byte"));
  }
}

Json leaf_item_json(const ItemContext& c, uint64_t key, std::span<const uint8_t> value) {
  Json out{{"key", key}, {"length", value.size()}};
  Status error;
  switch (c.leaf_magic) {
    case kMagicIleaf: {
      auto rec = decode_inode(value, key);
      if (rec) {
        out["inode"] = json_inode_record(*rec);
      } else {
        error = rec.status();
      }
      break;
    }
    case kMagicXleaf: {
      auto e = decode_extent(key, value, c.vol_blocks, c.first_data_block);
      if (e) {
        out["extent"] = json_extent(*e);
      } else {
        error = e.status();
      }
      break;
    }
    case kMagicDleaf: {
      auto d = decode_dirent(key, value, c.hash_seed);
      if (d) {
        Json entry;
        json_name(entry, "name", d->name);
        entry["inode"] = d->inum;
        entry["type"] = file_type_name(d->type);
        out["dirent"] = std::move(entry);
      } else {
        error = d.status();
      }
      break;
    }
    case kMagicOleaf:
      if (!value.empty()) error = Status::corruption("an orphan item has a value");
      break;
    default: break;
  }
  out["error"] = error ? Json(nullptr) : Json(error.message());
  if (!error) out["hex"] = hex_bytes(value);
  return out;
}

void print_leaf(FILE* out, const ItemContext& c, uint64_t block, const LeafView& leaf,
                const std::string& indent) {
  fmt::print(out, "{}{} {}: {}, {} bytes used\n", indent, magic_name(c.leaf_magic), block,
             plural(leaf.size(), "item"), leaf.bytes_used());
  for (std::size_t i = 0; i < leaf.size(); ++i) {
    fmt::print(out, "{}  {}\n", indent, leaf_item_text(c, leaf.key(i), leaf.value(i)));
  }
}

Json leaf_json(const ItemContext& c, uint64_t block, const LeafView& leaf) {
  Json items = Json::array();
  for (std::size_t i = 0; i < leaf.size(); ++i) {
    items.push_back(leaf_item_json(c, leaf.key(i), leaf.value(i)));
  }
  return Json{{"block", block}, {"kind", magic_name(c.leaf_magic)}, {"level", 0},
              {"owner", leaf.owner()}, {"delta", leaf.header().delta},
              {"bytes_used", leaf.bytes_used()}, {"items", std::move(items)}};
}

void print_bnode(FILE* out, uint32_t leaf_magic, uint64_t block, const Bnode& node,
                 const std::string& indent) {
  fmt::print(out, "{}bnode {} level {}: {}\n", indent, block, node.level,
             plural(node.entries.size(), "entry"));
  for (const BnodeEntry& e : node.entries) {
    fmt::print(out, "{}  key {} -> {}\n", indent, key_text(leaf_magic, e.key), e.child);
  }
}

Json bnode_json(uint64_t block, const Bnode& node) {
  Json entries = Json::array();
  for (const BnodeEntry& e : node.entries) {
    entries.push_back(Json{{"key", e.key}, {"child", e.child}});
  }
  return Json{{"block", block}, {"kind", "bnode"}, {"level", node.level}, {"owner", node.owner},
              {"delta", node.header.delta}, {"entries", std::move(entries)}};
}

}  // namespace tux3::debugfs
