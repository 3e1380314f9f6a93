// report_json.cc: tux3-replay's report of a replay (or dry run) as one JSON object.
#include <fmt/format.h>

#include "json_values.h"
#include "names.h"
#include "output.h"

namespace tux3::replay {

using namespace format;

void print_report_json(const ReplayReport& r, const ReportContext& c) {
  Json doc = json_document("report", c.device);
  doc["dry_run"] = c.dry_run;
  doc["committed_delta"] = r.committed.delta;
  doc["target_delta"] = r.target_delta;
  doc["clean"] = r.clean;
  doc["needed"] = r.needed();
  doc["discarded_deltas"] = r.discarded;

  Json deltas = Json::array();
  for (const LogDeltaInfo& d : r.deltas) deltas.push_back(json_delta(d));
  Json by_kind = Json::object();
  for (std::size_t code = 0; code < r.records_by_code.size(); ++code) {
    if (!r.records_by_code[code]) continue;
    by_kind[record_name(LogRecord{LogCode(code)})] = r.records_by_code[code];
  }
  doc["log"] = Json{{"deltas", std::move(deltas)},
                    {"blocks", r.log_blocks},
                    {"records", r.log_records},
                    {"records_by_kind", std::move(by_kind)}};

  Json fsyncs = Json::array();
  for (const FsyncReplayInfo& f : r.fsyncs) {
    Json entry{{"stream", f.stream},
               {"first_seq", f.first_seq},
               {"last_seq", f.last_seq},
               {"blocks", f.blocks},
               {"applied", f.applied},
               {"not_applied", nullptr},
               {"record", json_stream_record(f.record)}};
    if (!f.applied) entry["not_applied"] = f.not_applied;
    fsyncs.push_back(std::move(entry));
  }
  doc["fsyncs"] = std::move(fsyncs);
  Json streams = Json::array();
  for (const StreamInfo& s : r.streams) {
    streams.push_back(Json{{"stream", s.stream},
                           {"head", json_stream_head(s.head)},
                           {"end", json_stream_end(s)}});
  }
  doc["streams"] = std::move(streams);
  doc["orphans"] = r.orphans;
  doc["inodes"] = r.inodes;
  doc["free_blocks"] = r.free_blocks;
  doc["intact"] = r.intact;
  doc["problems"] = r.problems;
  doc["wrote"] = r.wrote;
  doc["written_delta"] = r.wrote ? Json(r.written_delta) : Json(nullptr);
  doc["damage"] = json_damage(r.damage);
  print_json(doc);
}

}  // namespace tux3::replay
