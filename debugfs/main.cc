// tux3-debugfs: look at every structure of a tux3 volume (or a tux3-image dump of one), and
// with -w change it. parse options -> open the volume (what cannot be opened is a warning,
// never the end) -> run the commands: -R, -f, or an interactive shell on a terminal ->
// close -> exit code.
// Exit codes (man/tux3-debugfs.8): 0 every command succeeded, 8 a command failed or the
// device could not be opened, 16 usage (the tool's options, or a command misused in batch
// mode).
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "cmdline.h"
#include "options.h"
#include "session.h"
#include "shell.h"
#include "volume_device.h"

using namespace tux3;
using namespace tux3::debugfs;

namespace {

constexpr int kExitOk = 0, kExitError = 8, kExitUsage = 16;

int fail(int code, const std::string& message) {
  fmt::print(stderr, "tux3-debugfs: {}\n", message);
  return code;
}

int run(Session& session, const CommandLine& cmd) {
  Shell shell(session, cmd.shell);
  if (!cmd.requests.empty()) return shell.run_lines(cmd.requests);
  if (cmd.script) {
    if (*cmd.script == "-") return shell.run_stream(stdin);
    FILE* in = std::fopen(cmd.script->c_str(), "re");
    if (!in) return fail(kExitError, fmt::format("{}: {}", *cmd.script, std::strerror(errno)));
    int status = shell.run_stream(in);
    std::fclose(in);
    return status;
  }
  if (isatty(STDIN_FILENO)) return shell.run_interactive();
  return shell.run_stream(stdin);  // commands piped in: batch mode
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = parse_command_line(argc, argv);
  if (!parsed) return fail(kExitUsage, parsed.status().message());
  const CommandLine& cmd = *parsed;
  if (cmd.help) {
    fmt::print("{}", cmd.help_text);
    return kExitOk;
  }
  if (cmd.version) {
    fmt::print("{}\n", cmdline::version_line("tux3-debugfs"));
    return kExitOk;
  }
  std::vector<std::string> warnings;
  auto session = Session::open(cmd.open, warnings);
  if (!session) {
    return fail(session.status().code() == Errc::kInvalidArgument ? kExitUsage : kExitError,
                cmdline::about(cmd.open.path, session.status()));
  }
  for (const std::string& w : warnings) {
    fmt::print(stderr, "tux3-debugfs: {}\n", cmdline::about(cmd.open.path, Status::corruption(w)));
  }
  int status = run(**session, cmd);
  if (Status closed = (*session)->close(); !closed) {
    fmt::print(stderr, "tux3-debugfs: {}\n", cmdline::about(cmd.open.path, closed));
    status = std::max(status, kExitError);
  }
  return status;
}
