// fsck.tux3: check a tux3 volume and repair what is found, with fsck(8)'s flags and exit
// codes. Parse options -> the mode (asking only on a terminal) -> open the device
// (read-only for -n; else exclusively, never a mounted device) -> one library call,
// check_volume, with progress and questions -> the report, text or JSON -> exit code.
// Exit codes (outcome.h, man/fsck.tux3.8): 0 clean, 1 fixed, 4 errors left, 8 operational
// error, 16 usage, 32 cancelled.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include <fmt/format.h>

#include "ask.h"
#include "cmdline.h"
#include "volume_device.h"
#include "options.h"
#include "outcome.h"
#include "progress.h"
#include "report_json.h"
#include "report_text.h"

using namespace tux3;
using namespace tux3::fsck;

namespace {

// ^C or SIGTERM outside a question: stop at once, as a crash would. What was written is a
// committed delta (the replayed log, or the whole repair) or nothing (see fsck.tux3(8)).
extern "C" void on_interrupt(int) {
  static const char kMessage[] = "\nfsck.tux3: interrupted: cancelled\n";
  ssize_t n = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  (void)n;
  ::_exit(kExitCancelled);
}

void install_signals() {
  struct sigaction sa = {};
  sa.sa_handler = SIG_IGN;  // a closed -C pipe or stdout is an error to handle, not a death
  sigaction(SIGPIPE, &sa, nullptr);
  sa.sa_handler = on_interrupt;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

// One line on standard error (and with --json, the error document on standard output).
int fail(const CommandLine& cmd, int code, const std::string& message) {
  std::fflush(stdout);
  if (cmd.json && !cmd.device.empty()) print_error_json(cmd.device, code, message);
  std::fflush(stdout);
  fmt::print(stderr, "fsck.tux3: {}\n", message);
  return code;
}

// -C FD must name a descriptor open for writing (0, the terminal, always does).
Status check_progress_fd(const CommandLine& cmd) {
  if (!cmd.progress_fd || *cmd.progress_fd == 0) return Status::ok();
  int flags = ::fcntl(*cmd.progress_fd, F_GETFL);
  if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY) {
    return cmdline::usage(fmt::format("-C {}: file descriptor {} is not open for writing",
                                      *cmd.progress_fd, *cmd.progress_fd));
  }
  return Status::ok();
}

int run(const CommandLine& cmd) {
  CheckOptions options;
  options.force = cmd.force;
  if (cmd.mode) {
    options.mode = *cmd.mode;
  } else if (::isatty(STDIN_FILENO)) {
    options.mode = CheckMode::kAsk;
  } else {
    return fail(cmd, kExitError,
                fmt::format("{}: no terminal to ask on: give -n (check only), -p (fix what is "
                            "safe) or -y (fix everything)", cmd.device));
  }
  const bool write = options.mode != CheckMode::kReadOnly;
  auto device = cmdline::open_volume_device(cmd.device, write);
  if (!device) return fail(cmd, kExitError, cmdline::about(cmd.device, device.status()));

  Progress progress(cmd.progress_fd, cmd.device);
  options.progress = [&](const CheckProgress& p) { progress.update(p); };
  TextContext text{cmd.device, options.mode, cmd.verbose, &progress.passes()};
  // Questions go where the report goes when that is the terminal, else to standard error.
  const bool ask_on_stdout = !cmd.json && ::isatty(STDOUT_FILENO);
  Asker asker(ask_on_stdout ? stdout : stderr, [&] {
    progress.clear();
    if (ask_on_stdout && !text.header_printed) fmt::print("{}\n", header_line());
    text.header_printed = text.header_printed || ask_on_stdout;
  });
  if (options.mode == CheckMode::kAsk) options.ask = std::ref(asker);

  auto report = check_volume(**device, options);
  progress.finish();
  if (!report) return fail(cmd, kExitError, cmdline::about(cmd.device, report.status()));
  Outcome outcome = outcome_of(*report);
  if (cmd.json) {
    print_report_json(*report, outcome,
                      {cmd.device, options.mode, cmd.force, cmd.verbose, &progress.passes()});
  } else {
    print_report_text(*report, outcome, text);
  }
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    // The report is lost (a full disk, a closed pipe): that is the error to report.
    return fail(CommandLine{}, kExitError,
                fmt::format("standard output: {}; the check's exit status was {}",
                            std::strerror(errno), outcome.exit_code));
  }
  return outcome.exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = parse_command_line(argc, argv);
  if (!parsed) return fail(CommandLine{}, kExitUsage, parsed.status().message());
  const CommandLine& cmd = *parsed;
  try {
    if (cmd.help) {
      fmt::print("{}", cmd.help_text);
      return kExitClean;
    }
    if (cmd.version) {
      fmt::print("{}\n", header_line());
      return kExitClean;
    }
    if (cmd.list_problems) {
      print_problem_table();
      return kExitClean;
    }
    if (Status s = check_progress_fd(cmd); !s) return fail(cmd, kExitUsage, s.message());
    if (cmd.verbose) {
      for (char c : cmd.ignored) fmt::print(stderr, "fsck.tux3: -{} ignored\n", c);
    }
    install_signals();
    return run(cmd);
  } catch (const std::exception& e) {
    // fmt reports a failed write to standard output (a closed pipe, a full disk) by
    // throwing. Whatever was written to the volume is a committed delta. (No JSON: standard
    // output is what failed.)
    return fail(CommandLine{}, kExitError, fmt::format("standard output: {}", e.what()));
  }
}
