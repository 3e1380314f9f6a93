// samples.h: fixed sample structures shared by the format tests and their fixtures.
#pragma once

#include "tuxdisk/format/inode.h"
#include "tuxdisk/format/superblock.h"

namespace tux3::testing {

inline const format::Uuid kSampleUuid = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                                         0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10};

inline format::Superblock sample_superblock() {
  using namespace format;
  Superblock sb;
  sb.uuid = kSampleUuid;
  sb.delta = 7;
  sb.slot = 1;
  sb.block_bits = 12;
  sb.state = 0;
  sb.stream_count = 2;
  sb.feature_incompat = kIncompatStreams;
  sb.vol_blocks = 262144;
  sb.free_blocks = 260000;
  sb.inode_count = 40;
  sb.next_inum = 70;
  sb.next_block = 1234;
  sb.itree = {100, 1};
  sb.otree = {101, 0};
  sb.log_count = 3;
  sb.log_head = 555;
  sb.unify_delta = 4;
  sb.create_time = {1700000000, 123456789};
  sb.commit_time = {1700000100, 5};
  sb.hash_seed = 0x0123456789abcdefull;
  sb.io_min = 4096;
  sb.io_opt = 65536;
  sb.fsync_mode = FsyncMode::kStream;
  sb.label = "sample";
  sb.streams[0] = {600, 1, 7};
  sb.streams[1] = {601, 9, 6};
  return sb;
}

inline format::InodeRecord sample_file_inode() {
  using namespace format;
  InodeRecord in;
  in.mode = kModeRegular | 0644;
  in.uid = 1000;
  in.gid = 100;
  in.nlink = 2;
  in.size = 1234567;
  in.blocks = 302;
  in.atime = {1700000001, 1};
  in.mtime = {1700000002, 999999999};
  in.ctime = {-5, 0};  // before the epoch is representable
  in.btime = {1700000000, 0};
  in.flags = kInodeAppend;
  in.generation = 42;
  in.root = {2000, 1};
  in.xattrs.push_back({XattrNs::kUser, "mime", {'t', 'e', 'x', 't'}});
  in.xattrs.push_back({XattrNs::kSecurity, "selinux", {'x', 0}});
  return in;
}

}  // namespace tux3::testing
