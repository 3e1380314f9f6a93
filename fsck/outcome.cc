// outcome.cc: a check's exit code and counts (outcome.h).
#include "outcome.h"

namespace tux3::fsck {

Outcome outcome_of(const CheckReport& report) {
  Outcome o;
  for (const Problem& p : report.problems) {
    if (problem_info(p.code).severity != Severity::kError) {
      ++o.notes;
      continue;
    }
    ++o.errors;
    if (p.outcome == Problem::Outcome::kFixed) {
      ++o.fixed;
    } else {
      ++o.left;
    }
  }
  o.modified = report.replayed || report.written_delta != 0;
  o.blocks_in_use = report.skipped ? report.vol_blocks - report.free_blocks : report.blocks_in_use;
  if (report.cancelled) {
    o.exit_code = kExitCancelled;
  } else {
    o.exit_code = (o.fixed ? kExitFixed : 0) | (o.left ? kExitLeft : 0);
  }
  return o;
}

}  // namespace tux3::fsck
