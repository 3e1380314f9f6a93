// mkfs.tux3: make a tux3 volume on a block device or image file.
// Options -> prepare_target -> plan_volume -> write_volume -> report. Exit codes: see
// man/mkfs.tux3.8 (0 done, 1 refused, 2 target or I/O error, 16 usage).
#include <sys/random.h>

#include <cstdlib>
#include <ctime>
#include <iostream>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "target.h"
#include "tuxdisk/mkfs.h"
#include "tuxdisk/size_parse.h"
#include "tuxdisk/trace_device.h"
#include "tuxdisk/version.h"
#include "report.h"

namespace po = boost::program_options;
using namespace tux3;

namespace {

constexpr int kExitOk = 0, kExitRefused = 1, kExitError = 2, kExitUsage = 16;

int fail(int code, const std::string& message) {
  fmt::print(stderr, "mkfs.tux3: {}\n", message);
  return code;
}

Result<format::Timestamp> creation_time() {
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) {
    char* end = nullptr;
    errno = 0;
    long long sec = std::strtoll(epoch, &end, 10);
    if (errno || end == epoch || *end || sec < 0) {
      return Status::invalid_argument(
          fmt::format("SOURCE_DATE_EPOCH '{}' is not a non-negative integer", epoch));
    }
    return format::Timestamp{sec, 0};
  }
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return format::Timestamp{ts.tv_sec, uint32_t(ts.tv_nsec)};
}

format::Uuid random_uuid() {
  format::Uuid u{};
  ssize_t n = getrandom(u.data(), u.size(), 0);
  (void)n;  // getrandom for 16 bytes cannot be short once the pool is initialised
  u[6] = uint8_t((u[6] & 0x0f) | 0x40);  // version 4
  u[8] = uint8_t((u[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return u;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description visible("Options");
  visible.add_options()
      ("block-size,b", po::value<std::string>()->default_value("4096"),
       "block size in bytes: a power of two from 512 to 65536")
      ("label,L", po::value<std::string>()->default_value(""), "volume label (up to 63 bytes)")
      ("uuid,U", po::value<std::string>(), "volume UUID (default: random)")
      ("force,f", po::value<std::vector<std::string>>()->zero_tokens()->composing(),
       "format even if the target holds a filesystem, RAID member or partition "
                  "table; twice: also skip the exclusive open of a busy device")
      ("dry-run,n", "print the geometry, write nothing")
      ("discard", "discard (TRIM / punch) the whole target before formatting")
      ("root-owner", po::value<std::string>(), "UID:GID of the root directory "
                                                "(default: the caller's)")
      ("fsync-mode", po::value<std::string>()->default_value("stream"),
       "volume default fsync mode: stream or delta")
      ("quiet,q", "print nothing but errors")
      ("version,V", "print the version and exit")
      ("help,h", "print this help and exit");
  po::options_description hidden;
  hidden.add_options()("target", po::value<std::string>())("size", po::value<std::string>());
  po::options_description all;
  all.add(visible).add(hidden);
  po::positional_options_description positional;
  positional.add("target", 1).add("size", 1);

  po::variables_map vm;
  int force = 0;  // -f may be repeated: count the occurrences
  try {
    po::parsed_options parsed =
        po::command_line_parser(argc, argv).options(all).positional(positional).run();
    for (const po::option& o : parsed.options) force += o.string_key == "force";
    po::store(parsed, vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return fail(kExitUsage, fmt::format("{} (try --help)", e.what()));
  }
  if (vm.count("help")) {
    std::cout << "Usage: mkfs.tux3 [options] DEVICE|FILE [SIZE]\n"
                 "Make a tux3 volume. SIZE (k/m/g/t suffixes) creates or extends an image "
                 "file.\n\n"
              << visible;
    return kExitOk;
  }
  if (vm.count("version")) {
    fmt::print("mkfs.tux3 (tux3-tools) {}, on-disk format {}\n", suite_version(),
               format::kFormatVersion);
    return kExitOk;
  }
  if (!vm.count("target")) return fail(kExitUsage, "no DEVICE or FILE given (try --help)");

  MkfsOptions options;
  auto block_size = parse_size(vm["block-size"].as<std::string>());
  if (!block_size || *block_size < 512 || *block_size > 65536 ||
      (*block_size & (*block_size - 1))) {
    return fail(kExitUsage, fmt::format("block size '{}': must be a power of two from 512 to "
                                        "65536", vm["block-size"].as<std::string>()));
  }
  options.block_bits = unsigned(__builtin_ctzll(*block_size));
  options.label = vm["label"].as<std::string>();
  if (options.label.size() > format::kMaxLabelLen) {
    return fail(kExitUsage, fmt::format("label '{}': longer than {} bytes", options.label,
                                        format::kMaxLabelLen));
  }
  if (vm.count("uuid")) {
    auto uuid = format::parse_uuid(vm["uuid"].as<std::string>());
    if (!uuid) return fail(kExitUsage, fmt::format("UUID '{}': not a valid UUID",
                                                   vm["uuid"].as<std::string>()));
    options.uuid = *uuid;
  } else {
    options.uuid = random_uuid();
  }
  std::string mode = vm["fsync-mode"].as<std::string>();
  if (mode != "stream" && mode != "delta") {
    return fail(kExitUsage, fmt::format("fsync mode '{}': must be stream or delta", mode));
  }
  options.fsync_mode = mode == "delta" ? format::FsyncMode::kDelta : format::FsyncMode::kStream;
  options.root_uid = getuid();
  options.root_gid = getgid();
  if (vm.count("root-owner")) {
    unsigned uid, gid;
    char extra;
    if (std::sscanf(vm["root-owner"].as<std::string>().c_str(), "%u:%u%c", &uid, &gid, &extra) !=
        2) {
      return fail(kExitUsage, fmt::format("root owner '{}': expected UID:GID",
                                          vm["root-owner"].as<std::string>()));
    }
    options.root_uid = uid;
    options.root_gid = gid;
  }
  auto now = creation_time();
  if (!now) return fail(kExitUsage, now.status().message());
  options.now = *now;

  mkfs::TargetRequest request;
  request.path = vm["target"].as<std::string>();
  request.force = force;
  request.dry_run = vm.count("dry-run") > 0;
  if (vm.count("size")) {
    auto size = parse_size(vm["size"].as<std::string>());
    if (!size) return fail(kExitUsage, size.status().message());
    request.size = *size;
  }
  bool quiet = vm.count("quiet") > 0;

  auto target = mkfs::prepare_target(request);
  if (!target) {
    Errc code = target.status().code();
    return fail(code == Errc::kBusy ? kExitRefused : kExitError, target.status().message());
  }
  if (!target->signatures.empty() && request.force == 0) {
    std::string found;
    for (const Signature& s : target->signatures) found += (found.empty() ? "" : "; ") + s.describe();
    return fail(kExitRefused, fmt::format("{}: contains {}; use -f to overwrite", request.path,
                                          found));
  }
  auto geometry = plan_volume(target->bytes, target->topology, options);
  if (!geometry) return fail(kExitError, fmt::format("{}: {}", request.path,
                                                     geometry.status().message()));
  if (request.dry_run) {
    if (!quiet) mkfs::print_geometry(request.path, *target, *geometry, options, true);
    return kExitOk;
  }
  if (!target->signatures.empty()) {
    auto wiped = wipe_signatures(target->device->fd());
    if (!wiped) return fail(kExitError, fmt::format("{}: {}", request.path,
                                                    wiped.status().message()));
  }
  if (vm.count("discard")) {
    Status s = target->device->discard(0, target->device->size());
    if (!s && s.code() != Errc::kNotSupported) return fail(kExitError, s.message());
  }
  TraceDevice counted(*target->device);
  Status written = write_volume(counted, *geometry, options);
  if (!written) return fail(kExitError, fmt::format("{}: {}", request.path, written.message()));
  if (!quiet) {
    mkfs::print_geometry(request.path, *target, *geometry, options, false);
    fmt::print("written: {} bytes in {} writes, {} flushes\n", counted.bytes_written(),
               counted.write_count(), counted.flush_count());
  }
  return kExitOk;
}
