// progress.cc: the progress bar (progress.h).
#include "progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

namespace tux3::image_tool {

namespace {
constexpr auto kInterval = std::chrono::milliseconds(100);
constexpr int kWidth = 30;
}  // namespace

ProgressBar::ProgressBar(bool wanted, std::string label)
    : enabled_(wanted && ::isatty(STDERR_FILENO)), label_(std::move(label)) {}

void ProgressBar::update(std::string_view phase, uint64_t done, uint64_t total) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (shown_ && now - last_ < kInterval) return;
  last_ = now;
  if (total == 0) {
    fmt::print(stderr, "\r{}: {} {}\x1b[K", label_, phase, done);
  } else {
    double fraction = std::min(1.0, double(done) / double(total));
    int filled = int(fraction * kWidth);
    fmt::print(stderr, "\r{}: |{:=<{}}{:<{}}| {:5.1f}%  {}\x1b[K", label_, "", filled, "",
               kWidth - filled, fraction * 100, phase);
  }
  std::fflush(stderr);
  shown_ = true;
}

void ProgressBar::clear() {
  if (!shown_) return;
  std::fputs("\r\x1b[K", stderr);
  std::fflush(stderr);
  shown_ = false;
}

}  // namespace tux3::image_tool
