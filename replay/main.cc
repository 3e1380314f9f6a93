// tux3-replay: replay the delta log and fsync streams of a tux3 volume after a crash, or
// print them. parse options -> open the device (read-only for -n and --print; else
// exclusively, never a mounted device) -> one library call (list_log or replay_volume) ->
// print the listing or report -> exit code.
// Exit codes (man/tux3-replay.8): 0 nothing to do, 1 replayed (-n: would replay), 4 damaged
// log or an older state with problems, 8 operational error, 16 usage.
#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "names.h"
#include "cmdline.h"
#include "volume_device.h"
#include "options.h"
#include "output.h"
#include "tuxdisk/file_device.h"
#include "tuxdisk/replay.h"

using namespace tux3;

namespace {

constexpr int kExitClean = 0, kExitReplayed = 1, kExitDamaged = 4, kExitError = 8,
              kExitUsage = 16;

int fail(int code, const std::string& message) {
  fmt::print(stderr, "tux3-replay: {}\n", message);
  return code;
}

int print_log(BlockDevice& device, const replay::CommandLine& cmd) {
  auto listing = list_log(device);
  if (!listing) return fail(kExitError, cmdline::about(cmd.device, listing.status()));
  if (cmd.verbosity != replay::Verbosity::kQuiet) {
    if (cmd.json) {
      replay::print_listing_json(*listing, cmd.device);
    } else {
      replay::print_listing_text(*listing, cmd.device);
    }
  }
  if (listing->damage) {
    std::fflush(stdout);
    return fail(kExitDamaged, replay::damage_message(*listing->damage, cmd.device));
  }
  return kExitClean;
}

int replay_log(BlockDevice& device, const replay::CommandLine& cmd) {
  auto report = replay_volume(device, cmd.replay);
  if (!report) {
    // InvalidArgument: the request (a delta not in the log, a discarding write without
    // --force). Everything else: the volume could not be read or written.
    return fail(report.status().code() == Errc::kInvalidArgument ? kExitUsage : kExitError,
                cmdline::about(cmd.device, report.status()));
  }
  replay::ReportContext context{cmd.device, cmd.replay.dry_run, cmd.verbosity};
  bool print = cmd.verbosity != replay::Verbosity::kQuiet;
  if (report->damage) {
    // Text: the one line on stderr says it all. JSON: the report carries the damage too.
    if (print && cmd.json) replay::print_report_json(*report, context);
    std::fflush(stdout);
    return fail(kExitDamaged, replay::damage_message(*report->damage, cmd.device));
  }
  if (print) {
    if (cmd.json) {
      replay::print_report_json(*report, context);
    } else {
      replay::print_report_text(*report, context);
    }
  }
  if (!report->intact) {
    std::fflush(stdout);
    std::string line = fmt::format("{}: {} the state of delta {}, which is not intact", cmd.device,
                                   report->wrote ? "wrote" : "would write", report->target_delta);
    const auto& problems = report->problems;
    if (!problems.empty()) line += ": " + problems.front();
    if (problems.size() > 1) line += fmt::format(" (and {} more problems)", problems.size() - 1);
    return fail(kExitDamaged, line);
  }
  return report->needed() ? kExitReplayed : kExitClean;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = replay::parse_command_line(argc, argv);
  if (!parsed) return fail(kExitUsage, parsed.status().message());
  const replay::CommandLine& cmd = *parsed;
  if (cmd.help) {
    fmt::print("{}", cmd.help_text);
    return kExitClean;
  }
  if (cmd.version) {
    fmt::print("{}\n", cmdline::version_line("tux3-replay"));
    return kExitClean;
  }
  bool write = cmd.mode == replay::Mode::kReplay && !cmd.replay.dry_run;
  auto device = cmdline::open_volume_device(cmd.device, write);
  if (!device) return fail(kExitError, cmdline::about(cmd.device, device.status()));
  try {
    if (cmd.mode == replay::Mode::kPrint) return print_log(**device, cmd);
    return replay_log(**device, cmd);
  } catch (const std::exception& e) {
    // fmt reports a failed write to standard output (a closed pipe while SIGPIPE is
    // ignored, a full disk) by throwing. Whatever replay wrote is a committed state.
    return fail(kExitError, fmt::format("standard output: {}", e.what()));
  }
}
