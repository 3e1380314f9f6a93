// json_values.cc: JSON values shared by tux3-replay's report and listing (json_values.h).
#include "json_values.h"

#include <fmt/format.h>

#include "names.h"

namespace tux3::replay {

using namespace format;

Json json_document(const char* type, const std::string& device) {
  Json doc;
  doc["tool"] = "tux3-replay";
  doc["schema"] = 1;
  doc["type"] = type;
  doc["device"] = device;
  return doc;
}

Json json_timestamp(const Timestamp& t) { return Json{{"sec", t.sec}, {"nsec", t.nsec}}; }

Json json_tree_root(const TreeRoot& root) {
  return Json{{"block", root.block}, {"depth", root.depth}};
}

Json json_stream_head(const StreamHead& head) {
  return Json{{"block", head.block}, {"seq", head.seq}, {"delta", head.delta}};
}

Json json_roots(const DeltaRoots& roots) {
  return Json{{"itree", json_tree_root(roots.itree)},
              {"otree", json_tree_root(roots.otree)},
              {"inode_count", roots.inode_count},
              {"free_blocks", roots.free_blocks},
              {"commit_time", json_timestamp(roots.commit_time)}};
}

Json json_stream_record(const StreamBlock& b) {
  Json extents = Json::array();
  for (const Extent& e : b.extents) {
    extents.push_back(Json{{"logical", e.logical},
                           {"physical", e.physical},
                           {"count", e.count},
                           {"flags", extent_flag_names(e.flags)}});
  }
  Json out{{"seq", b.seq},
           {"inode", b.inum},
           {"flags", stream_flag_names(b.flags)},
           {"size", b.size},
           {"mtime", json_timestamp(b.mtime)},
           {"ctime", json_timestamp(b.ctime)},
           {"mode", b.mode},
           {"data_crc", b.data_crc},
           {"extents", std::move(extents)},
           {"next", b.next}};
  return out;
}

Json json_stream_end(const StreamInfo& s) {
  return Json{{"block", s.end_block},
              {"seq", s.end_seq},
              {"reason", s.end_reason},
              {"incomplete_blocks", s.incomplete_blocks}};
}

Json json_delta(const LogDeltaInfo& d) {
  return Json{{"delta", d.delta},
              {"unify", d.unify},
              {"blocks", d.blocks},
              {"records", d.records},
              {"roots", json_roots(d.roots)}};
}

Json json_damage(const std::optional<LogDamage>& damage) {
  if (!damage) return nullptr;
  Json out{{"delta", damage->delta}, {"block", nullptr}, {"reason", damage->reason},
           {"last_valid_delta", nullptr}, {"log_intact", damage->log_intact}};
  if (damage->block) out["block"] = *damage->block;
  if (damage->last_valid_delta) out["last_valid_delta"] = *damage->last_valid_delta;
  return out;
}

void print_json(const Json& doc) {
  fmt::print("{}\n", doc.dump(-1, ' ', false, Json::error_handler_t::replace));
}

}  // namespace tux3::replay
