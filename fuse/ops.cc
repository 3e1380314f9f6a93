// ops.cc: the FUSE low-level operations (ops.h).
#include "ops.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <time.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "attr.h"

namespace tux3::fuse {

namespace {

Bridge& bridge(fuse_req_t req) { return *static_cast<Bridge*>(fuse_req_userdata(req)); }
Volume& vol(fuse_req_t req) { return bridge(req).volume; }

// The kernel forgot counts of an inode: an unlinked inode it held is let go at zero.
void forget_one(Bridge& b, fuse_ino_t ino, uint64_t n) {
  uint64_t i = engine_ino(ino);
  if (b.lookups.forget(i, n)) (void)b.volume.release_file(i);
}

void reply_status(fuse_req_t req, const Status& s) { fuse_reply_err(req, s ? 0 : status_errno(s)); }

fuse_entry_param entry_of(fuse_req_t req, const Attr& attr) {
  fuse_entry_param e{};
  e.ino = fuse_nodeid(attr.ino);
  e.attr = to_stat(attr);
  e.attr_timeout = bridge(req).timeout;
  e.entry_timeout = bridge(req).timeout;
  return e;
}

void reply_entry(fuse_req_t req, const Result<Attr>& attr) {
  if (!attr) {
    fuse_reply_err(req, status_errno(attr.status()));
    return;
  }
  fuse_entry_param e = entry_of(req, *attr);
  // Counted before the reply: once the kernel has it, another request may unlink it.
  Bridge& b = bridge(req);
  b.lookups.add(attr->ino);
  if (fuse_reply_entry(req, &e) != 0) forget_one(b, e.ino, 1);
}

void reply_attr(fuse_req_t req, const Result<Attr>& attr) {
  if (!attr) {
    fuse_reply_err(req, status_errno(attr.status()));
    return;
  }
  struct stat st = to_stat(*attr);
  fuse_reply_attr(req, &st, bridge(req).timeout);
}

mode_t type_bits(format::FileType type) {
  using format::FileType;
  switch (type) {
    case FileType::kRegular: return S_IFREG;
    case FileType::kDirectory: return S_IFDIR;
    case FileType::kCharDevice: return S_IFCHR;
    case FileType::kBlockDevice: return S_IFBLK;
    case FileType::kFifo: return S_IFIFO;
    case FileType::kSocket: return S_IFSOCK;
    case FileType::kSymlink: return S_IFLNK;
    case FileType::kUnknown: break;
  }
  return 0;
}

// --- names -------------------------------------------------------------------------

// The owner of a new inode in `parent`: the caller, but in a set-group-ID directory its
// group is the directory's, and a new directory is set-group-ID too (the rule every Linux
// file system keeps; FUSE leaves it to the server).
struct NewOwner {
  uint32_t uid, gid;
  mode_t mode;
};
Result<NewOwner> new_owner(fuse_req_t req, uint64_t parent, mode_t mode) {
  const fuse_ctx* ctx = fuse_req_ctx(req);
  TUX3_ASSIGN_OR_RETURN(Attr dir, vol(req).getattr(parent));
  NewOwner o{ctx->uid, ctx->gid, mode};
  if (dir.mode & S_ISGID) {
    o.gid = dir.gid;
    if (S_ISDIR(mode)) o.mode |= S_ISGID;
  }
  return o;
}

void op_lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  auto attr = vol(req).lookup(engine_ino(parent), name);
  if (!attr && status_errno(attr.status()) == ENOENT) {
    // A negative entry: the kernel may remember the name is absent for the timeout.
    fuse_entry_param e{};
    e.entry_timeout = bridge(req).timeout;
    fuse_reply_entry(req, &e);
    return;
  }
  reply_entry(req, attr);
}

void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t n) {
  forget_one(bridge(req), ino, n);  // before the reply, which frees req
  fuse_reply_none(req);
}

void op_forget_multi(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
  for (size_t k = 0; k < count; ++k) forget_one(bridge(req), forgets[k].ino, forgets[k].nlookup);
  fuse_reply_none(req);
}

// Runs `remove`, which may take `name` in `dir` from its inode (unlink, rmdir, rename over
// it), and replies with its status. If the kernel still holds that inode and this is its
// last name, the engine keeps it (as an orphan) until the kernel forgets it; if `remove`
// fails, the pin is let go again.
template <class Remove>
void reply_removing(fuse_req_t req, uint64_t dir, const char* name, Remove remove) {
  Bridge& b = bridge(req);
  uint64_t pinned = 0;
  if (auto attr = b.volume.lookup(dir, name); attr) {
    bool last_name = S_ISDIR(attr->mode) || attr->nlink <= 1;
    if (last_name && b.lookups.pin_if_held(attr->ino)) {
      if (b.volume.open_file(attr->ino)) pinned = attr->ino;
      else b.lookups.unpin(attr->ino);
    }
  }
  Status s = remove();
  if (!s && pinned != 0) {
    b.lookups.unpin(pinned);
    (void)b.volume.release_file(pinned);
  }
  reply_status(req, s);
}

void op_mknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev) {
  auto o = new_owner(req, engine_ino(parent), mode);
  if (!o) return reply_entry(req, o.status());
  uint64_t dev = uint64_t(major(rdev)) << 32 | minor(rdev);
  reply_entry(req, vol(req).mknod(engine_ino(parent), name, o->mode, dev, o->uid, o->gid));
}

void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  auto o = new_owner(req, engine_ino(parent), mode | S_IFDIR);
  if (!o) return reply_entry(req, o.status());
  reply_entry(req, vol(req).mkdir(engine_ino(parent), name, o->mode & 07777, o->uid, o->gid));
}

void op_symlink(fuse_req_t req, const char* target, fuse_ino_t parent, const char* name) {
  auto o = new_owner(req, engine_ino(parent), S_IFLNK | 0777);
  if (!o) return reply_entry(req, o.status());
  reply_entry(req, vol(req).symlink(engine_ino(parent), name, target, o->uid, o->gid));
}

void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t parent, const char* name) {
  reply_entry(req, vol(req).link(engine_ino(ino), engine_ino(parent), name));
}

void op_unlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  reply_removing(req, engine_ino(parent), name,
                 [&] { return vol(req).unlink(engine_ino(parent), name); });
}

void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  reply_removing(req, engine_ino(parent), name,
                 [&] { return vol(req).rmdir(engine_ino(parent), name); });
}

void op_rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent,
               const char* newname, unsigned int flags) {
  // RENAME_NOREPLACE (1) and RENAME_EXCHANGE (2) are the engine's values; anything else
  // (RENAME_WHITEOUT) it refuses with EINVAL.
  auto rename = [&] {
    return vol(req).rename(engine_ino(parent), name, engine_ino(newparent), newname, flags);
  };
  // An exchange takes no inode from its names.
  if (flags & RENAME_EXCHANGE) return reply_status(req, rename());
  reply_removing(req, engine_ino(newparent), newname, rename);
}

void op_readlink(fuse_req_t req, fuse_ino_t ino) {
  auto target = vol(req).readlink(engine_ino(ino));
  if (!target) {
    fuse_reply_err(req, status_errno(target.status()));
    return;
  }
  fuse_reply_readlink(req, target->c_str());
}

// --- attributes --------------------------------------------------------------------

void op_getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  reply_attr(req, vol(req).getattr(engine_ino(ino)));
}

format::Timestamp timestamp(const timespec& ts) { return {ts.tv_sec, uint32_t(ts.tv_nsec)}; }

format::Timestamp now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return timestamp(ts);
}

void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info*) {
  SetAttr change;
  if (to_set & FUSE_SET_ATTR_MODE) change.mode = attr->st_mode & 07777;
  if (to_set & FUSE_SET_ATTR_UID) change.uid = attr->st_uid;
  if (to_set & FUSE_SET_ATTR_GID) change.gid = attr->st_gid;
  if (to_set & FUSE_SET_ATTR_SIZE) change.size = uint64_t(attr->st_size);
  if (to_set & FUSE_SET_ATTR_ATIME_NOW) change.atime = now();
  else if (to_set & FUSE_SET_ATTR_ATIME) change.atime = timestamp(attr->st_atim);
  if (to_set & FUSE_SET_ATTR_MTIME_NOW) change.mtime = now();
  else if (to_set & FUSE_SET_ATTR_MTIME) change.mtime = timestamp(attr->st_mtim);
  reply_attr(req, vol(req).setattr(engine_ino(ino), change));
}

void op_statfs(fuse_req_t req, fuse_ino_t) {
  VolumeStatFs fs = vol(req).statfs();
  struct statvfs st{};
  st.f_bsize = st.f_frsize = fs.block_size;
  st.f_blocks = fs.blocks;
  st.f_bfree = st.f_bavail = fs.free_blocks;
  st.f_files = fs.inodes;
  st.f_ffree = st.f_favail = fs.free_inodes;
  st.f_namemax = fs.name_max;
  fuse_reply_statfs(req, &st);
}

// --- files -------------------------------------------------------------------------

void op_create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode,
               fuse_file_info* fi) {
  auto o = new_owner(req, engine_ino(parent), mode);
  if (!o) {
    fuse_reply_err(req, status_errno(o.status()));
    return;
  }
  auto attr = vol(req).create(engine_ino(parent), name, o->mode, o->uid, o->gid);
  if (!attr) {
    fuse_reply_err(req, status_errno(attr.status()));
    return;
  }
  fuse_entry_param e = entry_of(req, *attr);
  fi->keep_cache = 1;
  Bridge& b = bridge(req);  // counted before the reply, as in reply_entry
  b.lookups.add(attr->ino);
  if (fuse_reply_create(req, &e, fi) != 0) forget_one(b, e.ino, 1);
}

// Opening holds nothing in the engine: an inode lives while it has a name or the kernel
// holds it (lookup counts), which covers open files. Where the kernel allows, open is not
// even asked for (ENOSYS once: FUSE_CAP_NO_OPEN_SUPPORT); O_TRUNC comes as a setattr
// (atomic O_TRUNC is off). Every change goes through this mount, so the kernel may keep a
// file's cached pages across opens.
void op_open(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  if (bridge(req).no_open) return fuse_reply_err(req, ENOSYS), void();
  fi->keep_cache = 1;
  fuse_reply_open(req, fi);
}

void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
  std::vector<uint8_t> buf(size);
  auto n = vol(req).read(engine_ino(ino), uint64_t(off), buf);
  if (!n) {
    fuse_reply_err(req, status_errno(n.status()));
    return;
  }
  fuse_reply_buf(req, reinterpret_cast<const char*>(buf.data()), *n);
}

void op_write(fuse_req_t req, fuse_ino_t ino, const char* data, size_t size, off_t off,
              fuse_file_info*) {
  auto n = vol(req).write(engine_ino(ino), uint64_t(off),
                          std::span(reinterpret_cast<const uint8_t*>(data), size));
  if (!n) {
    fuse_reply_err(req, status_errno(n.status()));
    return;
  }
  fuse_reply_write(req, *n);
}

void op_release(fuse_req_t req, fuse_ino_t, fuse_file_info*) { fuse_reply_err(req, 0); }

void op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info*) {
  reply_status(req, vol(req).fsync(engine_ino(ino), datasync != 0));
}

// --- directories -------------------------------------------------------------------

// As op_open; the kernel may also cache what readdir returned until the directory changes
// (it drops that cache itself on every change made through the mount).
void op_opendir(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  if (bridge(req).no_opendir) return fuse_reply_err(req, ENOSYS), void();
  fi->keep_cache = 1;
  fi->cache_readdir = 1;
  fuse_reply_open(req, fi);
}

void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
  std::vector<char> buf(size);
  std::size_t used = 0;
  Status s = vol(req).readdir(engine_ino(ino), uint64_t(off), [&](const DirEntry& d) {
    struct stat st{};
    st.st_ino = d.ino;
    st.st_mode = type_bits(d.type);
    std::size_t n = fuse_add_direntry(req, buf.data() + used, size - used, d.name.c_str(), &st,
                                      off_t(d.next_offset));
    if (n > size - used) return false;  // full: the kernel asks again from here
    used += n;
    return true;
  });
  // A directory removed while open reads as empty, as on Linux.
  if (!s && !(status_errno(s) == ENOENT && used == 0)) {
    fuse_reply_err(req, status_errno(s));
    return;
  }
  fuse_reply_buf(req, buf.data(), used);
}

// readdir with each entry's attributes, so `ls -l` and its kind need no lookup per name.
// The kernel counts a lookup for every entry but "." and "..", as after a lookup.
void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
  std::vector<char> buf(size);
  std::size_t used = 0;
  std::vector<uint64_t> told;  // the entries the kernel will count
  Status failed = Status::ok();
  Status s = vol(req).readdir(engine_ino(ino), uint64_t(off), [&](const DirEntry& d) {
    fuse_entry_param e{};
    if (d.name == "." || d.name == "..") {
      e.attr.st_ino = d.ino;
      e.attr.st_mode = type_bits(d.type);
    } else {
      auto attr = vol(req).getattr(d.ino);
      if (!attr && status_errno(attr.status()) == ENOENT) return true;  // just unlinked
      if (!attr) {
        failed = attr.status();
        return false;
      }
      e = entry_of(req, *attr);
    }
    std::size_t n = fuse_add_direntry_plus(req, buf.data() + used, size - used,
                                           d.name.c_str(), &e, off_t(d.next_offset));
    if (n > size - used) return false;  // full: the kernel asks again from here
    used += n;
    if (e.ino != 0) told.push_back(d.ino);
    return true;
  });
  if (s && !failed && used == 0) s = failed;
  if (!s && !(status_errno(s) == ENOENT && used == 0)) {
    fuse_reply_err(req, status_errno(s));
    return;
  }
  Bridge& b = bridge(req);  // counted before the reply, as in reply_entry
  for (uint64_t i : told) b.lookups.add(i);
  if (fuse_reply_buf(req, buf.data(), used) != 0) {
    for (uint64_t i : told) forget_one(b, fuse_nodeid(i), 1);
  }
}

void op_releasedir(fuse_req_t req, fuse_ino_t, fuse_file_info*) { fuse_reply_err(req, 0); }

void op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info*) {
  reply_status(req, vol(req).fsync(engine_ino(ino), datasync != 0));
}

// --- extended attributes -----------------------------------------------------------

// POSIX ACLs travel as these two xattrs. The engine has no ACLs: it would keep them as
// bytes without applying them (cp -a sets a file's mode through system.posix_acl_access
// and, told it worked, never calls chmod). Refused, as a file system mounted noacl does,
// so programs fall back to the mode bits.
bool is_acl(const char* name) {
  return std::strcmp(name, "system.posix_acl_access") == 0 ||
         std::strcmp(name, "system.posix_acl_default") == 0;
}

// The size protocol of getxattr and listxattr: size 0 asks for the length only.
void reply_sized(fuse_req_t req, const char* data, std::size_t length, size_t size) {
  if (size == 0) fuse_reply_xattr(req, length);
  else if (length > size) fuse_reply_err(req, ERANGE);
  else fuse_reply_buf(req, data, length);
}

void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  if (is_acl(name)) return fuse_reply_err(req, EOPNOTSUPP), void();
  auto value = vol(req).getxattr(engine_ino(ino), name);
  if (!value) {
    fuse_reply_err(req, status_errno(value.status()));
    return;
  }
  reply_sized(req, reinterpret_cast<const char*>(value->data()), value->size(), size);
}

void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  auto names = vol(req).listxattr(engine_ino(ino));
  if (!names) {
    fuse_reply_err(req, status_errno(names.status()));
    return;
  }
  std::string list;
  for (const std::string& n : *names) list.append(n).push_back('\0');
  reply_sized(req, list.data(), list.size(), size);
}

void op_setxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value,
                 size_t size, int flags) {
  if (is_acl(name)) return fuse_reply_err(req, EOPNOTSUPP), void();
  reply_status(req, vol(req).setxattr(engine_ino(ino), name,
                                      std::span(reinterpret_cast<const uint8_t*>(value), size),
                                      flags));
}

void op_removexattr(fuse_req_t req, fuse_ino_t ino, const char* name) {
  if (is_acl(name)) return fuse_reply_err(req, EOPNOTSUPP), void();
  reply_status(req, vol(req).removexattr(engine_ino(ino), name));
}

void op_init(void* userdata, fuse_conn_info* conn) {
  // The kernel clears set-user-ID and set-group-ID bits on write and truncate itself
  // (through setattr): the engine does not.
  conn->want &= ~unsigned(FUSE_CAP_HANDLE_KILLPRIV);
  // open(O_TRUNC) truncates through setattr before opening, so open need not be sent.
  conn->want &= ~unsigned(FUSE_CAP_ATOMIC_O_TRUNC);
  Bridge& b = *static_cast<Bridge*>(userdata);
  b.no_open = conn->capable & FUSE_CAP_NO_OPEN_SUPPORT;
  b.no_opendir = conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT;
  if (b.writeback_cache &&
      (conn->capable & FUSE_CAP_WRITEBACK_CACHE)) {
    conn->want |= FUSE_CAP_WRITEBACK_CACHE;
  }
}

}  // namespace

fuse_lowlevel_ops make_ops() {
  fuse_lowlevel_ops ops{};
  ops.init = op_init;
  ops.lookup = op_lookup;
  ops.forget = op_forget;
  ops.forget_multi = op_forget_multi;
  ops.getattr = op_getattr;
  ops.setattr = op_setattr;
  ops.readlink = op_readlink;
  ops.mknod = op_mknod;
  ops.mkdir = op_mkdir;
  ops.unlink = op_unlink;
  ops.rmdir = op_rmdir;
  ops.symlink = op_symlink;
  ops.rename = op_rename;
  ops.link = op_link;
  ops.open = op_open;
  ops.read = op_read;
  ops.write = op_write;
  // No flush: closing promises nothing (FLUSH is asked for once, then never: ENOSYS).
  ops.release = op_release;
  ops.fsync = op_fsync;
  ops.opendir = op_opendir;
  ops.readdir = op_readdir;
  ops.readdirplus = op_readdirplus;
  ops.releasedir = op_releasedir;
  ops.fsyncdir = op_fsyncdir;
  ops.statfs = op_statfs;
  ops.setxattr = op_setxattr;
  ops.getxattr = op_getxattr;
  ops.listxattr = op_listxattr;
  ops.removexattr = op_removexattr;
  ops.create = op_create;
  return ops;
}

}  // namespace tux3::fuse
