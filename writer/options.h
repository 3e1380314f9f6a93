// options.h: tux3-writer's command line, parsed into the engine's and the script's options.
#pragma once

#include <optional>
#include <string>

#include "tuxdisk/status.h"
#include "tuxdisk/volume.h"

namespace tux3::writer {

struct CommandLine {
  std::string image;
  std::string script;  // a path, or "-" for standard input
  VolumeOptions volume;
  std::optional<format::Timestamp> fixed_time;  // --time, else SOURCE_DATE_EPOCH
  uint32_t uid = 0, gid = 0;
  uint64_t seed = 0;
  bool direct = false;  // O_DIRECT
  bool quiet = false;
  bool progress = false;  // a line after each command (for a test that kills the writer)
  bool json = false;
  bool help = false;
  bool version = false;
  std::string help_text;
};

// Parses argv. Any usage problem (unknown option, bad number or size, a missing IMAGE or
// SCRIPT, a bad SOURCE_DATE_EPOCH) is InvalidArgument with a one-line message.
Result<CommandLine> parse_command_line(int argc, char** argv);

}  // namespace tux3::writer
