// mkfs.tux3: make a tux3 volume on a block device or image file.
// parse -> check --root-dir -> inspect the target (changes nothing) -> refuse or plan ->
// create/extend -> wipe foreign signatures -> write -> copy the --root-dir tree -> report.
// Exit codes (man/mkfs.tux3.8): 0 done, 1 refused, 2 target, tree or I/O error, 16 usage.
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "cmdline.h"
#include "options.h"
#include "populate.h"
#include "report.h"
#include "target.h"
#include "tuxdisk/mkfs.h"
#include "tuxdisk/trace_device.h"

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
    fmt::print("{}\n", cmdline::version_line("mkfs.tux3"));
    return kExitOk;
  }
  const std::string& path = cmd.request.path;

  // --root-dir: the tree is checked before the target is looked at; the root directory
  // takes its mode, and its owner unless --root-owner says otherwise.
  mkfs::PopulateOptions populate;
  bool copy_tree = !cmd.root_dir.empty();
  if (copy_tree) {
    uint32_t mode, uid, gid;
    Status s = mkfs::check_root_dir(cmd.root_dir, mode, uid, gid);
    if (!s) return fail(kExitError, s.message());
    cmd.options.root_mode = mode;
    if (!cmd.root_owner_given) {
      cmd.options.root_uid = uid;
      cmd.options.root_gid = gid;
    }
    populate.root_dir = cmd.root_dir;
    populate.block_size = 1u << cmd.options.block_bits;
    populate.source_date_epoch = cmd.source_date_epoch;
  }

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
    mkfs::PopulateStats scanned;
    if (copy_tree) {
      struct stat st;
      if (::stat(path.c_str(), &st) == 0) populate.exclude = {{st.st_dev, st.st_ino}};
      auto r = mkfs::scan_tree(populate);
      if (!r) return fail(kExitError, r.status().message());
      scanned = *r;
    }
    if (cmd.quiet) return kExitOk;
    mkfs::print_geometry(path, *target, *geometry, cmd.options, true);
    if (copy_tree) {
      mkfs::print_population(cmd.root_dir, scanned, true);
      if (scanned.data_blocks > geometry->free_blocks) {
        fmt::print("warning: the data alone needs {} blocks, more than the {} free: the volume "
                   "is too small for the tree\n",
                   scanned.data_blocks, geometry->free_blocks);
      }
    }
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
  mkfs::PopulateStats copied;
  if (copy_tree) {
    struct stat st;
    if (::fstat(target->device->fd(), &st) == 0 && S_ISREG(st.st_mode)) {
      populate.exclude = {{st.st_dev, st.st_ino}};
    }
    auto r = mkfs::populate_volume(*target->device, populate);
    if (!r) {
      if (target->create) ::unlink(path.c_str());
      return fail(kExitError, r.status().message());  // it names the host path at fault
    }
    copied = *r;
  }
  if (!cmd.quiet) {
    mkfs::print_geometry(path, *target, *geometry, cmd.options, false);
    fmt::print("written: {} bytes in {} writes, {} flushes\n", bytes, writes, flushes);
    if (copy_tree) mkfs::print_population(cmd.root_dir, copied, false);
  }
  return kExitOk;
}
