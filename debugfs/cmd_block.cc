// cmd_block.cc: block: any block decoded by the kind its magic names, with every check of
// its header spelled out (checksum, location, UUID, delta) and its contents; or a hex dump.
#include <fmt/format.h>

#include "commands.h"
#include "json_values.h"
#include "names.h"
#include "node_view.h"
#include "tree_walk.h"
#include "tuxdisk/bytes.h"
#include "tuxdisk/format/bitmap.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/format/header.h"
#include "tuxdisk/format/log.h"
#include "tuxdisk/format/node.h"
#include "tuxdisk/format/stream.h"

namespace tux3::debugfs {

using namespace format;

namespace {

std::string magic_text(uint32_t magic) {
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    auto c = char(magic >> shift);
    out += c >= 0x20 && c < 0x7f ? c : '.';
  }
  return out;
}

uint32_t computed_checksum(std::span<const uint8_t> block) {
  std::vector<uint8_t> copy(block.begin(), block.end());
  seal_block(copy);
  return HeaderLayout::Checksum::get(copy);
}

class BlockPrinter {
 public:
  BlockPrinter(CommandContext& ctx, uint64_t block, std::span<const uint8_t> buf)
      : ctx_(ctx), s_(ctx.session), block_(block), buf_(buf) {
    auto r = s_.reader();
    reader_ = r ? *r : nullptr;
  }

  Status run() {
    const Geometry& g = s_.geometry();
    doc_ = json_document("block");
    doc_["block"] = block_;
    doc_["block_size"] = g.block_size;
    if (block_ < g.first_data_block) return reserved();
    uint32_t magic = HeaderLayout::Magic::get(buf_);
    std::string_view kind = magic_name(magic);
    doc_["kind"] = kind;
    if (kind == "unknown" || magic == kMagicSuper) return unknown(magic);
    text("block {}: {} (magic {:#010x} \"{}\")\n", block_, kind, magic, magic_text(magic));
    header(magic);
    Status contents;
    switch (magic) {
      case kMagicBnode: contents = bnode(); break;
      case kMagicBitmap: contents = bitmap(); break;
      case kMagicLog: contents = log(); break;
      case kMagicStream: contents = stream(); break;
      default: contents = leaf(magic); break;
    }
    doc_["error"] = contents ? Json(nullptr) : Json(contents.message());
    if (!contents) text("  BAD: {}\n", contents.message());
    if (ctx_.json) ctx_.emit(doc_);
    return contents;
  }

 private:
  template <typename... Args>
  void text(fmt::format_string<Args...> f, Args&&... args) {
    if (!ctx_.json) fmt::print(ctx_.out, f, std::forward<Args>(args)...);
  }

  Expect expect(uint32_t magic) const {
    if (reader_) return reader_->expect(magic, block_);
    // No superblock: nothing to compare the UUID and delta with.
    Uuid uuid;
    auto own = HeaderLayout::VolumeUuid::get(buf_);
    std::copy(own.begin(), own.end(), uuid.begin());
    return Expect{magic, block_, uuid, UINT64_MAX};
  }

  void header(uint32_t magic) {
    BlockHeader h = decode_header(buf_);
    uint32_t stored = HeaderLayout::Checksum::get(buf_), computed = computed_checksum(buf_);
    // A stream block's delta is its stream's tag, not a commit: it is not compared.
    Expect e = expect(magic);
    if (magic == kMagicStream) e.max_delta = UINT64_MAX;
    BlockFault fault = classify_block(buf_, e);
    text("  checksum {:#010x}: {}\n", stored,
         stored == computed ? std::string("ok") : fmt::format("BAD (computed {:#010x})", computed));
    text("  location {}: {}\n", h.location,
         h.location == block_ ? "ok" : "BAD (misdirected: written for another block)");
    std::string uuid = uuid_to_string(h.uuid);
    if (reader_) {
      text("  uuid {}: {}\n", uuid,
           h.uuid == reader_->super().uuid ? "ok" : "BAD (another volume's)");
      text("  delta {}: {}\n", h.delta,
           magic == kMagicStream          ? "(the stream's tag)"
           : h.delta <= reader_->super().delta ? "ok"
                                               : "BAD (newer than the state's delta: uncommitted)");
    } else {
      text("  uuid {}, delta {} (no superblock to compare with)\n", uuid, h.delta);
    }
    text("  verdict: {}\n", fault == BlockFault::kOk ? "ok" : block_fault_name(fault));
    doc_["header"] = Json{{"magic", magic},         {"magic_text", magic_text(magic)},
                          {"checksum", stored},     {"computed_checksum", computed},
                          {"checksum_ok", stored == computed},
                          {"location", h.location}, {"uuid", uuid},
                          {"delta", h.delta}};
    doc_["verdict"] = fault == BlockFault::kOk ? "ok" : block_fault_name(fault);
  }

  NodeExpect node_expect(uint32_t magic) const {
    uint64_t vol_blocks = reader_ ? reader_->super().vol_blocks : s_.geometry().vol_blocks;
    return NodeExpect{expect(magic), NodeLayout::Owner::get(buf_), vol_blocks};
  }

  Status bnode() {
    uint64_t owner = NodeLayout::Owner::get(buf_);
    text("  owner {:#x} ({}), level {}, count {}\n", owner, owner_name(owner),
         NodeLayout::Level::get(buf_), NodeLayout::Count::get(buf_));
    auto node = decode_bnode(buf_, node_expect(kMagicBnode));
    if (node) {
      if (!ctx_.json) print_bnode(ctx_.out, 0, block_, *node, "  ");
      doc_["node"] = bnode_json(block_, *node);
      return Status::ok();
    }
    auto pointers = decode_bnode_pointers(buf_, node_expect(kMagicBnode));
    if (pointers) {
      text("  its child pointers, not verified:\n");
      if (!ctx_.json) print_bnode(ctx_.out, 0, block_, *pointers, "  ");
      doc_["node"] = bnode_json(block_, *pointers);
    }
    return node.status();
  }

  Status leaf(uint32_t magic) {
    uint64_t owner = NodeLayout::Owner::get(buf_);
    text("  owner {:#x} ({}), level {}, count {}\n", owner, owner_name(owner),
         NodeLayout::Level::get(buf_), NodeLayout::Count::get(buf_));
    TUX3_ASSIGN_OR_RETURN(LeafView view, LeafView::decode(buf_, node_expect(magic)));
    ItemContext items{magic, reader_ ? reader_->super().hash_seed : 0,
                      reader_ ? reader_->super().vol_blocks : s_.geometry().vol_blocks,
                      s_.geometry().first_data_block};
    if (!ctx_.json) print_leaf(ctx_.out, items, block_, view, "  ");
    doc_["leaf"] = leaf_json(items, block_, view);
    return Status::ok();
  }

  Status bitmap() {
    const uint32_t bs = s_.geometry().block_size;
    const uint64_t bits = bits_per_bitmap_block(bs);
    const uint64_t base = BitmapLayout::Base::get(buf_);
    uint64_t vol_blocks = s_.geometry().vol_blocks;
    auto set = bitmap_bits(buf_);
    uint64_t count = 0;
    std::vector<std::pair<uint64_t, uint64_t>> ranges;  // allocated [start, end)
    for (uint64_t i = 0; i < bits; ++i) {
      if (!bit_is_set(set, i)) continue;
      ++count;
      if (!ranges.empty() && ranges.back().second == base + i) {
        ranges.back().second++;
      } else {
        ranges.push_back({base + i, base + i + 1});
      }
    }
    text("  base {} (covers blocks {} to {}), {} of {} bits set\n", base, base, base + bits - 1,
         count, bits);
    std::string list;
    for (std::size_t i = 0; i < ranges.size() && i < 32; ++i) {
      auto [a, b] = ranges[i];
      list += b - a == 1 ? fmt::format(" {}", a) : fmt::format(" {}-{}", a, b - 1);
    }
    if (ranges.size() > 32) list += fmt::format(" ... ({} ranges)", ranges.size());
    text("  allocated:{}\n", list.empty() ? " none" : list);
    Json jr = Json::array();
    for (auto [a, b] : ranges) jr.push_back(Json{{"start", a}, {"count", b - a}});
    doc_["bitmap"] = Json{{"base", base}, {"bits", bits}, {"set", count}, {"allocated", jr}};
    if (base % bits != 0) {
      return Status::corruption(fmt::format("base {} is not a multiple of {}", base, bits));
    }
    return verify_bitmap_block(buf_, expect(kMagicBitmap), base, vol_blocks);
  }

  Status log() {
    uint64_t vol_blocks = s_.geometry().vol_blocks;
    TUX3_ASSIGN_OR_RETURN(LogBlock lb, decode_log_block(buf_, expect(kMagicLog), vol_blocks));
    text("  prev {}, {} bytes of records, {}\n", lb.prev, LogLayout::Used::get(buf_),
         plural(lb.records.size(), "record"));
    Json records = Json::array();
    for (const LogRecord& r : lb.records) {
      text("    {}\n", record_text(r));
      records.push_back(json_record(r));
    }
    doc_["log"] = Json{{"prev", lb.prev}, {"used", LogLayout::Used::get(buf_)},
                       {"records", std::move(records)}};
    return Status::ok();
  }

  Status stream() {
    StreamExpect e{expect(kMagicStream), StreamLayout::Stream::get(buf_),
                   StreamLayout::Seq::get(buf_), s_.geometry().vol_blocks,
                   s_.geometry().first_data_block};
    e.header.max_delta = HeaderLayout::Delta::get(buf_);
    TUX3_ASSIGN_OR_RETURN(StreamBlock b, decode_stream_block(buf_, e));
    text("  stream {}, seq {}, tag delta {}, next {}, flags {}\n", b.stream, b.seq, b.header.delta,
         b.next, join(stream_flag_names(b.flags), ","));
    text("  inode {}: size {}, mtime {}, ctime {}, mode {}, data_crc {:#010x}\n", b.inum, b.size,
         timestamp_text(b.mtime), timestamp_text(b.ctime), octal_mode(b.mode), b.data_crc);
    Json extents = Json::array();
    for (const Extent& x : b.extents) {
      text("    logical {}-{} -> {}-{}{}\n", x.logical, x.logical + x.count - 1, x.physical,
           x.physical + x.count - 1, x.flags ? " " + join(extent_flag_names(x.flags), ",") : "");
      extents.push_back(json_extent(x));
    }
    doc_["stream"] = Json{{"stream", b.stream},       {"seq", b.seq},
                          {"next", b.next},           {"flags", stream_flag_names(b.flags)},
                          {"inode", b.inum},          {"size", b.size},
                          {"mtime", json_timestamp(b.mtime)},
                          {"ctime", json_timestamp(b.ctime)},
                          {"mode", b.mode},           {"data_crc", b.data_crc},
                          {"extents", std::move(extents)}};
    return Status::ok();
  }

  Status unknown(uint32_t magic) {
    doc_["kind"] = magic == kMagicSuper ? "superblock" : "unknown";
    if (all_zero(buf_)) {
      text("block {}: all zeros (never written, a hole in a dump, or free)\n", block_);
      doc_["zero"] = true;
    } else {
      text("block {}: no tux3 block magic ({:#010x} \"{}\"): file data, a free block's old "
           "contents, or damage{}\n", block_, magic, magic_text(magic),
           magic == kMagicSuper ? " (a superblock's magic outside the slots)" : "");
      text("{}", hexdump(buf_.subspan(0, std::min<std::size_t>(64, buf_.size()))));
      text("(block --hex {} shows it all)\n", block_);
      doc_["zero"] = false;
    }
    doc_["error"] = nullptr;
    if (ctx_.json) ctx_.emit(doc_);
    return Status::ok();
  }

  Status reserved() {
    const Geometry& g = s_.geometry();
    uint64_t start = block_ * g.block_size, end = start + g.block_size;
    doc_["kind"] = "reserved";
    text("block {}: reserved area (bytes {} to {})\n", block_, start, end - 1);
    Json parts = Json::array();
    if (start < kSuperSlotOffset[0]) {
      text("  boot area (unused){}\n", all_zero(buf_.subspan(0, std::min<uint64_t>(
                                          g.block_size, kSuperSlotOffset[0] - start)))
                                          ? ": zeros" : ": NOT zero");
      parts.push_back(Json{{"part", "boot"}});
    }
    for (unsigned i = 0; i < 2; ++i) {
      uint64_t a = kSuperSlotOffset[i], b = a + kSuperSlotSize;
      if (b <= start || a >= end) continue;
      const auto& slot = s_.slots().slots[i];
      std::string state = slot ? fmt::format("valid, delta {}{}", slot->delta,
                                             s_.slots().chosen == i ? ", in use" : "")
                               : "invalid: " + slot.status().message();
      text("  superblock slot {} (bytes {} to {} of it): {}\n", i, std::max(a, start) - a,
           std::min(b, end) - a - 1, state);
      parts.push_back(Json{{"part", fmt::format("slot{}", i)}, {"valid", slot.is_ok()},
                           {"error", slot ? Json(nullptr) : Json(slot.status().message())}});
    }
    text("(super decodes both slots)\n");
    doc_["parts"] = std::move(parts);
    doc_["error"] = nullptr;
    if (ctx_.json) ctx_.emit(doc_);
    return Status::ok();
  }

  CommandContext& ctx_;
  Session& s_;
  uint64_t block_;
  std::span<const uint8_t> buf_;
  VolumeReader* reader_ = nullptr;
  Json doc_;
};

}  // namespace

Status cmd_block(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_ASSIGN_OR_RETURN(ParsedArgs args, parse_args(ctx, spec, ArgSpec{{"--hex", "-x"}, {}, 1, 1}));
  Session& s = ctx.session;
  const Geometry& g = s.geometry();
  uint64_t block;
  if (!parse_number(args.operands[0], block)) {
    return ctx.usage(fmt::format("'{}' is not a block number", args.operands[0]));
  }
  if (block >= g.vol_blocks) {
    return ctx.usage(fmt::format("{} is outside the volume ({} blocks)", block, g.vol_blocks));
  }
  std::vector<uint8_t> buf(g.block_size);
  TUX3_RETURN_IF_ERROR(s.device().read(block << g.block_bits, buf));
  if (args.has("--hex") || args.has("-x")) {
    if (ctx.json) {
      Json doc = json_document("block");
      doc["block"] = block;
      doc["block_size"] = g.block_size;
      doc["kind"] = block < g.first_data_block ? std::string_view("reserved")
                                               : magic_name(HeaderLayout::Magic::get(buf));
      doc["hex"] = hex_bytes(buf);
      ctx.emit(doc);
    } else {
      fmt::print(ctx.out, "block {} (byte {}), {} bytes:\n{}", block, block << g.block_bits,
                 g.block_size, hexdump(buf));
    }
    return Status::ok();
  }
  return BlockPrinter(ctx, block, buf).run();
}

}  // namespace tux3::debugfs
