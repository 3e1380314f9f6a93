// options.h: fsck.tux3's command line (fsck(8) conventions), parsed into a mode and flags.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tuxdisk/check.h"
#include "tuxdisk/status.h"

namespace tux3::fsck {

struct CommandLine {
  std::string device;
  // -n, -p/-a, -y; nullopt when none was given (ask if standard input is a terminal).
  std::optional<CheckMode> mode;
  bool force = false;             // -f
  std::optional<int> progress_fd; // -C FD (0: a progress bar on the terminal)
  bool verbose = false;           // -v
  bool json = false;              // --json
  bool help = false;
  bool version = false;
  bool list_problems = false;     // --list-problems
  std::vector<char> ignored;      // single-letter flags dropped (fsck(8) passes them on)
  std::string help_text;
};

// Parses argv. Single-letter flags fsck.tux3 does not know are dropped first (and listed
// in `ignored`), as fsck(8) expects of a helper; everything else wrong (an unknown long
// option, modes that contradict each other, a bad -C value, no DEVICE or two) is
// InvalidArgument with a one-line message.
Result<CommandLine> parse_command_line(int argc, char** argv);

}  // namespace tux3::fsck
