// report_text.cc: the text report (report_text.h).
//
//   fsck.tux3 (tux3-tools) 0.1.0, on-disk format 1
//   Pass 0: superblock
//   ...
//   Pass 6: link counts
//   P0601 link-count: inode 17: link count 3, 2 found
//     Set it to the number found? yes
//   ...
//
//   disk.img: ***** THE VOLUME WAS MODIFIED *****
//   disk.img: 11 inodes, 123/4096 blocks; 1 problem, 1 fixed
#include "report_text.h"

#include <cctype>
#include <vector>

#include <fmt/format.h>

#include "cmdline.h"

namespace tux3::fsck {
namespace {

std::string plural(uint64_t n, std::string_view word, std::string_view words = "") {
  if (n == 1) return fmt::format("1 {}", word);
  return words.empty() ? fmt::format("{} {}s", n, word) : fmt::format("{} {}", n, words);
}

bool is_error(const Problem& p) { return problem_info(p.code).severity == Severity::kError; }

// The line under a problem: its fix and what became of it; "" for none.
std::string fix_line(const Problem& p, CheckMode mode) {
  const ProblemInfo& info = problem_info(p.code);
  switch (p.outcome) {
    case Problem::Outcome::kFixed: return capitalized(info.fix) + "? yes";
    case Problem::Outcome::kDeclined: return capitalized(info.fix) + "? no";
    case Problem::Outcome::kReported: break;
  }
  if (!is_error(p)) return "";
  // Check only: what the fix would be, declined, as e2fsck -n says "Fix? no".
  if (mode == CheckMode::kReadOnly && !info.fix.empty()) return capitalized(info.fix) + "? no";
  return "(not fixed)";
}

std::string problems_text(const Outcome& o) {
  if (o.errors == 0) return "no problems";
  std::string text = fmt::format("{}, {} fixed", plural(o.errors, "problem"), o.fixed);
  if (o.left) text += fmt::format(", {} left", o.left);
  return text;
}

bool has(const CheckReport& r, ProblemCode code) {
  for (const Problem& p : r.problems) {
    if (p.code == code) return true;
  }
  return false;
}

std::string summary_line(const CheckReport& r, const Outcome& o) {
  if (r.cancelled) return "cancelled: no repair was written";
  std::string counts = fmt::format("{}, {}/{} blocks", plural(r.inodes, "inode"),
                                   o.blocks_in_use, r.vol_blocks);
  if (r.skipped) return "clean, " + counts;
  if (r.aborted) return "check stopped at the damaged log; " + problems_text(o);
  std::string log;
  if (r.replayed) {
    log = "log replayed; ";
  } else if (has(r, ProblemCode::kLogNotReplayed)) {
    log = "log not replayed (check only); ";
  }
  return counts + "; " + log + problems_text(o);
}

void print_verbose(const CheckReport& r, const std::string& prefix) {
  fmt::print("{}inodes: {} ({}, {}, {}, {} other)\n", prefix, r.inodes,
             plural(r.directories, "directory", "directories"),
             plural(r.regular_files, "regular file"), plural(r.symlinks, "symlink"), r.others);
  fmt::print("{}blocks: {} in use ({} tree nodes, {} file data), {} free, {} in all\n", prefix,
             r.blocks_in_use, r.tree_nodes, r.data_blocks, r.free_blocks, r.vol_blocks);
  fmt::print("{}checker state: {} bytes\n", prefix, r.peak_state_bytes);
  fmt::print("{}deltas: committed {}, written {}\n", prefix, r.committed_delta,
             r.written_delta ? fmt::format("{}", r.written_delta) : std::string("none"));
}

}  // namespace

std::string header_line() { return cmdline::version_line("fsck.tux3"); }

std::string problem_line(const Problem& p) {
  return fmt::format("{} {}: {}", problem_label(p.code), problem_info(p.code).id, p.detail);
}

std::string capitalized(std::string_view text) {
  std::string out(text);
  if (!out.empty()) out[0] = char(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

void print_report_text(const CheckReport& r, const Outcome& o, const TextContext& c) {
  const bool preen = c.mode == CheckMode::kPreen;
  const std::string prefix = preen ? c.device + ": " : "";
  if (!preen && !c.header_printed) fmt::print("{}\n", header_line());

  // The passes that ran (none for a skipped clean volume), each with its problems; a
  // problem is listed under the pass of the table that owns it.
  int last = r.skipped || !c.passes ? -1 : c.passes->last;
  for (const Problem& p : r.problems) last = std::max(last, int(problem_info(p.code).pass));
  for (int pass = 0; pass <= last; ++pass) {
    if (!preen) {
      std::string time;
      auto seconds = c.passes ? c.passes->seconds(unsigned(pass)) : std::nullopt;
      if (c.verbose && seconds) time = fmt::format(" ({:.3f} s)", *seconds);
      fmt::print("Pass {}: {}{}\n", pass, check_pass_name(CheckPass(pass)), time);
    }
    for (const Problem& p : r.problems) {
      if (int(problem_info(p.code).pass) != pass) continue;
      fmt::print("{}{}\n", prefix, problem_line(p));
      std::string fix = fix_line(p, c.mode);
      if (!fix.empty()) fmt::print("{}  {}\n", prefix, fix);
    }
  }
  if (c.verbose && !r.skipped && !r.cancelled && !r.aborted) print_verbose(r, prefix);
  if (c.verbose && c.passes) {
    fmt::print("{}time: {:.3f} s\n", prefix,
               std::chrono::duration<double>(c.passes->end - c.passes->begin).count());
  }
  if (o.modified) fmt::print("{}{}: ***** THE VOLUME WAS MODIFIED *****\n", preen ? "" : "\n", c.device);
  fmt::print("{}: {}\n", c.device, summary_line(r, o));
  if (preen && o.left) {
    fmt::print("{}: UNEXPECTED INCONSISTENCY; RUN fsck.tux3 MANUALLY (without -a or -p)\n",
               c.device);
  }
}

}  // namespace tux3::fsck
