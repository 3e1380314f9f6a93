// options.h: tux3-image's command lines: one subcommand (dump, restore, info), each with
// its own options, parsed into what the subcommand needs.
#pragma once

#include <optional>
#include <string>

#include "tuxdisk/metadump.h"
#include "tuxdisk/status.h"

namespace tux3::image_tool {

enum class Command { kNone, kDump, kRestore, kInfo };

struct CommandLine {
  Command command = Command::kNone;
  bool help = false;
  bool version = false;
  std::string help_text;
  bool quiet = false;
  bool force = false;
  // dump
  std::string source, out;
  DumpOptions dump;  // data, scramble, scramble_key, level, created_sec
  // restore
  std::string in, target;
  bool zero = false;
  // info (in: IN)
  bool json = false;
};

// The zstd level a dump uses unless told (chosen by measurement: see man/tux3-image.8).
inline constexpr int kDefaultLevel = 3;

// Parses argv. Usage problems (no or unknown subcommand, unknown option, missing or extra
// operands, options that contradict each other, a bad level or SOURCE_DATE_EPOCH) are
// InvalidArgument with a one-line message.
Result<CommandLine> parse_command_line(int argc, char** argv);

}  // namespace tux3::image_tool
