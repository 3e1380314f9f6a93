// commands.h: tux3-debugfs's command table, and what a command gets when it runs.
//
// Each command is one entry: its name and aliases, a synopsis and help text (printed by
// help), what it needs (a reader, -w), whether it prints JSON, the kinds of its arguments
// (for tab completion) and the function that runs it. A command prints its result on
// `out` (standard output, or the file a '>' redirection names) and returns a Status:
// InvalidArgument made by CommandContext::usage() is a usage error (exit 16 in batch
// mode), any other error a failed command (exit 8).
#pragma once

#include <cstdio>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "session.h"
#include "tuxdisk/status.h"

namespace tux3::debugfs {

using Json = nlohmann::ordered_json;

// What a command's words are, for completion.
enum class ArgKind : uint8_t { kNone, kVolumePath, kHostPath, kCommand, kTree, kOther };

struct CommandContext {
  Session& session;
  FILE* out;
  bool json = false;                  // --json given to the tool or to the command
  std::vector<std::string> args;      // after the command name
  std::vector<std::string> warnings;  // printed after the command, one line each
  bool usage_failed = false;

  // A usage error: marks the context and returns InvalidArgument(message).
  Status usage(std::string message);
  // Prints `doc` as one JSON document on one line (bytes that are not UTF-8 replaced).
  void emit(const Json& doc);
};

// Options and operands of a command: flags ("-l", "--hex"), options with a value
// ("--slot 1"), then operands; "--" ends the options. A word that starts with '-' and is
// not a known flag is a usage error, unless it reads as a negative number. --json/-j is
// understood by every command that prints JSON.
struct ParsedArgs {
  std::set<std::string> flags;
  std::vector<std::pair<std::string, std::string>> values;
  std::vector<std::string> operands;
  bool has(std::string_view flag) const { return flags.count(std::string(flag)) > 0; }
  const std::string* value(std::string_view option) const;
};

struct ArgSpec {
  std::vector<std::string_view> flags;
  std::vector<std::string_view> valued;
  std::size_t min_operands = 0;
  std::size_t max_operands = 0;
};

// A whole number: decimal, or hexadecimal after 0x. No sign, no suffix.
bool parse_number(std::string_view text, uint64_t& out);

struct CommandSpec;
Result<ParsedArgs> parse_args(CommandContext& ctx, const CommandSpec& spec, const ArgSpec& args);

// What a command needs before it runs.
inline constexpr unsigned kNeedsReader = 1 << 0;  // a usable superblock and inode table
inline constexpr unsigned kNeedsWrite = 1 << 1;   // the volume opened with -w
inline constexpr unsigned kPrintsJson = 1 << 2;   // --json gives one JSON document

using CommandFn = Status (*)(CommandContext& ctx, const CommandSpec& spec);

struct CommandSpec {
  std::string_view name;
  std::vector<std::string_view> aliases;
  std::string_view synopsis;  // "ls [-l] [-a] [PATH]"
  std::string_view summary;   // one line
  std::string_view help;      // the rest of `help NAME`
  unsigned needs = 0;
  std::vector<ArgKind> arg_kinds;  // by operand position; the last repeats
  CommandFn run = nullptr;
};

std::span<const CommandSpec> all_commands();
const CommandSpec* find_command(std::string_view name);

// The commands, by file.
Status cmd_help(CommandContext&, const CommandSpec&);        // cmd_shell.cc
Status cmd_super(CommandContext&, const CommandSpec&);       // cmd_super.cc
Status cmd_ls(CommandContext&, const CommandSpec&);          // cmd_namespace.cc
Status cmd_cd(CommandContext&, const CommandSpec&);
Status cmd_pwd(CommandContext&, const CommandSpec&);
Status cmd_stat(CommandContext&, const CommandSpec&);
Status cmd_ncheck(CommandContext&, const CommandSpec&);
Status cmd_cat(CommandContext&, const CommandSpec&);         // cmd_data.cc
Status cmd_dump(CommandContext&, const CommandSpec&);
Status cmd_blocks(CommandContext&, const CommandSpec&);
Status cmd_extents(CommandContext&, const CommandSpec&);
Status cmd_bmap(CommandContext&, const CommandSpec&);
Status cmd_xattrs(CommandContext&, const CommandSpec&);
Status cmd_rdump(CommandContext&, const CommandSpec&);       // cmd_rdump.cc
Status cmd_icheck(CommandContext&, const CommandSpec&);      // cmd_icheck.cc
Status cmd_block(CommandContext&, const CommandSpec&);       // cmd_block.cc
Status cmd_btree(CommandContext&, const CommandSpec&);       // cmd_btree.cc
Status cmd_log(CommandContext&, const CommandSpec&);         // cmd_log.cc
Status cmd_deltas(CommandContext&, const CommandSpec&);
Status cmd_streams(CommandContext&, const CommandSpec&);
Status cmd_freefrag(CommandContext&, const CommandSpec&);    // cmd_space.cc
Status cmd_graph(CommandContext&, const CommandSpec&);       // cmd_graph.cc
Status cmd_mkdir(CommandContext&, const CommandSpec&);       // cmd_write.cc
Status cmd_write(CommandContext&, const CommandSpec&);
Status cmd_rm(CommandContext&, const CommandSpec&);
Status cmd_rmdir(CommandContext&, const CommandSpec&);
Status cmd_ln(CommandContext&, const CommandSpec&);
Status cmd_symlink(CommandContext&, const CommandSpec&);
Status cmd_setxattr(CommandContext&, const CommandSpec&);
Status cmd_rmxattr(CommandContext&, const CommandSpec&);
Status cmd_set_super(CommandContext&, const CommandSpec&);   // cmd_edit.cc
Status cmd_corrupt(CommandContext&, const CommandSpec&);

}  // namespace tux3::debugfs
