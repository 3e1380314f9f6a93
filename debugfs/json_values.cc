// json_values.cc: JSON values shared by the commands (json_values.h).
#include "json_values.h"

#include "names.h"

namespace tux3::debugfs {

using namespace format;

Json json_document(std::string_view command) {
  Json doc;
  doc["tool"] = "tux3-debugfs";
  doc["schema"] = 1;
  doc["command"] = command;
  return doc;
}

Json json_timestamp(const Timestamp& t) { return Json{{"sec", t.sec}, {"nsec", t.nsec}}; }

Json json_tree_root(const TreeRoot& root) {
  return Json{{"block", root.block}, {"depth", root.depth}};
}

Json json_extent(const Extent& e) {
  return Json{{"logical", e.logical},
              {"physical", e.physical},
              {"count", e.count},
              {"flags", extent_flag_names(e.flags)}};
}

Json json_roots(const DeltaRoots& r) {
  return Json{{"itree", json_tree_root(r.itree)},     {"otree", json_tree_root(r.otree)},
              {"inode_count", r.inode_count},         {"free_blocks", r.free_blocks},
              {"commit_time", json_timestamp(r.commit_time)}};
}

Json json_record(const LogRecord& r) {
  Json fields = Json::object();
  for (const auto& [name, value] : record_fields(r)) {
    if (name.ends_with("_sec")) {
      fields[name] = int64_t(value);
    } else {
      fields[name] = value;
    }
  }
  return Json{{"code", uint8_t(r.code)}, {"name", record_name(r)}, {"fields", std::move(fields)}};
}

void json_name(Json& into, const char* key, const std::string& name) {
  into[key] = name;
  if (!valid_utf8(name)) into[std::string(key) + "_hex"] = hex_bytes(std::span(
      reinterpret_cast<const uint8_t*>(name.data()), name.size()));
}

Json json_inode_record(const InodeRecord& rec) {
  Json out;
  out["type"] = type_name(rec.mode);
  out["mode"] = rec.mode;
  out["uid"] = rec.uid;
  out["gid"] = rec.gid;
  out["nlink"] = rec.nlink;
  out["size"] = rec.size;
  out["blocks"] = rec.blocks;
  out["atime"] = json_timestamp(rec.atime);
  out["mtime"] = json_timestamp(rec.mtime);
  out["ctime"] = json_timestamp(rec.ctime);
  out["btime"] = json_timestamp(rec.btime);
  out["flags"] = inode_flag_names(rec.flags);
  out["generation"] = rec.generation;
  out["root"] = json_tree_root(rec.root);
  Json inline_extents = Json::array();
  for (const Extent& e : rec.inline_extents) inline_extents.push_back(json_extent(e));
  out["inline_extents"] = std::move(inline_extents);
  out["rdev"] = rec.rdev ? Json{{"major", *rec.rdev >> 32}, {"minor", *rec.rdev & 0xffffffff}}
                         : Json(nullptr);
  out["parent"] = rec.is_dir() ? Json(rec.parent) : Json(nullptr);
  if (rec.inline_symlink) {
    json_name(out, "symlink", *rec.inline_symlink);
  } else {
    out["symlink"] = nullptr;
  }
  Json xattrs = Json::array();
  for (const Xattr& x : rec.xattrs) {
    Json one;
    json_name(one, "name", xattr_full_name(x));
    one["length"] = x.value.size();
    xattrs.push_back(std::move(one));
  }
  out["xattrs"] = std::move(xattrs);
  return out;
}

}  // namespace tux3::debugfs
