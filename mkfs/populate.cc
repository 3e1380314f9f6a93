// populate.cc: mkfs.tux3 --root-dir: walk a host tree and copy it into the volume (see
// populate.h for the contract).
//
// Two sides, one thread each, so that reading the host and feeding the engine overlap:
//   - the Reader walks the tree (sorted, depth first) and turns it into a stream of Steps:
//     "make this file, with these xattrs", "this data at this offset", "end of this file,
//     these times", "make this directory", "end of this directory", a symlink, a device, a
//     hard link. It reads file data in chunks of up to 1 MiB.
//   - the Writer applies the Steps to the volume, in the order they come.
// The stream is the only thing they share: a queue bounded in bytes, handed over in
// batches. The order of the stream is fixed by the tree alone, so the volume is the same
// whatever the timing of the threads. The dry run drives the Reader alone, without data.
//
// Cost per entry on the host, kept to what the copy needs: one fstatat; for a regular file
// openat, one pread per MiB (plus two lseeks per data region when st_blocks says the file
// may be sparse), flistxattr and close; for a directory openat, a dup for fdopendir,
// getdents, flistxattr. Files and directories are opened with O_NOATIME where the kernel
// allows it, so reading them does not change the times that are copied.
#include "populate.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "tuxdisk/format/inode.h"
#include "tuxdisk/volume.h"

namespace tux3::mkfs {
namespace {

constexpr std::size_t kChunkBytes = 1 << 20;  // host reads and engine writes
// The engine commits a delta when this much file data is dirty (and, with the interval
// below, never because of time), so commits fall at the same points on every run.
constexpr uint64_t kDirtyLimitBytes = 64ull << 20;
constexpr uint32_t kNoDeltaInterval = UINT32_MAX;
// The stream between the threads: at most this much data queued, handed over in batches.
constexpr std::size_t kQueueBytes = 64 << 20;
constexpr std::size_t kBatchBytes = 1 << 20;
constexpr std::size_t kBatchSteps = 256;

// --- the stream -----------------------------------------------------------------------

struct Xattr {
  std::string name;
  std::vector<uint8_t> value;
};

struct Step {
  enum class Kind : uint8_t {
    kFile,      // name, path, st, xattrs: create it
    kData,      // offset, data: write to the current file (no path: the kFile's)
    kFileEnd,   // st (times), size: the current file is done
    kDir,       // name, path, st, xattrs: make it and enter it
    kDirEnd,    // path, st (times): leave the current directory
    kSymlink,   // name, path, st, target, xattrs
    kSpecial,   // name, path, st, xattrs: device, FIFO or socket
    kLink,      // name, path, st: another name of an inode already made
    kRootXattrs,  // path, xattrs: the root directory's
  };
  Kind kind = Kind::kFile;
  std::string name;
  std::string path;  // for messages
  struct stat st {};
  std::vector<Xattr> xattrs;
  std::string target;
  uint64_t offset = 0;
  uint64_t size = 0;
  std::unique_ptr<uint8_t[]> data;  // not zero-filled first: pread fills it
  std::size_t length = 0;
};

std::size_t step_bytes(const Step& s) { return s.length + 256; }

// The queue between the Reader (producer) and the Writer (consumer). Either side can stop
// the other: the Reader with finish(status), the Writer with cancel().
class Stream {
 public:
  // Producer: blocks while the queue is full. False: the consumer has stopped.
  bool push(std::vector<Step>&& batch, std::size_t bytes) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return cancelled_ || queued_ < kQueueBytes; });
    if (cancelled_) return false;
    queued_ += bytes;
    batches_.push_back({std::move(batch), bytes});
    not_empty_.notify_one();
    return true;
  }
  void finish(Status status) {
    std::lock_guard lock(mu_);
    done_ = true;
    end_status_ = std::move(status);
    not_empty_.notify_one();
  }
  // Consumer: the next batch, or an empty one at the end (then see end_status()).
  std::vector<Step> pop() {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return done_ || !batches_.empty(); });
    if (batches_.empty()) return {};
    auto [batch, bytes] = std::move(batches_.front());
    batches_.pop_front();
    queued_ -= bytes;
    not_full_.notify_one();
    return std::move(batch);
  }
  Status end_status() {
    std::lock_guard lock(mu_);
    return end_status_;
  }
  void cancel() {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    not_full_.notify_one();
  }

 private:
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<std::pair<std::vector<Step>, std::size_t>> batches_;
  std::size_t queued_ = 0;
  bool done_ = false, cancelled_ = false;
  Status end_status_;
};

// --- the host side ----------------------------------------------------------------------

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Status host_error(int err, const std::string& path, std::string_view what) {
  return Status::from_errno(err, fmt::format("{}: {}", path, what));
}

// Walks the tree and emits its Steps. With `stream` null (the dry run) it reads no data
// and keeps nothing; stats are counted either way.
class Reader {
 public:
  Reader(const PopulateOptions& options, Stream* stream)
      : opt_(options), stream_(stream), names_(4096), value_(65536) {}

  Status run();  // with a stream: ends it (finish) whatever happens
  PopulateStats stats;

 private:
  Status walk_dir(int dirfd, const std::string& dir_path);
  Status entry(int dirfd, const std::string& name, const std::string& path);
  Status file(int dirfd, const std::string& name, const std::string& path, struct stat& st);
  Status data(int fd, const std::string& path, const struct stat& st, uint64_t& end,
              bool& complete);
  Status range(int fd, const std::string& path, uint64_t from, uint64_t to, uint64_t& end,
               uint64_t& next_block);
  Status xattrs(int fd, const std::string& path, std::vector<Xattr>& out);
  Result<int> open_at(int dirfd, const char* name, int flags, const std::string& path,
                      bool& noatime);
  Status emit(Step&& step);
  Status flush();
  Step make(Step::Kind kind, const std::string& name, const std::string& path,
            const struct stat& st) {
    Step s;
    s.kind = kind;
    s.name = name;
    s.path = path;
    s.st = st;
    return s;
  }

  const PopulateOptions& opt_;
  Stream* stream_;
  std::vector<Step> batch_;
  std::size_t batch_bytes_ = 0;
  std::set<std::pair<dev_t, ino_t>> linked_;  // inodes with more names, already emitted
  std::vector<char> names_;
  std::vector<uint8_t> value_;
};

Status Reader::emit(Step&& step) {
  if (!stream_) return Status::ok();
  batch_bytes_ += step_bytes(step);
  batch_.push_back(std::move(step));
  if (batch_bytes_ >= kBatchBytes || batch_.size() >= kBatchSteps) return flush();
  return Status::ok();
}

Status Reader::flush() {
  if (!stream_ || batch_.empty()) return Status::ok();
  std::vector<Step> batch;
  batch.swap(batch_);
  batch_.reserve(kBatchSteps);
  std::size_t bytes = batch_bytes_;
  batch_bytes_ = 0;
  if (!stream_->push(std::move(batch), bytes)) return Status::io_error("stopped");
  return Status::ok();
}

// openat with O_NOATIME, retried without it where the kernel refuses it (a file the caller
// neither owns nor has CAP_FOWNER for); `noatime` says which one worked.
Result<int> Reader::open_at(int dirfd, const char* name, int flags, const std::string& path,
                            bool& noatime) {
  flags |= O_RDONLY | O_NOFOLLOW | O_CLOEXEC;
  int fd = ::openat(dirfd, name, flags | O_NOATIME);
  noatime = fd >= 0;
  if (fd < 0 && errno == EPERM) fd = ::openat(dirfd, name, flags);
  if (fd < 0) {
    return host_error(errno, path, flags & O_DIRECTORY ? "cannot open directory" : "cannot open");
  }
  return fd;
}

// The xattrs of an open file (fd >= 0) or of `path` itself (a symlink or special file),
// sorted by name.
Status Reader::xattrs(int fd, const std::string& path, std::vector<Xattr>& out) {
  auto list = [&](char* buf, std::size_t size) {
    return fd >= 0 ? ::flistxattr(fd, buf, size) : ::llistxattr(path.c_str(), buf, size);
  };
  ssize_t n;
  while ((n = list(names_.data(), names_.size())) < 0 && errno == ERANGE) {
    ssize_t need = list(nullptr, 0);
    if (need < 0) break;
    names_.resize(std::size_t(need) + 1024);
  }
  if (n < 0) {
    if (errno == ENOTSUP) return Status::ok();  // the host filesystem has none
    return host_error(errno, path, "cannot list extended attributes");
  }
  if (n == 0) return Status::ok();
  std::vector<std::string> names;
  for (const char *p = names_.data(), *end = p + n; p < end; p += std::strlen(p) + 1) {
    if (*p) names.emplace_back(p);
  }
  std::sort(names.begin(), names.end());
  for (std::string& name : names) {
    auto get = [&](void* buf, std::size_t size) {
      return fd >= 0 ? ::fgetxattr(fd, name.c_str(), buf, size)
                     : ::lgetxattr(path.c_str(), name.c_str(), buf, size);
    };
    ssize_t v;
    while ((v = get(value_.data(), value_.size())) < 0 && errno == ERANGE) {
      ssize_t need = get(nullptr, 0);
      if (need < 0) break;
      value_.resize(std::size_t(need) + 1024);
    }
    if (v < 0) {
      if (errno == ENODATA) continue;  // removed since it was listed
      return host_error(errno, path, fmt::format("cannot read extended attribute '{}'", name));
    }
    ++stats.xattrs;
    if (stream_) out.push_back({std::move(name), {value_.begin(), value_.begin() + v}});
  }
  return Status::ok();
}

// Emits bytes [from, to) of the file as kData steps (the dry run only counts them). `end`
// becomes where the bytes read end; it stops short of `to` when the file ends sooner.
Status Reader::range(int fd, const std::string& path, uint64_t from, uint64_t to,
                     uint64_t& end, uint64_t& next_block) {
  if (from >= to) return Status::ok();
  // Volume blocks the range fills, not counting one the previous region already filled.
  uint64_t bs = opt_.block_size;
  uint64_t first = std::max(from / bs, next_block), last = (to - 1) / bs;
  if (last >= first) stats.data_blocks += last - first + 1;
  next_block = last + 1;
  if (!stream_) {
    stats.data_bytes += to - from;
    end = to;
    return Status::ok();
  }
  while (from < to) {
    Step s;
    s.kind = Step::Kind::kData;
    s.offset = from;
    std::size_t want = std::size_t(std::min<uint64_t>(kChunkBytes, to - from)), got = 0;
    s.data.reset(new uint8_t[want]);
    while (got < want) {
      ssize_t n = ::pread(fd, s.data.get() + got, want - got, off_t(from + got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return host_error(errno, path, "cannot read");
      if (n == 0) break;  // shorter than it was: the caller sees end < to
      got += std::size_t(n);
    }
    s.length = got;
    from += got;
    end = from;
    stats.data_bytes += got;
    if (got) TUX3_RETURN_IF_ERROR(emit(std::move(s)));
    if (got < want) break;
  }
  return Status::ok();
}

// Emits the data regions of a regular file. `end`: where the bytes read end; `complete`:
// false if the file turned out shorter than st says.
Status Reader::data(int fd, const std::string& path, const struct stat& st, uint64_t& end,
                    bool& complete) {
  uint64_t size = uint64_t(st.st_size), next_block = 0;
  end = 0;
  complete = true;
  // Fewer allocated bytes than the size: there may be holes, so ask where the data is.
  // Otherwise read it all: a file without holes costs no lseek.
  if (uint64_t(st.st_blocks) * 512 >= size) {
    TUX3_RETURN_IF_ERROR(range(fd, path, 0, size, end, next_block));
    complete = end == size;
    return Status::ok();
  }
  for (uint64_t pos = 0; pos < size;) {
    off_t at = ::lseek(fd, off_t(pos), SEEK_DATA);
    if (at < 0) {
      if (errno == ENXIO) break;  // only a hole from here on
      if (errno == EINVAL || errno == EOPNOTSUPP) {  // no SEEK_DATA here: read it all
        TUX3_RETURN_IF_ERROR(range(fd, path, pos, size, end, next_block));
        complete = end == size;
        return Status::ok();
      }
      return host_error(errno, path, "cannot find data (SEEK_DATA)");
    }
    if (uint64_t(at) >= size) break;
    off_t hole = ::lseek(fd, at, SEEK_HOLE);
    if (hole < 0) return host_error(errno, path, "cannot find holes (SEEK_HOLE)");
    uint64_t stop = std::min<uint64_t>(uint64_t(hole), size);
    TUX3_RETURN_IF_ERROR(range(fd, path, uint64_t(at), stop, end, next_block));
    if (end != stop) {  // the file ended before this region did
      complete = false;
      return Status::ok();
    }
    pos = stop;
  }
  return Status::ok();
}

Status Reader::file(int dirfd, const std::string& name, const std::string& path,
                    struct stat& st) {
  bool noatime;
  TUX3_ASSIGN_OR_RETURN(int raw, open_at(dirfd, name.c_str(), 0, path, noatime));
  Fd fd(raw);
  ++stats.files;
  Step begin = make(Step::Kind::kFile, name, path, st);
  TUX3_RETURN_IF_ERROR(xattrs(fd.get(), path, begin.xattrs));
  TUX3_RETURN_IF_ERROR(emit(std::move(begin)));
  uint64_t end = 0;
  bool complete = true;
  TUX3_RETURN_IF_ERROR(data(fd.get(), path, st, end, complete));
  Step done = make(Step::Kind::kFileEnd, "", path, st);
  done.size = uint64_t(st.st_size);
  if (!complete) {  // it shrank while being read: copied as far as it went
    if (stats.shrunk++ == 0) stats.first_shrunk = path;
    done.size = end;
  }
  if (!noatime) ::fstat(fd.get(), &done.st);  // the atime after reading
  return emit(std::move(done));
}

Status Reader::entry(int dirfd, const std::string& name, const std::string& path) {
  struct stat st;
  if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return host_error(errno, path, "cannot stat");
  }
  if (S_ISREG(st.st_mode) && opt_.exclude &&
      *opt_.exclude == std::make_pair(st.st_dev, st.st_ino)) {
    stats.excluded_image = true;
    return Status::ok();
  }
  // A further name of an inode already copied: a hard link.
  if (!S_ISDIR(st.st_mode) && st.st_nlink > 1 &&
      !linked_.insert({st.st_dev, st.st_ino}).second) {
    ++stats.hard_links;
    return emit(make(Step::Kind::kLink, name, path, st));
  }
  if (S_ISDIR(st.st_mode)) {
    bool noatime;
    TUX3_ASSIGN_OR_RETURN(int raw, open_at(dirfd, name.c_str(), O_DIRECTORY, path, noatime));
    Fd fd(raw);
    ++stats.directories;
    Step begin = make(Step::Kind::kDir, name, path, st);
    TUX3_RETURN_IF_ERROR(xattrs(fd.get(), path, begin.xattrs));
    TUX3_RETURN_IF_ERROR(emit(std::move(begin)));
    TUX3_RETURN_IF_ERROR(walk_dir(fd.get(), path));
    Step done = make(Step::Kind::kDirEnd, "", path, st);
    if (!noatime) ::fstat(fd.get(), &done.st);  // the atime after listing
    return emit(std::move(done));
  }
  if (S_ISREG(st.st_mode)) return file(dirfd, name, path, st);
  if (S_ISLNK(st.st_mode)) {
    Step s = make(Step::Kind::kSymlink, name, path, st);
    s.target.resize(4096);
    ssize_t n = ::readlinkat(dirfd, name.c_str(), s.target.data(), s.target.size());
    if (n < 0) return host_error(errno, path, "cannot read symlink");
    s.target.resize(std::size_t(n));
    // Reading a link may update its atime: take the times as they are now.
    if (::fstatat(dirfd, name.c_str(), &s.st, AT_SYMLINK_NOFOLLOW) != 0) {
      return host_error(errno, path, "cannot stat");
    }
    ++stats.symlinks;
    TUX3_RETURN_IF_ERROR(xattrs(-1, path, s.xattrs));
    return emit(std::move(s));
  }
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode) ||
      S_ISSOCK(st.st_mode)) {
    ++stats.specials;
    Step s = make(Step::Kind::kSpecial, name, path, st);
    TUX3_RETURN_IF_ERROR(xattrs(-1, path, s.xattrs));
    return emit(std::move(s));
  }
  return Status::invalid_argument(
      fmt::format("{}: file type {:o} cannot be copied", path, st.st_mode & S_IFMT));
}

Status Reader::walk_dir(int dirfd, const std::string& dir_path) {
  std::vector<std::string> names;
  {
    int dup = ::fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
    if (dup < 0) return host_error(errno, dir_path, "cannot list directory");
    DIR* dir = ::fdopendir(dup);
    if (!dir) {
      int err = errno;
      ::close(dup);
      return host_error(err, dir_path, "cannot list directory");
    }
    std::unique_ptr<DIR, int (*)(DIR*)> closer(dir, ::closedir);
    errno = 0;
    while (const dirent* e = ::readdir(dir)) {
      if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
        names.emplace_back(e->d_name);
      }
      errno = 0;
    }
    if (errno != 0) return host_error(errno, dir_path, "cannot list directory");
  }
  std::sort(names.begin(), names.end());  // byte order: the inode numbers follow it
  std::string prefix = dir_path == "/" ? "" : dir_path;
  for (const std::string& name : names) {
    TUX3_RETURN_IF_ERROR(entry(dirfd, name, prefix + "/" + name));
  }
  return Status::ok();
}

Status Reader::run() {
  Status s = [&]() -> Status {
    // One descriptor per directory level is held open; allow as many as the hard limit.
    struct rlimit rl;
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
      rl.rlim_cur = rl.rlim_max;
      ::setrlimit(RLIMIT_NOFILE, &rl);
    }
    std::string root = opt_.root_dir;
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    bool noatime;
    TUX3_ASSIGN_OR_RETURN(int raw, open_at(AT_FDCWD, root.c_str(), O_DIRECTORY, root, noatime));
    Fd fd(raw);
    Step xa = make(Step::Kind::kRootXattrs, "", root, {});
    TUX3_RETURN_IF_ERROR(xattrs(fd.get(), root, xa.xattrs));
    TUX3_RETURN_IF_ERROR(emit(std::move(xa)));
    TUX3_RETURN_IF_ERROR(walk_dir(fd.get(), root));
    Step done = make(Step::Kind::kDirEnd, "", root, {});
    if (::fstat(fd.get(), &done.st) != 0) return host_error(errno, root, "cannot stat");
    TUX3_RETURN_IF_ERROR(emit(std::move(done)));
    return flush();
  }();
  if (stream_) stream_->finish(s);
  return s;
}

// --- the volume side --------------------------------------------------------------------

// Applies the stream to the volume.
class Writer {
 public:
  Writer(const PopulateOptions& options, Volume& vol, std::string image)
      : opt_(options), vol_(vol), image_(std::move(image)) {
    dirs_.push_back(kRootIno);
  }

  Status apply(Step& step);
  uint64_t xattrs_skipped = 0;
  std::string first_skipped;

 private:
  Status set_xattrs(uint64_t ino, const std::string& path, const std::vector<Xattr>& xattrs);
  Status set_times(uint64_t ino, const std::string& path, const struct stat& st,
                   std::optional<uint64_t> size = std::nullopt);
  format::Timestamp host_time(const timespec& ts) const;
  Status volume_error(const Status& s, const std::string& path) const;
  void remember_links(const Step& step, uint64_t ino) {
    if (step.st.st_nlink > 1) links_[{step.st.st_dev, step.st.st_ino}] = ino;
  }

  const PopulateOptions& opt_;
  Volume& vol_;
  std::string image_;
  std::vector<uint64_t> dirs_;  // the directories entered, innermost last
  std::map<std::pair<dev_t, ino_t>, uint64_t> links_;
  uint64_t file_ = 0;           // the file being written
  uint64_t file_end_ = 0;       // where its last write ended: the engine's size for it
  std::string file_path_;
};

// An engine failure while copying `path`; running out of space names the image too.
Status Writer::volume_error(const Status& s, const std::string& path) const {
  if (status_errno(s) == ENOSPC) {
    return Status::no_space(fmt::format(
        "{}: no space left on the volume while copying {} ({}); make the volume larger",
        image_, path, s.message()));
  }
  return s.with_context(path);
}

format::Timestamp Writer::host_time(const timespec& ts) const {
  format::Timestamp t{int64_t(ts.tv_sec), uint32_t(ts.tv_nsec)};
  if (opt_.source_date_epoch &&
      (t.sec > *opt_.source_date_epoch || (t.sec == *opt_.source_date_epoch && t.nsec > 0))) {
    t = {*opt_.source_date_epoch, 0};
  }
  return t;
}

Status Writer::set_times(uint64_t ino, const std::string& path, const struct stat& st,
                         std::optional<uint64_t> size) {
  SetAttr sa;
  sa.atime = host_time(st.st_atim);
  sa.mtime = host_time(st.st_mtim);
  sa.size = size;
  auto a = vol_.setattr(ino, sa);
  return a ? Status::ok() : volume_error(a.status(), path);
}

Status Writer::set_xattrs(uint64_t ino, const std::string& path,
                          const std::vector<Xattr>& xattrs) {
  for (const Xattr& x : xattrs) {
    Status s = vol_.setxattr(ino, x.name, x.value, 0);
    if (!s && status_errno(s) == EOPNOTSUPP) {
      if (xattrs_skipped++ == 0) first_skipped = fmt::format("{}: {}", path, x.name);
      continue;
    }
    if (!s) {
      // ENOSPC here is mostly the inode's xattr space, not the volume's: the engine's
      // message says which.
      return std::move(s).with_context(fmt::format(
          "{}: cannot store extended attribute '{}' ({} bytes)", path, x.name, x.value.size()));
    }
  }
  return Status::ok();
}

Status Writer::apply(Step& step) {
  using Kind = Step::Kind;
  const struct stat& st = step.st;
  uint32_t perm = st.st_mode & format::kModePermMask;
  switch (step.kind) {
    case Kind::kFile: {
      auto a = vol_.create(dirs_.back(), step.name, perm, st.st_uid, st.st_gid);
      if (!a) return volume_error(a.status(), step.path);
      file_ = a->ino;
      file_end_ = 0;
      file_path_ = step.path;
      remember_links(step, file_);
      return set_xattrs(file_, step.path, step.xattrs);
    }
    case Kind::kData: {
      auto w = vol_.write(file_, step.offset, std::span(step.data.get(), step.length));
      if (!w) return volume_error(w.status(), file_path_);
      file_end_ = std::max(file_end_, step.offset + step.length);
      return Status::ok();
    }
    case Kind::kFileEnd:
      // A trailing hole (or a file that shrank) needs the size set; a written one has it.
      return set_times(file_, step.path, st,
                       step.size != file_end_ ? std::optional<uint64_t>(step.size)
                                              : std::nullopt);
    case Kind::kDir: {
      auto a = vol_.mkdir(dirs_.back(), step.name, perm, st.st_uid, st.st_gid);
      if (!a) return volume_error(a.status(), step.path);
      dirs_.push_back(a->ino);
      return set_xattrs(a->ino, step.path, step.xattrs);
    }
    case Kind::kDirEnd: {
      // Last: adding the entries changed the directory's mtime.
      uint64_t ino = dirs_.back();
      if (dirs_.size() > 1) dirs_.pop_back();
      return set_times(ino, step.path, st);
    }
    case Kind::kSymlink: {
      auto a = vol_.symlink(dirs_.back(), step.name, step.target, st.st_uid, st.st_gid);
      if (!a) return volume_error(a.status(), step.path);
      remember_links(step, a->ino);
      TUX3_RETURN_IF_ERROR(set_xattrs(a->ino, step.path, step.xattrs));
      return set_times(a->ino, step.path, st);
    }
    case Kind::kSpecial: {
      uint64_t rdev = S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)
                          ? uint64_t(major(st.st_rdev)) << 32 | minor(st.st_rdev)
                          : 0;
      auto a = vol_.mknod(dirs_.back(), step.name, (st.st_mode & format::kModeTypeMask) | perm,
                          rdev, st.st_uid, st.st_gid);
      if (!a) return volume_error(a.status(), step.path);
      remember_links(step, a->ino);
      TUX3_RETURN_IF_ERROR(set_xattrs(a->ino, step.path, step.xattrs));
      return set_times(a->ino, step.path, st);
    }
    case Kind::kLink: {
      auto it = links_.find({st.st_dev, st.st_ino});
      if (it == links_.end()) {
        return Status::corruption(fmt::format("{}: hard link to an inode not copied", step.path));
      }
      auto a = vol_.link(it->second, dirs_.back(), step.name);
      return a ? Status::ok() : volume_error(a.status(), step.path);
    }
    case Kind::kRootXattrs:
      return set_xattrs(kRootIno, step.path, step.xattrs);
  }
  return Status::ok();
}

}  // namespace

Status check_root_dir(const std::string& root_dir, uint32_t& mode, uint32_t& uid,
                      uint32_t& gid) {
  struct stat st;
  if (::stat(root_dir.c_str(), &st) != 0) return host_error(errno, root_dir, "--root-dir");
  if (!S_ISDIR(st.st_mode)) {
    return Status::invalid_argument(fmt::format("{}: --root-dir: not a directory", root_dir));
  }
  mode = st.st_mode & format::kModePermMask;
  uid = st.st_uid;
  gid = st.st_gid;
  return Status::ok();
}

Result<PopulateStats> populate_volume(BlockDevice& device, const PopulateOptions& options) {
  VolumeOptions vo;
  vo.dirty_limit_bytes = kDirtyLimitBytes;
  vo.delta_interval_ms = kNoDeltaInterval;
  if (options.source_date_epoch) {
    format::Timestamp t{*options.source_date_epoch, 0};
    vo.clock = [t] { return t; };
    vo.deterministic_deltas = true;  // delta boundaries independent of timing
  }
  // Every delta commits with the full protocol (flushes and FUA), so an interrupted copy
  // leaves a volume holding the last committed delta, never a half-written one.
  auto opened = Volume::open(device, vo);
  if (!opened) return opened.status().with_context("opening the new volume");
  Volume& vol = **opened;

  Stream stream;
  Reader reader(options, &stream);
  std::thread reading([&] { (void)reader.run(); });
  Writer writer(options, vol, device.name());
  Status s;
  while (s) {
    std::vector<Step> batch = stream.pop();
    if (batch.empty()) {
      s = stream.end_status();
      break;
    }
    for (Step& step : batch) {
      s = writer.apply(step);
      if (!s) break;
    }
  }
  if (!s) stream.cancel();
  reading.join();
  if (!s) return s;

  s = vol.close();
  if (!s) return s.with_context(fmt::format("{}: closing the volume", device.name()));
  PopulateStats stats = reader.stats;
  stats.xattrs -= writer.xattrs_skipped;
  stats.xattrs_skipped = writer.xattrs_skipped;
  stats.first_skipped = writer.first_skipped;
  stats.deltas = vol.stats().deltas;
  stats.bytes_written = vol.stats().bytes_written;
  return stats;
}

Result<PopulateStats> scan_tree(const PopulateOptions& options) {
  Reader reader(options, nullptr);
  TUX3_RETURN_IF_ERROR(reader.run());
  return reader.stats;
}

}  // namespace tux3::mkfs
