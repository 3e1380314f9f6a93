// progress.h: a progress bar on standard error, for long dumps and restores; drawn only
// when standard error is a terminal, at most ten times a second, and erased at the end.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace tux3::image_tool {

class ProgressBar {
 public:
  // No bar unless `wanted` and standard error is a terminal.
  ProgressBar(bool wanted, std::string label);
  ~ProgressBar() { clear(); }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // `phase` and how far it is: a bar when total is known, a count when it is 0.
  void update(std::string_view phase, uint64_t done, uint64_t total);
  // Erases the bar (so other output starts on a clean line).
  void clear();

 private:
  bool enabled_ = false;
  bool shown_ = false;
  std::string label_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace tux3::image_tool
