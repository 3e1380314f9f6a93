// report_json.cc: the JSON report (report_json.h). Keys are in a fixed order; schema 1.
#include "report_json.h"

#include <nlohmann/json.hpp>
#include <fmt/format.h>

namespace tux3::fsck {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kSchema = 1;

Json document(const std::string& device) {
  return Json{{"tool", "fsck.tux3"}, {"schema", kSchema}, {"device", device}};
}

// Bytes that are not UTF-8 (a name in a detail) are replaced, never thrown about.
void print(const Json& doc) {
  fmt::print("{}\n", doc.dump(-1, ' ', false, Json::error_handler_t::replace));
}

const char* mode_name(CheckMode mode) {
  switch (mode) {
    case CheckMode::kReadOnly: return "read-only";
    case CheckMode::kPreen: return "preen";
    case CheckMode::kRepair: return "repair";
    case CheckMode::kAsk: return "ask";
  }
  return "read-only";
}

const char* outcome_name(Problem::Outcome o) {
  switch (o) {
    case Problem::Outcome::kFixed: return "fixed";
    case Problem::Outcome::kDeclined: return "declined";
    case Problem::Outcome::kReported: return "reported";
  }
  return "reported";
}

Json or_null(uint64_t value) { return value ? Json(value) : Json(nullptr); }

Json problem_json(const Problem& p) {
  const ProblemInfo& info = problem_info(p.code);
  return Json{{"code", problem_label(p.code)},
              {"number", unsigned(p.code)},
              {"id", info.id},
              {"pass", unsigned(info.pass)},
              {"severity", info.severity == Severity::kError ? "error" : "info"},
              {"preen", info.preen},
              {"detail", p.detail},
              {"inode", or_null(p.inode)},
              {"block", or_null(p.block)},
              {"fix", info.fix.empty() ? Json(nullptr) : Json(info.fix)},
              {"outcome", outcome_name(p.outcome)}};
}

}  // namespace

void print_report_json(const CheckReport& r, const Outcome& o, const JsonContext& c) {
  Json doc = document(c.device);
  doc["mode"] = mode_name(c.mode);
  doc["force"] = c.force;
  doc["exit_code"] = o.exit_code;
  doc["error"] = nullptr;
  doc["skipped"] = r.skipped;
  doc["replayed"] = r.replayed;
  doc["aborted"] = r.aborted;
  doc["cancelled"] = r.cancelled;
  doc["modified"] = o.modified;
  doc["committed_delta"] = r.committed_delta;
  doc["written_delta"] = or_null(r.written_delta);

  Json passes = Json::array();
  int last = r.skipped || !c.passes ? -1 : c.passes->last;
  for (int pass = 0; pass <= last; ++pass) {
    Json entry{{"pass", pass}, {"name", check_pass_name(CheckPass(pass))}};
    if (c.verbose) {
      auto seconds = c.passes->seconds(unsigned(pass));
      entry["seconds"] = seconds ? Json(*seconds) : Json(nullptr);
    }
    passes.push_back(std::move(entry));
  }
  doc["passes"] = std::move(passes);
  doc["counts"] = Json{{"inodes", r.inodes},
                       {"directories", r.directories},
                       {"regular_files", r.regular_files},
                       {"symlinks", r.symlinks},
                       {"others", r.others},
                       {"tree_nodes", r.tree_nodes},
                       {"data_blocks", r.data_blocks},
                       {"blocks_in_use", o.blocks_in_use},
                       {"free_blocks", r.free_blocks},
                       {"vol_blocks", r.vol_blocks}};
  Json problems = Json::array();
  for (const Problem& p : r.problems) problems.push_back(problem_json(p));
  doc["problems"] = std::move(problems);
  doc["totals"] = Json{{"errors", o.errors}, {"fixed", o.fixed}, {"left", o.left},
                       {"notes", o.notes}};
  doc["state_bytes"] = r.peak_state_bytes;
  print(doc);
}

void print_error_json(const std::string& device, int exit_code, const std::string& error) {
  Json doc = document(device);
  doc["exit_code"] = exit_code;
  doc["error"] = error;
  print(doc);
}

}  // namespace tux3::fsck
