// cmd_edit.cc: set_super, corrupt: raw, field-aware edits of a superblock slot or any block,
// for building test images (fsck's corpus) or mending a volume by hand. They bypass the
// engine: the bytes are read, the one field changed, the checksum recomputed unless told
// not to, and the block written back and flushed.
#include <fmt/format.h>

#include "commands.h"
#include "fields.h"
#include "names.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/format/header.h"

namespace tux3::debugfs {

using namespace format;

namespace {

struct Target {
  std::string name;     // "block 345" / "superblock slot 0"
  uint64_t offset = 0;  // byte offset on the device
  std::size_t size = 0;
  bool slot = false;
};

Result<Target> target_of(CommandContext& ctx, const std::string& word) {
  const Geometry& g = ctx.session.geometry();
  if (word == "slot0" || word == "slot1") {
    unsigned i = word == "slot0" ? 0 : 1;
    return Target{fmt::format("superblock slot {}", i), kSuperSlotOffset[i], kSuperSlotSize, true};
  }
  uint64_t block;
  if (!parse_number(word, block)) {
    return ctx.usage(fmt::format("'{}' is not a block number, slot0 or slot1", word));
  }
  if (block >= g.vol_blocks) {
    return ctx.usage(fmt::format("block {} is outside the volume ({} blocks)", block, g.vol_blocks));
  }
  if (block < g.first_data_block) {
    return ctx.usage(fmt::format("block {} is the reserved area: name the superblock slot0 or "
                                 "slot1", block));
  }
  return Target{fmt::format("block {}", block), block << g.block_bits, g.block_size, false};
}

// Changes one field of `t` and writes it back; prints what changed.
Status edit(CommandContext& ctx, const Target& t, const std::string& field_name,
            const std::string& value, bool seal) {
  Session& s = ctx.session;
  std::vector<uint8_t> buf(t.size);
  TUX3_RETURN_IF_ERROR(s.device().read(t.offset, buf));
  auto field = find_field(buf, t.slot, field_name);
  if (!field) return ctx.usage(field.status().with_context(t.name).message());
  std::string before = field_value_text(buf, *field);
  if (Status set = set_field(buf, *field, value); !set) {
    return ctx.usage(fmt::format("{}: {}: {}", t.name, field_name, set.message()));
  }
  std::string after = field_value_text(buf, *field);
  bool resealed = seal && field->name != "checksum";
  if (resealed) seal_block(buf);
  TUX3_RETURN_IF_ERROR(s.write_raw(t.offset, buf, ctx.warnings));
  fmt::print(ctx.out, "{}: {}: {} -> {}{}\n", t.name, field->name, before, after,
             resealed ? fmt::format(" (checksum {:#010x})", HeaderLayout::Checksum::get(buf))
                      : std::string(" (checksum not recomputed)"));
  return Status::ok();
}

Status list(CommandContext& ctx, const Target& t) {
  std::vector<uint8_t> buf(t.size);
  TUX3_RETURN_IF_ERROR(ctx.session.device().read(t.offset, buf));
  auto fields = list_fields(buf, t.slot);
  fmt::print(ctx.out, "{}: {} fields{}\n", t.name, fields.size(),
             t.slot ? "" : " (and bit.N in a bitmap block; u8@OFF .. u64@OFF anywhere)");
  for (const Field& f : fields) {
    fmt::print(ctx.out, "  {:<28} @{:<5} {} = {}\n", f.name, f.offset, plural(f.width, "byte"),
               field_value_text(buf, f));
  }
  return Status::ok();
}

}  // namespace

Status cmd_set_super(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args,
                        parse_args(ctx, spec, ArgSpec{{"--no-seal", "--list"}, {"--slot"}, 0, 2}));
  Session& s = ctx.session;
  const std::string* which = args.value("--slot");
  if (which && *which != "0" && *which != "1" && *which != "both") {
    return ctx.usage(fmt::format("--slot '{}': expected 0, 1 or both", *which));
  }
  bool listing = args.has("--list");
  if (listing && !args.operands.empty()) return ctx.usage("set_super --list takes no FIELD");
  if (!listing && args.operands.size() != 2) {
    return ctx.usage(fmt::format("FIELD and VALUE are needed (usage: {})", spec.synopsis));
  }
  // An engine command earlier in this run: its close moves the volume to the other slot,
  // so the slot in use is known only after it.
  if (!listing) TUX3_RETURN_IF_ERROR(s.settle_for_raw_edit(ctx.warnings));
  std::vector<unsigned> slots;
  if (!which) {
    if (!s.slots().chosen) {
      return ctx.usage("no superblock slot is valid: name one with --slot 0, 1 or both");
    }
    slots.push_back(*s.slots().chosen);
  } else if (*which == "both") {
    slots = {0, 1};
  } else {
    slots.push_back(*which == "0" ? 0 : 1);
  }
  if (listing) {
    return list(ctx, Target{fmt::format("superblock slot {}", slots[0]),
                            kSuperSlotOffset[slots[0]], kSuperSlotSize, true});
  }
  for (unsigned i : slots) {
    Target t{fmt::format("superblock slot {}", i), kSuperSlotOffset[i], kSuperSlotSize, true};
    TUX3_RETURN_IF_ERROR(edit(ctx, t, args.operands[0], args.operands[1], !args.has("--no-seal")));
  }
  return Status::ok();
}

Status cmd_corrupt(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args,
                        parse_args(ctx, spec, ArgSpec{{"--no-seal", "--list"}, {}, 1, 3}));
  TUX3_ASSIGN_OR_RETURN(Target t, target_of(ctx, args.operands[0]));
  if (args.has("--list")) {
    if (args.operands.size() != 1) return ctx.usage("corrupt --list takes only the block");
    return list(ctx, t);
  }
  if (args.operands.size() < 2) {
    return ctx.usage(fmt::format("FIELD is needed (usage: {})", spec.synopsis));
  }
  std::string value = args.operands.size() == 3 ? args.operands[2] : "";
  if (args.operands.size() == 3 && value.empty()) {
    return ctx.usage("an empty VALUE (leave it out to invert the field)");
  }
  // The block as the engine's close leaves it (a unify may rewrite it), not as before.
  TUX3_RETURN_IF_ERROR(ctx.session.settle_for_raw_edit(ctx.warnings));
  return edit(ctx, t, args.operands[1], value, !args.has("--no-seal"));
}

}  // namespace tux3::debugfs
