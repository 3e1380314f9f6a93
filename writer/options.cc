// options.cc: tux3-writer option parsing (Boost.Program_options) and validation.
#include "options.h"


#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "cmdline.h"

#include "tuxdisk/size_parse.h"

namespace tux3::writer {
namespace {

namespace po = boost::program_options;

using cmdline::parse_decimal;
using cmdline::usage;

Result<uint64_t> number(const po::variables_map& vm, const char* name, uint64_t min,
                        uint64_t max) {
  std::string text = vm[name].as<std::string>();
  uint64_t v;
  if (!parse_decimal(text, max, v) || v < min) {
    return usage(fmt::format("--{} '{}': expected a whole number from {} to {}", name, text, min, max));
  }
  return v;
}

}  // namespace

Result<CommandLine> parse_command_line(int argc, char** argv) {
  po::options_description visible("Options");
  visible.add_options()
      ("quiet,q", "print nothing but errors")
      ("progress", "print \"done LINE COMMAND\" on standard output after each command, "
       "flushed at once")
      ("json", "print the statistics as one JSON object")
      ("time", po::value<std::string>(),
       "SECONDS since the epoch: every timestamp the run sets (default: SOURCE_DATE_EPOCH "
       "if set, else the real clock)")
      ("seed", po::value<std::string>()->default_value("0"), "default seed of the data patterns")
      ("uid", po::value<std::string>()->default_value("0"), "owner of everything created")
      ("gid", po::value<std::string>()->default_value("0"), "group of everything created")
      ("dirty-limit", po::value<std::string>()->default_value("64m"),
       "commit a delta when this much data is dirty (suffixes k, m, g)")
      ("delta-interval", po::value<std::string>()->default_value("0"),
       "commit a delta this many milliseconds after its first change (0: never)")
      ("unify-every", po::value<std::string>()->default_value("32"),
       "unify after this many deltas")
      ("cache-size", po::value<std::string>()->default_value("256m"),
       "keep at most this much clean data and inodes cached (suffixes k, m, g)")
      ("io-threads", po::value<std::string>()->default_value("4"),
       "threads writing each delta's blocks (0: the commit thread writes them)")
      ("stable-pages", "a write to a block under I/O waits for it instead of forking it "
       "(for measurement)")
      ("direct", "open IMAGE with O_DIRECT: writes reach the device, not the host's page cache")
      ("fsync-mode", po::value<std::string>(),
       "stream|delta: how fsync makes a file durable: through an fsync log stream, or by "
       "committing the whole delta (default: the volume's mkfs setting)")
      ("fsync-streams", po::value<std::string>(),
       "N: fsync log streams to use, 1 to 32 (default: the volume's count, or 4)")
      ("deterministic", "a triggered commit is waited for, so delta boundaries depend only "
       "on the script, never on timing")
      ("version,V", "print the version and exit")
      ("help,h", "print this help and exit");
  po::options_description hidden;
  hidden.add_options()("image", po::value<std::string>())("script", po::value<std::string>());
  po::positional_options_description positional;
  positional.add("image", 1).add("script", 1);

  CommandLine cmd;
  TUX3_ASSIGN_OR_RETURN(
      cmdline::Parsed parsed,
      cmdline::parse(argc, argv, visible, hidden, positional,
                     "Usage: tux3-writer [options] IMAGE SCRIPT|-\n"
                     "Run a script of file system operations (mkdir, write, link, rename, ...) "
                     "on the tux3 volume in IMAGE, then close it and print statistics. See "
                     "tux3-writer(1).\n"));
  const po::variables_map& vm = parsed.vm;
  cmd.help_text = std::move(parsed.help_text);
  cmd.help = vm.count("help") > 0;
  cmd.version = vm.count("version") > 0;
  if (cmd.help || cmd.version) return cmd;
  if (!vm.count("image")) return usage("no IMAGE given (try --help)");
  if (!vm.count("script")) return usage("no SCRIPT given (a file, or - for standard input)");
  cmd.image = vm["image"].as<std::string>();
  cmd.script = vm["script"].as<std::string>();
  cmd.quiet = vm.count("quiet") > 0;
  cmd.progress = vm.count("progress") > 0;
  cmd.json = vm.count("json") > 0;

  TUX3_ASSIGN_OR_RETURN(cmd.seed, number(vm, "seed", 0, UINT64_MAX));
  TUX3_ASSIGN_OR_RETURN(uint64_t uid, number(vm, "uid", 0, UINT32_MAX - 1));
  TUX3_ASSIGN_OR_RETURN(uint64_t gid, number(vm, "gid", 0, UINT32_MAX - 1));
  cmd.uid = uint32_t(uid);
  cmd.gid = uint32_t(gid);

  std::string limit = vm["dirty-limit"].as<std::string>();
  auto bytes = parse_size(limit);
  if (!bytes || *bytes == 0) {
    return usage(fmt::format("--dirty-limit '{}': expected a size above 0 (suffixes k, m, g)", limit));
  }
  cmd.volume.dirty_limit_bytes = *bytes;
  TUX3_ASSIGN_OR_RETURN(uint64_t interval, number(vm, "delta-interval", 0, UINT32_MAX - 1));
  // 0 is "no timer": commits then depend only on the script, never on how fast it ran.
  cmd.volume.delta_interval_ms = interval ? uint32_t(interval) : UINT32_MAX;
  TUX3_ASSIGN_OR_RETURN(uint64_t every, number(vm, "unify-every", 1, UINT32_MAX));
  cmd.volume.unify_every_deltas = uint32_t(every);
  std::string cache = vm["cache-size"].as<std::string>();
  auto cache_bytes = parse_size(cache);
  if (!cache_bytes) return usage(fmt::format("--cache-size '{}': expected a size (suffixes k, m, g)", cache));
  cmd.volume.cache_bytes = *cache_bytes;
  TUX3_ASSIGN_OR_RETURN(uint64_t io_threads, number(vm, "io-threads", 0, 64));
  cmd.volume.io_threads = unsigned(io_threads);
  cmd.volume.stable_pages = vm.count("stable-pages") > 0;
  cmd.volume.deterministic_deltas = vm.count("deterministic") > 0;
  cmd.direct = vm.count("direct") > 0;
  if (vm.count("fsync-mode")) {
    std::string mode = vm["fsync-mode"].as<std::string>();
    if (mode == "stream") cmd.volume.fsync_mode = format::FsyncMode::kStream;
    else if (mode == "delta") cmd.volume.fsync_mode = format::FsyncMode::kDelta;
    else return usage(fmt::format("--fsync-mode '{}': expected stream or delta", mode));
  }
  if (vm.count("fsync-streams")) {
    TUX3_ASSIGN_OR_RETURN(uint64_t streams, number(vm, "fsync-streams", 1, format::kMaxStreams));
    cmd.volume.fsync_streams = unsigned(streams);
  }

  if (vm.count("time")) {
    TUX3_ASSIGN_OR_RETURN(uint64_t sec, number(vm, "time", 0, uint64_t(INT64_MAX)));
    cmd.fixed_time = format::Timestamp{int64_t(sec), 0};
  } else {
    TUX3_ASSIGN_OR_RETURN(cmd.fixed_time, cmdline::source_date_epoch());
  }
  return cmd;
}

}  // namespace tux3::writer
