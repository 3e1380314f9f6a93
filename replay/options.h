// options.h: tux3-replay's command line, parsed into a mode and the library's ReplayOptions.
#pragma once

#include <optional>
#include <string>

#include "tuxdisk/replay.h"
#include "tuxdisk/status.h"

namespace tux3::replay {

enum class Mode {
  kReplay,  // replay_volume(): write the replayed state (or, with -n, only report it)
  kPrint,   // list_log(): print the superblocks, the log chain and the streams
};

enum class Verbosity { kQuiet, kNormal, kVerbose };

struct CommandLine {
  std::string device;
  Mode mode = Mode::kReplay;
  // dry_run, until_delta, apply_streams, stream_limit, force and the engine's clock.
  ReplayOptions replay;
  bool json = false;
  Verbosity verbosity = Verbosity::kNormal;
  bool help = false;
  bool version = false;
  std::string help_text;
};

// Parses argv. Any usage problem (unknown option, a bad or repeated --until-stream, a bad
// --until-delta, options that contradict each other, replay options with --print, a missing
// DEVICE, a bad SOURCE_DATE_EPOCH) is InvalidArgument with a one-line message.
Result<CommandLine> parse_command_line(int argc, char** argv);

}  // namespace tux3::replay
