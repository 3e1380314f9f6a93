// options.cc: mkfs.tux3 option parsing (Boost.Program_options) and validation.
#include "options.h"

#include <sys/random.h>
#include <unistd.h>

#include <ctime>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "cmdline.h"

#include "tuxdisk/size_parse.h"

namespace tux3::mkfs {
namespace {

namespace po = boost::program_options;

using cmdline::parse_decimal;
using cmdline::usage;

Result<format::Timestamp> creation_time() {
  TUX3_ASSIGN_OR_RETURN(auto epoch, cmdline::source_date_epoch());
  if (epoch) return *epoch;
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return format::Timestamp{ts.tv_sec, uint32_t(ts.tv_nsec)};
}

format::Uuid random_uuid() {
  format::Uuid u{};
  // 16 bytes from getrandom never come back short once the pool is initialised; block
  // until it is rather than make a predictable UUID.
  while (getrandom(u.data(), u.size(), 0) != ssize_t(u.size())) {
  }
  u[6] = uint8_t((u[6] & 0x0f) | 0x40);  // version 4
  u[8] = uint8_t((u[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return u;
}

Status parse_owner(const std::string& text, uint32_t& uid, uint32_t& gid) {
  std::size_t colon = text.find(':');
  uint64_t u, g;
  // uid/gid 4294967295 is (uid_t)-1, "no owner": not a valid owner.
  if (colon == std::string::npos || !parse_decimal(text.substr(0, colon), UINT32_MAX - 1, u) ||
      !parse_decimal(text.substr(colon + 1), UINT32_MAX - 1, g)) {
    return usage(fmt::format("root owner '{}': expected UID:GID, each 0..4294967294", text));
  }
  uid = uint32_t(u);
  gid = uint32_t(g);
  return Status::ok();
}

}  // namespace

Result<Command> parse_command_line(int argc, char** argv) {
  po::options_description visible("Options");
  visible.add_options()
      ("block-size,b", po::value<std::string>()->default_value("4096"),
       "block size in bytes: a power of two from 512 to 65536")
      ("label,L", po::value<std::string>()->default_value(""), "volume label (up to 63 bytes)")
      ("uuid,U", po::value<std::string>(), "volume UUID (default: random)")
      ("force,f", po::value<std::vector<std::string>>()->zero_tokens()->composing(),
       "format even if the target holds a filesystem, RAID member or partition table; "
       "twice: also skip the exclusive open of a busy device")
      ("dry-run,n", "print the geometry, write nothing")
      ("discard", "discard (TRIM / punch holes in) the volume's range before formatting")
      ("root-owner", po::value<std::string>(),
       "UID:GID of the root directory (default: the caller's, or DIR's with --root-dir)")
      ("root-dir,d", po::value<std::string>()->value_name("DIR"),
       "copy the tree under DIR into the new volume (files, directories, symlinks, hard "
       "links, devices, FIFOs, sockets, owners, modes, times, xattrs)")
      ("fsync-mode", po::value<std::string>()->default_value("stream"),
       "volume default fsync mode: stream or delta")
      ("quiet,q", "print nothing but errors")
      ("version,V", "print the version and exit")
      ("help,h", "print this help and exit");
  po::options_description hidden;
  hidden.add_options()("target", po::value<std::string>())("size", po::value<std::string>());
  po::positional_options_description positional;
  positional.add("target", 1).add("size", 1);

  Command cmd;
  TUX3_ASSIGN_OR_RETURN(
      cmdline::Parsed parsed,
      cmdline::parse(argc, argv, visible, hidden, positional,
                     "Usage: mkfs.tux3 [options] DEVICE|FILE [SIZE]\n"
                     "Make a tux3 volume. SIZE (suffixes k, m, g, t, p: powers of 1024) creates "
                     "or extends an image file, or uses only that much of a device.\n",
                     [&](const po::parsed_options& raw) {
                       // -f twice (-ff) also overrides a busy device.
                       for (const po::option& o : raw.options) {
                         cmd.request.force += o.string_key == "force";
                       }
                     }));
  const po::variables_map& vm = parsed.vm;
  cmd.help_text = std::move(parsed.help_text);
  cmd.help = vm.count("help") > 0;
  cmd.version = vm.count("version") > 0;
  if (cmd.help || cmd.version) return cmd;
  if (!vm.count("target")) return usage("no DEVICE or FILE given (try --help)");

  MkfsOptions& o = cmd.options;
  std::string block_text = vm["block-size"].as<std::string>();
  auto block_size = parse_size(block_text);
  if (!block_size || *block_size < 512 || *block_size > 65536 ||
      (*block_size & (*block_size - 1))) {
    return usage(fmt::format("block size '{}': must be a power of two from 512 to 65536",
                             block_text));
  }
  o.block_bits = unsigned(__builtin_ctzll(*block_size));
  o.label = vm["label"].as<std::string>();
  if (o.label.size() > format::kMaxLabelLen || o.label.find('\0') != std::string::npos) {
    return usage(fmt::format("label '{}': longer than {} bytes", o.label, format::kMaxLabelLen));
  }
  if (vm.count("uuid")) {
    auto uuid = format::parse_uuid(vm["uuid"].as<std::string>());
    if (!uuid) return usage(fmt::format("UUID '{}': not a valid UUID", vm["uuid"].as<std::string>()));
    o.uuid = *uuid;
  } else {
    o.uuid = random_uuid();
  }
  std::string mode = vm["fsync-mode"].as<std::string>();
  if (mode != "stream" && mode != "delta") {
    return usage(fmt::format("fsync mode '{}': must be stream or delta", mode));
  }
  o.fsync_mode = mode == "delta" ? format::FsyncMode::kDelta : format::FsyncMode::kStream;
  o.root_uid = getuid();
  o.root_gid = getgid();
  if (vm.count("root-owner")) {
    TUX3_RETURN_IF_ERROR(parse_owner(vm["root-owner"].as<std::string>(), o.root_uid, o.root_gid));
    cmd.root_owner_given = true;
  }
  TUX3_ASSIGN_OR_RETURN(o.now, creation_time());
  if (std::getenv("SOURCE_DATE_EPOCH")) cmd.source_date_epoch = o.now.sec;
  if (vm.count("root-dir")) {
    cmd.root_dir = vm["root-dir"].as<std::string>();
    if (cmd.root_dir.empty()) return usage("--root-dir: empty directory name");
  }

  cmd.request.path = vm["target"].as<std::string>();
  cmd.request.dry_run = vm.count("dry-run") > 0;
  if (vm.count("size")) {
    TUX3_ASSIGN_OR_RETURN(uint64_t size, parse_size(vm["size"].as<std::string>()));
    cmd.request.size = size;
  }
  cmd.quiet = vm.count("quiet") > 0;
  cmd.discard = vm.count("discard") > 0;
  return cmd;
}

}  // namespace tux3::mkfs
