// output.h: what tux3-replay prints on standard output: the replay report and the log
// listing, each as text or as one JSON object (the schema is in tux3-replay(8), JSON).
#pragma once

#include <string>

#include "options.h"
#include "tuxdisk/replay.h"

namespace tux3::replay {

struct ReportContext {
  std::string device;
  bool dry_run = false;
  Verbosity verbosity = Verbosity::kNormal;
};

// report_text.cc: a few "key: value" lines (every delta, fsync, stream end and orphan too
// when verbose), the problems of a state that is not intact, or one line for a clean volume.
void print_report_text(const ReplayReport& report, const ReportContext& context);
// report_json.cc
void print_report_json(const ReplayReport& report, const ReportContext& context);

// listing_text.cc: both superblock slots, the log chain delta by delta and block by block
// with every record, every live stream block by block and where it ends.
void print_listing_text(const LogListing& listing, const std::string& device);
// listing_json.cc
void print_listing_json(const LogListing& listing, const std::string& device);

}  // namespace tux3::replay
