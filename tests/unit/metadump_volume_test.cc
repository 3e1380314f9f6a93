// metadump_volume_test.cc: dumps of real volumes (clean, and left by a crash with a log,
// fsync streams and orphans): restored, they check, replay and list as the original does;
// with data they restore byte for byte; open_metadump reads them as the volume.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <map>

#include <fmt/format.h>

#include "helpers.h"
#include "samples.h"
#include "tuxdisk/bytes.h"
#include "tuxdisk/check.h"
#include "tuxdisk/memory_device.h"
#include "tuxdisk/metadump.h"
#include "tuxdisk/mkfs.h"
#include "tuxdisk/replay.h"
#include "tuxdisk/verify.h"
#include "tuxdisk/volume.h"
#include "tuxdisk/volume_reader.h"

namespace tux3 {
namespace {

using testing::bytes;
using testing::quiet;

class MetadumpVolumeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MkfsOptions o;
    o.block_bits = 10;
    o.uuid = testing::kSampleUuid;
    o.now = {1700000000, 0};
    o.label = "dumped";
    auto g = plan_volume(base.size(), base.topology(), o);
    ASSERT_TRUE(g.is_ok() && write_volume(base, *g, o).is_ok());
  }

  // A tree with files, data, links, xattrs and a big directory (its index has bnodes).
  void populate(Volume& v) {
    auto dir = v.mkdir(kRootIno, "projects", 0755, 0, 0);
    ASSERT_TRUE(dir.is_ok());
    for (int i = 0; i < 300; ++i) {
      auto f = v.create(dir->ino, "file-with-a-longish-name-" + std::to_string(i), 0644, 1, 2);
      ASSERT_TRUE(f.is_ok());
      ASSERT_TRUE(v.write(f->ino, 0, bytes("contents " + std::to_string(i))).is_ok());
    }
    auto big = v.create(kRootIno, "big", 0600, 0, 0);
    ASSERT_TRUE(big.is_ok());
    std::string data(40000, 'x');
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(v.write(big->ino, uint64_t(i) * 100000, bytes(data)).is_ok());
    }
    ASSERT_TRUE(v.symlink(kRootIno, "short", "projects/file-with-a-longish-name-1", 0, 0).is_ok());
    ASSERT_TRUE(v.symlink(kRootIno, "long", std::string(900, 'l'), 0, 0).is_ok());
    ASSERT_TRUE(v.setxattr(big->ino, "user.secret", bytes("value"), 0).is_ok());
  }

  // A clean volume, closed.
  void make_clean() {
    auto vol = Volume::open(base, quiet());
    ASSERT_TRUE(vol.is_ok());
    populate(**vol);
    ASSERT_TRUE((*vol)->close().is_ok());
  }

  // A volume left by a crash: a log with bnode records, a live fsync stream, an orphan.
  void make_crashed() {
    auto vol = Volume::open(base, quiet());
    ASSERT_TRUE(vol.is_ok());
    Volume& v = **vol;
    populate(v);
    ASSERT_TRUE(v.commit_delta(true).is_ok());
    auto a = v.create(kRootIno, "a", 0644, 0, 0);
    auto b = v.create(kRootIno, "b", 0644, 0, 0);
    ASSERT_TRUE(a.is_ok() && b.is_ok());
    ASSERT_TRUE(v.sync().is_ok());
    ASSERT_TRUE(v.fsync(a->ino, false).is_ok());  // reserves the streams
    ASSERT_TRUE(v.open_file(b->ino).is_ok());
    ASSERT_TRUE(v.unlink(kRootIno, "b").is_ok());
    auto more = v.mkdir(kRootIno, "more", 0755, 0, 0);
    ASSERT_TRUE(more.is_ok());
    for (int i = 0; i < 200; ++i) {
      ASSERT_TRUE(v.create(more->ino, "n" + std::to_string(i), 0644, 0, 0).is_ok());
    }
    ASSERT_TRUE(v.sync().is_ok());
    ASSERT_TRUE(v.write(a->ino, 0, bytes("fsynced contents")).is_ok());
    ASSERT_TRUE(v.fsync(a->ino, false).is_ok());  // a stream block
    ASSERT_EQ(v.stats().fsync_stream, 1u);
    ASSERT_TRUE(v.create(kRootIno, "never-durable", 0644, 0, 0).is_ok());
    // Crash: the volume is dropped without closing.
  }

  std::vector<uint8_t> dump(const DumpOptions& options = {}) {
    VectorSink sink;
    auto report = write_metadump(base, options, sink);
    EXPECT_TRUE(report.is_ok()) << report.status().to_string();
    if (report.is_ok()) {
      EXPECT_EQ(report->counts.stream_bytes, sink.bytes().size());
      EXPECT_TRUE(report->problems.empty()) << report->problems.front();
    }
    return sink.bytes();
  }

  std::unique_ptr<MemoryDevice> restore(const std::vector<uint8_t>& stream) {
    SpanSource source(stream);
    auto reader = MetadumpReader::open(source);
    EXPECT_TRUE(reader.is_ok()) << reader.status().to_string();
    if (!reader.is_ok()) return nullptr;
    auto target = std::make_unique<MemoryDevice>((*reader)->header().device_bytes);
    Status s = restore_metadump(**reader, *target, RestoreTarget::kSparseFile);
    EXPECT_TRUE(s.is_ok()) << s.to_string();
    return target;
  }

  MemoryDevice base{4 << 20};
};

// What fsck-like checking says of a device: the verifier's report, as text.
std::string verify_text(BlockDevice& dev) {
  auto reader = VolumeReader::open(dev);
  if (!reader) return "open: " + reader.status().to_string();
  auto report = verify_volume(**reader);
  if (!report) return "verify: " + report.status().to_string();
  std::string out = fmt::format("{} inodes {} dirs {} files {} nodes {} in use {} log\n",
                                report->inodes, report->directories, report->regular_files,
                                report->tree_nodes, report->blocks_in_use, report->log_blocks);
  for (const auto& p : report->problems) out += p + "\n";
  return out;
}

// What replay (dry run) says, as text.
std::string replay_text(BlockDevice& dev) {
  ReplayOptions o;
  o.dry_run = true;
  auto r = replay_volume(dev, o);
  if (!r) return r.status().to_string();
  std::string out = fmt::format("clean {} target {} blocks {} records {} inodes {} free {}\n",
                                r->clean, r->target_delta, r->log_blocks, r->log_records,
                                r->inodes, r->free_blocks);
  for (const auto& f : r->fsyncs) {
    out += fmt::format("fsync {} {}..{} inode {} applied {}\n", f.stream, f.first_seq,
                       f.last_seq, f.record.inum, f.applied);
  }
  for (const auto& s : r->streams) {
    out += fmt::format("end {} {} {}\n", s.stream, s.end_block, s.end_reason);
  }
  for (uint64_t o : r->orphans) out += fmt::format("orphan {}\n", o);
  return out;
}

// Every path with its type, size and attributes (file contents left out: a metadata dump
// does not hold them).
std::string tree_text(BlockDevice& dev, bool with_data) {
  auto vol = open_state(dev, {});
  if (!vol) return vol.status().to_string();
  std::map<std::string, std::string> lines;
  std::function<void(uint64_t, const std::string&)> walk = [&](uint64_t ino,
                                                              const std::string& path) {
    auto a = (*vol)->getattr(ino);
    if (!a) return;
    std::string line = fmt::format("{:o} {}:{} {} {}", a->mode, a->uid, a->gid, a->nlink,
                                   a->size);
    if ((a->mode & 0170000) == 0120000) {
      auto target = (*vol)->readlink(ino);
      line += " -> " + (target ? *target : target.status().to_string());
    }
    if (with_data && (a->mode & 0170000) == 0100000) {
      std::vector<uint8_t> data(a->size);
      (void)(*vol)->read(ino, 0, data);
      line += " " + std::to_string(std::hash<std::string_view>()(
                        std::string_view(reinterpret_cast<char*>(data.data()), data.size())));
    }
    auto names = (*vol)->listxattr(ino);
    if (names) {
      for (const auto& name : *names) line += " " + name;
    }
    lines[path] = line;
    if ((a->mode & 0170000) != 0040000) return;
    std::vector<std::pair<std::string, uint64_t>> children;
    (void)(*vol)->readdir(ino, 0, [&](const DirEntry& e) {
      if (e.name != "." && e.name != "..") children.emplace_back(e.name, e.ino);
      return true;
    });
    for (auto& [name, child] : children) walk(child, path + "/" + name);
  };
  walk(kRootIno, "");
  std::string out;
  for (auto& [path, line] : lines) out += path + " " + line + "\n";
  return out;
}

// What fsck -fn says of a device, as text.
std::string check_text(BlockDevice& dev) {
  CheckOptions o;
  o.force = true;
  auto r = check_volume(dev, o);
  if (!r) return r.status().to_string();
  std::string out = fmt::format("{} inodes {} dirs {} files {} nodes {} in use {} free\n",
                                r->inodes, r->directories, r->regular_files, r->tree_nodes,
                                r->blocks_in_use, r->free_blocks);
  for (const auto& p : r->problems) out += problem_label(p.code) + " " + p.detail + "\n";
  return out;
}

void expect_same_results(BlockDevice& original, BlockDevice& restored, bool with_data) {
  EXPECT_EQ(verify_text(restored), verify_text(original));
  EXPECT_EQ(check_text(restored), check_text(original));
  EXPECT_EQ(replay_text(restored), replay_text(original));
  EXPECT_EQ(tree_text(restored, with_data), tree_text(original, with_data));
}

TEST_F(MetadumpVolumeTest, CleanVolumeRestoresToTheSameResults) {
  make_clean();
  auto stream = dump();
  ASSERT_GT(stream.size(), kMetadumpHeaderSize);
  auto restored = restore(stream);
  ASSERT_TRUE(restored);
  EXPECT_EQ(restored->size(), base.size());
  expect_same_results(base, *restored, false);
  EXPECT_EQ(verify_text(*restored).find('\n'), verify_text(*restored).size() - 1)
      << "the original is clean, so is the copy";
}

TEST_F(MetadumpVolumeTest, CrashedVolumeRestoresToTheSameReplay) {
  make_crashed();
  ASSERT_NE(replay_text(base).rfind("clean false", 0), std::string::npos) << replay_text(base);
  auto stream = dump();
  auto restored = restore(stream);
  ASSERT_TRUE(restored);
  expect_same_results(base, *restored, false);
  // The older state of the other slot replays the same too.
  auto listing = list_log(base);
  ASSERT_TRUE(listing.is_ok());
  ASSERT_GE(listing->deltas.size(), 2u);
  ReplayOptions older;
  older.dry_run = true;
  older.until_delta = listing->deltas.front().delta;
  auto a = replay_volume(base, older), b = replay_volume(*restored, older);
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_EQ(a->inodes, b->inodes);
  EXPECT_EQ(a->free_blocks, b->free_blocks);
  EXPECT_EQ(a->intact, b->intact);
  EXPECT_EQ(a->problems, b->problems);
}

TEST_F(MetadumpVolumeTest, StoredBlocksAreTheOriginalsAndDataIsLeftOut) {
  make_clean();
  auto stream = dump();
  SpanSource source(stream);
  auto reader = MetadumpReader::open(source);
  ASSERT_TRUE(reader.is_ok());
  const uint32_t bs = (*reader)->header().block_size();
  uint64_t blocks = 0;
  for (;;) {
    auto run = (*reader)->next();
    ASSERT_TRUE(run.is_ok()) << run.status().to_string();
    if (!*run) break;
    if ((*run)->zero) {
      std::span<const uint8_t> original(base.bytes().data() + ((*run)->first * bs),
                                        (*run)->count * bs);
      EXPECT_TRUE(all_zero(original));
      continue;
    }
    std::span<const uint8_t> original(base.bytes().data() + ((*run)->first * bs),
                                      (*run)->count * bs);
    EXPECT_TRUE(std::equal(original.begin(), original.end(), (*run)->bytes.begin()));
    blocks += (*run)->count;
  }
  const DumpCounts& c = (*reader)->counts();
  EXPECT_EQ(c.blocks, blocks);
  EXPECT_GT(c.by_kind[size_t(DumpBlockKind::kIleaf)], 0u);
  EXPECT_GT(c.by_kind[size_t(DumpBlockKind::kDleaf)], 1u);
  EXPECT_GT(c.by_kind[size_t(DumpBlockKind::kBnode)], 0u);
  EXPECT_GT(c.by_kind[size_t(DumpBlockKind::kBitmap)], 0u);
  // The big file's 800 KB are not in it; the long symlink's target is.
  EXPECT_LT(blocks * bs, 400u * 1024);
  EXPECT_EQ((*reader)->header().label, "dumped");
  EXPECT_EQ((*reader)->header().flags, kDumpPredicted);
}

TEST_F(MetadumpVolumeTest, DataDumpRestoresByteForByte) {
  make_crashed();
  DumpOptions o;
  o.data = true;
  auto stream = dump(o);
  auto restored = restore(stream);
  ASSERT_TRUE(restored);
  EXPECT_TRUE(restored->bytes() == base.bytes());
  expect_same_results(base, *restored, true);
}

TEST_F(MetadumpVolumeTest, OpenedAsADevice) {
  make_crashed();
  auto stream = dump();
  auto restored = restore(stream);
  ASSERT_TRUE(restored);
  std::string path = ::testing::TempDir() + "/metadump_volume_test.t3i";
  {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, stream.data(), stream.size()), ssize_t(stream.size()));
    ::close(fd);
  }
  std::vector<uint8_t> head(stream.begin(), stream.begin() + 16);
  EXPECT_TRUE(is_metadump(head));
  EXPECT_FALSE(is_metadump(std::span(base.bytes()).first(16)));
  auto dev = open_metadump(path);
  ASSERT_TRUE(dev.is_ok()) << dev.status().to_string();
  EXPECT_EQ((*dev)->size(), base.size());
  EXPECT_EQ((*dev)->name(), path);
  // Reads of any alignment see what restore wrote.
  std::vector<uint8_t> all((*dev)->size());
  ASSERT_TRUE((*dev)->read(0, all).is_ok());
  EXPECT_TRUE(all == restored->bytes());
  std::vector<uint8_t> odd(5000);
  ASSERT_TRUE((*dev)->read(4096 + 333, odd).is_ok());
  EXPECT_TRUE(std::equal(odd.begin(), odd.end(), restored->bytes().begin() + 4096 + 333));
  expect_same_results(base, **dev, false);
  EXPECT_EQ((*dev)->write(0, odd).code(), Errc::kNotSupported);
  EXPECT_EQ((*dev)->flush().code(), Errc::kNotSupported);

  EXPECT_EQ(open_metadump("-").status().code(), Errc::kInvalidArgument);
  EXPECT_EQ(open_metadump(path + ".missing").status().code(), Errc::kNotFound);
  // A truncated file: an error naming the file, never a crash.
  ASSERT_EQ(::truncate(path.c_str(), off_t(stream.size() / 2)), 0);
  auto cut = open_metadump(path);
  ASSERT_FALSE(cut.is_ok());
  EXPECT_NE(cut.status().message().find(path), std::string::npos);
  ::unlink(path.c_str());
}

TEST_F(MetadumpVolumeTest, AnEmptyVolumeDumpIsSmall) {
  MemoryDevice large(64 << 20);
  MkfsOptions o;
  o.uuid = testing::kSampleUuid;
  auto g = plan_volume(large.size(), large.topology(), o);
  ASSERT_TRUE(g.is_ok() && write_volume(large, *g, o).is_ok());
  VectorSink sink;
  auto report = write_metadump(large, {}, sink);
  ASSERT_TRUE(report.is_ok());
  EXPECT_LT(sink.bytes().size(), 1024u);
  EXPECT_EQ(report->counts.blocks, 5u);  // both slots, ileaf, xleaf, bitmap (block 0: zeros)
}

TEST_F(MetadumpVolumeTest, NotATux3VolumeIsRefused) {
  MemoryDevice zeros(1 << 20);
  VectorSink sink;
  auto report = write_metadump(zeros, {}, sink);
  ASSERT_FALSE(report.is_ok());
  EXPECT_EQ(report.status().code(), Errc::kNotFound);
  EXPECT_TRUE(sink.bytes().empty());
  DumpOptions both;
  both.data = both.scramble = true;
  EXPECT_EQ(write_metadump(base, both, sink).status().code(), Errc::kInvalidArgument);
  DumpOptions level;
  level.level = 99;
  EXPECT_EQ(write_metadump(base, level, sink).status().code(), Errc::kInvalidArgument);
}

}  // namespace
}  // namespace tux3
