// tokenize.h: splitting one shell line of tux3-debugfs into words and an output redirection.
//
// Rules (tux3-debugfs(8), COMMAND LINES):
//   - words are separated by spaces and tabs;
//   - '...' keeps everything inside as is; "..." keeps spaces and understands the escapes
//     \\ \" \n \t and \xHH (any other escape is an error); outside quotes a backslash makes
//     the next character ordinary ("a\ b" is one word, "\>" a literal '>');
//   - quoted and unquoted parts join into one word (/dir/"a name"); "" is an empty word;
//   - an unquoted '#' at the start of a word starts a comment that runs to the end;
//   - an unquoted '>' or '>>' at the start of a word redirects the command's output to the
//     host file named by the next word (or the rest of the same word: >out.dot), truncating
//     or appending; at most one redirection per line. Inside a word '>' is an ordinary
//     character, so "<17>" names inode 17 and "ls>x" is one word.
// Errors (InvalidArgument, one line): an unterminated quote, a bad escape, a trailing
// backslash, a redirection without a file or given twice, a NUL byte.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tuxdisk/status.h"

namespace tux3::debugfs {

struct Redirect {
  std::string path;
  bool append = false;
};

struct TokenizedLine {
  std::vector<std::string> words;
  std::optional<Redirect> redirect;
};

Result<TokenizedLine> tokenize(std::string_view line);

// `word` written so that tokenize() reads it back as the same single word: as is when it
// holds nothing special, else in single quotes.
std::string quote_word(std::string_view word);

}  // namespace tux3::debugfs
