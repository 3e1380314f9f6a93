// cmd_super.cc: super: both superblock slots, the geometry and the state shown.
#include <fmt/format.h>

#include "commands.h"
#include "json_values.h"
#include "names.h"
#include "tuxdisk/format/bitmap.h"
#include "tuxdisk/format/node.h"

namespace tux3::debugfs {

using namespace format;

namespace {

Json superblock_json(const Superblock& sb) {
  Json out;
  out["delta"] = sb.delta;
  out["uuid"] = uuid_to_string(sb.uuid);
  json_name(out, "label", sb.label);
  out["version"] = sb.version;
  out["block_bits"] = sb.block_bits;
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
  out["hash_seed"] = sb.hash_seed;
  out["io_min"] = sb.io_min;
  out["io_opt"] = sb.io_opt;
  out["fsync_mode"] = fsync_mode_name(sb.fsync_mode);
  out["stream_count"] = sb.stream_count;
  Json streams = Json::array();
  for (std::size_t i = 0; i < sb.streams.size(); ++i) {
    const StreamHead& h = sb.streams[i];
    if (h.block == 0) continue;
    streams.push_back(Json{{"stream", i}, {"block", h.block}, {"seq", h.seq}, {"delta", h.delta}});
  }
  out["streams"] = std::move(streams);
  return out;
}

void print_superblock(FILE* out, const Superblock& sb) {
  fmt::print(out, "  uuid {}, label '{}'\n", uuid_to_string(sb.uuid), printable(sb.label));
  fmt::print(out, "  version {}, block size {}, {} blocks\n", sb.version, sb.block_size(),
             sb.vol_blocks);
  fmt::print(out, "  state {}; features compat {:#x}, ro_compat {:#x}, incompat {}\n",
             join(state_names(sb.state), ","), sb.feature_compat, sb.feature_ro_compat,
             join(incompat_names(sb.feature_incompat), ","));
  fmt::print(out, "  free blocks {}, inodes {}, next inum {}, next block {}\n", sb.free_blocks,
             sb.inode_count, sb.next_inum, sb.next_block);
  fmt::print(out, "  itree root {} depth {}, otree root {} depth {}\n", sb.itree.block,
             sb.itree.depth, sb.otree.block, sb.otree.depth);
  fmt::print(out, "  log head {}, {}, unify delta {}\n", sb.log_head, plural(sb.log_count, "block"),
             sb.unify_delta);
  fmt::print(out, "  created {} ({})\n", timestamp_text(sb.create_time),
             timestamp_date(sb.create_time));
  fmt::print(out, "  committed {} ({})\n", timestamp_text(sb.commit_time),
             timestamp_date(sb.commit_time));
  fmt::print(out, "  hash seed {:#018x}, io_min {}, io_opt {}\n", sb.hash_seed, sb.io_min, sb.io_opt);
  fmt::print(out, "  fsync mode {}, {}\n", fsync_mode_name(sb.fsync_mode),
             plural(sb.stream_count, "stream"));
  for (std::size_t i = 0; i < sb.streams.size(); ++i) {
    const StreamHead& h = sb.streams[i];
    if (h.block) {
      fmt::print(out, "  stream {}: next block {}, seq {}, tag delta {}\n", i, h.block, h.seq,
                 h.delta);
    }
  }
}

std::string view_text(Session& s) {
  const ViewInfo& v = s.view();
  if (!v.no_reader.empty()) return "raw blocks only: " + v.no_reader;
  std::string out = fmt::format("delta {}{}", v.delta,
                                v.committed ? " (committed)"
                                            : " (older: blocks it used may have been reused since)");
  if (v.log_replayed) {
    out += ", log replayed in memory";
  } else if (!v.log_note.empty()) {
    out += ", log NOT replayed (" + v.log_note + ")";
  } else {
    out += ", as on disk (--no-replay)";
  }
  std::size_t applied = s.overlay().applied_count();
  if (!s.overlay().fsyncs().empty()) {
    out += fmt::format(", {} of {} stream fsyncs applied", applied, s.overlay().fsyncs().size());
  }
  if (!v.streams_note.empty()) out += ", fsync streams not applied (" + v.streams_note + ")";
  return out;
}

}  // namespace

Status cmd_super(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_RETURN_IF_ERROR(parse_args(ctx, spec, ArgSpec{}).status());
  Session& s = ctx.session;
  const Geometry& g = s.geometry();
  const uint64_t bits = bits_per_bitmap_block(g.block_size);
  const uint64_t bitmap_blocks = (g.vol_blocks + bits - 1) / bits;
  if (ctx.json) {
    Json doc = json_document("super");
    doc["dump"] = s.is_dump();
    Json slots = Json::array();
    for (unsigned i = 0; i < 2; ++i) {
      const auto& slot = s.slots().slots[i];
      Json one{{"slot", i}, {"offset", kSuperSlotOffset[i]}, {"valid", slot.is_ok()},
               {"in_use", s.slots().chosen == i}};
      one["error"] = slot ? Json(nullptr) : Json(slot.status().message());
      one["superblock"] = slot ? superblock_json(*slot) : Json(nullptr);
      slots.push_back(std::move(one));
    }
    doc["slots"] = std::move(slots);
    doc["geometry"] = Json{{"block_size", g.block_size},
                           {"block_bits", g.block_bits},
                           {"vol_blocks", g.vol_blocks},
                           {"first_data_block", g.first_data_block},
                           {"bits_per_bitmap_block", bits},
                           {"bitmap_blocks", bitmap_blocks},
                           {"bnode_capacity", bnode_capacity(g.block_size)},
                           {"max_leaf_value", max_leaf_value(g.block_size)},
                           {"from_superblock", g.from_superblock}};
    const ViewInfo& v = s.view();
    Json view;
    view["available"] = v.no_reader.empty();
    view["error"] = v.no_reader.empty() ? Json(nullptr) : Json(v.no_reader);
    view["delta"] = v.delta;
    view["committed"] = v.committed;
    view["log_replayed"] = v.log_replayed;
    view["log_error"] = v.log_note.empty() ? Json(nullptr) : Json(v.log_note);
    view["fsyncs"] = s.overlay().fsyncs().size();
    view["fsyncs_applied"] = s.overlay().applied_count();
    view["streams_error"] = v.streams_note.empty() ? Json(nullptr) : Json(v.streams_note);
    doc["view"] = std::move(view);
    ctx.emit(doc);
    return Status::ok();
  }
  if (s.is_dump()) fmt::print(ctx.out, "{}: a tux3-image dump (read-only)\n", s.path());
  for (unsigned i = 0; i < 2; ++i) {
    const auto& slot = s.slots().slots[i];
    if (!slot) {
      fmt::print(ctx.out, "slot {} (byte {}): invalid: {}\n", i, kSuperSlotOffset[i],
                 slot.status().message());
      continue;
    }
    fmt::print(ctx.out, "slot {} (byte {}): delta {}, valid{}\n", i, kSuperSlotOffset[i],
               slot->delta, s.slots().chosen == i ? ", in use" : "");
    print_superblock(ctx.out, *slot);
  }
  fmt::print(ctx.out, "geometry: block size {} (bits {}), {} blocks, first data block {}{}\n",
             g.block_size, g.block_bits, g.vol_blocks, g.first_data_block,
             g.from_superblock ? "" : " (guessed: no valid superblock)");
  fmt::print(ctx.out, "  {} bits per bitmap block, {}; {} entries per bnode, leaf values up to "
             "{} bytes\n", bits, plural(bitmap_blocks, "bitmap block"),
             bnode_capacity(g.block_size), max_leaf_value(g.block_size));
  fmt::print(ctx.out, "shown: {}\n", view_text(s));
  return Status::ok();
}

}  // namespace tux3::debugfs
