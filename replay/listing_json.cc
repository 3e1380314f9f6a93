// listing_json.cc: tux3-replay --print --json: the log listing as one JSON object.
#include <fmt/format.h>

#include "json_values.h"
#include "names.h"
#include "output.h"

namespace tux3::replay {

using namespace format;

namespace {

Json superblock_json(unsigned slot, const Result<Superblock>& read, bool committed) {
  Json out{{"slot", slot}, {"valid", read.is_ok()}, {"committed", committed}};
  if (!read) {
    out["error"] = read.status().message();
    return out;
  }
  const Superblock& sb = *read;
  out["error"] = nullptr;
  out["delta"] = sb.delta;
  out["uuid"] = uuid_to_string(sb.uuid);
  out["label"] = sb.label;
  out["version"] = sb.version;
  out["block_size"] = sb.block_size();
  out["state"] = state_names(sb.state);
  out["feature_compat"] = sb.feature_compat;
  out["feature_ro_compat"] = sb.feature_ro_compat;
  out["feature_incompat"] = incompat_names(sb.feature_incompat);
  out["vol_blocks"] = sb.vol_blocks;
  out["free_blocks"] = sb.free_blocks;
  out["inode_count"] = sb.inode_count;
  out["next_inum"] = sb.next_inum;
  out["next_block"] = sb.next_block;
  out["itree"] = json_tree_root(sb.itree);
  out["otree"] = json_tree_root(sb.otree);
  out["log_head"] = sb.log_head;
  out["log_count"] = sb.log_count;
  out["unify_delta"] = sb.unify_delta;
  out["create_time"] = json_timestamp(sb.create_time);
  out["commit_time"] = json_timestamp(sb.commit_time);
  out["fsync_mode"] = fsync_mode_name(sb.fsync_mode);
  out["stream_count"] = sb.stream_count;
  Json streams = Json::array();
  for (std::size_t i = 0; i < sb.streams.size(); ++i) {
    if (sb.streams[i].block == 0) continue;
    Json head{{"stream", i}};
    head.update(json_stream_head(sb.streams[i]));
    streams.push_back(std::move(head));
  }
  out["streams"] = std::move(streams);
  return out;
}

Json record_json(const LogRecord& r) {
  Json fields = Json::object();
  for (const auto& [name, value] : record_fields(r)) {
    if (field_is_signed(name)) {
      fields[name] = int64_t(value);
    } else {
      fields[name] = value;
    }
  }
  return Json{{"code", uint8_t(r.code)}, {"name", record_name(r)}, {"fields", std::move(fields)}};
}

}  // namespace

void print_listing_json(const LogListing& listing, const std::string& device) {
  Json doc = json_document("listing", device);
  Json slots = Json::array();
  for (unsigned i = 0; i < 2; ++i) {
    slots.push_back(superblock_json(i, listing.slots.slots[i], listing.slots.chosen == i));
  }
  doc["superblocks"] = std::move(slots);
  doc["committed_delta"] = listing.super.delta;

  Json deltas = Json::array();
  for (const LogDeltaInfo& d : listing.deltas) deltas.push_back(json_delta(d));
  Json blocks = Json::array();
  for (const LogBlockInfo& b : listing.blocks) {
    Json records = Json::array();
    for (const LogRecord& r : b.records) records.push_back(record_json(r));
    blocks.push_back(Json{{"block", b.block}, {"delta", b.delta}, {"prev", b.prev},
                          {"records", std::move(records)}});
  }
  doc["log"] = Json{{"head", listing.super.log_head},
                    {"count", listing.super.log_count},
                    {"deltas", std::move(deltas)},
                    {"blocks", std::move(blocks)}};

  Json streams = Json::array();
  for (const StreamInfo& s : listing.streams) {
    Json sblocks = Json::array();
    for (const StreamBlockInfo& b : s.blocks) {
      Json entry{{"block", b.block}};
      entry.update(json_stream_record(b.decoded));
      sblocks.push_back(std::move(entry));
    }
    streams.push_back(Json{{"stream", s.stream},
                           {"head", json_stream_head(s.head)},
                           {"blocks", std::move(sblocks)},
                           {"end", json_stream_end(s)}});
  }
  doc["streams"] = std::move(streams);
  doc["damage"] = json_damage(listing.damage);
  print_json(doc);
}

}  // namespace tux3::replay
