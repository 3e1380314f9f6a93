// dump.cc: tux3-image dump: open SOURCE read-only, open OUT (never over SOURCE, never a
// terminal, an existing file only with -f), write_metadump, report.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "cmdline.h"
#include "commands.h"
#include "tuxdisk/size_parse.h"
#include "progress.h"
#include "volume_device.h"

namespace tux3::image_tool {

namespace {

constexpr std::size_t kWarningsShown = 10;

// OUT, opened for writing; created is set when the file did not exist before.
Result<int> open_out(const CommandLine& cmd, bool& created) {
  created = false;
  if (cmd.out == "-") {
    if (::isatty(STDOUT_FILENO)) {
      return Status::invalid_argument(
          "standard output is a terminal: redirect it, or name an OUT file");
    }
    return STDOUT_FILENO;
  }
  struct stat out_st, source_st;
  if (::stat(cmd.out.c_str(), &out_st) == 0) {
    if (::stat(cmd.source.c_str(), &source_st) == 0 && out_st.st_dev == source_st.st_dev &&
        out_st.st_ino == source_st.st_ino) {
      return Status::invalid_argument(fmt::format("{}: is SOURCE itself", cmd.out));
    }
    if (S_ISDIR(out_st.st_mode)) {
      return Status::invalid_argument(fmt::format("{}: is a directory", cmd.out));
    }
    if (S_ISREG(out_st.st_mode) && out_st.st_size > 0 && !cmd.force) {
      return Status::exists(fmt::format("{}: exists and is not empty (-f overwrites it)", cmd.out));
    }
  } else {
    created = true;
  }
  int fd = ::open(cmd.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return Status::from_errno(errno, cmd.out);
  return fd;
}

std::string phase_name(const DumpProgress& p) {
  if (p.phase == DumpProgress::Phase::kScan) return "finding metadata:";
  return fmt::format("writing {}/{} blocks", p.done, p.total);
}

}  // namespace

int run_dump(const CommandLine& cmd) {
  auto device = cmdline::open_volume_device(cmd.source, false);
  if (!device) return fail(kExitError, cmdline::about(cmd.source, device.status()));
  bool created = false;
  auto fd = open_out(cmd, created);
  if (!fd) return fail(kExitError, fd.status().message());
  const bool to_stdout = cmd.out == "-";
  const std::string out_name = to_stdout ? "standard output" : cmd.out;
  auto give_up = [&](const Status& s) {
    if (!to_stdout) {
      ::close(*fd);
      if (created) ::unlink(cmd.out.c_str());
    }
    // Errors of the stream name it; everything else is about SOURCE.
    bool about_out = s.message().starts_with(out_name + ":");
    return fail(kExitError, about_out ? s.message() : cmdline::about(cmd.source, s));
  };

  ProgressBar bar(!cmd.quiet, cmd.source);
  DumpOptions options = cmd.dump;
  options.producer = cmdline::version_line("tux3-image");
  options.progress = [&](const DumpProgress& p) { bar.update(phase_name(p), p.done, p.total); };
  auto sink = fd_sink(*fd, out_name);
  auto report = write_metadump(**device, options, *sink);
  bar.clear();
  if (!report) {
    if (report.status().code() == Errc::kNotFound) {
      std::string why = report.status().message();
      if (why.starts_with(cmd.source + ": ")) why.erase(0, cmd.source.size() + 2);
      return give_up(Status::not_found(fmt::format("not a tux3 volume ({})", why)));
    }
    return give_up(report.status());
  }
  if (!to_stdout) {
    if (::fsync(*fd) != 0 || ::close(*fd) != 0) {
      Status s = Status::from_errno(errno, cmd.out);
      if (created) ::unlink(cmd.out.c_str());
      return fail(kExitError, s.message());
    }
  }

  // Damage the walk went around: the dump holds it as it is, for whoever reads it.
  const auto& problems = report->problems;
  for (std::size_t i = 0; i < problems.size() && i < kWarningsShown; ++i) {
    fmt::print(stderr, "tux3-image: warning: {}: {}\n", cmd.source, problems[i]);
  }
  if (problems.size() > kWarningsShown) {
    fmt::print(stderr, "tux3-image: warning: {}: and {} more problems (fsck.tux3 -fn lists "
               "them)\n", cmd.source, problems.size() - kWarningsShown);
  }
  if (!cmd.quiet) {
    const DumpCounts& c = report->counts;
    std::string what = cmd.dump.data ? "blocks" : cmd.dump.scramble ? "blocks of scrambled metadata"
                                                                    : "blocks of metadata";
    std::string line = fmt::format("{}: {} {} ({}) in {}: {}\n", cmd.source, c.blocks, what,
                                   format_size(c.blocks << report->header.block_bits),
                                   format_size(c.stream_bytes), out_name);
    if (to_stdout) {
      fmt::print(stderr, "{}", line);
    } else {
      fmt::print("{}", line);
    }
  }
  return kExitOk;
}

}  // namespace tux3::image_tool
