// cmd_shell.cc: help.
#include <fmt/format.h>

#include "commands.h"

namespace tux3::debugfs {

namespace {

// `text` wrapped at 78 columns, each line indented by `indent` spaces.
std::string wrap(std::string_view text, std::size_t indent) {
  std::string out, line(indent, ' ');
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t space = text.find(' ', pos);
    std::string_view word = text.substr(pos, space == std::string_view::npos ? text.npos : space - pos);
    pos = space == std::string_view::npos ? text.size() : space + 1;
    if (line.size() > indent && line.size() + 1 + word.size() > 78) {
      out += line + "\n";
      line.assign(indent, ' ');
    }
    if (line.size() > indent) line += ' ';
    line += word;
  }
  if (line.size() > indent) out += line + "\n";
  return out;
}

}  // namespace

Status cmd_help(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args, parse_args(ctx, spec, ArgSpec{{}, {}, 0, 1}));
  if (args.operands.empty()) {
    fmt::print(ctx.out, "Commands (help COMMAND explains one; -w marks those that write):\n");
    for (const CommandSpec& c : all_commands()) {
      fmt::print(ctx.out, "  {:<10} {}\n", c.name, c.summary);
    }
    fmt::print(ctx.out, "Paths: absolute, relative to the current directory, or <INUM>. "
                        "Any command's output goes to a host file with '> FILE' or '>> FILE'.\n");
    return Status::ok();
  }
  const CommandSpec* c = find_command(args.operands[0]);
  if (!c) return ctx.usage(fmt::format("no command '{}'", args.operands[0]));
  fmt::print(ctx.out, "{}\n{}", c->synopsis, wrap(c->summary, 2));
  if (!c->aliases.empty()) {
    std::string aliases;
    for (std::string_view a : c->aliases) aliases += (aliases.empty() ? "" : ", ") + std::string(a);
    fmt::print(ctx.out, "  aliases: {}\n", aliases);
  }
  fmt::print(ctx.out, "\n{}", wrap(c->help, 2));
  return Status::ok();
}

}  // namespace tux3::debugfs
