// options.cc: tux3-image's subcommands and their options (Boost.Program_options).
#include "options.h"

#include <ctime>
#include <vector>

#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <zstd.h>

#include "cmdline.h"

namespace tux3::image_tool {
namespace {

namespace po = boost::program_options;

using cmdline::parse_decimal;
using cmdline::usage;

constexpr const char* kTopHelp =
    "Usage: tux3-image dump [options] SOURCE OUT|-\n"
    "       tux3-image restore [options] IN|- TARGET\n"
    "       tux3-image info [options] IN|-\n"
    "Dump a tux3 volume's metadata (or, with --data, all of it) into one compressed stream "
    "for a bug report, restore it as a sparse image, or describe a dump. See "
    "tux3-image(8).\n"
    "\n"
    "Commands:\n"
    "  dump      write a dump of SOURCE to OUT (- for standard output)\n"
    "  restore   write the volume a dump holds to TARGET (IN - for standard input)\n"
    "  info      print a dump's header and what it holds\n"
    "\n"
    "tux3-image COMMAND --help lists a command's options.\n"
    "  -V [ --version ]  print the version and exit\n"
    "  -h [ --help ]     print this help and exit\n";

// A command's own options parsed, with its operands (any number) and the options every
// command has (--version, --help): sets cmd.help_text, cmd.help and cmd.version.
Result<po::variables_map> parse_command(int argc, char** argv, po::options_description& visible,
                                        std::string_view synopsis, CommandLine& cmd,
                                        std::vector<std::string>& operands) {
  visible.add_options()
      ("version,V", "print the version and exit")
      ("help,h", "print this help and exit");
  po::options_description hidden;
  hidden.add_options()("operand", po::value<std::vector<std::string>>());
  po::positional_options_description positional;
  positional.add("operand", -1);
  TUX3_ASSIGN_OR_RETURN(cmdline::Parsed parsed,
                        cmdline::parse(argc, argv, visible, hidden, positional, synopsis));
  cmd.help_text = std::move(parsed.help_text);
  cmd.help = parsed.vm.count("help") > 0;
  cmd.version = parsed.vm.count("version") > 0;
  if (parsed.vm.count("operand")) operands = parsed.vm["operand"].as<std::vector<std::string>>();
  return std::move(parsed.vm);
}

// Exactly two operands, named as the synopsis names them.
Status take_operands(const std::vector<std::string>& ops, const char* first, const char* second,
                     std::string& a, std::string& b) {
  if (ops.empty()) return usage(fmt::format("no {} and {} given (try --help)", first, second));
  if (ops.size() < 2) return usage(fmt::format("no {} given (try --help)", second));
  if (ops.size() > 2) return usage(fmt::format("'{}': one {} and one {}", ops[2], first, second));
  a = ops[0];
  b = ops[1];
  if (a.empty() || b.empty()) return usage("an empty file name");
  return Status::ok();
}

Result<CommandLine> parse_dump(int argc, char** argv, CommandLine cmd) {
  po::options_description visible("Options");
  visible.add_options()
      ("data,d", "include every block that holds anything, not only metadata: restore then "
       "gives a byte-for-byte copy of the volume")
      ("scramble,s", "replace names, symlink targets and the label with keyed hashes of the "
       "same length and zero xattr values; the dump is of the volume as replay leaves it")
      ("scramble-key", po::value<std::string>()->value_name("KEY"),
       "the key of --scramble's hash (default: random, never stored): the same key gives "
       "the same names")
      ("previous-cycle", "also the previous unify cycle: the other superblock slot's log and "
       "the older tree blocks it names, for tux3-replay --until-delta of a delta before the "
       "last unify")
      ("level,z", po::value<std::string>()->value_name("N"),
       fmt::format("zstd compression level, 1 to {} (default {})", ZSTD_maxCLevel(),
                   kDefaultLevel).c_str())
      ("force,f", "overwrite OUT if it exists and is not empty")
      ("quiet,q", "no progress bar and no summary");
  std::vector<std::string> ops;
  TUX3_ASSIGN_OR_RETURN(
      po::variables_map vm,
      parse_command(argc, argv, visible,
                    "Usage: tux3-image dump [options] SOURCE OUT|-\n"
                    "Write the metadata of the tux3 volume on SOURCE (a device or image file) to "
                    "OUT as one compressed stream (- for standard output). See tux3-image(8).\n",
                    cmd, ops));
  if (cmd.help || cmd.version) return cmd;
  TUX3_RETURN_IF_ERROR(take_operands(ops, "SOURCE", "OUT", cmd.source, cmd.out));
  cmd.quiet = vm.count("quiet") > 0;
  cmd.force = vm.count("force") > 0;
  cmd.dump.data = vm.count("data") > 0;
  cmd.dump.scramble = vm.count("scramble") > 0;
  if (vm.count("scramble-key")) {
    if (!cmd.dump.scramble) return usage("--scramble-key without --scramble");
    cmd.dump.scramble_key = vm["scramble-key"].as<std::string>();
    if (cmd.dump.scramble_key.empty()) return usage("--scramble-key: an empty key");
  }
  cmd.dump.previous_cycle = vm.count("previous-cycle") > 0;
  if (cmd.dump.previous_cycle && (cmd.dump.data || cmd.dump.scramble)) {
    return usage(fmt::format("--previous-cycle is for a metadata dump: not with {}",
                             cmd.dump.data ? "--data" : "--scramble"));
  }
  if (cmd.dump.data && cmd.dump.scramble) {
    return usage("--data and --scramble contradict each other: the data would still be there");
  }
  cmd.dump.level = kDefaultLevel;
  if (vm.count("level")) {
    std::string text = vm["level"].as<std::string>();
    uint64_t level;
    if (!parse_decimal(text, uint64_t(ZSTD_maxCLevel()), level) || level == 0) {
      return usage(fmt::format("--level '{}': expected 1 to {}", text, ZSTD_maxCLevel()));
    }
    cmd.dump.level = int(level);
  }
  if (cmd.source == "-") return usage("SOURCE '-': a volume is read from a device or file");
  TUX3_ASSIGN_OR_RETURN(auto epoch, cmdline::source_date_epoch());
  cmd.dump.created_sec = epoch ? epoch->sec : int64_t(::time(nullptr));
  return cmd;
}

Result<CommandLine> parse_restore(int argc, char** argv, CommandLine cmd) {
  po::options_description visible("Options");
  visible.add_options()
      ("force,f", "restore onto an existing file that is not empty, or a block device that "
       "is in use")
      ("zero", "on a block device, write zeros over every block the dump does not hold "
       "(default: those blocks are left as they are)")
      ("quiet,q", "no progress bar and no summary");
  std::vector<std::string> ops;
  TUX3_ASSIGN_OR_RETURN(
      po::variables_map vm,
      parse_command(argc, argv, visible,
                    "Usage: tux3-image restore [options] IN|- TARGET\n"
                    "Write the volume the dump IN holds (- for standard input) to TARGET: a new "
                    "sparse image file, or a block device. See tux3-image(8).\n",
                    cmd, ops));
  if (cmd.help || cmd.version) return cmd;
  TUX3_RETURN_IF_ERROR(take_operands(ops, "IN", "TARGET", cmd.in, cmd.target));
  if (cmd.target == "-") return usage("TARGET '-': a volume is restored to a file or device");
  cmd.quiet = vm.count("quiet") > 0;
  cmd.force = vm.count("force") > 0;
  cmd.zero = vm.count("zero") > 0;
  return cmd;
}

Result<CommandLine> parse_info(int argc, char** argv, CommandLine cmd) {
  po::options_description visible("Options");
  visible.add_options()("json,j", "print the description as one JSON object");
  std::vector<std::string> ops;
  TUX3_ASSIGN_OR_RETURN(
      po::variables_map vm,
      parse_command(argc, argv, visible,
                    "Usage: tux3-image info [options] IN|-\n"
                    "Read the dump IN (- for standard input) whole, verifying it, and print its "
                    "header and what it holds. See tux3-image(8).\n",
                    cmd, ops));
  if (cmd.help || cmd.version) return cmd;
  if (ops.empty()) return usage("no IN given (try --help)");
  if (ops.size() > 1) return usage(fmt::format("'{}': info reads one dump", ops[1]));
  cmd.in = ops[0];
  if (cmd.in.empty()) return usage("an empty file name");
  cmd.json = vm.count("json") > 0;
  return cmd;
}

}  // namespace

Result<CommandLine> parse_command_line(int argc, char** argv) {
  CommandLine cmd;
  if (argc < 2) return usage("no command given: dump, restore or info (try --help)");
  std::string name = argv[1];
  if (name == "-h" || name == "--help") {
    cmd.help = true;
    cmd.help_text = kTopHelp;
    return cmd;
  }
  if (name == "-V" || name == "--version") {
    cmd.version = true;
    return cmd;
  }
  // The subcommand's own parser sees the subcommand as its program name.
  if (name == "dump") {
    cmd.command = Command::kDump;
    return parse_dump(argc - 1, argv + 1, std::move(cmd));
  }
  if (name == "restore") {
    cmd.command = Command::kRestore;
    return parse_restore(argc - 1, argv + 1, std::move(cmd));
  }
  if (name == "info") {
    cmd.command = Command::kInfo;
    return parse_info(argc - 1, argv + 1, std::move(cmd));
  }
  return usage(fmt::format("'{}': unknown command; expected dump, restore or info (try --help)",
                           name));
}

}  // namespace tux3::image_tool
