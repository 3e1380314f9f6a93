// options.h: tux3-debugfs's own command line.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "session.h"
#include "shell.h"
#include "tuxdisk/status.h"

namespace tux3::debugfs {

struct CommandLine {
  OpenOptions open;
  ShellOptions shell;
  std::vector<std::string> requests;   // -R CMD, in order
  std::optional<std::string> script;   // -f FILE ("-": standard input)
  bool help = false;
  bool version = false;
  std::string help_text;
};

// Usage problems (an unknown option, -R with -f, -w with --delta or --no-replay, a bad
// --delta, no device, a bad SOURCE_DATE_EPOCH) are InvalidArgument, one line.
Result<CommandLine> parse_command_line(int argc, char** argv);

}  // namespace tux3::debugfs
