// metadump_scramble_test.cc: the name scrambler (same length, one name one replacement,
// never a clash, keyed) and scrambled dumps of real volumes: the restored volume checks
// clean, keeps its shape, holds none of the names, xattr values or targets, and its
// symlinks still resolve to the renamed paths.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <map>
#include <set>

#include <fmt/format.h>

#include "helpers.h"
#include "image/scramble.h"
#include "samples.h"
#include "tuxdisk/check.h"
#include "tuxdisk/memory_device.h"
#include "tuxdisk/metadump.h"
#include "tuxdisk/mkfs.h"
#include "tuxdisk/replay.h"
#include "tuxdisk/volume.h"

namespace tux3 {
namespace {

using testing::bytes;

using image::NameScrambler;

TEST(NameScrambler, SameLengthSameNameKeyed) {
  NameScrambler a("key one"), again("key one"), b("key two");
  for (std::string name : {std::string("a"), std::string("hello"),
                           std::string("file-with-a-longish-name-17"), std::string(255, 'z')}) {
    const std::string& x = a.name(name);
    EXPECT_EQ(x.size(), name.size());
    EXPECT_NE(x, name);
    EXPECT_EQ(a.name(name), x);  // the same name, the same replacement
    EXPECT_EQ(again.name(name), x);
    EXPECT_EQ(x.find('/'), std::string::npos);
    EXPECT_EQ(x.find('\0'), std::string::npos);
  }
  EXPECT_NE(a.name("hello"), b.name("hello"));
  EXPECT_EQ(a.name("lost+found"), "lost+found");
  NameScrambler random1(""), random2("");
  EXPECT_NE(random1.name("some name here"), random2.name("some name here"));
}

TEST(NameScrambler, ShortNamesNeverClash) {
  // Every valid one-byte name: more than the 64 characters the hash picks from.
  NameScrambler s("k");
  std::set<std::string> seen;
  for (int c = 1; c < 256; ++c) {
    if (c == '/' || c == '.') continue;
    const std::string& x = s.name(std::string(1, char(c)));
    ASSERT_EQ(x.size(), 1u);
    EXPECT_NE(x, ".");
    EXPECT_NE(x, "/");
    EXPECT_NE(x[0], '\0');
    EXPECT_TRUE(seen.insert(x).second) << "clash for byte " << c;
  }
  std::set<std::string> two;
  for (int c = 0; c < 5000; ++c) {
    std::string name = {char('a' + c % 26), char('A' + c / 26 % 26)};
    if (c >= 26 * 26) name = {char('0' + c % 10), char(1 + c / 10 % 200)};
    if (name.find('/') != std::string::npos) continue;
    const std::string& x = s.name(name);
    EXPECT_NE(x, "..");
    two.insert(x);
  }
  EXPECT_EQ(two.size(), s.size() - 253 - 1);  // distinct names, distinct replacements
}

TEST(NameScrambler, PathsKeepTheirShape) {
  NameScrambler s("k");
  std::string p = s.path("../projects/./a//b/");
  EXPECT_EQ(p.size(), std::string("../projects/./a//b/").size());
  EXPECT_EQ(p.substr(0, 3), "../");
  EXPECT_EQ(p.substr(3, 8), s.name("projects"));
  EXPECT_EQ(p.substr(11, 3), "/./");
  EXPECT_EQ(p.substr(14, 1), s.name("a"));
  EXPECT_EQ(p.substr(15, 2), "//");
  EXPECT_EQ(p.substr(17, 1), s.name("b"));
  EXPECT_EQ(p.back(), '/');
  EXPECT_EQ(s.path("/"), "/");
}

class ScrambleTest : public ::testing::TestWithParam<unsigned> {
 protected:
  void SetUp() override {
    MkfsOptions o;
    o.block_bits = GetParam();
    o.uuid = testing::kSampleUuid;
    o.now = {1700000000, 0};
    o.label = "customer-data";
    auto g = plan_volume(base.size(), base.topology(), o);
    ASSERT_TRUE(g.is_ok() && write_volume(base, *g, o).is_ok());
    VolumeOptions vo;
    vo.delta_interval_ms = 1u << 30;
    vo.io_threads = 0;
    auto vol = Volume::open(base, vo);
    ASSERT_TRUE(vol.is_ok());
    Volume& v = **vol;
    auto dir = v.mkdir(kRootIno, "secret-project", 0750, 10, 20);
    ASSERT_TRUE(dir.is_ok());
    // Enough entries, of many name lengths, for a directory index with bnodes.
    for (int i = 0; i < 600; ++i) {
      std::string name = "plan-" + std::string(std::size_t(i % 40), 'q') + std::to_string(i);
      auto f = v.create(dir->ino, name, 0640, 10, 20);
      ASSERT_TRUE(f.is_ok());
      if (i % 100 == 0) {
        ASSERT_TRUE(v.write(f->ino, 0, bytes("private")).is_ok());
      }
    }
    ASSERT_TRUE(v.mkdir(kRootIno, "lost+found", 0700, 0, 0).is_ok());
    ASSERT_TRUE(v.create(kRootIno, "x", 0600, 0, 0).is_ok());  // a one-letter name
    ASSERT_TRUE(v.symlink(kRootIno, "to-plan", "secret-project/plan-qqqqqqq7", 0, 0).is_ok());
    std::string long_target = "secret-project/../secret-project/" + std::string(300, 'p');
    ASSERT_TRUE(v.symlink(kRootIno, "long-link", long_target, 0, 0).is_ok());
    ASSERT_TRUE(v.setxattr(dir->ino, "user.owner", bytes("Alice Smith"), 0).is_ok());
    ASSERT_TRUE(v.setxattr(dir->ino, "security.selinux", bytes("system_u:x"), 0).is_ok());
    ASSERT_TRUE(v.sync().is_ok());
    auto late = v.create(kRootIno, "created-after-the-last-sync", 0600, 0, 0);
    ASSERT_TRUE(late.is_ok());
    ASSERT_TRUE(v.write(late->ino, 0, bytes("fsynced")).is_ok());
    ASSERT_TRUE(v.fsync(late->ino, false).is_ok());
    // Crash: the scrambled dump is of the state replay leaves.
  }

  std::vector<uint8_t> dump(const std::string& key) {
    DumpOptions o;
    o.scramble = true;
    o.scramble_key = key;
    o.created_sec = 1;
    VectorSink sink;
    auto report = write_metadump(base, o, sink);
    EXPECT_TRUE(report.is_ok()) << report.status().to_string();
    if (report.is_ok()) {
      EXPECT_EQ(report->header.flags, kDumpScrambled | kDumpReplayed | kDumpPredicted);
      EXPECT_GE(report->scrambled.directories, 2u);
      EXPECT_GE(report->scrambled.entries, 600u);
      EXPECT_EQ(report->scrambled.resalted, 0u);
      EXPECT_EQ(report->header.label.size(), std::string("customer-data").size());
      EXPECT_NE(report->header.label, "customer-data");
    }
    return sink.bytes();
  }

  std::unique_ptr<MemoryDevice> restore(const std::vector<uint8_t>& stream) {
    SpanSource source(stream);
    auto reader = MetadumpReader::open(source);
    EXPECT_TRUE(reader.is_ok());
    if (!reader.is_ok()) return nullptr;
    auto target = std::make_unique<MemoryDevice>((*reader)->header().device_bytes);
    EXPECT_TRUE(restore_metadump(**reader, *target, RestoreTarget::kSparseFile).is_ok());
    return target;
  }

  MemoryDevice base{8 << 20};
};

// path -> "mode uid:gid nlink size [-> target] [xattr=hex]" of the replayed state.
std::map<std::string, std::string> listing(BlockDevice& dev) {
  std::map<std::string, std::string> out;
  auto vol = open_state(dev, {});
  EXPECT_TRUE(vol.is_ok()) << vol.status().to_string();
  if (!vol.is_ok()) return out;
  std::function<void(uint64_t, const std::string&)> walk = [&](uint64_t ino,
                                                              const std::string& path) {
    auto a = (*vol)->getattr(ino);
    ASSERT_TRUE(a.is_ok());
    std::string line = fmt::format("{:o} {}:{} {} {}", a->mode, a->uid, a->gid, a->nlink,
                                   (a->mode & 0170000) == 0040000 ? 0 : a->size);
    if ((a->mode & 0170000) == 0120000) line += " -> " + *(*vol)->readlink(ino);
    auto names = (*vol)->listxattr(ino);
    ASSERT_TRUE(names.is_ok());
    for (const auto& n : *names) {
      auto value = (*vol)->getxattr(ino, n);
      ASSERT_TRUE(value.is_ok());
      line += " " + n + "=";
      for (uint8_t c : *value) line += fmt::format("{:02x}", c);
    }
    out[path] = line;
    if ((a->mode & 0170000) != 0040000) return;
    std::vector<std::pair<std::string, uint64_t>> children;
    ASSERT_TRUE((*vol)->readdir(ino, 0, [&](const DirEntry& e) {
      if (e.name != "." && e.name != "..") children.emplace_back(e.name, e.ino);
      return true;
    }).is_ok());
    for (auto& [name, child] : children) walk(child, path + "/" + name);
  };
  walk(kRootIno, "");
  return out;
}

TEST_P(ScrambleTest, RestoredVolumeChecksCleanAndHoldsNoName) {
  auto stream = dump("a key");
  auto restored = restore(stream);
  ASSERT_TRUE(restored);
  CheckOptions co;
  co.force = true;
  auto check = check_volume(*restored, co);
  ASSERT_TRUE(check.is_ok()) << check.status().to_string();
  for (const auto& p : check->problems) ADD_FAILURE() << problem_label(p.code) << " " << p.detail;
  ReplayOptions dry;
  dry.dry_run = true;
  auto replay = replay_volume(*restored, dry);
  ASSERT_TRUE(replay.is_ok());
  EXPECT_FALSE(replay->needed()) << "a scrambled dump is of the replayed state";

  // Nothing secret in the stream's blocks.
  std::string all(reinterpret_cast<const char*>(restored->bytes().data()), restored->size());
  for (const char* secret : {"secret-project", "plan-", "Alice", "system_u", "customer",
                             "created-after", "pppppppppp", "private", "fsynced"}) {
    EXPECT_EQ(all.find(secret), std::string::npos) << secret;
  }

  // The same shape: per path length and attributes, with names replaced.
  auto before = listing(base), after = listing(*restored);
  ASSERT_EQ(before.size(), after.size());
  EXPECT_TRUE(after.count("/lost+found"));
  std::multiset<std::string> shape_before, shape_after;
  auto shape = [](const std::string& path, const std::string& line) {
    std::string s = std::to_string(path.size()) + " " + line.substr(0, line.find(" -> "));
    return s.substr(0, s.find(" user.") == std::string::npos ? s.find(" security.")
                                                            : s.find(" user."));
  };
  for (auto& [path, line] : before) shape_before.insert(shape(path, line));
  for (auto& [path, line] : after) shape_after.insert(shape(path, line));
  EXPECT_EQ(shape_before, shape_after);

  // Symlinks point at the renamed paths; xattr values are zeros of the same length.
  std::string short_link, long_link;
  for (auto& [path, line] : after) {
    if (line.find(" -> ") == std::string::npos) continue;
    std::string target = line.substr(line.find(" -> ") + 4);
    if (target.size() < 30) {
      EXPECT_TRUE(after.count("/" + target)) << target;
      short_link = target;
    } else {
      long_link = target;
    }
    if (line.find("=") != std::string::npos) ADD_FAILURE() << line;
  }
  EXPECT_FALSE(short_link.empty());
  EXPECT_EQ(long_link.size(), 333u);
  EXPECT_EQ(long_link.substr(14, 4), "/../");
  bool xattrs_seen = false;
  for (auto& [path, line] : after) {
    if (line.find(" user.") == std::string::npos) continue;
    xattrs_seen = true;
    EXPECT_NE(line.find("=0000000000000000000000"), std::string::npos) << line;  // 11 bytes
    EXPECT_NE(line.find("security.selinux=00000000000000000000"), std::string::npos) << line;
  }
  EXPECT_TRUE(xattrs_seen);
}

TEST_P(ScrambleTest, SameKeySameDumpOtherKeyOtherNames) {
  auto a = dump("k1"), b = dump("k1"), c = dump("k2");
  EXPECT_TRUE(a == b);
  EXPECT_FALSE(a == c);
}

INSTANTIATE_TEST_SUITE_P(BlockSizes, ScrambleTest, ::testing::Values(9u, 12u));

}  // namespace
}  // namespace tux3
