// restore.cc: tux3-image restore: read the dump's header, prepare TARGET (a new or empty
// file sized as the dump's device, sparse; an existing file or a device in use only with
// -f; never IN itself), restore_metadump, report.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "cmdline.h"
#include "commands.h"
#include "tuxdisk/size_parse.h"
#include "progress.h"
#include "tuxdisk/file_device.h"
#include "volume_device.h"

namespace tux3::image_tool {

namespace {

struct Target {
  std::unique_ptr<FileDevice> device;
  bool block_device = false;
  bool created = false;  // the file did not exist: removed again on failure
};

// Makes `path` a regular file of `bytes` bytes, all holes: an empty or new file, or (with
// force) one whose old contents go.
Status size_file(const std::string& path, uint64_t bytes, bool create) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0), 0666);
  if (fd < 0) return Status::from_errno(errno, path);
  Status s;
  if (::ftruncate(fd, 0) != 0 || ::ftruncate(fd, off_t(bytes)) != 0) {
    s = Status::from_errno(errno, path);
  }
  ::close(fd);
  return s;
}

Result<Target> open_target(const CommandLine& cmd, const MetadumpHeader& header) {
  Target t;
  struct stat st, in_st;
  if (::stat(cmd.target.c_str(), &st) != 0) {
    if (errno != ENOENT) return Status::from_errno(errno, cmd.target);
    TUX3_RETURN_IF_ERROR(size_file(cmd.target, header.device_bytes, true));
    t.created = true;
  } else if (cmd.in != "-" && ::stat(cmd.in.c_str(), &in_st) == 0 &&
             st.st_dev == in_st.st_dev && st.st_ino == in_st.st_ino) {
    return Status::invalid_argument(fmt::format("{}: is IN itself", cmd.target));
  } else if (S_ISBLK(st.st_mode)) {
    t.block_device = true;
  } else if (S_ISREG(st.st_mode)) {
    if (st.st_size > 0 && !cmd.force) {
      return Status::exists(
          fmt::format("{}: exists and is not empty (-f overwrites it)", cmd.target));
    }
    TUX3_RETURN_IF_ERROR(size_file(cmd.target, header.device_bytes, false));
  } else {
    return Status::invalid_argument(
        fmt::format("{}: is neither a regular file nor a block device", cmd.target));
  }
  Result<std::unique_ptr<FileDevice>> device = Status::not_found("unopened");
  if (t.block_device && cmd.force) {
    FileDeviceOptions o;  // in use or mounted: -f takes the user's word for it
    device = FileDevice::open(cmd.target, o);
  } else {
    device = cmdline::open_volume_device(cmd.target, true);
  }
  if (!device) {
    if (t.created) ::unlink(cmd.target.c_str());
    Status s = device.status();
    if (s.code() == Errc::kBusy) {
      return Status::busy(fmt::format("{} (-f restores onto it anyway)",
                                      cmdline::about(cmd.target, s)));
    }
    return s;
  }
  t.device = std::move(*device);
  return t;
}

}  // namespace

int run_restore(const CommandLine& cmd) {
  const bool from_stdin = cmd.in == "-";
  if (from_stdin && ::isatty(STDIN_FILENO)) {
    return fail(kExitError, "standard input is a terminal: a dump is read from a pipe or a file");
  }
  int in_fd = from_stdin ? STDIN_FILENO : ::open(cmd.in.c_str(), O_RDONLY | O_CLOEXEC);
  if (in_fd < 0) return fail(kExitError, Status::from_errno(errno, cmd.in).message());
  auto source = fd_source(in_fd, from_stdin ? "standard input" : cmd.in);
  auto reader = MetadumpReader::open(*source);
  if (!reader) return fail(kExitError, reader.status().message());
  const MetadumpHeader& h = (*reader)->header();

  auto target = open_target(cmd, h);
  if (!target) return fail(kExitError, cmdline::about(cmd.target, target.status()));
  ProgressBar bar(!cmd.quiet, cmd.target);
  RestoreTarget kind = !target->block_device ? RestoreTarget::kSparseFile
                       : cmd.zero           ? RestoreTarget::kZeroedDevice
                                            : RestoreTarget::kDevice;
  Status s = restore_metadump(**reader, *target->device, kind,
                              [&](uint64_t done, uint64_t total) {
                                bar.update("restoring", done, total);
                              });
  bar.clear();
  if (!from_stdin) ::close(in_fd);
  if (!s) {
    target->device.reset();
    if (target->created) ::unlink(cmd.target.c_str());
    std::string line = cmdline::about(from_stdin ? "standard input" : cmd.in, s);
    if (!target->created) line += fmt::format(" ({} is incomplete)", cmd.target);
    return fail(kExitError, line);
  }
  if (!cmd.quiet) {
    const DumpCounts& c = (*reader)->counts();
    fmt::print("{}: {} blocks ({}) of the volume {} restored", cmd.target, c.blocks,
               format_size(c.blocks << h.block_bits), format::uuid_to_string(h.uuid));
    if (!target->block_device) {
      fmt::print(", a sparse file of {} bytes\n", h.device_bytes);
    } else if (cmd.zero) {
      fmt::print(", every other block of the volume zeroed\n");
    } else {
      fmt::print("; the {} other blocks of the volume were left as they were (--zero writes "
                 "zeros over them)\n", h.vol_blocks - c.blocks);
    }
  }
  return kExitOk;
}

}  // namespace tux3::image_tool
