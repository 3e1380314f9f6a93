// stream.cc: fsync stream block encode/decode/verify.
#include "tuxdisk/format/stream.h"

#include <algorithm>

#include <fmt/format.h>

#include "tuxdisk/bytes.h"
#include "tuxdisk/crc32c.h"

#include "tuxdisk/format/constants.h"

namespace tux3::format {
namespace {

using L = StreamLayout;

Status stream_error(const StreamExpect& e, std::string detail) {
  return Status::corruption(fmt::format("stream {} block {}: {}", e.stream, e.header.location,
                                        detail))
      .at_block(e.header.location);
}

}  // namespace

Status encode_stream_block(const StreamBlock& b, std::span<uint8_t> out) {
  if (b.extents.size() > stream_extent_capacity(uint32_t(out.size()))) {
    return Status::no_space(fmt::format("stream block {}: {} extents exceed capacity {}",
                                        b.header.location, b.extents.size(),
                                        stream_extent_capacity(uint32_t(out.size()))));
  }
  std::fill(out.begin(), out.end(), 0);
  encode_header(out, b.header);
  L::Stream::set(out, b.stream);
  L::Flags::set(out, b.flags);
  L::ExtentCount::set(out, uint32_t(b.extents.size()));
  L::Seq::set(out, b.seq);
  L::Next::set(out, b.next);
  L::Inum::set(out, b.inum);
  L::Size::set(out, b.size);
  L::MtimeSec::set(out, uint64_t(b.mtime.sec));
  L::MtimeNsec::set(out, b.mtime.nsec);
  L::CtimeNsec::set(out, b.ctime.nsec);
  L::CtimeSec::set(out, uint64_t(b.ctime.sec));
  L::Mode::set(out, b.mode);
  L::DataCrc::set(out, b.data_crc);
  for (std::size_t i = 0; i < b.extents.size(); ++i) {
    auto entry = out.subspan(L::kExtentsOffset + i * L::kExtentSize, L::kExtentSize);
    L::ExtLogical::set(entry, b.extents[i].logical);
    L::ExtPhysical::set(entry, b.extents[i].physical);
    L::ExtCount::set(entry, b.extents[i].count);
    L::ExtFlags::set(entry, b.extents[i].flags);
  }
  seal_block(out);
  return Status::ok();
}

Result<StreamBlock> decode_stream_block(std::span<const uint8_t> block, const StreamExpect& e) {
  TUX3_RETURN_IF_ERROR(verify_header(block, e.header, "stream"));
  if (block.size() < L::kExtentsOffset) return stream_error(e, "block too small");
  StreamBlock b;
  b.header = decode_header(block);
  b.stream = L::Stream::get(block);
  b.flags = L::Flags::get(block);
  b.seq = L::Seq::get(block);
  b.next = L::Next::get(block);
  b.inum = L::Inum::get(block);
  b.size = L::Size::get(block);
  b.mtime = {int64_t(L::MtimeSec::get(block)), L::MtimeNsec::get(block)};
  b.ctime = {int64_t(L::CtimeSec::get(block)), L::CtimeNsec::get(block)};
  b.mode = L::Mode::get(block);
  b.data_crc = L::DataCrc::get(block);
  if (b.header.delta != e.header.max_delta) {
    return stream_error(e, fmt::format("delta tag {} where {} was expected", b.header.delta,
                                       e.header.max_delta));
  }
  if (b.stream != e.stream) {
    return stream_error(e, fmt::format("belongs to stream {}", b.stream));
  }
  if (b.seq != e.seq) {
    return stream_error(e, fmt::format("sequence {} where {} was expected", b.seq, e.seq));
  }
  if (b.flags & ~kStreamFlagsKnown) {
    return stream_error(e, fmt::format("unknown flags {:#x}", b.flags & ~kStreamFlagsKnown));
  }
  if (b.next < e.first_data_block || b.next >= e.vol_blocks || b.next == e.header.location) {
    return stream_error(e, fmt::format("next block {} is invalid", b.next));
  }
  if (b.inum < kFirstNormalIno || b.inum > kMaxInum) {
    return stream_error(e, fmt::format("inode {} is out of range", b.inum));
  }
  if (b.mtime.nsec >= 1000000000u || b.ctime.nsec >= 1000000000u) {
    return stream_error(e, "nanoseconds out of range");
  }
  if (!(b.flags & kStreamHasDataCrc) && b.data_crc != 0) {
    return stream_error(e, "data_crc is set without HAS_DATA_CRC");
  }
  std::size_t count = L::ExtentCount::get(block);
  if (count > stream_extent_capacity(uint32_t(block.size()))) {
    return stream_error(e, fmt::format("extent count {} exceeds capacity", count));
  }
  for (std::size_t i = 0; i < count; ++i) {
    auto entry = block.subspan(L::kExtentsOffset + i * L::kExtentSize, L::kExtentSize);
    uint64_t logical = L::ExtLogical::get(entry);
    uint8_t value[ExtentLayout::kSize];
    std::copy_n(entry.begin() + 8, ExtentLayout::kSize, value);
    auto extent = decode_extent(logical, value, e.vol_blocks, e.first_data_block);
    if (!extent) return stream_error(e, extent.status().message());
    if (i > 0) {
      const Extent& prev = b.extents.back();
      if (logical < prev.logical + prev.count) {
        return stream_error(e, fmt::format("extent {} overlaps or precedes extent {}", i, i - 1));
      }
    }
    b.extents.push_back(*extent);
  }
  auto tail = block.subspan(L::kExtentsOffset + count * L::kExtentSize);
  if (!all_zero(tail)) {
    return stream_error(e, "bytes after the extents are not zero");
  }
  return b;
}

void StreamDataCrc::add_block(std::span<const uint8_t> block) {
  uint32_t crc = crc32c(block);
  for (int shift = 24; shift >= 0; shift -= 8) block_crcs_.push_back(uint8_t(crc >> shift));
}

uint32_t StreamDataCrc::value() const { return crc32c(block_crcs_); }

}  // namespace tux3::format
