// commands.cc: the command table and argument parsing shared by every command.
#include "commands.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace tux3::debugfs {

namespace {

using K = ArgKind;

// The table. Keep the help text in step with man/tux3-debugfs.8, COMMANDS.
const std::vector<CommandSpec>& table() {
  static const std::vector<CommandSpec> commands = {
      {"help", {"?"}, "help [COMMAND]", "list the commands, or explain one",
       "Without COMMAND, one line per command; with it, its synopsis and what it does.", 0,
       {K::kCommand}, cmd_help},
      {"quit", {"q", "exit"}, "quit", "leave the shell",
       "With -w the writer engine, if it was opened, is closed first (its close commits a "
       "unify). End of input (^D) does the same.", 0, {}, nullptr},
      {"super", {"stats", "show_super_stats"}, "super [--json]",
       "both superblock slots, the geometry, features, counts and the state shown",
       "Prints each slot (valid or why not, and which one is in use), the block geometry "
       "(block size, volume size, first data block, bitmap and btree capacities), the "
       "features, state, counts, tree roots, log, stream table, times, and which state the "
       "other commands see (delta, log replayed, fsyncs applied). Works without a valid "
       "superblock too: then it says why each slot is unusable.", kPrintsJson, {}, cmd_super},
      {"ls", {"dir"}, "ls [-l] [-a] [-k] [--json] [PATH]", "list a directory",
       "Every entry stored in the directory (PATH, default the current directory), in key "
       "order: inode number, type and name. -l adds mode, links, owner, size and mtime "
       "(and a symlink's target); -a adds . and ..; -k the entry's key (name hash and "
       "collision index). Names are printed with bytes that are not printable as \\xHH. "
       "A damaged leaf or entry is listed as such, with the reason, and the command fails.",
       kNeedsReader | kPrintsJson, {K::kVolumePath}, cmd_ls},
      {"cd", {"chdir"}, "cd PATH", "change the current directory",
       "Relative paths start from the current directory (initially /).", kNeedsReader,
       {K::kVolumePath}, cmd_cd},
      {"pwd", {}, "pwd [--json]", "print the current directory", "Its path and inode number.",
       kNeedsReader | kPrintsJson, {}, cmd_pwd},
      {"stat", {"show_inode_info"}, "stat [--json] PATH...", "show inode records",
       "Every field of the inode record: type, mode, owner, links, size, blocks, the four "
       "times, flags, generation, tree root or inline extents, device number, parent, "
       "symlink target, extended attributes; where the record is (ileaf block and slot, "
       "its length) and the fsyncs laid over it. A record that does not decode is shown as "
       "such with the reason and its bytes.", kNeedsReader | kPrintsJson, {K::kVolumePath},
       cmd_stat},
      {"cat", {}, "cat PATH", "print a file's data",
       "The bytes of a regular file (holes and unwritten extents as zeros) or a symlink's "
       "target.", kNeedsReader, {K::kVolumePath}, cmd_cat},
      {"dump", {"dump_inode"}, "dump [-p] PATH HOSTFILE", "copy a file's data to a host file",
       "Writes the data of the regular file PATH to HOSTFILE (created, or truncated; never "
       "through a symlink). Holes stay holes. -p also sets the owner (when run as root), "
       "mode and times.", kNeedsReader, {K::kVolumePath, K::kHostPath}, cmd_dump},
      {"rdump", {}, "rdump PATH... HOSTDIR", "copy files and directories to the host",
       "Copies each PATH, recursively, into the existing host directory HOSTDIR under its "
       "own name (the root's entries go into HOSTDIR itself), keeping modes, times, owners "
       "(when run as root) and extended attributes. Hardened against a hostile volume: a "
       "name holding '/' or NUL, or equal to . or .., is refused; everything is created "
       "relative to an open directory (openat) with O_NOFOLLOW, so no symlink, planted in "
       "the volume or already in HOSTDIR, is ever followed; an existing symlink or special "
       "file in the way is refused; a directory cycle is not entered twice. Hard links are "
       "copied as separate files. Errors do not stop the copy; the command fails at the "
       "end if any occurred.", kNeedsReader, {K::kVolumePath, K::kHostPath}, cmd_rdump},
      {"blocks", {}, "blocks [--json] PATH", "list a file's data blocks",
       "The volume blocks mapped by the file, in logical order, one number each.",
       kNeedsReader | kPrintsJson, {K::kVolumePath}, cmd_blocks},
      {"extents", {"ex", "dump_extents"}, "extents [--json] PATH",
       "show a file's mapping and its tree",
       "The nodes of the file's extent tree (or that its mapping is inline in the record), "
       "then each extent: logical range, physical range, count, flags and where it comes "
       "from (the record, an xleaf, or an fsync stream). Damaged nodes are listed with the "
       "reason.", kNeedsReader | kPrintsJson, {K::kVolumePath}, cmd_extents},
      {"bmap", {}, "bmap [--json] PATH LBLK", "map a logical block to a volume block",
       "The physical block holding logical block LBLK of the file, or that it is a hole; "
       "unwritten extents are marked.", kNeedsReader | kPrintsJson, {K::kVolumePath, K::kOther},
       cmd_bmap},
      {"xattrs", {"ea_list"}, "xattrs [--json] PATH", "list extended attributes",
       "Each attribute's full name, length and value (text when printable, else hex).",
       kNeedsReader | kPrintsJson, {K::kVolumePath}, cmd_xattrs},
      {"icheck", {}, "icheck [--json] BLOCK...", "which structure owns each block",
       "For each block: the reserved area, a node of the inode table or orphan tree, a node "
       "of an inode's extent tree or directory index, file data (inode and logical block), "
       "a bitmap block, a log block, an fsync stream block; else free or allocated with no "
       "owner (leaked), from the allocation map. A block with several owners lists them all.",
       kNeedsReader | kPrintsJson, {K::kOther}, cmd_icheck},
      {"ncheck", {}, "ncheck [--json] INUM...", "every path naming each inode",
       "Walks the whole namespace from the root (never twice into a directory) and prints "
       "each path that names one of the inodes.", kNeedsReader | kPrintsJson, {K::kOther},
       cmd_ncheck},
      {"btree", {"tree"}, "btree [--json] itree|otree|PATH", "print a btree, node by node",
       "The inode table (itree), the orphan tree (otree) or a file's extent tree or "
       "directory index: each bnode with its key range and entries, each leaf with its "
       "items decoded (inode records, extents, directory entries, orphans). Bnodes rebuilt "
       "from the log (changed since the last unify) are marked. Damaged nodes are shown "
       "with the reason and the walk goes on.", kNeedsReader | kPrintsJson, {K::kTree},
       cmd_btree},
      {"block", {"bd", "block_dump"}, "block [--hex] [--json] BLOCK",
       "decode any block by its magic, or hex-dump it",
       "Reads BLOCK and decodes it by the kind its magic names (superblock, bnode, leaves, "
       "bitmap, log, stream): the header, whether the checksum, location, UUID and delta "
       "are right, then the contents. --hex prints a hex dump instead. Works without a "
       "valid superblock (with the guessed block size).", kPrintsJson, {K::kOther},
       cmd_block},
      {"log", {"logdump"}, "log [--json]", "the delta log chain, record by record",
       "Each log block of the chain of the state shown, oldest first, with its delta, prev "
       "and every record; a damaged block ends the listing with the reason.",
       kNeedsReader | kPrintsJson, {}, cmd_log},
      {"deltas", {}, "deltas [--json]", "the deltas of the log, one line each",
       "Each delta of the chain: whether it began with a unify, its blocks, records and the "
       "roots and counts its ROOTS record committed.", kNeedsReader | kPrintsJson, {},
       cmd_deltas},
      {"streams", {}, "streams [--json]", "the fsync streams, block by block",
       "The stream table of the committed superblock; each live stream's valid blocks and "
       "where and why it ends; each complete fsync and whether replay applies it.",
       kNeedsReader | kPrintsJson, {}, cmd_streams},
      {"freefrag", {"space", "e2freefrag"}, "freefrag [--json]",
       "free space: free extents and a histogram",
       "From the allocation map of the state shown: blocks in use and free, free extents "
       "(count, smallest, largest, average) and a histogram of free extent sizes by power "
       "of two, as e2freefrag prints it; and the superblock's free count beside it.",
       kNeedsReader | kPrintsJson, {}, cmd_freefrag},
      {"graph", {}, "graph [all|itree|otree|log|streams|PATH] [> FILE.dot]",
       "a Graphviz picture of btrees, the log chain and streams",
       "Writes a digraph: the superblock, the inode table with every file's tree (all, the "
       "default), one tree, the log chain or the streams. Bnodes rebuilt from the log are "
       "dashed, blocks written since the last unify are filled, damaged blocks are red. "
       "Render with dot -Tsvg.", kNeedsReader, {K::kTree}, cmd_graph},
      {"mkdir", {}, "mkdir [-m MODE] PATH", "make a directory (-w)",
       "Made by the writer engine and committed as one delta.", kNeedsReader | kNeedsWrite,
       {K::kVolumePath}, cmd_mkdir},
      {"write", {}, "write [-m MODE] HOSTFILE PATH", "copy a host file in (-w)",
       "Creates the regular file PATH (which must not exist) with HOSTFILE's data, as one "
       "delta.", kNeedsReader | kNeedsWrite, {K::kHostPath, K::kVolumePath}, cmd_write},
      {"rm", {"unlink"}, "rm PATH", "remove a name that is not a directory (-w)",
       "One delta.", kNeedsReader | kNeedsWrite, {K::kVolumePath}, cmd_rm},
      {"rmdir", {}, "rmdir PATH", "remove an empty directory (-w)", "One delta.",
       kNeedsReader | kNeedsWrite, {K::kVolumePath}, cmd_rmdir},
      {"ln", {"link"}, "ln PATH NEWPATH", "make a hard link (-w)", "One delta.",
       kNeedsReader | kNeedsWrite, {K::kVolumePath, K::kVolumePath}, cmd_ln},
      {"symlink", {}, "symlink PATH TARGET", "make a symlink (-w)",
       "PATH is the new link, TARGET its contents (not resolved). One delta.",
       kNeedsReader | kNeedsWrite, {K::kVolumePath, K::kOther}, cmd_symlink},
      {"setxattr", {"ea_set"}, "setxattr PATH NAME VALUE", "set an extended attribute (-w)",
       "NAME is the full name (user.foo); VALUE is taken as is (use \"\\xHH\" for bytes). "
       "One delta.", kNeedsReader | kNeedsWrite, {K::kVolumePath, K::kOther}, cmd_setxattr},
      {"rmxattr", {"ea_rm"}, "rmxattr PATH NAME", "remove an extended attribute (-w)",
       "One delta.", kNeedsReader | kNeedsWrite, {K::kVolumePath, K::kOther}, cmd_rmxattr},
      {"set_super", {"ssv", "set_super_value"},
       "set_super [--slot 0|1|both] [--no-seal] [--list] FIELD VALUE",
       "set a superblock field, raw (-w)",
       "Writes VALUE into FIELD of the slot in use (or the slot given), recomputing the "
       "checksum unless --no-seal. FIELD is any field of the superblock (set_super --list "
       "prints them), stream.I.block|seq|delta for the stream table. The engine is closed "
       "first and not used: nothing else changes (a ROOTS record that no longer matches "
       "must be changed too, with corrupt, when the log is not empty). --list prints the slot's "
       "fields (without -w too).",
       0, {K::kOther}, cmd_set_super},
      {"corrupt", {}, "corrupt [--no-seal] [--list] BLOCK|slot0|slot1 FIELD [VALUE]",
       "change one field of a block, raw, for fsck test images (-w)",
       "Changes FIELD of the block (decoded by its magic) or superblock slot to VALUE, or "
       "without VALUE inverts every bit of it, and recomputes the checksum unless "
       "--no-seal is given or FIELD is the checksum itself. Fields: the header (magic, "
       "checksum, location, uuid, delta), node fields (owner, level, count, entry.I.key, "
       "entry.I.child, slot.I.key, slot.I.length), leaf values (inode.N.FIELD for any "
       "inode core field, extent.I.physical|count|flags, dirent.I.inum|type), bitmap "
       "(base, bit.N), log (prev, used, record.I.code, record.I.FIELD), stream (stream, "
       "flags, seq, next, inum, size, ..., extent.I.FIELD), and raw u8@OFF, u16@OFF, "
       "u32@OFF, u64@OFF. --list prints the fields of that block (without -w too).", 0,
       {K::kOther}, cmd_corrupt},
  };
  return commands;
}

}  // namespace

Status CommandContext::usage(std::string message) {
  usage_failed = true;
  return Status::invalid_argument(std::move(message));
}

void CommandContext::emit(const Json& doc) {
  std::string text = doc.dump(-1, ' ', false, Json::error_handler_t::replace);
  fmt::print(out, "{}\n", text);
}

const std::string* ParsedArgs::value(std::string_view option) const {
  for (const auto& [name, value] : values) {
    if (name == option) return &value;
  }
  return nullptr;
}

namespace {

bool negative_number(std::string_view word) {
  return word.size() > 1 && word[0] == '-' &&
         std::all_of(word.begin() + 1, word.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Result<ParsedArgs> parse_args(CommandContext& ctx, const CommandSpec& spec, const ArgSpec& args) {
  ParsedArgs out;
  bool options_done = false;
  const auto& words = ctx.args;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (options_done || w.size() < 2 || w[0] != '-' || negative_number(w)) {
      out.operands.push_back(w);
      continue;
    }
    if (w == "--") {
      options_done = true;
      continue;
    }
    if ((spec.needs & kPrintsJson) && (w == "--json" || w == "-j")) {
      ctx.json = true;
      continue;
    }
    if (std::find(args.flags.begin(), args.flags.end(), w) != args.flags.end()) {
      out.flags.insert(w);
      continue;
    }
    if (std::find(args.valued.begin(), args.valued.end(), w) != args.valued.end()) {
      if (i + 1 >= words.size()) {
        return ctx.usage(fmt::format("{} needs a value (usage: {})", w, spec.synopsis));
      }
      out.values.emplace_back(w, words[++i]);
      continue;
    }
    // Single-letter flags may be grouped: -la.
    bool grouped = w[1] != '-' && w.size() > 2;
    for (std::size_t k = 1; grouped && k < w.size(); ++k) {
      std::string one = std::string("-") + w[k];
      grouped = std::find(args.flags.begin(), args.flags.end(), one) != args.flags.end();
    }
    if (grouped) {
      for (std::size_t k = 1; k < w.size(); ++k) out.flags.insert(std::string("-") + w[k]);
      continue;
    }
    return ctx.usage(fmt::format("unknown option '{}' (usage: {})", w, spec.synopsis));
  }
  if (out.operands.size() < args.min_operands || out.operands.size() > args.max_operands) {
    return ctx.usage(fmt::format("{} (usage: {})",
                                 out.operands.size() < args.min_operands ? "too few arguments"
                                                                         : "too many arguments",
                                 spec.synopsis));
  }
  return out;
}

bool parse_number(std::string_view text, uint64_t& out) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return ec == std::errc() && end == text.data() + text.size();
}

std::span<const CommandSpec> all_commands() { return table(); }

const CommandSpec* find_command(std::string_view name) {
  for (const CommandSpec& c : table()) {
    if (c.name == name) return &c;
    for (std::string_view a : c.aliases) {
      if (a == name) return &c;
    }
  }
  return nullptr;
}

}  // namespace tux3::debugfs
