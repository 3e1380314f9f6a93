// attr.cc: the engine's attributes as struct stat (attr.h).
#include "attr.h"

#include <sys/sysmacros.h>

namespace tux3::fuse {

namespace {

timespec to_timespec(const format::Timestamp& t) {
  timespec ts{};
  ts.tv_sec = t.sec;
  ts.tv_nsec = long(t.nsec);
  return ts;
}

}  // namespace

struct stat to_stat(const Attr& attr) {
  struct stat st{};
  st.st_ino = attr.ino;
  st.st_mode = attr.mode;
  st.st_nlink = attr.nlink;
  st.st_uid = attr.uid;
  st.st_gid = attr.gid;
  st.st_size = off_t(attr.size);
  st.st_blksize = blksize_t(attr.block_size);
  st.st_blocks = blkcnt_t(attr.blocks * (attr.block_size / 512));
  st.st_rdev = makedev(unsigned(attr.rdev >> 32), unsigned(attr.rdev & 0xffffffffu));
  st.st_atim = to_timespec(attr.atime);
  st.st_mtim = to_timespec(attr.mtime);
  st.st_ctim = to_timespec(attr.ctime);
  return st;
}

}  // namespace tux3::fuse
