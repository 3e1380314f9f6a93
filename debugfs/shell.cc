// shell.cc: running command lines (shell.h).
#include "shell.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

#include <editline/readline.h>
#include <fmt/format.h>

#include "commands.h"
#include "fs.h"
#include "names.h"
#include "tokenize.h"
#include "tuxdisk/format/constants.h"

namespace tux3::debugfs {

namespace {

constexpr int kExitFailed = 8, kExitUsage = 16;

void print_warnings(const std::vector<std::string>& warnings) {
  for (const std::string& w : warnings) fmt::print(stderr, "tux3-debugfs: warning: {}\n", w);
}

// The output of one command: standard output or the redirection's file.
class CommandOutput {
 public:
  Status open(const std::optional<Redirect>& redirect) {
    if (!redirect) return Status::ok();
    if (redirect->path.empty()) return Status::invalid_argument("'>' names an empty file name");
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (redirect->append ? O_APPEND : O_TRUNC);
    int fd = ::open(redirect->path.c_str(), flags, 0666);
    if (fd < 0) return Status::from_errno(errno, redirect->path);
    file_ = fdopen(fd, redirect->append ? "a" : "w");
    if (!file_) {
      int err = errno;
      ::close(fd);
      return Status::from_errno(err, redirect->path);
    }
    path_ = redirect->path;
    return Status::ok();
  }
  FILE* file() const { return file_ ? file_ : stdout; }
  Status close() {
    if (!file_) return std::fflush(stdout) == 0 ? Status::ok()
                                                 : Status::from_errno(errno, "standard output");
    bool ok = std::ferror(file_) == 0;
    ok = std::fclose(file_) == 0 && ok;
    file_ = nullptr;
    return ok ? Status::ok() : Status::from_errno(errno, path_);
  }
  ~CommandOutput() {
    if (file_) std::fclose(file_);
  }

 private:
  FILE* file_ = nullptr;
  std::string path_;
};

}  // namespace

LineOutcome Shell::execute(std::string_view line) {
  auto tokens = tokenize(line);
  if (!tokens) {
    fmt::print(stderr, "tux3-debugfs: {}\n", tokens.status().message());
    return LineOutcome::kUsage;
  }
  if (tokens->words.empty()) {
    if (tokens->redirect) {
      fmt::print(stderr, "tux3-debugfs: a redirection without a command\n");
      return LineOutcome::kUsage;
    }
    return LineOutcome::kOk;
  }
  const std::string& name = tokens->words.front();
  const CommandSpec* spec = find_command(name);
  if (!spec) {
    fmt::print(stderr, "tux3-debugfs: {}: unknown command (help lists them)\n", printable(name));
    return LineOutcome::kUsage;
  }
  if (!spec->run) return LineOutcome::kQuit;
  if ((spec->needs & kNeedsWrite) && !session_.writable()) {
    fmt::print(stderr, "tux3-debugfs: {}: the volume is open read-only (give -w to change it)\n",
               spec->name);
    return LineOutcome::kFailed;
  }
  CommandOutput output;
  if (Status s = output.open(tokens->redirect); !s) {
    fmt::print(stderr, "tux3-debugfs: {}: {}\n", spec->name, s.message());
    return LineOutcome::kFailed;
  }
  CommandContext ctx{session_, output.file(), options_.json,
                     std::vector<std::string>(tokens->words.begin() + 1, tokens->words.end()),
                     {}, false};
  Status s;
  if (spec->needs & kNeedsReader) s = session_.reader().status();
  if (s) {
    try {
      s = spec->run(ctx, *spec);
    } catch (const std::bad_alloc&) {
      s = Status::no_space("out of memory");
    } catch (const std::exception& e) {
      // fmt reports a failed write (a closed pipe, a full disk) by throwing.
      s = Status::io_error(fmt::format("writing the output: {}", e.what()));
    }
  }
  Status closed = output.close();
  print_warnings(ctx.warnings);
  if (!s) {
    fmt::print(stderr, "tux3-debugfs: {}: {}\n", spec->name, s.message());
    check_cwd();
    return ctx.usage_failed ? LineOutcome::kUsage : LineOutcome::kFailed;
  }
  check_cwd();
  if (!closed) {
    fmt::print(stderr, "tux3-debugfs: {}: {}\n", spec->name, closed.message());
    return LineOutcome::kFailed;
  }
  return LineOutcome::kOk;
}

void Shell::check_cwd() {
  if (session_.cwd() == format::kInoRoot || !session_.reader()) return;
  auto dir = load_inode(session_, session_.cwd());
  if (dir && dir->rec.is_dir()) return;
  fmt::print(stderr, "tux3-debugfs: warning: the current directory {} is gone; now at /\n",
             printable(session_.cwd_path()));
  session_.set_cwd(format::kInoRoot, "/");
}

bool Shell::batch_line(const std::string& line, int& status) {
  auto first = line.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || line[first] == '#') return true;
  if (options_.echo) {
    fmt::print("tux3-debugfs: {}\n", line);
    std::fflush(stdout);
  }
  switch (execute(line)) {
    case LineOutcome::kOk: return true;
    case LineOutcome::kQuit: return false;
    case LineOutcome::kFailed: status = std::max(status, kExitFailed); break;
    case LineOutcome::kUsage: status = kExitUsage; break;
  }
  return options_.keep_going;
}

int Shell::run_lines(const std::vector<std::string>& lines) {
  int status = 0;
  for (const std::string& line : lines) {
    if (!batch_line(line, status)) break;
  }
  return status;
}

int Shell::run_stream(FILE* in) {
  int status = 0;
  char* buf = nullptr;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&buf, &cap, in)) >= 0) {
    std::string line(buf, std::size_t(n));
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (!batch_line(line, status)) break;
  }
  std::free(buf);
  return status;
}

std::string history_path() {
  if (const char* env = std::getenv("TUX3_DEBUGFS_HISTORY")) return env;
  const char* home = std::getenv("HOME");
  if (!home || !*home) return "";
  return std::string(home) + "/.tux3_debugfs_history";
}

int Shell::run_interactive() {
  rl_readline_name = "tux3-debugfs";
  install_completion(session_);
  std::string history = history_path();
  using_history();
  stifle_history(1000);
  if (!history.empty()) read_history(history.c_str());
  while (char* raw = readline("tux3-debugfs: ")) {
    std::string line(raw);
    std::free(raw);
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    add_history(line.c_str());
    if (execute(line) == LineOutcome::kQuit) break;
  }
  fmt::print("\n");
  if (!history.empty()) write_history(history.c_str());
  return 0;
}

}  // namespace tux3::debugfs
