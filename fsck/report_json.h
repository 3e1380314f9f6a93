// report_json.h: fsck.tux3's report as one JSON object on one line (--json; the schema is
// in fsck.tux3(8), JSON).
#pragma once

#include <string>

#include "outcome.h"
#include "progress.h"
#include "tuxdisk/check.h"

namespace tux3::fsck {

struct JsonContext {
  std::string device;
  CheckMode mode = CheckMode::kReadOnly;
  bool force = false;
  bool verbose = false;             // adds each pass's time
  const PassLog* passes = nullptr;
};

// The report of a check that ran.
void print_report_json(const CheckReport& report, const Outcome& outcome,
                       const JsonContext& context);
// A check that could not run: {"tool", "schema", "device", "exit_code", "error"}.
void print_error_json(const std::string& device, int exit_code, const std::string& error);

}  // namespace tux3::fsck
