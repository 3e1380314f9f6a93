// progress.h: the check's progress as fsck(8) helpers give it (-C FD: "PASS CUR MAX
// DEVICE" lines, the protocol systemd-fsck reads; -C 0: a bar on the terminal), and when
// each pass started, for the verbose report.
#pragma once

#include <array>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "tuxdisk/check.h"

namespace tux3::fsck {

using Clock = std::chrono::steady_clock;

// Which passes ran, and when each started (a pass that reports no progress has none).
struct PassLog {
  std::array<std::optional<Clock::time_point>, kCheckPasses> started;
  Clock::time_point begin = Clock::now();
  Clock::time_point end = begin;
  int last = -1;  // the highest pass that reported progress; -1: none

  // Seconds from the start of `pass` to the next pass that started, or to the end.
  std::optional<double> seconds(unsigned pass) const;
};

class Progress {
 public:
  // fd: nullopt, no progress output; 0, a bar on standard output if it is a terminal, else
  // on standard error if that is one, else none; above 0, lines on that descriptor.
  Progress(std::optional<int> fd, std::string device);
  ~Progress() { clear(); }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // The library's progress callback: records the pass, and writes a line at the start of
  // each pass and then at most five a second (a bar: redrawn at most ten times a second).
  void update(const CheckProgress& progress);
  // Erases the bar, so other output starts on a clean line (no-op without a bar).
  void clear();
  // The check is over: erases the bar and closes the pass log.
  void finish();

  const PassLog& passes() const { return log_; }

 private:
  void write_line(const CheckProgress& p);
  void draw_bar(const CheckProgress& p);

  int fd_ = -1;                // lines go here (-1: none)
  std::FILE* bar_ = nullptr;   // the bar goes here (null: none)
  std::string device_;
  PassLog log_;
  Clock::time_point last_output_{};
  bool bar_shown_ = false;
};

}  // namespace tux3::fsck
