// options.cc: tux3-debugfs option parsing (Boost.Program_options through cmdline/).
#include "options.h"

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "cmdline.h"

namespace tux3::debugfs {

namespace po = boost::program_options;

Result<CommandLine> parse_command_line(int argc, char** argv) {
  po::options_description visible("Options");
  visible.add_options()
      ("write,w", "open for writing: the commands that change the volume work (through the "
       "writer engine, a delta per command) and so do set_super and corrupt")
      ("request,R", po::value<std::vector<std::string>>()->value_name("CMD")->composing(),
       "run CMD and exit (repeatable: the commands run in order)")
      ("file,f", po::value<std::string>()->value_name("FILE"),
       "run the commands in FILE, one a line ('-': standard input), and exit")
      ("keep-going,k", "batch mode: run every command even after one fails")
      ("no-echo", "batch mode with -f: do not print each command before its output")
      ("json,j", "every command that can prints one JSON document (one line) instead of text")
      ("no-replay", "show the volume as it is on disk: the log and fsync streams not applied")
      ("delta", po::value<std::string>()->value_name("N"),
       "show the volume as of delta N of the log (or the other superblock slot)")
      ("version,V", "print the version and exit")
      ("help,h", "print this help and exit");
  po::options_description hidden;
  hidden.add_options()("device", po::value<std::vector<std::string>>());
  po::positional_options_description positional;
  positional.add("device", -1);

  CommandLine cmd;
  TUX3_ASSIGN_OR_RETURN(
      cmdline::Parsed parsed,
      cmdline::parse(argc, argv, visible, hidden, positional,
                     "Usage: tux3-debugfs [options] DEVICE|FILE|DUMP\n"
                     "Look at (and with -w change) a tux3 volume, or a tux3-image dump of one, in "
                     "an interactive shell or in batch mode. See tux3-debugfs(8).\n"));
  const po::variables_map& vm = parsed.vm;
  cmd.help_text = std::move(parsed.help_text);
  cmd.help = vm.count("help") > 0;
  cmd.version = vm.count("version") > 0;
  if (cmd.help || cmd.version) return cmd;
  if (!vm.count("device")) return cmdline::usage("no DEVICE, FILE or DUMP given (try --help)");
  const auto& devices = vm["device"].as<std::vector<std::string>>();
  if (devices.size() > 1) {
    return cmdline::usage(fmt::format("'{}': one DEVICE, FILE or DUMP at a time", devices[1]));
  }
  cmd.open.path = devices[0];
  if (cmd.open.path.empty()) return cmdline::usage("empty DEVICE or FILE name");
  cmd.open.write = vm.count("write") > 0;
  cmd.open.replay = vm.count("no-replay") == 0;
  if (vm.count("delta")) {
    std::string text = vm["delta"].as<std::string>();
    uint64_t delta;
    if (!cmdline::parse_decimal(text, UINT64_MAX, delta)) {
      return cmdline::usage(fmt::format("--delta '{}': expected a delta number", text));
    }
    cmd.open.delta = delta;
  }
  if (cmd.open.write && cmd.open.delta) {
    return cmdline::usage("--delta shows an older state, which cannot be written: not with -w");
  }
  if (cmd.open.write && !cmd.open.replay) {
    return cmdline::usage("--no-replay shows the volume without its log, which cannot be written: "
                          "not with -w");
  }
  if (vm.count("request")) cmd.requests = vm["request"].as<std::vector<std::string>>();
  if (vm.count("file")) cmd.script = vm["file"].as<std::string>();
  if (cmd.script && !cmd.requests.empty()) return cmdline::usage("-R and -f contradict each other");
  cmd.shell.json = vm.count("json") > 0;
  cmd.shell.keep_going = vm.count("keep-going") > 0;
  // -f echoes each command before its output (as e2fsprogs' debugfs does), unless the
  // output is JSON (a sequence of documents) or --no-echo.
  cmd.shell.echo = cmd.script && !cmd.shell.json && vm.count("no-echo") == 0;
  TUX3_ASSIGN_OR_RETURN(cmd.open.clock, cmdline::source_date_epoch());
  return cmd;
}

}  // namespace tux3::debugfs
