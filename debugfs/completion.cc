// completion.cc: tab completion for the interactive shell: command names for the first
// word; then, by what the command's operand is, paths inside the volume, host paths
// (libedit's own filename completion) or nothing.
//
// libedit calls plain C functions without a user pointer, so the session being completed
// against is kept in this file's one static, set once by install_completion().
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <editline/readline.h>

#include "commands.h"
#include "fs.h"
#include "shell.h"
#include "tokenize.h"

namespace tux3::debugfs {

namespace {

Session* completing = nullptr;          // see the banner
std::vector<std::string> candidates;    // the matches of the current completion
std::size_t next_candidate = 0;

char* candidate_generator(const char*, int state) {
  if (state == 0) next_candidate = 0;
  if (next_candidate >= candidates.size()) return nullptr;
  return strdup(candidates[next_candidate++].c_str());
}

void command_candidates(std::string_view prefix) {
  for (const CommandSpec& c : all_commands()) {
    if (c.name.starts_with(prefix)) candidates.emplace_back(c.name);
    for (std::string_view a : c.aliases) {
      if (a.starts_with(prefix)) candidates.emplace_back(a);
    }
  }
}

void path_candidates(std::string_view text) {
  std::size_t slash = text.rfind('/');
  std::string dir = slash == std::string_view::npos ? std::string(".")
                                                    : std::string(text.substr(0, slash + 1));
  std::string base(slash == std::string_view::npos ? text : text.substr(slash + 1));
  std::string prefix = slash == std::string_view::npos ? "" : dir;
  auto where = resolve(*completing, dir);
  if (!where) return;
  auto inode = load_inode(*completing, where->inum);
  if (!inode || !inode->rec.is_dir()) return;
  auto listing = list_dir(*completing, *inode);
  if (!listing) return;
  for (const format::Dirent& d : listing->entries) {
    if (!d.name.starts_with(base)) continue;
    candidates.push_back(prefix + d.name +
                         (d.type == format::FileType::kDirectory ? "/" : ""));
  }
}

char** complete(const char* text, int start, int) {
  candidates.clear();
  rl_attempted_completion_over = 1;
  rl_completion_append_character = ' ';
  std::string before(rl_line_buffer, std::size_t(start));
  auto tokens = tokenize(before);
  if (!tokens) return nullptr;
  const auto& words = tokens->words;
  std::string_view word(text);
  if (words.empty()) {
    command_candidates(word);
  } else {
    const CommandSpec* spec = find_command(words.front());
    if (!spec) return nullptr;
    std::size_t operand = 0;
    for (std::size_t i = 1; i < words.size(); ++i) {
      if (words[i].empty() || words[i][0] != '-') ++operand;
    }
    if (spec->arg_kinds.empty() || word.starts_with("-")) return nullptr;
    ArgKind kind = spec->arg_kinds[std::min(operand, spec->arg_kinds.size() - 1)];
    switch (kind) {
      case ArgKind::kCommand: command_candidates(word); break;
      case ArgKind::kHostPath:
        rl_attempted_completion_over = 0;  // libedit completes file names
        return nullptr;
      case ArgKind::kTree:
        for (std::string_view t : {"all", "itree", "otree", "log", "streams"}) {
          if (t.starts_with(word)) candidates.emplace_back(t);
        }
        if (completing->reader()) path_candidates(word);
        break;
      case ArgKind::kVolumePath:
        if (completing->reader()) path_candidates(word);
        break;
      case ArgKind::kNone:
      case ArgKind::kOther: return nullptr;
    }
  }
  if (candidates.size() == 1 && candidates.front().ends_with('/')) {
    rl_completion_append_character = '\0';
  }
  if (candidates.empty()) return nullptr;
  return rl_completion_matches(text, candidate_generator);
}

}  // namespace

void install_completion(Session& session) {
  completing = &session;
  rl_attempted_completion_function = complete;
}

}  // namespace tux3::debugfs
