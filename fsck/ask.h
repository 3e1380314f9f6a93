// ask.h: the interactive mode (no -n, -p or -y, standard input a terminal): each fix is
// asked for on the terminal, one line answered per question.
#pragma once

#include <cstdio>
#include <functional>

#include "tuxdisk/check.h"

namespace tux3::fsck {

class Asker {
 public:
  // Questions are written on `out`; answers read from standard input, a line each.
  // `before` runs before each question (to erase a progress bar, print the header).
  Asker(std::FILE* out, std::function<void()> before) : out_(out), before_(std::move(before)) {}

  // The library's CheckOptions::ask. Prints the problem as the report does, then
  // "Fix text? [ynaq] ", and reads a line: y(es), n(o), a(ll: yes to all), q(uit) or end
  // of file (^D): cancel. Anything else asks again. (^C ends the program: main.cc.)
  Answer operator()(const Problem& problem, const ProblemInfo& info);

 private:
  std::FILE* out_;
  std::function<void()> before_;
};

}  // namespace tux3::fsck
