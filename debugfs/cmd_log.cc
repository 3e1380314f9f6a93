// cmd_log.cc: log, deltas, streams: the delta log chain and the fsync streams as they are.
#include <fmt/format.h>

#include "commands.h"
#include "json_values.h"
#include "names.h"
#include "tuxdisk/replay.h"

namespace tux3::debugfs {

using namespace format;

namespace {

Json damage_json(const LogChain& chain) {
  if (!chain.damage) return nullptr;
  return Json{{"block", chain.damage->block}, {"reason", chain.damage->reason}};
}

Status damage_status(const LogChain& chain, uint32_t log_count) {
  if (!chain.damage) return Status::ok();
  return Status::corruption(fmt::format("the log chain stops at block {} ({} of {} blocks read): {}",
                                        chain.damage->block, chain.blocks.size(), log_count,
                                        chain.damage->reason));
}

std::string delta_line(const LogChain& chain, const ChainDelta& d) {
  std::vector<std::string> blocks;
  for (std::size_t b = d.first; b < d.first + d.count; ++b) {
    blocks.push_back(fmt::format("{}", chain.blocks[b]));
  }
  std::string line = fmt::format("delta {}{}: {} ({}), {}", d.delta, d.unify ? " (unify)" : "",
                                 plural(d.count, "block"), join(blocks, " "),
                                 plural(d.records, "record"));
  if (d.roots) {
    const DeltaRoots& r = *d.roots;
    line += fmt::format("; itree {} depth {}, otree {} depth {}, {} inodes, {} free blocks, "
                        "committed {}", r.itree.block, r.itree.depth, r.otree.block, r.otree.depth,
                        r.inode_count, r.free_blocks, timestamp_text(r.commit_time));
  } else {
    line += "; no ROOTS record";
  }
  return line;
}

Json delta_json(const LogChain& chain, const ChainDelta& d) {
  Json blocks = Json::array();
  for (std::size_t b = d.first; b < d.first + d.count; ++b) blocks.push_back(chain.blocks[b]);
  return Json{{"delta", d.delta},
              {"unify", d.unify},
              {"blocks", std::move(blocks)},
              {"records", d.records},
              {"roots", d.roots ? json_roots(*d.roots) : Json(nullptr)}};
}

}  // namespace

Status cmd_log(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_RETURN_IF_ERROR(parse_args(ctx, spec, ArgSpec{}).status());
  Session& s = ctx.session;
  const Superblock& sb = s.super();
  const LogChain& chain = s.chain();
  if (ctx.json) {
    Json doc = json_document("log");
    doc["delta"] = sb.delta;
    doc["log_head"] = sb.log_head;
    doc["log_count"] = sb.log_count;
    Json blocks = Json::array();
    for (std::size_t b = 0; b < chain.blocks.size(); ++b) {
      const LogBlock& lb = chain.decoded[b];
      Json records = Json::array();
      for (const LogRecord& r : lb.records) records.push_back(json_record(r));
      blocks.push_back(Json{{"block", chain.blocks[b]}, {"delta", lb.header.delta},
                            {"prev", lb.prev}, {"records", std::move(records)}});
    }
    doc["blocks"] = std::move(blocks);
    doc["damage"] = damage_json(chain);
    ctx.emit(doc);
    return damage_status(chain, sb.log_count);
  }
  fmt::print(ctx.out, "log of delta {}: head {}, {}, unify delta {}\n", sb.delta, sb.log_head,
             plural(sb.log_count, "block"), sb.unify_delta);
  if (chain.damage) {
    fmt::print(ctx.out, "  BAD: block {}: {}; the {} older blocks are not shown\n",
               chain.damage->block, chain.damage->reason, sb.log_count - chain.blocks.size());
  }
  for (const ChainDelta& d : chain.deltas) {
    fmt::print(ctx.out, "{}\n", delta_line(chain, d));
    for (std::size_t b = d.first; b < d.first + d.count; ++b) {
      const LogBlock& lb = chain.decoded[b];
      fmt::print(ctx.out, "  block {}: prev {}, {}\n", chain.blocks[b], lb.prev,
                 plural(lb.records.size(), "record"));
      for (const LogRecord& r : lb.records) fmt::print(ctx.out, "    {}\n", record_text(r));
    }
  }
  return damage_status(chain, sb.log_count);
}

Status cmd_deltas(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_RETURN_IF_ERROR(parse_args(ctx, spec, ArgSpec{}).status());
  Session& s = ctx.session;
  const Superblock& sb = s.super();
  const LogChain& chain = s.chain();
  if (ctx.json) {
    Json doc = json_document("deltas");
    doc["delta"] = sb.delta;
    doc["unify_delta"] = sb.unify_delta;
    Json deltas = Json::array();
    for (const ChainDelta& d : chain.deltas) deltas.push_back(delta_json(chain, d));
    doc["deltas"] = std::move(deltas);
    doc["damage"] = damage_json(chain);
    ctx.emit(doc);
    return damage_status(chain, sb.log_count);
  }
  if (chain.deltas.empty() && !chain.damage) {
    fmt::print(ctx.out, "the log is empty: delta {} is unified (unify delta {})\n", sb.delta,
               sb.unify_delta);
  }
  if (chain.damage) {
    fmt::print(ctx.out, "BAD: block {}: {}; older deltas are not shown\n", chain.damage->block,
               chain.damage->reason);
  }
  for (const ChainDelta& d : chain.deltas) fmt::print(ctx.out, "{}\n", delta_line(chain, d));
  return damage_status(chain, sb.log_count);
}

Status cmd_streams(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_RETURN_IF_ERROR(parse_args(ctx, spec, ArgSpec{}).status());
  Session& s = ctx.session;
  TUX3_ASSIGN_OR_RETURN(LogListing listing, list_log(s.device()));
  const Superblock& sb = listing.super;
  const FsyncOverlay& overlay = s.overlay();
  Json streams = Json::array();
  if (!ctx.json) {
    fmt::print(ctx.out, "committed delta {}: fsync mode {}, {}, {}\n", sb.delta,
               fsync_mode_name(sb.fsync_mode), plural(sb.stream_count, "stream"),
               listing.streams.empty() ? "none live" : plural(listing.streams.size(), "live stream"));
  }
  for (const StreamInfo& st : listing.streams) {
    Json blocks = Json::array();
    if (!ctx.json) {
      fmt::print(ctx.out, "stream {}: head block {}, seq {}, tag delta {}: {}\n", st.stream,
                 st.head.block, st.head.seq, st.head.delta, plural(st.blocks.size(), "valid block"));
    }
    for (const StreamBlockInfo& b : st.blocks) {
      const StreamBlock& d = b.decoded;
      if (!ctx.json) {
        fmt::print(ctx.out, "  block {}: seq {}, inode {}, flags {}, size {}, mtime {}, ctime {}, "
                   "mode {}, {}, next {}\n", b.block, d.seq, d.inum,
                   join(stream_flag_names(d.flags), ","), d.size, timestamp_text(d.mtime),
                   timestamp_text(d.ctime), octal_mode(d.mode), plural(d.extents.size(), "extent"),
                   d.next);
        for (const Extent& x : d.extents) {
          fmt::print(ctx.out, "    logical {}-{} -> {}-{}\n", x.logical, x.logical + x.count - 1,
                     x.physical, x.physical + x.count - 1);
        }
      }
      Json extents = Json::array();
      for (const Extent& x : d.extents) extents.push_back(json_extent(x));
      blocks.push_back(Json{{"block", b.block}, {"seq", d.seq}, {"inode", d.inum},
                            {"flags", stream_flag_names(d.flags)}, {"size", d.size},
                            {"mtime", json_timestamp(d.mtime)}, {"ctime", json_timestamp(d.ctime)},
                            {"mode", d.mode}, {"data_crc", d.data_crc},
                            {"extents", std::move(extents)}, {"next", d.next}});
    }
    if (!ctx.json) {
      fmt::print(ctx.out, "  ends at block {} (seq {}): {}{}\n", st.end_block, st.end_seq,
                 st.end_reason,
                 st.incomplete_blocks
                     ? fmt::format("; {} of an unfinished fsync", plural(st.incomplete_blocks, "block"))
                     : std::string());
    }
    streams.push_back(Json{{"stream", st.stream},
                           {"head", Json{{"block", st.head.block}, {"seq", st.head.seq},
                                         {"delta", st.head.delta}}},
                           {"blocks", std::move(blocks)},
                           {"end", Json{{"block", st.end_block}, {"seq", st.end_seq},
                                        {"reason", st.end_reason},
                                        {"incomplete_blocks", st.incomplete_blocks}}}});
  }
  Json fsyncs = Json::array();
  for (const FsyncReplayInfo& f : overlay.fsyncs()) {
    if (!ctx.json) {
      fmt::print(ctx.out, "fsync: stream {} seq {}..{}, inode {}: {}\n", f.stream, f.first_seq,
                 f.last_seq, f.record.inum,
                 f.applied ? std::string("applied") : "not applied: " + f.not_applied);
    }
    fsyncs.push_back(Json{{"stream", f.stream}, {"first_seq", f.first_seq},
                          {"last_seq", f.last_seq}, {"blocks", f.blocks},
                          {"inode", f.record.inum}, {"applied", f.applied},
                          {"not_applied", f.applied ? Json(nullptr) : Json(f.not_applied)}});
  }
  const ViewInfo& v = s.view();
  if (!ctx.json && !v.streams_note.empty()) {
    fmt::print(ctx.out, "the fsyncs are not applied to what is shown: {}\n", v.streams_note);
  }
  if (ctx.json) {
    Json doc = json_document("streams");
    doc["delta"] = sb.delta;
    doc["fsync_mode"] = fsync_mode_name(sb.fsync_mode);
    doc["stream_count"] = sb.stream_count;
    doc["streams"] = std::move(streams);
    doc["fsyncs"] = std::move(fsyncs);
    doc["not_applied"] = v.streams_note.empty() ? Json(nullptr) : Json(v.streams_note);
    ctx.emit(doc);
  }
  return Status::ok();
}

}  // namespace tux3::debugfs
