// progress.cc: progress lines (-C FD) and the progress bar (-C 0); see progress.h.
#include "progress.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

namespace tux3::fsck {

using namespace std::chrono_literals;

namespace {

constexpr auto kLineInterval = 200ms;  // -C FD: at most five lines a second
constexpr auto kBarInterval = 100ms;
constexpr int kBarWidth = 30;

}  // namespace

std::optional<double> PassLog::seconds(unsigned pass) const {
  if (pass >= kCheckPasses || !started[pass]) return std::nullopt;
  Clock::time_point stop = end;
  for (unsigned next = pass + 1; next < kCheckPasses; ++next) {
    if (started[next]) {
      stop = *started[next];
      break;
    }
  }
  return std::chrono::duration<double>(stop - *started[pass]).count();
}

Progress::Progress(std::optional<int> fd, std::string device) : device_(std::move(device)) {
  if (!fd) return;
  if (*fd > 0) {
    fd_ = *fd;
  } else if (::isatty(STDOUT_FILENO)) {
    bar_ = stdout;
  } else if (::isatty(STDERR_FILENO)) {
    bar_ = stderr;
  }
}

void Progress::update(const CheckProgress& p) {
  Clock::time_point now = Clock::now();
  unsigned pass = unsigned(p.pass);
  bool new_pass = pass < kCheckPasses && !log_.started[pass];
  if (new_pass) {
    log_.started[pass] = now;
    log_.last = std::max(log_.last, int(pass));
  }
  if (fd_ >= 0 && (new_pass || now - last_output_ >= kLineInterval)) {
    last_output_ = now;
    write_line(p);
  } else if (bar_ && (new_pass || now - last_output_ >= kBarInterval)) {
    last_output_ = now;
    draw_bar(p);
  }
}

void Progress::write_line(const CheckProgress& p) {
  // PASS counts from 1, as e2fsck's do.
  std::string line = fmt::format("{} {} {} {}\n", unsigned(p.pass) + 1, p.done, p.total, device_);
  std::size_t off = 0;
  while (off < line.size()) {
    ssize_t n = ::write(fd_, line.data() + off, line.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      fd_ = -1;  // the reader went away (SIGPIPE is ignored): the check goes on without it
      return;
    }
    off += std::size_t(n);
  }
}

void Progress::draw_bar(const CheckProgress& p) {
  double fraction = p.total ? std::min(1.0, double(p.done) / double(p.total)) : 0.0;
  double overall = (double(unsigned(p.pass)) + fraction) / kCheckPasses;
  int filled = int(overall * kBarWidth);
  fmt::print(bar_, "\r{}: |{:=<{}}{:<{}}| {:5.1f}%  pass {}/{}: {}\x1b[K", device_, "", filled,
             "", kBarWidth - filled, overall * 100, unsigned(p.pass) + 1, kCheckPasses,
             check_pass_name(p.pass));
  std::fflush(bar_);
  bar_shown_ = true;
}

void Progress::clear() {
  if (!bar_shown_) return;
  std::fputs("\r\x1b[K", bar_);
  std::fflush(bar_);
  bar_shown_ = false;
}

void Progress::finish() {
  log_.end = Clock::now();
  clear();
}

}  // namespace tux3::fsck
