// parse.cc: the script lexer and parser (the contract is in script.h; the language in
// man/tux3-writer.1).
//
// A line is split into words at spaces and tabs. A word may mix plain text, "quoted text"
// (spaces kept; escapes \\ \" \$ \n \t \xHH) and variables ($i, $iN, ${i}, ${iN}; $$ is a
// dollar sign). '#' at the start of a word starts a comment. Variables are resolved to a
// loop depth here, so a variable outside its loop is a syntax error.
#include <fmt/format.h>

#include "command.h"
#include "script.h"

namespace tux3::writer {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Lexer {
 public:
  Lexer(std::string_view line, unsigned depth) : s_(line), depth_(depth) {}

  // The line's words, or InvalidArgument with the reason (no line number).
  Result<std::vector<Word>> words() {
    std::vector<Word> out;
    while (true) {
      while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
      if (i_ == s_.size() || s_[i_] == '#') return out;
      Word w;
      TUX3_RETURN_IF_ERROR(word(w));
      out.push_back(std::move(w));
    }
  }

 private:
  void literal(Word& w, char c) {
    if (w.segments.empty() || w.segments.back().level != 0) w.segments.push_back({});
    w.segments.back().text += c;
  }

  Status variable(Word& w) {
    ++i_;  // '$'
    if (i_ < s_.size() && s_[i_] == '$') {
      ++i_;
      literal(w, '$');
      return Status::ok();
    }
    bool braced = i_ < s_.size() && s_[i_] == '{';
    if (braced) ++i_;
    if (i_ >= s_.size() || s_[i_] != 'i') {
      return Status::invalid_argument("'$' must start $i, $iN, ${i}, ${iN} or $$");
    }
    ++i_;
    std::size_t start = i_;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    std::string digits(s_.substr(start, i_ - start));
    if (braced) {
      if (i_ >= s_.size() || s_[i_] != '}') return Status::invalid_argument("'${' without its '}'");
      ++i_;
    }
    std::string name = "$i" + digits;
    if (depth_ == 0) return Status::invalid_argument(fmt::format("{} outside any repeat", name));
    unsigned level = depth_;
    if (!digits.empty()) {
      level = digits.size() > 3 ? 0 : unsigned(std::stoul(digits));
      if (level == 0 || level > depth_) {
        return Status::invalid_argument(fmt::format(
            "{}: no repeat at that level here (loops open: {}; $i1 is the outermost)", name,
            depth_));
      }
    }
    w.segments.push_back({"", level});
    return Status::ok();
  }

  Status escape(Word& w) {
    ++i_;  // '\'
    if (i_ >= s_.size()) return Status::invalid_argument("'\\' at the end of the line");
    char c = s_[i_++];
    switch (c) {
      case '\\': case '"': case '$': literal(w, c); return Status::ok();
      case 'n': literal(w, '\n'); return Status::ok();
      case 't': literal(w, '\t'); return Status::ok();
      case 'x': {
        int hi = i_ < s_.size() ? hex_digit(s_[i_]) : -1;
        int lo = i_ + 1 < s_.size() ? hex_digit(s_[i_ + 1]) : -1;
        if (hi < 0 || lo < 0) return Status::invalid_argument("'\\x' needs two hex digits");
        i_ += 2;
        literal(w, char(hi * 16 + lo));
        return Status::ok();
      }
      default:
        return Status::invalid_argument(
            fmt::format("unknown escape '\\{}' (use \\\\ \\\" \\$ \\n \\t \\xHH)", c));
    }
  }

  Status word(Word& w) {
    bool quoted = false;
    w.segments.push_back({});  // so "" is an empty word, not no word
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (!quoted && (c == ' ' || c == '\t')) break;
      if (c == '"') {
        quoted = !quoted;
        ++i_;
      } else if (c == '$') {
        TUX3_RETURN_IF_ERROR(variable(w));
      } else if (c == '\\' && quoted) {
        TUX3_RETURN_IF_ERROR(escape(w));
      } else {
        literal(w, c);
        ++i_;
      }
    }
    if (quoted) return Status::invalid_argument("unterminated '\"'");
    return Status::ok();
  }

  std::string_view s_;
  unsigned depth_;
  std::size_t i_ = 0;
};

// The words with every variable replaced by 0: what the parser binds to check a command.
std::vector<std::string> sample(const std::vector<Word>& words) {
  std::vector<std::string> out;
  for (const Word& w : words) {
    std::string s;
    for (const Segment& seg : w.segments) s += seg.level ? "0" : seg.text;
    out.push_back(std::move(s));
  }
  return out;
}

// The literal text of a word without variables (the command name).
std::optional<std::string> literal_text(const Word& w) {
  if (w.has_variables()) return std::nullopt;
  std::string s;
  for (const Segment& seg : w.segments) s += seg.text;
  return s;
}

}  // namespace

bool Word::has_variables() const {
  for (const Segment& s : segments) {
    if (s.level) return true;
  }
  return false;
}

Result<Script> parse_script(std::string_view text, std::string name, std::string host_dir) {
  Script script{std::move(name), std::move(host_dir), {}};
  // The open repeats: each holds the step being filled; the bottom is the script itself.
  std::vector<Step*> open;
  Step top;
  open.push_back(&top);
  int line_no = 0;
  auto error = [&](int line, std::string_view reason) {
    return Status::invalid_argument(fmt::format("{}:{}: {}", script.name, line, reason));
  };
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\0') != std::string_view::npos) return error(line_no, "NUL byte in the line");
    unsigned depth = unsigned(open.size() - 1);
    auto words = Lexer(line, depth).words();
    if (!words) return error(line_no, words.status().message());
    if (words->empty()) continue;
    auto first = literal_text(words->front());
    if (!first) return error(line_no, "the command name cannot contain a variable");
    Step step;
    step.line = line_no;
    step.command = *first;
    step.args.assign(words->begin() + 1, words->end());
    if (step.command == "end") {
      if (!step.args.empty()) return error(line_no, "end takes no arguments");
      if (open.size() == 1) return error(line_no, "end without repeat");
      open.pop_back();
      continue;
    }
    if (step.command == "expect-error") {
      if (step.args.size() < 2) return error(line_no, "usage: expect-error ERRNO COMMAND [ARGS...]");
      auto errname = literal_text(step.args[0]);
      step.expect_errno = errname ? errno_from_name(*errname) : 0;
      if (!step.expect_errno) {
        return error(line_no, fmt::format("expect-error: '{}' is not an errno name such as ENOENT",
                                          sample({step.args[0]})[0]));
      }
      auto inner = literal_text(step.args[1]);
      if (!inner || *inner == "repeat" || *inner == "end" || *inner == "expect-error") {
        return error(line_no, "expect-error: COMMAND must be a plain command, not repeat, end "
                              "or expect-error");
      }
      step.command = *inner;
      step.args.erase(step.args.begin(), step.args.begin() + 2);
    }
    if (!is_command(step.command)) return error(line_no, fmt::format("unknown command '{}'", step.command));
    auto bound = bind_command(step.command, sample(step.args));
    if (!bound) return error(line_no, bound.status().message());
    Step& parent = *open.back();
    parent.body.push_back(std::move(step));
    if (parent.body.back().command == "repeat") open.push_back(&parent.body.back());
  }
  if (open.size() > 1) {
    return error(open.back()->line, "repeat without end");
  }
  script.steps = std::move(top.body);
  return script;
}

}  // namespace tux3::writer
