// fields.cc: named fields of every block kind (fields.h).
#include "fields.h"

#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "names.h"
#include "tuxdisk/endian.h"
#include "tuxdisk/format/bitmap.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/format/header.h"
#include "tuxdisk/format/inode.h"
#include "tuxdisk/format/log.h"
#include "tuxdisk/format/node.h"
#include "tuxdisk/format/stream.h"
#include "tuxdisk/format/superblock.h"

namespace tux3::debugfs {

using namespace format;

namespace {

class FieldList {
 public:
  explicit FieldList(std::size_t size) : size_(size) {}
  void add(std::string name, std::size_t offset, std::size_t width,
           FieldKind kind = FieldKind::kUnsigned) {
    if (offset + width <= size_) fields_.push_back({std::move(name), offset, width, kind, 0});
  }
  template <typename F>
  void add(std::string name, std::size_t base = 0, FieldKind kind = FieldKind::kUnsigned) {
    add(std::move(name), base + F::kOffset, F::kSize, kind);
  }
  std::vector<Field> take() { return std::move(fields_); }

 private:
  std::size_t size_;
  std::vector<Field> fields_;
};

void header_fields(FieldList& f) {
  f.add<HeaderLayout::Magic>("magic");
  f.add<HeaderLayout::Checksum>("checksum");
  f.add<HeaderLayout::Location>("location");
  f.add("uuid", HeaderLayout::VolumeUuid::kOffset, 16, FieldKind::kUuid);
  f.add<HeaderLayout::Delta>("delta");
}

void superblock_fields(FieldList& f) {
  using L = SuperLayout;
  f.add<L::Version>("version");
  f.add<L::BlockBits>("blockbits");
  f.add<L::State>("state");
  f.add<L::StreamCount>("stream_count");
  f.add<L::FeatureCompat>("feature_compat");
  f.add<L::FeatureRoCompat>("feature_ro_compat");
  f.add<L::FeatureIncompat>("feature_incompat");
  f.add<L::VolBlocks>("vol_blocks");
  f.add<L::FreeBlocks>("free_blocks");
  f.add<L::InodeCount>("inode_count");
  f.add<L::NextInum>("next_inum");
  f.add<L::NextBlock>("next_block");
  f.add<L::ItreeRoot>("itree_root");
  f.add<L::OtreeRoot>("otree_root");
  f.add<L::ItreeDepth>("itree_depth");
  f.add<L::OtreeDepth>("otree_depth");
  f.add<L::LogCount>("log_count");
  f.add<L::LogHead>("log_head");
  f.add<L::UnifyDelta>("unify_delta");
  f.add<L::CreateSec>("create_sec", 0, FieldKind::kSigned);
  f.add<L::CreateNsec>("create_nsec");
  f.add<L::CommitNsec>("commit_nsec");
  f.add<L::CommitSec>("commit_sec", 0, FieldKind::kSigned);
  f.add<L::HashSeed>("hash_seed");
  f.add<L::IoMin>("io_min");
  f.add<L::IoOpt>("io_opt");
  f.add<L::FsyncModeField>("fsync_mode");
  f.add("label", L::Label::kOffset, L::Label::kSize, FieldKind::kLabel);
  for (std::size_t i = 0; i < kMaxStreams; ++i) {
    std::size_t base = L::kStreamTable + i * L::kStreamEntrySize;
    f.add<L::StreamBlock>(fmt::format("stream.{}.block", i), base);
    f.add<L::StreamSeq>(fmt::format("stream.{}.seq", i), base);
    f.add<L::StreamDelta>(fmt::format("stream.{}.delta", i), base);
  }
}

void inode_fields(FieldList& f, uint64_t inum, std::size_t base, std::size_t length) {
  using L = InodeLayout;
  if (length < L::kCoreSize) return;
  std::string p = fmt::format("inode.{}.", inum);
  f.add<L::Mode>(p + "mode", base);
  f.add<L::Uid>(p + "uid", base);
  f.add<L::Gid>(p + "gid", base);
  f.add<L::Nlink>(p + "nlink", base);
  f.add<L::Size>(p + "size", base);
  f.add<L::Blocks>(p + "blocks", base);
  f.add<L::AtimeSec>(p + "atime_sec", base, FieldKind::kSigned);
  f.add<L::AtimeNsec>(p + "atime_nsec", base);
  f.add<L::MtimeSec>(p + "mtime_sec", base, FieldKind::kSigned);
  f.add<L::MtimeNsec>(p + "mtime_nsec", base);
  f.add<L::CtimeSec>(p + "ctime_sec", base, FieldKind::kSigned);
  f.add<L::CtimeNsec>(p + "ctime_nsec", base);
  f.add<L::BtimeSec>(p + "btime_sec", base, FieldKind::kSigned);
  f.add<L::BtimeNsec>(p + "btime_nsec", base);
  f.add<L::Flags>(p + "flags", base);
  f.add<L::Generation>(p + "generation", base);
  f.add<L::RootBlock>(p + "root_block", base);
  f.add<L::RootDepth>(p + "root_depth", base);
  f.add<L::Reserved>(p + "reserved", base);
}

// The slot table of a leaf, and where each value lies, as far as it can be followed.
void leaf_fields(FieldList& f, std::span<const uint8_t> b, uint32_t magic) {
  std::size_t count = NodeLayout::Count::get(b);
  std::size_t end = b.size();
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t slot = NodeLayout::kSize + i * NodeLayout::kSlotSize;
    if (slot + NodeLayout::kSlotSize > b.size()) break;
    f.add<NodeLayout::SlotKey>(fmt::format("slot.{}.key", i), slot);
    f.add<NodeLayout::SlotLength>(fmt::format("slot.{}.length", i), slot);
    std::size_t length = NodeLayout::SlotLength::get(b.subspan(slot));
    if (length > end || end - length < slot + NodeLayout::kSlotSize) continue;  // not followable
    std::size_t value = end - length;
    end = value;
    uint64_t key = NodeLayout::SlotKey::get(b.subspan(slot));
    if (magic == kMagicIleaf) inode_fields(f, key, value, length);
    if (magic == kMagicXleaf && length >= ExtentLayout::kSize) {
      f.add<ExtentLayout::Physical>(fmt::format("extent.{}.physical", i), value);
      f.add<ExtentLayout::Count>(fmt::format("extent.{}.count", i), value);
      f.add<ExtentLayout::Flags>(fmt::format("extent.{}.flags", i), value);
    }
    if (magic == kMagicDleaf && length >= DirentLayout::kNameOffset) {
      f.add<DirentLayout::Inum>(fmt::format("dirent.{}.inum", i), value);
      f.add<DirentLayout::Type>(fmt::format("dirent.{}.type", i), value);
    }
  }
}

void log_fields(FieldList& f, std::span<const uint8_t> b) {
  f.add<LogLayout::Prev>("prev");
  f.add<LogLayout::Used>("used");
  f.add<LogLayout::Reserved16>("reserved16");
  f.add<LogLayout::Reserved32>("reserved32");
  std::size_t end = std::min<std::size_t>(b.size(), LogLayout::kRecordsOffset + LogLayout::Used::get(b));
  std::size_t at = LogLayout::kRecordsOffset;
  for (std::size_t i = 0; at + LogLayout::kRecordHeaderSize <= end; ++i) {
    uint8_t code = b[at], size = b[at + 1];
    f.add(fmt::format("record.{}.code", i), at, 1);
    f.add(fmt::format("record.{}.size", i), at + 1, 1);
    if (const LogRecordKind* kind = log_record_kind(code)) {
      std::size_t off = at + LogLayout::kRecordHeaderSize;
      for (std::size_t k = 0; k < kind->field_count; ++k) {
        const LogFieldSpec& spec = kind->fields[k];
        if (off + spec.width > at + size) break;
        f.add(fmt::format("record.{}.{}", i, spec.name), off, spec.width,
              spec.name.ends_with("_sec") ? FieldKind::kSigned : FieldKind::kUnsigned);
        off += spec.width;
      }
    }
    if (size < LogLayout::kRecordHeaderSize) break;  // cannot step over it
    at += size;
  }
}

void stream_fields(FieldList& f, std::span<const uint8_t> b) {
  using L = StreamLayout;
  f.add<L::Stream>("stream");
  f.add<L::Flags>("flags");
  f.add<L::ExtentCount>("extent_count");
  f.add<L::Seq>("seq");
  f.add<L::Next>("next");
  f.add<L::Inum>("inum");
  f.add<L::Size>("size");
  f.add<L::MtimeSec>("mtime_sec", 0, FieldKind::kSigned);
  f.add<L::MtimeNsec>("mtime_nsec");
  f.add<L::CtimeNsec>("ctime_nsec");
  f.add<L::CtimeSec>("ctime_sec", 0, FieldKind::kSigned);
  f.add<L::Mode>("mode");
  f.add<L::DataCrc>("data_crc");
  std::size_t count = L::ExtentCount::get(b);
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t base = L::kExtentsOffset + i * L::kExtentSize;
    if (base + L::kExtentSize > b.size()) break;
    f.add<L::ExtLogical>(fmt::format("extent.{}.logical", i), base);
    f.add<L::ExtPhysical>(fmt::format("extent.{}.physical", i), base);
    f.add<L::ExtCount>(fmt::format("extent.{}.count", i), base);
    f.add<L::ExtFlags>(fmt::format("extent.{}.flags", i), base);
  }
}

// u8@OFF, u16@OFF, u32@OFF, u64@OFF.
std::optional<Field> raw_field(std::string_view name, std::size_t size) {
  std::size_t at = name.find('@');
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view type = name.substr(0, at), off = name.substr(at + 1);
  std::size_t width = type == "u8" ? 1 : type == "u16" ? 2 : type == "u32" ? 4 : type == "u64" ? 8 : 0;
  if (!width) return std::nullopt;
  int base = 10;
  if (off.starts_with("0x")) {
    off.remove_prefix(2);
    base = 16;
  }
  std::size_t offset = 0;
  auto [end, ec] = std::from_chars(off.data(), off.data() + off.size(), offset, base);
  if (ec != std::errc() || end != off.data() + off.size() || off.empty() ||
      offset > size || width > size - offset) {
    return std::nullopt;
  }
  return Field{std::string(name), offset, width, FieldKind::kUnsigned, 0};
}

std::optional<Field> bit_field(std::span<const uint8_t> b, std::string_view name) {
  if (b.size() < BitmapLayout::kBitsOffset || HeaderLayout::Magic::get(b) != kMagicBitmap ||
      !name.starts_with("bit.")) {
    return std::nullopt;
  }
  std::string_view digits = name.substr(4);
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() ||
      n >= (b.size() - BitmapLayout::kBitsOffset) * 8) {
    return std::nullopt;
  }
  return Field{std::string(name), BitmapLayout::kBitsOffset + n / 8, 1, FieldKind::kBit,
               unsigned(n % 8)};
}

}  // namespace

std::vector<Field> list_fields(std::span<const uint8_t> b, bool slot) {
  FieldList f(b.size());
  if (b.size() < HeaderLayout::kSize) return f.take();
  header_fields(f);
  if (slot) {
    superblock_fields(f);
    return f.take();
  }
  uint32_t magic = HeaderLayout::Magic::get(b);
  switch (magic) {
    case kMagicBnode:
    case kMagicIleaf:
    case kMagicXleaf:
    case kMagicDleaf:
    case kMagicOleaf:
      f.add<NodeLayout::Owner>("owner");
      f.add<NodeLayout::Level>("level");
      f.add<NodeLayout::Count>("count");
      f.add<NodeLayout::Reserved>("reserved");
      if (magic == kMagicBnode) {
        std::size_t count = NodeLayout::Count::get(b);
        for (std::size_t i = 0; i < count; ++i) {
          std::size_t base = NodeLayout::kSize + i * NodeLayout::kEntrySize;
          f.add<NodeLayout::EntryKey>(fmt::format("entry.{}.key", i), base);
          f.add<NodeLayout::EntryChild>(fmt::format("entry.{}.child", i), base);
        }
      } else {
        leaf_fields(f, b, magic);
      }
      break;
    case kMagicBitmap:
      f.add<BitmapLayout::Base>("base");
      f.add<BitmapLayout::Reserved>("reserved");
      break;
    case kMagicLog: log_fields(f, b); break;
    case kMagicStream: stream_fields(f, b); break;
    default: break;
  }
  return f.take();
}

Result<Field> find_field(std::span<const uint8_t> b, bool slot, std::string_view name) {
  if (auto raw = raw_field(name, b.size())) return *raw;
  if (auto bit = bit_field(b, name)) return *bit;
  for (Field& f : list_fields(b, slot)) {
    if (f.name == name) return std::move(f);
  }
  uint32_t magic = b.size() >= 4 ? HeaderLayout::Magic::get(b) : 0;
  return Status::not_found(fmt::format("no field '{}' in this {} (corrupt --list BLOCK lists them; "
                                       "u8@OFF .. u64@OFF name any bytes)", name,
                                       slot ? std::string_view("superblock slot") : magic_name(magic)));
}

std::string field_value_text(std::span<const uint8_t> b, const Field& f) {
  auto bytes = b.subspan(f.offset, f.width);
  switch (f.kind) {
    case FieldKind::kUuid: {
      Uuid u;
      std::copy(bytes.begin(), bytes.end(), u.begin());
      return uuid_to_string(u);
    }
    case FieldKind::kLabel: {
      std::string s(bytes.begin(), bytes.end());
      return "'" + printable(s.substr(0, s.find('\0'))) + "'";
    }
    case FieldKind::kBit: return fmt::format("{}", bytes[0] >> f.bit & 1);
    case FieldKind::kUnsigned:
    case FieldKind::kSigned: break;
  }
  uint64_t v = 0;
  for (uint8_t x : bytes) v = v << 8 | x;
  if (f.kind == FieldKind::kSigned) return fmt::format("{}", int64_t(v));
  if (f.name == "magic") return fmt::format("{:#010x}", v);
  if (f.name == "checksum" || f.name == "data_crc" || f.name == "hash_seed") {
    return fmt::format("{:#x}", v);
  }
  return fmt::format("{}", v);
}

Status set_field(std::span<uint8_t> b, const Field& f, std::string_view text) {
  auto bytes = b.subspan(f.offset, f.width);
  if (text.empty()) {
    if (f.kind == FieldKind::kBit) {
      bytes[0] ^= uint8_t(1u << f.bit);
    } else {
      for (uint8_t& x : bytes) x = uint8_t(~x);
    }
    return Status::ok();
  }
  switch (f.kind) {
    case FieldKind::kUuid: {
      auto u = parse_uuid(text);
      if (!u) return Status::invalid_argument(fmt::format("'{}' is not a UUID", text));
      std::copy(u->begin(), u->end(), bytes.begin());
      return Status::ok();
    }
    case FieldKind::kLabel:
      if (text.size() > f.width) {
        return Status::invalid_argument(fmt::format("a label holds at most {} bytes", f.width));
      }
      std::fill(bytes.begin(), bytes.end(), 0);
      std::memcpy(bytes.data(), text.data(), text.size());
      return Status::ok();
    case FieldKind::kBit:
      if (text != "0" && text != "1") return Status::invalid_argument("a bit is 0 or 1");
      if (text == "1") {
        bytes[0] |= uint8_t(1u << f.bit);
      } else {
        bytes[0] &= uint8_t(~(1u << f.bit));
      }
      return Status::ok();
    case FieldKind::kUnsigned:
    case FieldKind::kSigned: break;
  }
  uint64_t value = 0;
  bool negative = text.starts_with('-');
  std::string_view digits = negative ? text.substr(1) : text;
  int base = 10;
  if (digits.starts_with("0x") || digits.starts_with("0X")) {
    digits.remove_prefix(2);
    base = 16;
  }
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  bool parsed = !digits.empty() && ec == std::errc() && end == digits.data() + digits.size();
  if (!parsed && f.name == "magic" && text.size() == 4) {  // T3BN, tux3, ...
    value = fourcc(text[0], text[1], text[2], text[3]);
    parsed = true;
    negative = false;
  }
  if (!parsed) return Status::invalid_argument(fmt::format("'{}' is not a number", text));
  if (negative) value = uint64_t(-int64_t(value));
  if (f.width < 8) {
    uint64_t limit = uint64_t(1) << (8 * f.width);
    bool fits = negative ? int64_t(value) >= -int64_t(limit / 2) : value < limit;
    if (!fits) {
      return Status::invalid_argument(fmt::format("{} does not fit the {}-byte field {}", text,
                                                  f.width, f.name));
    }
  }
  for (std::size_t i = f.width; i-- > 0;) {
    bytes[i] = uint8_t(value);
    value >>= 8;
  }
  return Status::ok();
}

}  // namespace tux3::debugfs
