// report_text.h: fsck.tux3's report as text, modelled on e2fsck's: a header, a line per
// pass with the problems of that pass under it (each with its fix and outcome), then a
// summary. Deterministic unless verbose (which adds times), so golden tests can pin it.
#pragma once

#include <string>
#include <string_view>

#include "outcome.h"
#include "progress.h"
#include "tuxdisk/check.h"

namespace tux3::fsck {

struct TextContext {
  std::string device;
  CheckMode mode = CheckMode::kReadOnly;
  bool verbose = false;
  const PassLog* passes = nullptr;  // which passes ran, and their times
  bool header_printed = false;      // the interactive questions printed it already
};

// "fsck.tux3 (tux3-tools) VERSION, on-disk format N": the first line of a report (not in
// preen mode) and the -V line.
std::string header_line();
// "P0601 link-count: DETAIL": a problem as every output prints it.
std::string problem_line(const Problem& problem);
// `text` with its first letter upper-case ("set it ..." -> "Set it ...").
std::string capitalized(std::string_view text);

// On standard output. Preen mode prints no header and no pass lines, and starts every line
// with "DEVICE: " (fsck -A runs checkers in parallel), as e2fsck -p does.
void print_report_text(const CheckReport& report, const Outcome& outcome,
                       const TextContext& context);

// --list-problems: the table of problems, one tab-separated line each: label, id, pass,
// severity, preen (yes/no), summary, fix ("" when none); a header line first.
void print_problem_table();

}  // namespace tux3::fsck
