// mkfs.tux3: make a tux3 volume on a block device or image file.
// parse -> inspect the target (changes nothing) -> refuse or plan -> create/extend -> wipe
// foreign signatures -> write -> report. Exit codes (man/mkfs.tux3.8): 0 done, 1 refused,
// 2 target or I/O error, 16 usage.
#include <unistd.h>

#include <fmt/format.h>

#include "options.h"
#include "report.h"
#include "target.h"
#include "tuxdisk/mkfs.h"
#include "tuxdisk/trace_device.h"
#include "tuxdisk/version.h"

using namespace tux3;

namespace {

constexpr int kExitOk = 0, kExitRefused = 1, kExitError = 2, kExitUsage = 16;

int fail(int code, const std::string& message) {
  fmt::print(stderr, "mkfs.tux3: {}\n", message);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = mkfs::parse_command_line(argc, argv);
  if (!parsed) return fail(kExitUsage, parsed.status().message());
  mkfs::Command& cmd = *parsed;
  if (cmd.help) {
    fmt::print("{}", cmd.help_text);
    return kExitOk;
  }
  if (cmd.version) {
    fmt::print("mkfs.tux3 (tux3-tools) {}, on-disk format {}\n", suite_version(),
               format::kFormatVersion);
    return kExitOk;
  }
  const std::string& path = cmd.request.path;

  auto target = mkfs::inspect_target(cmd.request);
  if (!target) {
    return fail(target.status().code() == Errc::kBusy ? kExitRefused : kExitError,
                target.status().message());
  }
  if (!target->signatures.empty() && cmd.request.force == 0) {
    std::string found;
    for (const Signature& s : target->signatures) {
      found += (found.empty() ? "" : "; ") + s.describe();
    }
    return fail(kExitRefused, fmt::format("{}: contains {}; use -f to overwrite", path, found));
  }
  auto geometry = plan_volume(target->bytes, target->topology, cmd.options);
  if (!geometry) return fail(kExitError, fmt::format("{}: {}", path, geometry.status().message()));
  if (cmd.request.dry_run) {
    if (!cmd.quiet) mkfs::print_geometry(path, *target, *geometry, cmd.options, true);
    return kExitOk;
  }

  // From here on the target changes. A file this run created is removed if formatting fails.
  Status s = mkfs::materialize_target(cmd.request, *target);
  if (s && !target->signatures.empty()) s = wipe_signatures(target->device->fd()).status();
  if (s && cmd.discard) {
    s = target->device->discard(0, target->bytes);
    if (s.code() == Errc::kNotSupported) s = Status::ok();
  }
  uint64_t bytes = 0, writes = 0, flushes = 0;
  if (s) {
    TraceDevice counted(*target->device);
    s = write_volume(counted, *geometry, cmd.options);
    bytes = counted.bytes_written();
    writes = counted.write_count();
    flushes = counted.flush_count();
  }
  if (!s) {
    if (target->create && target->device) ::unlink(path.c_str());
    return fail(kExitError, fmt::format("{}: {}", path, s.message()));
  }
  if (!cmd.quiet) {
    mkfs::print_geometry(path, *target, *geometry, cmd.options, false);
    fmt::print("written: {} bytes in {} writes, {} flushes\n", bytes, writes, flushes);
  }
  return kExitOk;
}
