// options.cc: tux3-replay option parsing (Boost.Program_options) and validation.
#include "options.h"

#include <vector>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "cmdline.h"

#include "tuxdisk/format/constants.h"

namespace tux3::replay {
namespace {

namespace po = boost::program_options;

using cmdline::parse_decimal;
using cmdline::usage;

// --until-stream S:SEQ, into `limits`; each stream at most once.
Status add_stream_limit(const std::string& text, std::map<uint16_t, uint64_t>& limits) {
  std::size_t colon = text.find(':');
  uint64_t stream, seq;
  if (colon == std::string::npos ||
      !parse_decimal(std::string_view(text).substr(0, colon), format::kMaxStreams - 1, stream) ||
      !parse_decimal(std::string_view(text).substr(colon + 1), UINT64_MAX, seq)) {
    return usage(fmt::format("--until-stream '{}': expected STREAM:SEQ, STREAM 0 to {} and SEQ "
                             "a whole number (0: none of the stream's fsyncs)",
                             text, format::kMaxStreams - 1));
  }
  if (!limits.emplace(uint16_t(stream), seq).second) {
    return usage(fmt::format("--until-stream '{}': stream {} is limited twice", text, stream));
  }
  return Status::ok();
}

}  // namespace

Result<CommandLine> parse_command_line(int argc, char** argv) {
  po::options_description visible("Options");
  visible.add_options()
      ("dry-run,n", "replay in memory only and report what would be applied; write nothing "
       "(the device is opened read-only)")
      ("print,p", "print both superblocks, the log chain record by record and every live "
       "fsync stream block by block; apply nothing")
      ("json,j", "print the report or the listing as one JSON object")
      ("until-delta", po::value<std::string>()->value_name("N"),
       "replay the state of delta N of the log instead of the committed delta")
      ("until-stream", po::value<std::vector<std::string>>()->value_name("S:SEQ")->composing(),
       "apply stream S's fsyncs only up to sequence number SEQ (repeatable)")
      ("no-streams", "apply no fsync of the streams: the committed delta alone")
      ("force,f", "write a state that discards committed deltas or fsyncs")
      ("verbose,v", "list every delta, fsync, stream end and orphan")
      ("quiet,q", "print nothing but errors")
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
                     "Usage: tux3-replay [options] DEVICE|FILE\n"
                     "Replay the delta log and fsync streams of a tux3 volume after a crash and "
                     "write a clean state, or print them. See tux3-replay(8).\n"));
  const po::variables_map& vm = parsed.vm;
  cmd.help_text = std::move(parsed.help_text);
  cmd.help = vm.count("help") > 0;
  cmd.version = vm.count("version") > 0;
  if (cmd.help || cmd.version) return cmd;
  if (!vm.count("device")) return usage("no DEVICE or FILE given (try --help)");
  const auto& devices = vm["device"].as<std::vector<std::string>>();
  if (devices.size() > 1) {
    return usage(fmt::format("'{}': only one DEVICE or FILE is replayed at a time", devices[1]));
  }
  cmd.device = devices[0];
  if (cmd.device.empty()) return usage("empty DEVICE or FILE name");

  if (vm.count("quiet") && vm.count("verbose")) return usage("-q and -v contradict each other");
  cmd.verbosity = vm.count("quiet")     ? Verbosity::kQuiet
                  : vm.count("verbose") ? Verbosity::kVerbose
                                        : Verbosity::kNormal;
  cmd.json = vm.count("json") > 0;
  cmd.mode = vm.count("print") ? Mode::kPrint : Mode::kReplay;
  if (cmd.mode == Mode::kPrint) {
    for (const char* name : {"until-delta", "until-stream", "no-streams", "force"}) {
      if (vm.count(name)) {
        return usage(fmt::format("--{}: --print applies nothing; it takes no replay option",
                                 name));
      }
    }
  }

  ReplayOptions& r = cmd.replay;
  r.dry_run = vm.count("dry-run") > 0;
  r.force = vm.count("force") > 0;
  r.apply_streams = vm.count("no-streams") == 0;
  if (vm.count("until-delta")) {
    std::string text = vm["until-delta"].as<std::string>();
    uint64_t delta;
    if (!parse_decimal(text, UINT64_MAX, delta)) {
      return usage(fmt::format("--until-delta '{}': expected a delta number", text));
    }
    r.until_delta = delta;
  }
  if (vm.count("until-stream")) {
    if (!r.apply_streams) return usage("--until-stream and --no-streams contradict each other");
    for (const std::string& text : vm["until-stream"].as<std::vector<std::string>>()) {
      TUX3_RETURN_IF_ERROR(add_stream_limit(text, r.stream_limit));
    }
  }
  TUX3_ASSIGN_OR_RETURN(auto epoch, cmdline::source_date_epoch());
  if (epoch) r.engine.clock = [t = *epoch] { return t; };
  return cmd;
}

}  // namespace tux3::replay
