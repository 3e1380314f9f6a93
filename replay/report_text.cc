// report_text.cc: tux3-replay's report of a replay (or dry run) as "key: value" lines.
#include <map>

#include <fmt/format.h>

#include "names.h"
#include "output.h"

namespace tux3::replay {

using namespace format;

namespace {

std::string plural(uint64_t n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

std::string numbers(const std::vector<uint64_t>& values) {
  std::vector<std::string> words;
  for (uint64_t v : values) words.push_back(fmt::format("{}", v));
  return join(words, " ");
}

std::string range(const std::vector<uint64_t>& values) {
  if (values.size() == 1) return fmt::format("{}", values.front());
  return fmt::format("{} to {}", values.front(), values.back());
}

std::string target_line(const ReplayReport& r) {
  if (r.target_delta == r.committed.delta) {
    return fmt::format("delta {}, the committed state", r.target_delta);
  }
  if (r.discarded.empty()) return fmt::format("delta {}, an older state", r.target_delta);
  return fmt::format("delta {}, an older state: discards committed delta{} {}", r.target_delta,
                     r.discarded.size() == 1 ? "" : "s", range(r.discarded));
}

std::string log_line(const ReplayReport& r) {
  std::vector<uint64_t> deltas;
  for (const LogDeltaInfo& d : r.deltas) deltas.push_back(d.delta);
  if (deltas.empty()) return "empty";
  return fmt::format("{} ({}), {}, {}", plural(deltas.size(), "delta"), range(deltas),
                     plural(r.log_blocks, "block"), plural(r.log_records, "record"));
}

std::string fsyncs_line(const ReplayReport& r) {
  std::map<uint16_t, std::pair<uint64_t, uint64_t>> by_stream;  // applied, not applied
  for (const StreamInfo& s : r.streams) by_stream[s.stream];
  uint64_t applied = 0, skipped = 0;
  for (const FsyncReplayInfo& f : r.fsyncs) {
    auto& counts = by_stream[f.stream];
    (f.applied ? counts.first : counts.second)++;
    (f.applied ? applied : skipped)++;
  }
  if (by_stream.empty()) return "none (no live stream)";
  std::vector<std::string> parts;
  for (const auto& [stream, counts] : by_stream) {
    parts.push_back(fmt::format("stream {}: {} applied, {} not applied", stream, counts.first,
                                counts.second));
  }
  return fmt::format("{} applied, {} not applied ({})", applied, skipped, join(parts, "; "));
}

void print_verbose(const ReplayReport& r) {
  for (const LogDeltaInfo& d : r.deltas) {
    fmt::print("delta {}{}: {} ({}), {}\n", d.delta, d.unify ? " (unify)" : "",
               plural(d.blocks.size(), "block"), numbers(d.blocks), plural(d.records, "record"));
  }
  std::vector<std::string> kinds;
  for (std::size_t code = 0; code < r.records_by_code.size(); ++code) {
    if (!r.records_by_code[code]) continue;
    LogRecord rec{LogCode(code)};
    kinds.push_back(fmt::format("{} {}", record_name(rec), r.records_by_code[code]));
  }
  if (!kinds.empty()) fmt::print("records: {}\n", join(kinds, ", "));
  for (const FsyncReplayInfo& f : r.fsyncs) {
    std::string seq = f.first_seq == f.last_seq
                          ? fmt::format("seq {}", f.first_seq)
                          : fmt::format("seq {} to {}", f.first_seq, f.last_seq);
    fmt::print("fsync: stream {} {}: inode {}, size {}, {}, blocks {}: {}\n", f.stream, seq,
               f.record.inum, f.record.size, plural(f.record.extents.size(), "extent"),
               numbers(f.blocks), f.applied ? "applied" : "not applied: " + f.not_applied);
  }
  for (const StreamInfo& s : r.streams) {
    fmt::print("stream {}: ends at block {} (seq {}): {}{}\n", s.stream, s.end_block, s.end_seq,
               s.end_reason,
               s.incomplete_blocks
                   ? fmt::format("; {} of an unfinished fsync not applied",
                                 plural(s.incomplete_blocks, "block"))
                   : std::string());
  }
  for (uint64_t ino : r.orphans) fmt::print("orphan: inode {} destroyed\n", ino);
}

}  // namespace

void print_report_text(const ReplayReport& r, const ReportContext& c) {
  if (c.verbosity == Verbosity::kQuiet) return;
  if (r.clean) {
    fmt::print("{}: clean, nothing to replay (delta {})\n", c.device, r.committed.delta);
    return;
  }
  fmt::print("{}{}\n", c.dry_run ? "dry run, nothing written: " : "replayed: ", c.device);
  fmt::print("committed: delta {}\n", r.committed.delta);
  fmt::print("target: {}\n", target_line(r));
  fmt::print("log: {}\n", log_line(r));
  fmt::print("fsyncs: {}\n", fsyncs_line(r));
  fmt::print("orphans: {} destroyed\n", r.orphans.size());
  fmt::print("state: {}, {}\n", plural(r.inodes, "inode"), plural(r.free_blocks, "free block"));
  if (c.verbosity == Verbosity::kVerbose) print_verbose(r);
  if (r.target_delta != r.committed.delta) {
    fmt::print("intact: {}\n", r.intact ? std::string("yes")
                                        : "no, " + plural(r.problems.size(), "problem"));
  }
  for (const std::string& p : r.problems) fmt::print("problem: {}\n", p);
  if (r.wrote) {
    fmt::print("written: delta {}, clean\n", r.written_delta);
  } else {
    fmt::print("written: nothing\n");
  }
}

}  // namespace tux3::replay
