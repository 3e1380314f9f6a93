// Named fields of blocks for corrupt and set_super: where they are, how values are parsed
// and written, and that a damaged table is never followed out of the block.
#include <gtest/gtest.h>

#include "fields.h"
#include "tuxdisk/endian.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/format/header.h"
#include "tuxdisk/format/inode.h"
#include "tuxdisk/format/log.h"
#include "tuxdisk/format/node.h"
#include "tuxdisk/format/superblock.h"

namespace tux3::debugfs {
namespace {

using namespace format;

std::vector<uint8_t> ileaf_with(uint64_t inum) {
  std::vector<uint8_t> block(1024);
  InodeRecord rec;
  rec.mode = kModeRegular | 0644;
  rec.nlink = 1;
  std::vector<uint8_t> value = encode_inode(rec);
  LeafItem item{inum, value};
  BlockHeader h{kMagicIleaf, 77, {}, 3};
  EXPECT_TRUE(encode_leaf(h, kOwnerInodeTable, std::span(&item, 1), block).is_ok());
  seal_block(block);
  return block;
}

TEST(Fields, HeaderAndNodeFields) {
  auto block = ileaf_with(17);
  auto f = find_field(block, false, "location");
  ASSERT_TRUE(f.is_ok());
  EXPECT_EQ(f->offset, 8u);
  EXPECT_EQ(f->width, 8u);
  EXPECT_EQ(field_value_text(block, *f), "77");
  ASSERT_TRUE(find_field(block, false, "owner").is_ok());
  EXPECT_FALSE(find_field(block, false, "entry.0.key").is_ok());  // a leaf has slots
  EXPECT_TRUE(find_field(block, false, "slot.0.key").is_ok());
}

TEST(Fields, InodeFieldsFollowTheSlotTable) {
  auto block = ileaf_with(17);
  auto nlink = find_field(block, false, "inode.17.nlink");
  ASSERT_TRUE(nlink.is_ok());
  // One value of 100 bytes: it ends at the block end.
  EXPECT_EQ(nlink->offset, 1024u - 100 + InodeLayout::Nlink::kOffset);
  EXPECT_EQ(field_value_text(block, *nlink), "1");
  ASSERT_TRUE(set_field(block, *nlink, "5").is_ok());
  auto rec = decode_inode(std::span<const uint8_t>(block).subspan(1024 - 100), 17);
  ASSERT_TRUE(rec.is_ok());
  EXPECT_EQ(rec->nlink, 5u);
  EXPECT_FALSE(find_field(block, false, "inode.18.nlink").is_ok());
}

TEST(Fields, ADamagedSlotTableIsNotFollowed) {
  auto block = ileaf_with(17);
  NodeLayout::SlotLength::set(std::span(block).subspan(NodeLayout::kSize), 60000);
  EXPECT_FALSE(find_field(block, false, "inode.17.mode").is_ok());
  NodeLayout::Count::set(block, 65535);  // a count far past the block
  for (const Field& f : list_fields(block, false)) {
    EXPECT_LE(f.offset + f.width, block.size()) << f.name;
  }
}

TEST(Fields, Values) {
  std::vector<uint8_t> slot(kSuperSlotSize);
  auto magic = find_field(slot, true, "magic");
  ASSERT_TRUE(magic.is_ok());
  ASSERT_TRUE(set_field(slot, *magic, "tux3").is_ok());
  EXPECT_EQ(HeaderLayout::Magic::get(slot), kMagicSuper);
  auto free_blocks = find_field(slot, true, "free_blocks");
  ASSERT_TRUE(free_blocks.is_ok());
  ASSERT_TRUE(set_field(slot, *free_blocks, "0x10").is_ok());
  EXPECT_EQ(SuperLayout::FreeBlocks::get(slot), 16u);
  ASSERT_TRUE(set_field(slot, *free_blocks, "").is_ok());  // inverted
  EXPECT_EQ(SuperLayout::FreeBlocks::get(slot), ~uint64_t(16));
  auto version = find_field(slot, true, "version");
  ASSERT_TRUE(version.is_ok());
  EXPECT_FALSE(set_field(slot, *version, "65536").is_ok());
  EXPECT_FALSE(set_field(slot, *version, "12x").is_ok());
  auto sec = find_field(slot, true, "create_sec");
  ASSERT_TRUE(sec.is_ok());
  ASSERT_TRUE(set_field(slot, *sec, "-5").is_ok());
  EXPECT_EQ(field_value_text(slot, *sec), "-5");
  auto label = find_field(slot, true, "label");
  ASSERT_TRUE(label.is_ok());
  ASSERT_TRUE(set_field(slot, *label, "demo").is_ok());
  EXPECT_EQ(field_value_text(slot, *label), "'demo'");
  auto uuid = find_field(slot, true, "uuid");
  ASSERT_TRUE(uuid.is_ok());
  ASSERT_TRUE(set_field(slot, *uuid, "01234567-89ab-cdef-0123-456789abcdef").is_ok());
  EXPECT_EQ(field_value_text(slot, *uuid), "01234567-89ab-cdef-0123-456789abcdef");
  auto stream = find_field(slot, true, "stream.31.delta");
  ASSERT_TRUE(stream.is_ok());
  EXPECT_EQ(stream->offset, 512u + 31 * 24 + 16);
}

TEST(Fields, RawAndBitFields) {
  std::vector<uint8_t> block(512);
  HeaderLayout::Magic::set(block, kMagicBitmap);
  auto raw = find_field(block, false, "u16@0x20");
  ASSERT_TRUE(raw.is_ok());
  EXPECT_EQ(raw->offset, 32u);
  EXPECT_EQ(raw->width, 2u);
  EXPECT_FALSE(find_field(block, false, "u64@508").is_ok());  // past the end
  auto bit = find_field(block, false, "bit.9");
  ASSERT_TRUE(bit.is_ok());
  ASSERT_TRUE(set_field(block, *bit, "").is_ok());
  EXPECT_EQ(block[56 + 1], 0x02);
  ASSERT_TRUE(set_field(block, *bit, "0").is_ok());
  EXPECT_EQ(block[56 + 1], 0);
  EXPECT_FALSE(find_field(block, false, "bit.99999").is_ok());
}

TEST(Fields, LogRecordFieldsByKind) {
  std::vector<uint8_t> block(1024);
  LogBlock lb;
  lb.header = {kMagicLog, 40, {}, 2};
  lb.records.push_back({LogCode::kDelta, {2}});
  lb.records.push_back({LogCode::kAlloc, {100, 3}});
  ASSERT_TRUE(encode_log_block(lb, block).is_ok());
  auto count = find_field(block, false, "record.1.count");
  ASSERT_TRUE(count.is_ok());
  EXPECT_EQ(field_value_text(block, *count), "3");
  auto code = find_field(block, false, "record.1.code");
  ASSERT_TRUE(code.is_ok());
  EXPECT_EQ(field_value_text(block, *code), "1");
}

}  // namespace
}  // namespace tux3::debugfs
