// format_inode_test.cc: inode records, extents, directory entries and the name hash.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fixture.h"
#include "samples.h"
#include "tuxdisk/format/inode.h"
#include "tuxdisk/format/node.h"
#include "tuxdisk/format/values.h"

namespace tux3::format {
namespace {

using testing::sample_file_inode;

TEST(Inode, RoundTripAndFixture) {
  InodeRecord in = sample_file_inode();
  auto bytes = encode_inode(in);
  EXPECT_EQ(bytes.size(), inode_record_size(in));
  auto back = decode_inode(bytes, 99);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(*back, in);
  testing::expect_fixture("inode-file", bytes);
}

TEST(Inode, EveryKindRoundTrips) {
  InodeRecord dir;
  dir.mode = kModeDirectory | 0700;
  dir.nlink = 3;
  dir.parent = 2;
  InodeRecord dev;
  dev.mode = kModeCharDev | 0600;
  dev.rdev = uint64_t(4) << 32 | 64;
  InodeRecord link;
  link.mode = kModeSymlink | 0777;
  link.size = 11;
  link.inline_symlink = "/etc/passwd";
  InodeRecord fifo;
  fifo.mode = kModeFifo | 0644;
  InodeRecord sock;
  sock.mode = kModeSocket | 0755;
  InodeRecord blk;
  blk.mode = kModeBlockDev | 0660;
  blk.rdev = uint64_t(8) << 32 | 1;
  for (const InodeRecord& in : {dir, dev, link, fifo, sock, blk}) {
    auto back = decode_inode(encode_inode(in), 20);
    ASSERT_TRUE(back.is_ok()) << back.status().to_string();
    EXPECT_EQ(*back, in);
  }
  testing::expect_fixture("inode-dir", encode_inode(dir));
  testing::expect_fixture("inode-symlink", encode_inode(link));
}

TEST(Inode, SemanticRulesAreEnforced) {
  auto invalid = [](auto mutate) {
    InodeRecord in = sample_file_inode();
    mutate(in);
    return validate_inode(in, 20).code();
  };
  EXPECT_EQ(invalid([](InodeRecord& in) { in.mode = 0644; }), Errc::kCorruption);
  EXPECT_EQ(invalid([](InodeRecord& in) { in.mode |= 0200000; }), Errc::kCorruption);
  EXPECT_EQ(invalid([](InodeRecord& in) { in.mtime.nsec = 1000000000; }), Errc::kCorruption);
  EXPECT_EQ(invalid([](InodeRecord& in) { in.flags = 1u << 20; }), Errc::kCorruption);
  EXPECT_EQ(invalid([](InodeRecord& in) { in.rdev = 1; }), Errc::kCorruption);
  EXPECT_EQ(invalid([](InodeRecord& in) { in.parent = 2; }), Errc::kCorruption);
  EXPECT_EQ(invalid([](InodeRecord& in) { in.root = {0, 1}; }), Errc::kCorruption);
  EXPECT_EQ(invalid([](InodeRecord& in) { in.nlink = 70000; }), Errc::kCorruption);
  EXPECT_EQ(invalid([](InodeRecord& in) { std::swap(in.xattrs[0], in.xattrs[1]); }),
            Errc::kCorruption);
  EXPECT_EQ(invalid([](InodeRecord& in) { in.xattrs[0].name.clear(); }), Errc::kCorruption);
  EXPECT_EQ(invalid([](InodeRecord& in) { in.xattrs[0].ns = XattrNs(9); }), Errc::kCorruption);
  EXPECT_EQ(invalid([](InodeRecord& in) {
              in.mode = kModeDirectory | 0755;
              in.parent = 0;
            }),
            Errc::kCorruption);
  EXPECT_EQ(invalid([](InodeRecord& in) {
              in.mode = kModeSymlink | 0777;
              in.root = {};
              in.xattrs.clear();
              in.size = 3;
              in.inline_symlink = "abcd";  // size mismatch
            }),
            Errc::kCorruption);
}

TEST(Inode, NameSpaceAndKindRules) {
  InodeRecord acl = sample_file_inode();
  acl.xattrs = {{XattrNs::kPosixAclAccess, "", {2, 0, 0, 0}}};
  EXPECT_TRUE(validate_inode(acl, 20).is_ok());
  acl.xattrs[0].name = "x";  // ACL name spaces carry no name of their own
  EXPECT_EQ(validate_inode(acl, 20).code(), Errc::kCorruption);
  InodeRecord user = sample_file_inode();
  user.xattrs = {{XattrNs::kUser, "", {}}};
  EXPECT_EQ(validate_inode(user, 20).code(), Errc::kCorruption);
  InodeRecord dev;
  dev.mode = kModeBlockDev | 0600;
  dev.rdev = 1;
  dev.root = {500, 0};  // devices have no data
  EXPECT_EQ(validate_inode(dev, 20).code(), Errc::kCorruption);
}

TEST(Inode, InlineExtentsRoundTripAndRules) {
  InodeRecord in;
  in.mode = kModeRegular | 0600;
  in.nlink = 1;
  in.size = 20000;
  in.blocks = 4;
  in.inline_extents = {{0, 500, 2, 0}, {3, 900, 1, 0}, {4, 950, 1, kExtentUnwritten}};
  auto bytes = encode_inode(in);
  EXPECT_EQ(bytes.size(), InodeLayout::kCoreSize + 3 + 3 * kInlineExtentSize);
  testing::expect_fixture("inode-inline-extents", bytes);
  auto back = decode_inode(bytes, 30);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(*back, in);
  auto invalid = [&](auto mutate) {
    InodeRecord r = in;
    mutate(r);
    return validate_inode(r, 30).code();
  };
  EXPECT_EQ(invalid([](InodeRecord& r) { r.inline_extents[1].logical = 1; }), Errc::kCorruption);
  EXPECT_EQ(invalid([](InodeRecord& r) { r.inline_extents[0].count = 0; }), Errc::kCorruption);
  EXPECT_EQ(invalid([](InodeRecord& r) { r.inline_extents[0].physical = 0; }), Errc::kCorruption);
  EXPECT_EQ(invalid([](InodeRecord& r) { r.root = {77, 0}; }), Errc::kCorruption);
  EXPECT_EQ(invalid([](InodeRecord& r) { r.inline_extents.resize(5, {10, 1, 1, 0}); }),
            Errc::kCorruption);
  EXPECT_EQ(invalid([](InodeRecord& r) {
              r.mode = kModeDirectory | 0700;
              r.parent = 2;
            }),
            Errc::kCorruption);
  auto torn = bytes;
  torn[InodeLayout::kCoreSize + 2] = 20;  // EXTENTS length not a multiple of 24
  EXPECT_EQ(decode_inode(torn, 30).status().code(), Errc::kCorruption);
}

TEST(Inode, NameAndInlineSymlinkLimitsPerBlockSize) {
  EXPECT_EQ(max_name_len(512), 209u);
  EXPECT_EQ(max_name_len(1024), 255u);
  EXPECT_EQ(max_inline_symlink_len(512), 115u);
  EXPECT_EQ(max_inline_symlink_len(1024), 255u);
  for (uint32_t bs : {512u, 1024u, 65536u}) {
    Dirent d{0, 20, FileType::kRegular, std::string(max_name_len(bs), 'n')};
    EXPECT_LE(encode_dirent(d).size(), max_leaf_value(bs));
    InodeRecord link;
    link.mode = kModeSymlink | 0777;
    link.size = max_inline_symlink_len(bs);
    link.inline_symlink = std::string(link.size, 't');
    EXPECT_LE(inode_record_size(link), max_leaf_value(bs));
  }
}

TEST(Inode, TruncatedOrGarbledAttributesAreRejected) {
  // The leaf slot gives a record's length, so a record cut at an attribute boundary is a
  // valid shorter record (the block checksum is what catches that); any other cut is not.
  auto good = encode_inode(sample_file_inode());
  for (std::size_t cut = 0; cut < good.size(); ++cut) {
    auto r = decode_inode(std::span(good).first(cut), 20);
    bool boundary = cut == InodeLayout::kCoreSize || cut == InodeLayout::kCoreSize + 13;
    EXPECT_EQ(r.is_ok(), boundary) << "cut at " << cut;
  }
  auto bad_tag = good;
  bad_tag[InodeLayout::kCoreSize] = 99;
  EXPECT_EQ(decode_inode(bad_tag, 20).status().code(), Errc::kCorruption);
  auto bad_len = good;
  bad_len[InodeLayout::kCoreSize + 2] = 0xff;
  EXPECT_EQ(decode_inode(bad_len, 20).status().code(), Errc::kCorruption);
  auto reserved = good;
  reserved[99] = 1;
  EXPECT_EQ(decode_inode(reserved, 20).status().code(), Errc::kCorruption);
}

TEST(Inode, AnyFlippedByteDecodesSafely) {
  auto good = encode_inode(sample_file_inode());
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (uint8_t x : {0x01, 0x80, 0xff}) {
      auto b = good;
      b[i] ^= x;
      auto r = decode_inode(b, 20);  // may be valid (e.g. a uid bit): must never crash
      if (r.is_ok()) {
        EXPECT_TRUE(validate_inode(*r, 20).is_ok());
      }
    }
  }
}

TEST(Inode, RecordLimitPerBlockSize) {
  EXPECT_EQ(max_leaf_value(512), 218u);
  EXPECT_EQ(max_leaf_value(4096), 2010u);
  EXPECT_EQ(max_leaf_value(65536), 32730u);
  EXPECT_LE(inode_record_size(sample_file_inode()), max_leaf_value(512));
}

TEST(Extent, RoundTripAndBounds) {
  uint8_t bytes[ExtentLayout::kSize];
  encode_extent({100, 5000, 16, kExtentUnwritten}, bytes);
  testing::expect_fixture("extent", bytes);
  auto e = decode_extent(100, bytes, 10000, 3);
  ASSERT_TRUE(e.is_ok()) << e.status().to_string();
  EXPECT_EQ(*e, (Extent{100, 5000, 16, kExtentUnwritten}));
  EXPECT_FALSE(decode_extent(100, bytes, 5010, 3).is_ok());  // runs off the volume
  encode_extent({0, 2, 1, 0}, bytes);
  EXPECT_FALSE(decode_extent(0, bytes, 10000, 3).is_ok());  // in the reserved area
  encode_extent({0, 50, 0, 0}, bytes);
  EXPECT_FALSE(decode_extent(0, bytes, 10000, 3).is_ok());  // empty
  encode_extent({0, 50, 1, 4}, bytes);
  EXPECT_FALSE(decode_extent(0, bytes, 10000, 3).is_ok());  // unknown flag
  encode_extent({0, 50, 2, 0}, bytes);
  EXPECT_FALSE(decode_extent(kMaxBlocks - 1, bytes, 10000, 3).is_ok());  // past max offset
  EXPECT_FALSE(decode_extent(0, std::span(bytes).first(15), 10000, 3).is_ok());
}

TEST(Dirent, RoundTripHashAndFixture) {
  uint64_t seed = 0x1234;
  Dirent d{dirent_key(name_hash("hello.txt", seed), 0), 77, FileType::kRegular, "hello.txt"};
  auto bytes = encode_dirent(d);
  testing::expect_fixture("dirent", bytes);
  auto back = decode_dirent(d.key, bytes, seed);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(*back, d);
  // Wrong seed or a different name: the key no longer matches.
  EXPECT_EQ(decode_dirent(d.key, bytes, seed + 1).status().code(), Errc::kCorruption);
  // Collision index lives in the low byte.
  EXPECT_TRUE(decode_dirent(d.key | 7, bytes, seed).is_ok());
}

TEST(Dirent, HashIsStableAndShaped) {
  // Pinned: the directory hash is part of the format.
  EXPECT_EQ(name_hash("hello.txt", 0x1234), name_hash("hello.txt", 0x1234));
  uint64_t h = name_hash("a", 0);
  EXPECT_EQ(h & 0xff, 0u);
  EXPECT_EQ(h >> 63, 0u);
  EXPECT_EQ(name_hash("", 0), (uint64_t(0xEF46DB3751D8E999ull) >> 9) << 8);  // XXH64("") seed 0
  EXPECT_NE(name_hash("a", 0), name_hash("b", 0));
}

TEST(Dirent, NameRules) {
  EXPECT_TRUE(valid_name("x"));
  EXPECT_TRUE(valid_name(std::string(255, 'n')));
  EXPECT_FALSE(valid_name(std::string(256, 'n')));
  EXPECT_FALSE(valid_name(""));
  EXPECT_FALSE(valid_name("."));
  EXPECT_FALSE(valid_name(".."));
  EXPECT_FALSE(valid_name("a/b"));
  EXPECT_FALSE(valid_name(std::string("a\0b", 3)));
  auto bad = [](uint64_t inum, FileType type, std::string name) {
    Dirent d{dirent_key(name_hash(name, 1), 0), inum, type, name};
    return decode_dirent(d.key, encode_dirent(d), 1).status().code();
  };
  EXPECT_EQ(bad(0, FileType::kRegular, "x"), Errc::kCorruption);
  EXPECT_EQ(bad(kMaxInum + 1, FileType::kRegular, "x"), Errc::kCorruption);
  EXPECT_EQ(bad(20, FileType::kUnknown, "x"), Errc::kCorruption);
  EXPECT_EQ(bad(20, FileType(8), "x"), Errc::kCorruption);
  EXPECT_EQ(bad(20, FileType::kRegular, "a/b"), Errc::kCorruption);
  EXPECT_EQ(decode_dirent(0, std::vector<uint8_t>(9), 1).status().code(), Errc::kCorruption);
}

TEST(Inode, SalvageKeepsWhatIsValid) {
  InodeRecord in = sample_file_inode();
  std::vector<uint8_t> bytes = encode_inode(in);
  // An unknown attribute, an xattr of an unknown name space, nanoseconds out of range.
  const uint8_t extra[] = {9, 0, 1, 0, uint8_t(AttrTag::kXattr), 0, 3, 42, 1, 'x'};
  bytes.insert(bytes.end(), std::begin(extra), std::end(extra));
  InodeLayout::MtimeNsec::set(bytes, 2000000000u);
  ASSERT_FALSE(decode_inode(bytes, 17).is_ok());
  std::vector<std::string> fixes;
  auto salvaged = salvage_inode(bytes, 17, fixes);
  ASSERT_TRUE(salvaged.is_ok()) << salvaged.status().to_string();
  EXPECT_TRUE(validate_inode(*salvaged, 17).is_ok());
  EXPECT_EQ(salvaged->xattrs, in.xattrs);
  EXPECT_EQ(salvaged->size, in.size);
  EXPECT_EQ(salvaged->mtime.nsec, 0u);
  EXPECT_EQ(fixes.size(), 3u);
  // A record that decodes needs no salvage, and salvage changes nothing.
  fixes.clear();
  auto same = salvage_inode(encode_inode(in), 17, fixes);
  ASSERT_TRUE(same.is_ok());
  EXPECT_EQ(*same, in);
  EXPECT_TRUE(fixes.empty());
  // No valid file type: nothing to keep.
  std::vector<uint8_t> typeless = encode_inode(in);
  InodeLayout::Mode::set(typeless, 0777);
  EXPECT_EQ(salvage_inode(typeless, 17, fixes).status().code(), Errc::kCorruption);
}

}  // namespace
}  // namespace tux3::format
