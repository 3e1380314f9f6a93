// tux3-image: dump a tux3 volume's metadata into one compressed stream, restore a dump, or
// describe one. parse the subcommand and its options -> run it (one library call:
// write_metadump, restore_metadump or MetadumpReader) -> exit code.
// Exit codes (man/tux3-image.8): 0 done, 8 operational error, 16 usage.
#include <csignal>
#include <cstdio>
#include <exception>

#include <fmt/format.h>

#include "cmdline.h"
#include "commands.h"

using namespace tux3;
using namespace tux3::image_tool;

namespace tux3::image_tool {

int fail(int code, const std::string& message) {
  fmt::print(stderr, "tux3-image: {}\n", message);
  return code;
}

}  // namespace tux3::image_tool

int main(int argc, char** argv) {
  // A closed pipe is a write error to report, not a signal to die of.
  std::signal(SIGPIPE, SIG_IGN);
  auto parsed = parse_command_line(argc, argv);
  if (!parsed) return fail(kExitUsage, parsed.status().message());
  const CommandLine& cmd = *parsed;
  if (cmd.help) {
    fmt::print("{}", cmd.help_text);
    return kExitOk;
  }
  if (cmd.version) {
    fmt::print("{}\n", cmdline::version_line("tux3-image"));
    return kExitOk;
  }
  try {
    switch (cmd.command) {
      case Command::kDump: return run_dump(cmd);
      case Command::kRestore: return run_restore(cmd);
      case Command::kInfo: return run_info(cmd);
      case Command::kNone: break;
    }
    return fail(kExitUsage, "no command given (try --help)");
  } catch (const std::exception& e) {
    // fmt reports a failed write to standard output by throwing.
    return fail(kExitError, fmt::format("standard output: {}", e.what()));
  }
}
