// options.cc: fsck.tux3 option parsing. Single-letter flags it does not know are dropped
// before Boost.Program_options sees them, as fsck(8) expects of a helper.
#include "options.h"

#include <climits>
#include <string_view>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "cmdline.h"

namespace tux3::fsck {
namespace {

namespace po = boost::program_options;

using cmdline::usage;

// The letters fsck.tux3 knows. 'C' takes a value (the rest of the word, or the next one).
constexpr std::string_view kFlags = "npayfvVh";

// argv without the single-letter flags fsck.tux3 does not know, and without repeats of
// the ones it does (so "-fy -y" is "-fy"); the dropped unknown letters go to `ignored`.
std::vector<std::string> filter_flags(int argc, char** argv, std::vector<char>& ignored) {
  std::vector<std::string> out;
  std::string seen;
  for (int i = 0; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (i == 0 || arg.size() < 2 || arg[0] != '-' || arg[1] == '-') {
      out.emplace_back(arg);
      if (arg == "--") {
        for (++i; i < argc; ++i) out.emplace_back(argv[i]);
      }
      continue;
    }
    std::string kept = "-";
    bool value_follows = false;
    for (std::size_t j = 1; j < arg.size(); ++j) {
      char c = arg[j];
      if (c == 'C') {
        kept += arg.substr(j);
        value_follows = j + 1 == arg.size();
        break;
      }
      if (kFlags.find(c) == std::string_view::npos) {
        ignored.push_back(c);
      } else if (seen.find(c) == std::string::npos) {
        seen += c;
        kept += c;
      }
    }
    if (kept.size() > 1) out.push_back(kept);
    if (value_follows && i + 1 < argc) out.emplace_back(argv[++i]);
  }
  return out;
}

// Boost names an option that has only a short name "--C" in its messages: say "-C".
std::string short_names(std::string message) {
  for (char c : std::string(kFlags) + "C") {
    std::string boost_name = fmt::format("'--{}'", c);
    for (std::size_t at; (at = message.find(boost_name)) != std::string::npos;) {
      message.replace(at, boost_name.size(), fmt::format("'-{}'", c));
    }
  }
  return message;
}

}  // namespace

Result<CommandLine> parse_command_line(int argc, char** argv) {
  po::options_description visible("Options");
  visible.add_options()
      (",n", "check only: open the device read-only and write nothing")
      (",p", "preen: fix what is safe without a person; fix nothing if a problem needs one")
      (",a", "the same as -p")
      (",y", "fix every problem that can be fixed")
      (",f", "check the volume even if it is clean")
      (",C", po::value<std::string>()->value_name("FD"),
       "progress: \"PASS CUR MAX DEVICE\" lines on descriptor FD; 0: a progress bar on the "
       "terminal")
      ("verbose,v", "also print how long each pass took and what was found")
      ("json", "print the report as one JSON object")
      ("list-problems", "print the table of problems (tab-separated) and exit")
      ("version,V", "print the version and exit")
      ("help,h", "print this help and exit");
  po::options_description hidden;
  hidden.add_options()("device", po::value<std::vector<std::string>>());
  po::positional_options_description positional;
  positional.add("device", -1);

  CommandLine cmd;
  std::vector<std::string> args = filter_flags(argc, argv, cmd.ignored);
  std::vector<char*> filtered;
  for (std::string& a : args) filtered.push_back(a.data());
  auto result =
      cmdline::parse(int(filtered.size()), filtered.data(), visible, hidden, positional,
                     "Usage: fsck.tux3 [-n|-p|-a|-y] [-f] [-C FD] [-v] [--json] DEVICE|FILE\n"
                     "Check a tux3 volume and repair what is found. Without -n, -p or -y, ask "
                     "before each repair. See fsck.tux3(8).\n");
  if (!result) return usage(short_names(result.status().message()));
  cmdline::Parsed parsed = std::move(*result);
  const po::variables_map& vm = parsed.vm;
  cmd.help_text = std::move(parsed.help_text);
  cmd.help = vm.count("help") > 0;
  cmd.version = vm.count("version") > 0;
  cmd.list_problems = vm.count("list-problems") > 0;
  if (cmd.help || cmd.version || cmd.list_problems) return cmd;

  std::string modes;
  for (const char* flag : {"-n", "-p", "-a", "-y"}) {
    if (!vm.count(flag)) continue;
    if (flag[1] == 'a' && vm.count("-p")) continue;  // -p and -a are the same mode
    if (!modes.empty()) modes += " and ";
    modes += flag;
  }
  if (modes.find(" and ") != std::string::npos) {
    return usage(fmt::format("{} contradict each other: give one of -n, -p (-a) and -y", modes));
  }
  // Boost keys options that have only a short name by "-x".
  if (vm.count("-n")) cmd.mode = CheckMode::kReadOnly;
  if (vm.count("-p") || vm.count("-a")) cmd.mode = CheckMode::kPreen;
  if (vm.count("-y")) cmd.mode = CheckMode::kRepair;
  cmd.force = vm.count("-f") > 0;
  cmd.verbose = vm.count("verbose") > 0;
  cmd.json = vm.count("json") > 0;
  if (vm.count("-C")) {
    std::string text = vm["-C"].as<std::string>();
    uint64_t fd;
    if (!cmdline::parse_decimal(text, INT_MAX, fd)) {
      return usage(fmt::format("-C '{}': expected a file descriptor number (0: a progress bar)",
                               text));
    }
    cmd.progress_fd = int(fd);
  }

  if (!vm.count("device")) return usage("no DEVICE or FILE given (try --help)");
  const auto& devices = vm["device"].as<std::vector<std::string>>();
  if (devices.size() > 1) {
    return usage(fmt::format("'{}': only one DEVICE or FILE is checked at a time", devices[1]));
  }
  cmd.device = devices[0];
  if (cmd.device.empty()) return usage("empty DEVICE or FILE name");
  return cmd;
}

}  // namespace tux3::fsck
