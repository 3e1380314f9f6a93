// tux3-fuse: mount a tux3 volume through FUSE (man/tux3-fuse.8).
//
// parse options -> unless -f, fork: the engine starts threads, so the child does all that
// follows and tells the parent, through a pipe, that the mount is live or why it failed
// (the parent's exit status is what mount(8) or a script waits for) -> open the device
// (exclusively unless read-only) -> open the volume (replaying the log) -> FUSE session,
// mount, serve on worker threads until unmounted or signalled -> close the volume (a
// final commit and unify).
// Exit codes: 0 mounted (and, in the foreground, unmounted cleanly), 8 operational error
// (cannot open, not tux3, busy, mount failed, close failed), 16 usage.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cmdline.h"
#include "ops.h"
#include "options.h"
#include "volume_device.h"

using namespace tux3;

namespace {

constexpr int kExitOk = 0, kExitError = 8, kExitUsage = 16;
constexpr int kHelperUsage = 1, kHelperFailed = 32;  // mount(8)'s

// Where the child reports: a pipe to the waiting parent, or (in the foreground) stderr.
class Reporter {
 public:
  explicit Reporter(int fd) : fd_(fd) {}
  // One line, then the report is over.
  void done(int code, const std::string& message) {
    if (fd_ < 0) {
      if (!message.empty()) fmt::print(stderr, "tux3-fuse: {}\n", message);
      return;
    }
    std::string line = fmt::format("{} {}", code, message);
    (void)!::write(fd_, line.data(), line.size());
    ::close(fd_);
    fd_ = -1;
  }
  bool pending() const { return fd_ >= 0; }

 private:
  int fd_;
};

// fsname is the device path; commas in it would split libfuse's option list.
std::string escape_commas(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == ',' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

int serve(const fuse::MountOptions& opt, Reporter& report) {
  auto dev = cmdline::open_volume_device(opt.device, !opt.volume.read_only, opt.direct);
  if (!dev) {
    report.done(kExitError, cmdline::about(opt.device, dev.status()));
    return kExitError;
  }
  // A read-only mount still keeps writers out (they lock exclusively), or the volume
  // would change under it.
  if (opt.volume.read_only && ::flock((*dev)->fd(), LOCK_SH | LOCK_NB) != 0) {
    report.done(kExitError, fmt::format("{}: in use by a writer", opt.device));
    return kExitError;
  }
  auto volume = Volume::open(**dev, opt.volume);
  if (!volume) {
    report.done(kExitError, cmdline::about(opt.device, volume.status()));
    return kExitError;
  }
  fuse::Bridge bridge{**volume};
  bridge.timeout = opt.timeout_ms / 1000.0;
  bridge.writeback_cache = opt.writeback_cache;
  fuse_lowlevel_ops ops = fuse::make_ops();

  std::string joined;
  for (const std::string& o : opt.fuse_options) {
    if (!joined.empty()) joined += ',';
    joined += o.starts_with("fsname=") ? "fsname=" + escape_commas(o.substr(7)) : o;
  }
  std::vector<std::string> args = {"tux3-fuse", "-o", joined};
  if (opt.debug) args.push_back("-d");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  fuse_args fargs = FUSE_ARGS_INIT(int(argv.size()), argv.data());
  int code = kExitOk;
  std::string error;
  fuse_session* se = fuse_session_new(&fargs, &ops, sizeof ops, &bridge);
  if (!se) {
    error = "libfuse refused the session options (see above)";
    code = kExitError;
  } else if (fuse_set_signal_handlers(se) != 0) {
    error = "cannot install signal handlers";
    code = kExitError;
  } else if (fuse_session_mount(se, opt.mountpoint.c_str()) != 0) {
    error = fmt::format("{}: cannot mount (see above)", opt.mountpoint);
    code = kExitError;
    fuse_remove_signal_handlers(se);
  } else {
    report.done(kExitOk, "");
    fuse_loop_config* loop = fuse_loop_cfg_create();
    fuse_loop_cfg_set_max_threads(loop, opt.threads);
    // Threads stay once started (starting one per burst of requests costs more), and each
    // reads its own clone of the FUSE device, so they do not all queue on one.
    fuse_loop_cfg_set_idle_threads(loop, opt.threads);
    fuse_loop_cfg_set_clone_fd(loop, 1);
    int served = fuse_session_loop_mt(se, loop);
    fuse_loop_cfg_destroy(loop);
    fuse_session_unmount(se);
    fuse_remove_signal_handlers(se);
    if (served < 0) {
      fmt::print(stderr, "tux3-fuse: {}: serving failed: {}\n", opt.mountpoint,
                 std::strerror(-served));
      code = kExitError;
    }
  }
  if (se) fuse_session_destroy(se);
  fuse_opt_free_args(&fargs);
  // Unlinked inodes the kernel held are gone with it: the final commit destroys them.
  for (uint64_t ino : bridge.lookups.clear()) (void)(*volume)->release_file(ino);
  Status closed = (*volume)->close();
  if (!closed) {
    error = cmdline::about(opt.device, closed);
    code = kExitError;
  }
  if (report.pending()) report.done(code, error);
  else if (!closed) fmt::print(stderr, "tux3-fuse: {}\n", error);
  return code;
}

int mount_and_serve(fuse::MountOptions& opt) {
  // The serving process leaves the working directory: paths are made absolute first.
  for (std::string* path : {&opt.device, &opt.mountpoint}) {
    char* real = ::realpath(path->c_str(), nullptr);
    if (!real) {
      fmt::print(stderr, "tux3-fuse: {}: {}\n", *path, std::strerror(errno));
      return kExitError;
    }
    *path = real;
    std::free(real);
  }
  for (std::string& o : opt.fuse_options) {
    if (o.starts_with("fsname=")) o = "fsname=" + opt.device;
  }
  if (opt.foreground) {
    Reporter report(-1);
    return serve(opt, report);
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    fmt::print(stderr, "tux3-fuse: pipe: {}\n", std::strerror(errno));
    return kExitError;
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    fmt::print(stderr, "tux3-fuse: fork: {}\n", std::strerror(errno));
    return kExitError;
  }
  if (pid == 0) {
    ::close(fds[0]);
    ::setsid();
    if (::chdir("/") != 0) {
      // Only a working directory that stays busy; nothing depends on it.
    }
    Reporter report(fds[1]);
    return serve(opt, report);
  }
  ::close(fds[1]);
  std::string line;
  char buf[512];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    line.append(buf, std::size_t(n));
  }
  if (line.empty()) {
    fmt::print(stderr, "tux3-fuse: {}: the serving process ended before mounting\n",
               opt.device);
    return kExitError;
  }
  std::size_t space = line.find(' ');
  int code = std::atoi(line.substr(0, space).c_str());
  std::string message = space == std::string::npos ? "" : line.substr(space + 1);
  if (!message.empty()) fmt::print(stderr, "tux3-fuse: {}\n", message);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  // Called as mount.tux3, it is mount(8)'s helper: its arguments, and mount's exit codes
  // (1 for a bad invocation, 32 when the mount fails).
  std::string_view name = argv[0];
  name = name.substr(name.rfind('/') + 1);
  const bool helper = name == "mount.tux3";
  auto cmd = helper ? fuse::parse_helper_command_line(argc, argv)
                    : fuse::parse_command_line(argc, argv);
  if (!cmd) {
    fmt::print(stderr, "{}: {}\n", name, cmd.status().message());
    return helper ? kHelperUsage : kExitUsage;
  }
  if (helper && !cmd->help) {
    if (cmd->fake) return kExitOk;
    int code = mount_and_serve(*cmd);
    return code == kExitOk ? kExitOk : kHelperFailed;
  }
  if (cmd->help) {
    fmt::print("{}", cmd->help_text);
    return kExitOk;
  }
  if (cmd->version) {
    fmt::print("{}\n", cmdline::version_line("tux3-fuse"));
    return kExitOk;
  }
  return mount_and_serve(*cmd);
}
