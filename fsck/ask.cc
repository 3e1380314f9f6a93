// ask.cc: questions on the terminal for the interactive mode (ask.h).
#include "ask.h"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "report_text.h"

namespace tux3::fsck {
namespace {

// One line of standard input, read a byte at a time (nothing beyond it is consumed);
// nullopt at end of file or on an error.
std::optional<std::string> read_line() {
  std::string line;
  for (;;) {
    char c;
    ssize_t n = ::read(STDIN_FILENO, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (line.empty()) return std::nullopt;
      return line;
    }
    if (c == '\n') return line;
    line += c;
  }
}

}  // namespace

Answer Asker::operator()(const Problem& problem, const ProblemInfo& info) {
  if (before_) before_();
  fmt::print(out_, "{}\n", problem_line(problem));
  for (;;) {
    fmt::print(out_, "{}? [ynaq] ", capitalized(info.fix));
    std::fflush(out_);
    std::optional<std::string> line = read_line();
    if (!line) {
      fmt::print(out_, "\ncancelled\n");
      return Answer::kCancel;
    }
    std::size_t first = line->find_first_not_of(" \t\r");
    char c = first == std::string::npos ? '\0' : char(std::tolower((*line)[first]));
    switch (c) {
      case 'y': return Answer::kYes;
      case 'n': return Answer::kNo;
      case 'a': return Answer::kYesToAll;
      case 'q':
        fmt::print(out_, "cancelled\n");
        return Answer::kCancel;
      default:
        fmt::print(out_, "Answer y (yes), n (no), a (yes to all) or q (quit: repair nothing).\n");
    }
  }
}

}  // namespace tux3::fsck
