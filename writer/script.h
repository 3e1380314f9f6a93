// script.h: tux3-writer's script language (man/tux3-writer.1, SCRIPT LANGUAGE): parse a
// whole script, then run it on an open volume.
//
// Contract:
//  - parse_script() reads every line before anything runs. Anything it rejects (unknown
//    command, wrong arguments, bad size/mode/option, unbalanced repeat/end, a variable
//    outside its loop, a bad quote or escape) is InvalidArgument with a one-line message
//    "SCRIPT:LINE: reason". A script that parses runs no command it could not bind: each
//    command is bound (checked and converted, command.h) at parse time with every loop
//    variable set to 0, and again with the real values when it runs.
//  - run_script() runs the steps in order on the volume and stops at the first failure,
//    which it describes (line, command, reason, whether it is a volume error). It never
//    closes the volume; whatever ran before the failure is in the engine's current state.
//  - `crash` stops the run at once, before any later command, with RunResult::crashed
//    set: the caller must then end the process without closing the volume (main.cc
//    calls _exit), as a power loss would stop it.
//  - A failure is a "volume error" when the engine or device reported EIO (I/O error,
//    corruption, or an engine stopped by a failed commit): the caller exits 2 for those,
//    1 for any other failure. expect-error never catches a volume error.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tuxdisk/status.h"
#include "tuxdisk/volume.h"

namespace tux3::writer {

// A piece of an argument: literal text, or the index of the loop at depth `level` (1 is the
// outermost repeat).
struct Segment {
  std::string text;
  unsigned level = 0;  // 0: literal text
};

// One argument: segments concatenated after substitution. Substitution never splits words.
struct Word {
  std::vector<Segment> segments;
  bool has_variables() const;
};

struct Step {
  int line = 0;
  std::string command;     // "write", "repeat", ... ("expect-error" is folded into expect)
  std::vector<Word> args;  // for expect-error: the wrapped command's arguments
  int expect_errno = 0;    // expect-error: the errno the command must fail with
  std::vector<Step> body;  // repeat: the steps up to the matching end
};

struct Script {
  std::string name;      // as given on the command line ("<stdin>" for -)
  std::string host_dir;  // relative host paths (copy) are resolved against this
  std::vector<Step> steps;
};

// Parses `text`, named `name` in messages; `host_dir` is stored in the result.
Result<Script> parse_script(std::string_view text, std::string name, std::string host_dir);

struct RunOptions {
  uint32_t uid = 0;   // owner of everything created
  uint32_t gid = 0;
  uint64_t seed = 0;  // for patterns when a command has no seed=
  std::function<format::Timestamp()> now;  // for touch without SECONDS
  // Called around every command that runs (not repeat/end), in this thread: before it
  // starts, and after it finished (successfully, or with the error expect-error wanted).
  // `args` are its arguments with loop variables substituted; `index` counts commands
  // run, from 0 (a loop's commands count each time). The crash tests snapshot the volume
  // after each command; --progress prints a line.
  using CommandHook =
      std::function<void(const Step& step, const std::vector<std::string>& args, uint64_t index)>;
  CommandHook before_command;
  CommandHook after_command;
};

struct RunFailure {
  int line = 0;
  std::string command;  // the command name
  std::string reason;   // one line
  bool volume_error = false;
  int err = 0;          // the errno the command failed with (0: a check mismatch)
};

struct RunResult {
  uint64_t ops = 0;  // commands run (each loop iteration counts; repeat/end do not)
  std::optional<RunFailure> failure;
  bool crashed = false;  // a `crash` command ran: nothing after it did
  // Each fsyncloop's report as a JSON object, in the order they ran (for --json).
  std::vector<std::string> fsyncloop_json;
};

RunResult run_script(const Script& script, Volume& volume, const RunOptions& options);

// "ENOENT" for ENOENT; the number as text when it has no name.
std::string errno_name(int err);
// ENOENT for "ENOENT" (and aliases such as ENOTSUP); 0 when unknown.
int errno_from_name(std::string_view name);

}  // namespace tux3::writer
