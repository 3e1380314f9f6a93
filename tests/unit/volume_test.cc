// volume_test.cc: the engine's POSIX operations on a memory device, across commits, unifies
// and reopen (replay), checked by the verifier.
#include <fcntl.h>

#include <map>
#include <string>

#include <gtest/gtest.h>

#include "helpers.h"
#include "samples.h"
#include "tuxdisk/memory_device.h"
#include "tuxdisk/mkfs.h"
#include "tuxdisk/verify.h"
#include "tuxdisk/volume.h"
#include "tuxdisk/volume_reader.h"

namespace tux3 {
namespace {

using testing::bytes;

class VolumeTest : public ::testing::Test {
 protected:
  void SetUp() override { format(4096, 64 << 20); }

  void format(uint32_t block_size, uint64_t size) {
    MkfsOptions o;
    o.block_bits = unsigned(__builtin_ctz(block_size));
    o.uuid = testing::kSampleUuid;
    o.now = {1700000000, 0};
    dev = std::make_unique<MemoryDevice>(size);
    auto g = plan_volume(size, dev->topology(), o);
    ASSERT_TRUE(g.is_ok());
    ASSERT_TRUE(write_volume(*dev, *g, o).is_ok());
    reopen();
  }

  void reopen() {
    if (vol) {
      ASSERT_TRUE(vol->close().is_ok());
    }
    vol.reset();
    VolumeOptions opt;
    opt.delta_interval_ms = 1u << 30;
    opt.clock = [this] { return format::Timestamp{1700000000 + int64_t(++ticks), 0}; };
    auto v = Volume::open(*dev, opt);
    ASSERT_TRUE(v.is_ok()) << v.status().to_string();
    vol = std::move(*v);
  }

  // Crash: drop the engine without closing; whatever was committed must come back.
  void crash_and_reopen() {
    vol.reset();
    reopen();
  }

  std::string read_all(uint64_t ino) {
    auto a = vol->getattr(ino);
    EXPECT_TRUE(a.is_ok());
    std::string out(a->size, '\0');
    auto n = vol->read(ino, 0, std::span(reinterpret_cast<uint8_t*>(out.data()), out.size()));
    EXPECT_TRUE(n.is_ok()) << n.status().to_string();
    return out;
  }

  void expect_clean() {
    auto reader = VolumeReader::open(*dev);
    ASSERT_TRUE(reader.is_ok()) << reader.status().to_string();
    auto report = verify_volume(**reader);
    ASSERT_TRUE(report.is_ok());
    std::string all;
    for (const auto& p : report->problems) all += p + "\n";
    EXPECT_TRUE(report->clean()) << all;
  }

  std::unique_ptr<MemoryDevice> dev;
  std::unique_ptr<Volume> vol;
  uint64_t ticks = 0;
};

TEST_F(VolumeTest, CreateWriteReadAcrossReopen) {
  auto f = vol->create(kRootIno, "hello.txt", 0644, 1000, 1000);
  ASSERT_TRUE(f.is_ok()) << f.status().to_string();
  ASSERT_TRUE(vol->write(f->ino, 0, bytes("hello, world\n")).is_ok());
  EXPECT_EQ(read_all(f->ino), "hello, world\n");
  reopen();
  auto again = vol->lookup(kRootIno, "hello.txt");
  ASSERT_TRUE(again.is_ok()) << again.status().to_string();
  EXPECT_EQ(again->ino, f->ino);
  EXPECT_EQ(again->uid, 1000u);
  EXPECT_EQ(read_all(f->ino), "hello, world\n");
  ASSERT_TRUE(vol->close().is_ok());
  expect_clean();
}

TEST_F(VolumeTest, UnknownReadOnlyCompatFeatureAllowsOnlyReadOnly) {
  ASSERT_TRUE(vol->close().is_ok());
  vol.reset();
  for (unsigned slot = 0; slot < 2; ++slot) {
    auto image = std::span(dev->bytes()).subspan(format::kSuperSlotOffset[slot],
                                                 format::kSuperSlotSize);
    auto sb = format::decode_superblock(image, slot);
    ASSERT_TRUE(sb.is_ok()) << sb.status().to_string();
    sb->feature_ro_compat |= uint64_t(1) << 7;
    format::encode_superblock(*sb, image);
  }
  VolumeOptions rw;
  EXPECT_EQ(Volume::open(*dev, rw).status().code(), Errc::kNotSupported);
  VolumeOptions ro;
  ro.read_only = true;
  auto v = Volume::open(*dev, ro);
  ASSERT_TRUE(v.is_ok()) << v.status().to_string();
  EXPECT_TRUE((*v)->getattr(kRootIno).is_ok());
  EXPECT_EQ(status_errno((*v)->create(kRootIno, "x", 0644, 0, 0).status()), EROFS);
}

TEST_F(VolumeTest, ErrorsAreThePosixOnes) {
  EXPECT_EQ(status_errno(vol->lookup(kRootIno, "missing").status()), ENOENT);
  ASSERT_TRUE(vol->mkdir(kRootIno, "d", 0755, 0, 0).is_ok());
  EXPECT_EQ(status_errno(vol->mkdir(kRootIno, "d", 0755, 0, 0).status()), EEXIST);
  EXPECT_EQ(status_errno(vol->create(kRootIno, std::string(256, 'x'), 0644, 0, 0).status()),
            ENAMETOOLONG);
  auto d = vol->lookup(kRootIno, "d");
  ASSERT_TRUE(vol->create(d->ino, "f", 0644, 0, 0).is_ok());
  EXPECT_EQ(status_errno(vol->rmdir(kRootIno, "d")), ENOTEMPTY);
  EXPECT_EQ(status_errno(vol->unlink(kRootIno, "d")), EISDIR);
  auto f = vol->lookup(d->ino, "f");
  EXPECT_EQ(status_errno(vol->rmdir(d->ino, "f")), ENOTDIR);
  EXPECT_EQ(status_errno(vol->create(f->ino, "x", 0644, 0, 0).status()), ENOTDIR);
  std::vector<uint8_t> buf(10);
  EXPECT_EQ(status_errno(vol->read(d->ino, 0, buf).status()), EISDIR);
  EXPECT_EQ(status_errno(vol->link(d->ino, kRootIno, "dl").status()), EPERM);
  EXPECT_EQ(status_errno(vol->rename(kRootIno, "d", d->ino, "inside")), EINVAL);
  EXPECT_EQ(status_errno(vol->getxattr(f->ino, "user.none").status()), ENODATA);
  EXPECT_EQ(status_errno(vol->setxattr(f->ino, "bogus.x", bytes("v"), 0)), EOPNOTSUPP);
}

TEST_F(VolumeTest, NamespaceOperationsAndLinkCounts) {
  auto a = vol->mkdir(kRootIno, "a", 0755, 0, 0);
  auto b = vol->mkdir(kRootIno, "b", 0755, 0, 0);
  auto f = vol->create(a->ino, "f", 0644, 0, 0);
  ASSERT_TRUE(f.is_ok());
  EXPECT_EQ(vol->getattr(kRootIno)->nlink, 4u);
  ASSERT_TRUE(vol->link(f->ino, b->ino, "g").is_ok());
  EXPECT_EQ(vol->getattr(f->ino)->nlink, 2u);
  ASSERT_TRUE(vol->rename(a->ino, "f", b->ino, "g").is_ok());  // same inode: no-op
  ASSERT_TRUE(vol->rename(kRootIno, "a", b->ino, "a2").is_ok());
  EXPECT_EQ(vol->getattr(kRootIno)->nlink, 3u);
  EXPECT_EQ(vol->getattr(b->ino)->nlink, 3u);
  EXPECT_EQ(vol->lookup(a->ino, "..")->ino, b->ino);
  auto s = vol->symlink(b->ino, "s", "../target/path", 0, 0);
  ASSERT_TRUE(s.is_ok());
  EXPECT_EQ(*vol->readlink(s->ino), "../target/path");
  std::string long_target(3000, 'L');
  auto ls = vol->symlink(b->ino, "long", long_target, 0, 0);
  ASSERT_TRUE(ls.is_ok()) << ls.status().to_string();
  EXPECT_EQ(*vol->readlink(ls->ino), long_target);
  auto dev_node = vol->mknod(b->ino, "null", 0020666, uint64_t(1) << 32 | 3, 0, 0);
  ASSERT_TRUE(dev_node.is_ok());
  EXPECT_EQ(dev_node->rdev, uint64_t(1) << 32 | 3);
  ASSERT_TRUE(vol->mknod(b->ino, "fifo", 0010644, 0, 0, 0).is_ok());
  ASSERT_TRUE(vol->unlink(b->ino, "g").is_ok());
  EXPECT_EQ(vol->getattr(f->ino)->nlink, 1u);
  // Rename over an existing file replaces it.
  auto t = vol->create(b->ino, "t", 0644, 0, 0);
  ASSERT_TRUE(vol->rename(a->ino, "f", b->ino, "t").is_ok());
  EXPECT_EQ(vol->lookup(b->ino, "t")->ino, f->ino);
  EXPECT_EQ(status_errno(vol->getattr(t->ino).status()), 0);  // destroyed only at commit
  std::map<std::string, uint64_t> names;
  ASSERT_TRUE(vol->readdir(b->ino, 0, [&](const DirEntry& e) {
    names[e.name] = e.ino;
    return true;
  }).is_ok());
  EXPECT_EQ(names.size(), 8u) << "., .., a2, s, long, null, fifo, t";
  reopen();
  EXPECT_EQ(status_errno(vol->getattr(t->ino).status()), ENOENT);
  EXPECT_EQ(*vol->readlink(ls->ino), long_target);
  EXPECT_EQ(vol->getattr(b->ino)->nlink, 3u);
  ASSERT_TRUE(vol->close().is_ok());
  expect_clean();
}

TEST_F(VolumeTest, SparseFilesHolesAndTruncate) {
  auto f = vol->create(kRootIno, "sparse", 0644, 0, 0);
  ASSERT_TRUE(vol->write(f->ino, 10 << 20, bytes("end")).is_ok());
  EXPECT_EQ(vol->getattr(f->ino)->size, (10u << 20) + 3);
  ASSERT_TRUE(vol->sync().is_ok());
  EXPECT_EQ(vol->getattr(f->ino)->blocks, 1u);
  std::vector<uint8_t> buf(4096, 0xff);
  ASSERT_TRUE(vol->read(f->ino, 4096 * 7, buf).is_ok());
  EXPECT_EQ(buf, std::vector<uint8_t>(4096, 0));
  SetAttr shrink;
  shrink.size = 5;
  ASSERT_TRUE(vol->setattr(f->ino, shrink).is_ok());
  ASSERT_TRUE(vol->write(f->ino, 0, bytes("abcdefgh")).is_ok());
  SetAttr cut;
  cut.size = 3;
  ASSERT_TRUE(vol->setattr(f->ino, cut).is_ok());
  SetAttr grow;
  grow.size = 8;
  ASSERT_TRUE(vol->setattr(f->ino, grow).is_ok());
  EXPECT_EQ(read_all(f->ino), std::string("abc\0\0\0\0\0", 8));
  reopen();
  EXPECT_EQ(read_all(f->ino), std::string("abc\0\0\0\0\0", 8));
  ASSERT_TRUE(vol->close().is_ok());
  expect_clean();
}

// A small file's mapping lives in its inode record; it moves to an extent tree when it
// outgrows the record and back when it shrinks again.
TEST_F(VolumeTest, SmallFilesKeepTheirExtentsInline) {
  auto f = vol->create(kRootIno, "small", 0644, 0, 0);
  ASSERT_TRUE(vol->write(f->ino, 0, bytes("tiny")).is_ok());
  ASSERT_TRUE(vol->sync().is_ok());
  auto used = [&] {  // data blocks and tree nodes (not log blocks, which each delta adds)
    auto reader = VolumeReader::open(*dev);
    auto report = *verify_volume(**reader);
    return report.data_blocks + report.tree_nodes;
  };
  uint64_t with_one = used();
  auto g = vol->create(kRootIno, "small2", 0644, 0, 0);
  ASSERT_TRUE(vol->write(g->ino, 0, bytes("tiny")).is_ok());
  ASSERT_TRUE(vol->sync().is_ok());
  EXPECT_EQ(used(), with_one + 1) << "a one-block file costs one block";
  // Six separate extents (holes between): more than fit inline.
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(vol->write(f->ino, uint64_t(i) * 3 * 4096, bytes("x")).is_ok());
  ASSERT_TRUE(vol->sync().is_ok());
  expect_clean();
  reopen();
  EXPECT_EQ(read_all(f->ino).substr(3 * 4096, 1), "x");
  SetAttr cut;
  cut.size = 100;
  ASSERT_TRUE(vol->setattr(f->ino, cut).is_ok());
  ASSERT_TRUE(vol->sync().is_ok());
  expect_clean();
  reopen();
  EXPECT_EQ(read_all(f->ino), std::string("xiny") + std::string(96, '\0'));
  ASSERT_TRUE(vol->close().is_ok());
  expect_clean();
}

TEST_F(VolumeTest, XattrsRoundTrip) {
  auto f = vol->create(kRootIno, "x", 0644, 0, 0);
  ASSERT_TRUE(vol->setxattr(f->ino, "user.mime", bytes("text/plain"), 0).is_ok());
  ASSERT_TRUE(vol->setxattr(f->ino, "trusted.t", bytes("1"), 0).is_ok());
  EXPECT_EQ(status_errno(vol->setxattr(f->ino, "user.mime", bytes("x"), 1)), EEXIST);
  EXPECT_EQ(status_errno(vol->setxattr(f->ino, "user.new", bytes("x"), 2)), ENODATA);
  EXPECT_EQ(status_errno(vol->setxattr(f->ino, "user.big", std::vector<uint8_t>(5000), 0)),
            ENOSPC);
  reopen();
  auto v = vol->getxattr(f->ino, "user.mime");
  ASSERT_TRUE(v.is_ok());
  EXPECT_EQ(std::string(v->begin(), v->end()), "text/plain");
  EXPECT_EQ(vol->listxattr(f->ino)->size(), 2u);
  ASSERT_TRUE(vol->removexattr(f->ino, "user.mime").is_ok());
  EXPECT_EQ(vol->listxattr(f->ino)->size(), 1u);
}

TEST_F(VolumeTest, UnlinkedWhileOpenSurvivesUntilReleaseOrCrash) {
  auto f = vol->create(kRootIno, "tmp", 0644, 0, 0);
  ASSERT_TRUE(vol->write(f->ino, 0, bytes("still here")).is_ok());
  ASSERT_TRUE(vol->open_file(f->ino).is_ok());
  ASSERT_TRUE(vol->unlink(kRootIno, "tmp").is_ok());
  ASSERT_TRUE(vol->sync().is_ok());
  expect_clean();  // the orphan is in the orphan tree, with no entry
  EXPECT_EQ(read_all(f->ino), "still here");  // readable while open
  uint64_t free_before = vol->statfs().free_blocks;
  crash_and_reopen();  // the orphan is destroyed by replay at open
  EXPECT_EQ(vol->stats().orphans_destroyed_at_open, 1u);
  EXPECT_EQ(status_errno(vol->getattr(f->ino).status()), ENOENT);
  EXPECT_GT(vol->statfs().free_blocks, free_before);
  ASSERT_TRUE(vol->close().is_ok());
  expect_clean();
}

TEST_F(VolumeTest, CrashLosesOnlyTheUncommittedDelta) {
  auto a = vol->create(kRootIno, "committed", 0644, 0, 0);
  ASSERT_TRUE(vol->write(a->ino, 0, bytes("durable")).is_ok());
  ASSERT_TRUE(vol->sync().is_ok());
  expect_clean();  // a committed delta with a non-empty log
  ASSERT_TRUE(vol->create(kRootIno, "lost", 0644, 0, 0).is_ok());
  crash_and_reopen();
  EXPECT_EQ(read_all(a->ino), "durable");
  EXPECT_EQ(status_errno(vol->lookup(kRootIno, "lost").status()), ENOENT);
}

TEST_F(VolumeTest, FillToEnospcDeleteAndFillAgain) {
  format(4096, 4 << 20);  // 1024 blocks
  std::vector<uint8_t> chunk(64 << 10, 0x5a);
  for (int round = 0; round < 3; ++round) {
    int files = 0;
    Status last;
    for (;; ++files) {
      auto f = vol->create(kRootIno, "f" + std::to_string(files), 0644, 0, 0);
      if (!f) {
        last = f.status();
        break;
      }
      auto w = vol->write(f->ino, 0, chunk);
      if (!w) {
        last = w.status();
        break;
      }
    }
    EXPECT_EQ(status_errno(last), ENOSPC) << last.to_string();
    EXPECT_GT(files, 5);
    Status synced = vol->sync();
    ASSERT_TRUE(synced.is_ok()) << synced.to_string();
    for (int i = 0; i <= files; ++i) (void)vol->unlink(kRootIno, "f" + std::to_string(i));
    ASSERT_TRUE(vol->sync().is_ok());
  }
  ASSERT_TRUE(vol->close().is_ok());
  expect_clean();
}

}  // namespace
}  // namespace tux3
