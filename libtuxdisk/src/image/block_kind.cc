// block_kind.cc: what a stored block is, by its place and its magic (info's counts).
#include <array>

#include "tuxdisk/endian.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/metadump.h"

namespace tux3 {

std::string_view dump_block_kind_name(DumpBlockKind kind) {
  static constexpr std::array<std::string_view, kDumpBlockKinds> names = {
      "reserved", "bnode", "ileaf", "xleaf", "dleaf", "oleaf", "bitmap", "log", "stream",
      "other"};
  return names[std::size_t(kind)];
}

DumpBlockKind classify_dump_block(uint64_t block, std::span<const uint8_t> bytes,
                                  unsigned block_bits) {
  using namespace format;
  if (block < first_data_block(block_bits)) return DumpBlockKind::kReserved;
  if (bytes.size() < 4) return DumpBlockKind::kOther;
  switch (load_be32(bytes.data())) {
    case kMagicBnode: return DumpBlockKind::kBnode;
    case kMagicIleaf: return DumpBlockKind::kIleaf;
    case kMagicXleaf: return DumpBlockKind::kXleaf;
    case kMagicDleaf: return DumpBlockKind::kDleaf;
    case kMagicOleaf: return DumpBlockKind::kOleaf;
    case kMagicBitmap: return DumpBlockKind::kBitmap;
    case kMagicLog: return DumpBlockKind::kLog;
    case kMagicStream: return DumpBlockKind::kStream;
    default: return DumpBlockKind::kOther;
  }
}

}  // namespace tux3
