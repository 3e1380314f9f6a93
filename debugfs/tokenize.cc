// tokenize.cc: the shell's command-line tokenizer (tokenize.h).
#include "tokenize.h"

#include <fmt/format.h>

namespace tux3::debugfs {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

Result<TokenizedLine> tokenize(std::string_view line) {
  TokenizedLine out;
  if (line.find('\0') != std::string_view::npos) {
    return Status::invalid_argument("the line holds a NUL byte");
  }
  std::string word;
  bool in_word = false;        // a word has started (even an empty quoted one)
  bool redirect_next = false;  // the word being read names the redirection target
  bool append = false;
  auto end_word = [&]() -> Status {
    if (!in_word) return Status::ok();
    if (redirect_next) {
      out.redirect = Redirect{word, append};
      redirect_next = false;
    } else {
      out.words.push_back(word);
    }
    word.clear();
    in_word = false;
    return Status::ok();
  };
  std::size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    if (is_blank(c)) {
      TUX3_RETURN_IF_ERROR(end_word());
      ++i;
      continue;
    }
    if (c == '#' && !in_word) break;
    if (c == '>' && !in_word) {
      if (out.redirect || redirect_next) {
        return Status::invalid_argument("more than one output redirection");
      }
      append = i + 1 < line.size() && line[i + 1] == '>';
      i += append ? 2 : 1;
      redirect_next = true;
      continue;
    }
    in_word = true;
    if (c == '\\') {
      if (i + 1 >= line.size()) return Status::invalid_argument("a backslash ends the line");
      word += line[i + 1];
      i += 2;
      continue;
    }
    if (c == '\'') {
      std::size_t close = line.find('\'', i + 1);
      if (close == std::string_view::npos) {
        return Status::invalid_argument("unterminated single quote");
      }
      word.append(line.substr(i + 1, close - i - 1));
      i = close + 1;
      continue;
    }
    if (c == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        char q = line[i];
        if (q == '"') {
          closed = true;
          ++i;
          break;
        }
        if (q != '\\') {
          word += q;
          ++i;
          continue;
        }
        if (i + 1 >= line.size()) break;
        char e = line[i + 1];
        i += 2;
        switch (e) {
          case '\\': word += '\\'; break;
          case '"': word += '"'; break;
          case 'n': word += '\n'; break;
          case 't': word += '\t'; break;
          case 'x': {
            int hi = i < line.size() ? hex_digit(line[i]) : -1;
            int lo = i + 1 < line.size() ? hex_digit(line[i + 1]) : -1;
            if (hi < 0 || lo < 0) {
              return Status::invalid_argument("\\x needs two hexadecimal digits");
            }
            word += char(hi * 16 + lo);
            i += 2;
            break;
          }
          default:
            return Status::invalid_argument(
                fmt::format("unknown escape \\{} inside double quotes", e));
        }
      }
      if (!closed) return Status::invalid_argument("unterminated double quote");
      continue;
    }
    word += c;
    ++i;
  }
  TUX3_RETURN_IF_ERROR(end_word());
  if (redirect_next) return Status::invalid_argument("'>' names no file");
  return out;
}

std::string quote_word(std::string_view word) {
  bool plain = !word.empty() && word[0] != '#';
  for (char c : word) {
    if (is_blank(c) || c == '\'' || c == '"' || c == '\\' || c == '>' || uint8_t(c) < 0x20) {
      plain = false;
    }
  }
  if (plain) return std::string(word);
  bool control = false;
  for (char c : word) control = control || uint8_t(c) < 0x20 || c == '\'';
  if (!control) return fmt::format("'{}'", word);
  // Double quotes with escapes: the only form that can carry control bytes and quotes.
  std::string out = "\"";
  for (char c : word) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (uint8_t(c) < 0x20) {
      out += fmt::format("\\x{:02x}", uint8_t(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace tux3::debugfs
