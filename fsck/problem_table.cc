// problem_table.cc: --list-problems, the library's table of problems as tab-separated
// lines (the man page's PROBLEMS table is checked against it: tests/cli/fsck_problems.sh).
#include <fmt/format.h>

#include "report_text.h"

namespace tux3::fsck {

void print_problem_table() {
  fmt::print("code\tid\tpass\tseverity\tpreen\tproblem\tfix\n");
  for (const ProblemInfo& p : all_problems()) {
    fmt::print("{}\t{}\t{}\t{}\t{}\t{}\t{}\n", problem_label(p.code), p.id, unsigned(p.pass),
               p.severity == Severity::kError ? "error" : "info", p.preen ? "yes" : "no",
               p.summary, p.fix);
  }
}

}  // namespace tux3::fsck
