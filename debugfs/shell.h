// shell.h: running tux3-debugfs commands: one line at a time, from a batch (-R, -f) or an
// interactive terminal with line editing, history and completion (libedit).
//
// A line is tokenized (tokenize.h), its output redirected if it says so, the command looked
// up and run. Errors are printed on standard error as one line each, "tux3-debugfs: CMD:
// reason". Batch mode stops at the first command that fails unless keep_going; its exit
// status is 0 when every command succeeded, 8 when one failed, 16 when one was misused
// (the worst of them with keep_going). Interactive mode goes on after errors.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "session.h"

namespace tux3::debugfs {

enum class LineOutcome { kOk, kFailed, kUsage, kQuit };

struct ShellOptions {
  bool json = false;        // --json: every command that can prints JSON
  bool echo = false;        // print each batch line, as "tux3-debugfs: LINE", before running it
  bool keep_going = false;  // batch: run every line whatever fails
};

class Shell {
 public:
  Shell(Session& session, const ShellOptions& options) : session_(session), options_(options) {}

  LineOutcome execute(std::string_view line);
  // Runs the lines in order; returns the exit status.
  int run_lines(const std::vector<std::string>& lines);
  // Reads lines from `in` until its end; returns the exit status.
  int run_stream(FILE* in);
  // The interactive loop on a terminal; returns the exit status (0, or 8 if the volume
  // could not be closed).
  int run_interactive();

 private:
  // Runs one line in batch mode; false when the batch must stop.
  bool batch_line(const std::string& line, int& status);
  void check_cwd();

  Session& session_;
  ShellOptions options_;
};

// Where interactive history is kept: $TUX3_DEBUGFS_HISTORY (empty: none), else
// ~/.tux3_debugfs_history.
std::string history_path();

// Installs tab completion of command names and of paths in the volume (completion.cc).
// REQUIRES: session outlives the interactive loop; one interactive shell per process.
void install_completion(Session& session);

}  // namespace tux3::debugfs
