// volume_stress_test.cc: threads operating on one volume while the backend commits deltas,
// forks pages under I/O and evicts the cache, compared with a model.
//
// Four writers each own a few files in a shared directory (t<k>_<n>) and in a directory of
// their own (d<k>/s<n>), and do random writes (mostly to the first few blocks, so that they
// hit blocks under I/O), truncates, renames, unlinks and re-creates, xattr changes, syncs
// and commits, each keeping a model of its own files and reading back as it goes. A reader
// pins blocks of any writer's files and checks that a pinned block never changes. At the
// end every file must match its model, before and after a reopen, and the volume must
// verify clean.
//
// TUX3_STRESS_SEED seeds the threads (default fixed); TUX3_STRESS_OPS is the number of
// operations per writer (default 2000); TUX3_STRESS_TIMEOUT_S aborts a hung run (default 300).
#include <fcntl.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

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

constexpr uint32_t kBlockSize = 4096;
constexpr uint64_t kDeviceSize = 64ull << 20;
constexpr int kWriters = 4;
constexpr int kSharedNames = 10;  // t<k>_0 .. t<k>_9 in the shared directory
constexpr int kInitialFiles = 8;  // t<k>_0 .. t<k>_7 exist at the start
constexpr int kOwnNames = 4;      // d<k>/s0 .. d<k>/s3
constexpr uint64_t kMaxBlocks = 12;
constexpr uint64_t kMaxFileSize = kMaxBlocks * kBlockSize;
constexpr uint64_t kHotBlocks = 3;     // most writes go here, so they meet blocks under I/O
constexpr uint64_t kForcedEvery = 50;  // every 50th op: pin, write the pinned block, sync
constexpr uint64_t kReaderMinIters = 200;
constexpr uint64_t kReaderMaxIters = 2'000'000;
constexpr std::size_t kReaderHeld = 8;

uint64_t env_u64(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  unsigned long long x = std::strtoull(v, &end, 0);
  return end && *end == 0 ? uint64_t(x) : fallback;
}

std::string as_string(std::span<const uint8_t> b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

// Where the first difference is, for messages.
std::string first_difference(const std::string& got, const std::string& want) {
  std::size_t i = 0;
  while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
  return "sizes " + std::to_string(got.size()) + " (got) vs " + std::to_string(want.size()) +
         " (model), first difference at byte " + std::to_string(i);
}

struct FileModel {
  std::string data;
  std::map<std::string, std::string> xattrs;
};

// A writer's name: in the shared directory (own == false) or in its own directory.
struct Key {
  bool own = false;
  std::string name;
  auto operator<=>(const Key&) const = default;
};
using Model = std::map<Key, FileModel>;

// The bytes block `index` of a file must hold: its data there, zeros past the end.
std::string model_block(const std::string& data, uint64_t index) {
  std::string out(kBlockSize, '\0');
  uint64_t start = index * kBlockSize;
  if (start < data.size()) {
    std::size_t n = std::min<std::size_t>(kBlockSize, data.size() - start);
    std::memcpy(out.data(), data.data() + start, n);
  }
  return out;
}

// Aborts the process when the test runs past its deadline: a deadlock in the engine must
// fail the run, never hang it.
class Watchdog {
 public:
  Watchdog(std::chrono::seconds limit, std::string what)
      : thread_([this, limit, what = std::move(what)] {
          std::unique_lock lock(mu_);
          if (!cv_.wait_for(lock, limit, [this] { return done_; })) {
            std::cerr << "VolumeStress: " << what << " still running after " << limit.count()
                      << " s: hung; aborting" << std::endl;
            std::abort();
          }
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

class Writer {
 public:
  // `seed` is TUX3_STRESS_SEED; each writer's generator starts from its own mix of it.
  Writer(Volume& vol, int id, uint64_t shared_dir, uint64_t own_dir, uint64_t seed, bool stable,
         uint64_t ops)
      : vol_(vol), id_(id), shared_dir_(shared_dir), own_dir_(own_dir), seed_(seed), ops_(ops),
        rng_(seed * 1000003 + uint64_t(id) + (stable ? 17 : 0)) {
    for (int n = 0; n < kSharedNames; ++n) pool_.push_back(shared_key(id, n));
    for (int n = 0; n < kOwnNames; ++n) pool_.push_back({true, "s" + std::to_string(n)});
  }

  static Key shared_key(int id, int n) {
    return {false, "t" + std::to_string(id) + "_" + std::to_string(n)};
  }

  // Creates the initial files (before the threads start).
  bool setup() {
    for (int n = 0; n < kInitialFiles; ++n) {
      Key k = shared_key(id_, n);
      if (!create(k)) return false;
      std::string data = random_bytes(1 + rng_() % (2 * kBlockSize));
      auto w = vol_.write(ino_, 0, bytes(data));
      if (!w.is_ok()) return fail("initial write of " + where(k) + ": " + w.status().to_string());
      model_[k].data = data;
    }
    return true;
  }

  void run() {
    for (op_ = 0; op_ < ops_; ++op_) {
      if (op_ % kForcedEvery == kForcedEvery - 1) {
        // Guaranteed: a write to a pinned block (a fork) and a delta that holds it.
        if (!pin_write() || !sync()) return;
        ++forced_;
        continue;
      }
      if (!one_op()) return;
    }
  }

  const Model& model() const { return model_; }
  uint64_t forced() const { return forced_; }
  uint64_t dir_of(const Key& k) const { return k.own ? own_dir_ : shared_dir_; }
  std::string where(const Key& k) const {
    return k.own ? "d" + std::to_string(id_) + "/" + k.name : k.name;
  }

 private:
  uint64_t rand(uint64_t n) { return n ? rng_() % n : 0; }
  bool chance(unsigned percent) { return rand(100) < percent; }

  std::string random_bytes(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; i += 8) {
      uint64_t x = rng_();
      std::memcpy(s.data() + i, &x, std::min<std::size_t>(8, n - i));
    }
    return s;
  }

  bool fail(const std::string& what) {
    ADD_FAILURE() << "writer " << id_ << " (TUX3_STRESS_SEED=" << seed_ << ", op " << op_
                  << "): " << what;
    return false;
  }

  // A random existing file (created first when there is none), its inode in ino_; false
  // on a failure (reported).
  bool pick_existing(Key& k) {
    if (model_.empty() && !create_op()) return false;
    auto it = model_.begin();
    std::advance(it, rand(model_.size()));
    k = it->first;
    auto a = vol_.lookup(dir_of(k), k.name);
    if (!a.is_ok()) return fail("lookup " + where(k) + ": " + a.status().to_string());
    ino_ = a->ino;
    return true;
  }

  bool create(const Key& k) {
    auto a = vol_.create(dir_of(k), k.name, 0644, 0, 0);
    if (!a.is_ok()) return fail("create " + where(k) + ": " + a.status().to_string());
    ino_ = a->ino;
    model_[k] = FileModel{};
    return true;
  }

  bool one_op() {
    unsigned r = unsigned(rand(100));
    if (r < 40) return write_op();
    if (r < 48) return truncate_op();
    if (r < 54) return rename_op();
    if (r < 59) return unlink_op();
    if (r < 63) return create_op();
    if (r < 69) return setxattr_op();
    if (r < 71) return removexattr_op();
    if (r < 76) return pin_write();
    if (r < 92) return spot_check();
    if (r < 94) return sync();
    if (r < 99) {
      Status s = vol_.start_commit(false);
      return s.is_ok() || fail("start_commit(false): " + s.to_string());
    }
    Status s = vol_.start_commit(true);
    return s.is_ok() || fail("start_commit(true): " + s.to_string());
  }

  // Writes [offset, offset + data.size()) of the file ino_ and of its model.
  bool write_at(const Key& k, uint64_t offset, const std::string& data) {
    auto w = vol_.write(ino_, offset, bytes(data));
    if (!w.is_ok()) {
      return fail("write " + where(k) + " at " + std::to_string(offset) + ": " +
                  w.status().to_string());
    }
    if (*w != data.size()) return fail("short write to " + where(k));
    std::string& m = model_[k].data;
    if (m.size() < offset + data.size()) m.resize(offset + data.size(), '\0');
    m.replace(offset, data.size(), data);
    return true;
  }

  bool write_op() {
    Key k;
    if (!pick_existing(k)) return false;
    uint64_t offset = chance(65) ? rand(kHotBlocks * kBlockSize) : rand(kMaxFileSize);
    uint64_t len;
    unsigned shape = unsigned(rand(10));
    if (shape < 5) {
      len = 1 + rand(512);
    } else if (shape < 8) {
      len = 1 + rand(kBlockSize);
    } else {
      len = 1 + rand(3 * kBlockSize);
    }
    len = std::min(len, kMaxFileSize - offset);
    if (len == 0) return true;
    return write_at(k, offset, random_bytes(len));
  }

  bool truncate_op() {
    Key k;
    if (!pick_existing(k)) return false;
    std::string& m = model_[k].data;
    uint64_t size = chance(60) && !m.empty() ? rand(m.size()) : rand(kMaxFileSize + 1);
    SetAttr change;
    change.size = size;
    auto a = vol_.setattr(ino_, change);
    if (!a.is_ok()) return fail("truncate " + where(k) + ": " + a.status().to_string());
    if (a->size != size) return fail("truncate " + where(k) + ": size not set");
    m.resize(size, '\0');
    return true;
  }

  bool rename_op() {
    Key from;
    if (!pick_existing(from)) return false;
    Key to = pool_[rand(pool_.size())];
    if (to == from) return true;
    Status s = vol_.rename(dir_of(from), from.name, dir_of(to), to.name);
    if (!s.is_ok()) return fail("rename " + where(from) + " -> " + where(to) + ": " + s.to_string());
    FileModel moved = std::move(model_[from]);
    model_.erase(from);
    model_[to] = std::move(moved);
    return true;
  }

  bool unlink_op() {
    Key k;
    if (!pick_existing(k)) return false;
    Status s = vol_.unlink(dir_of(k), k.name);
    if (!s.is_ok()) return fail("unlink " + where(k) + ": " + s.to_string());
    model_.erase(k);
    auto gone = vol_.lookup(dir_of(k), k.name);
    if (status_errno(gone.status()) != ENOENT) return fail("unlinked " + where(k) + " still found");
    if (chance(50)) return create(k);
    return true;
  }

  bool create_op() {
    std::vector<Key> absent;
    for (const Key& k : pool_) {
      if (!model_.count(k)) absent.push_back(k);
    }
    if (absent.empty()) return true;
    Key k = absent[rand(absent.size())];
    if (!create(k)) return false;
    if (chance(50)) return true;
    return write_at(k, rand(kBlockSize), random_bytes(1 + rand(kBlockSize)));
  }

  bool setxattr_op() {
    Key k;
    if (!pick_existing(k)) return false;
    std::string name = "user.x" + std::to_string(rand(4));
    std::string value = random_bytes(rand(100));
    Status s = vol_.setxattr(ino_, name, bytes(value), 0);
    if (!s.is_ok()) return fail("setxattr " + where(k) + " " + name + ": " + s.to_string());
    model_[k].xattrs[name] = value;
    return true;
  }

  bool removexattr_op() {
    Key k;
    if (!pick_existing(k)) return false;
    auto& xattrs = model_[k].xattrs;
    if (xattrs.empty()) return true;
    auto it = xattrs.begin();
    std::advance(it, rand(xattrs.size()));
    Status s = vol_.removexattr(ino_, it->first);
    if (!s.is_ok()) return fail("removexattr " + where(k) + " " + it->first + ": " + s.to_string());
    xattrs.erase(it);
    return true;
  }

  // Pins a block, checks it against the model, writes into it, and checks that the pinned
  // version did not change while a new pin sees the write.
  bool pin_write() {
    Key k;
    if (!pick_existing(k)) return false;
    uint64_t index = chance(75) ? rand(kHotBlocks) : rand(kMaxBlocks);
    auto ref = vol_.pin_block(ino_, index);
    if (!ref.is_ok()) return fail("pin_block " + where(k) + ": " + ref.status().to_string());
    BlockRef pinned = *ref;
    std::string before = model_block(model_[k].data, index);
    if (!pinned || pinned->size() != kBlockSize) return fail("pinned block has the wrong size");
    if (as_string(*pinned) != before) {
      return fail("pinned block " + std::to_string(index) + " of " + where(k) +
                  " differs from the model: " + first_difference(as_string(*pinned), before));
    }
    uint64_t in_block = rand(kBlockSize);
    if (!write_at(k, index * kBlockSize + in_block,
                  random_bytes(1 + rand(kBlockSize - in_block)))) {
      return false;
    }
    if (as_string(*pinned) != before) {
      return fail("pinned block " + std::to_string(index) + " of " + where(k) +
                  " changed under a write: " + first_difference(as_string(*pinned), before));
    }
    auto again = vol_.pin_block(ino_, index);
    if (!again.is_ok()) return fail("pin_block again: " + again.status().to_string());
    std::string after = model_block(model_[k].data, index);
    if (as_string(**again) != after) {
      return fail("block " + std::to_string(index) + " of " + where(k) +
                  " pinned after the write differs from the model: " +
                  first_difference(as_string(**again), after));
    }
    return true;
  }

  bool spot_check() {
    Key k;
    if (!pick_existing(k)) return false;
    const FileModel& m = model_[k];
    auto a = vol_.getattr(ino_);
    if (!a.is_ok()) return fail("getattr " + where(k) + ": " + a.status().to_string());
    if (a->size != m.data.size()) {
      return fail("size of " + where(k) + " is " + std::to_string(a->size) + ", model " +
                  std::to_string(m.data.size()));
    }
    // The whole file, with room past its end: the read must stop at the end.
    std::vector<uint8_t> buf(m.data.size() + 100);
    auto n = vol_.read(ino_, 0, buf);
    if (!n.is_ok()) return fail("read " + where(k) + ": " + n.status().to_string());
    std::string got = as_string(std::span(buf).first(*n));
    if (got != m.data) return fail("contents of " + where(k) + ": " + first_difference(got, m.data));
    // A random range.
    if (!m.data.empty()) {
      uint64_t off = rand(m.data.size());
      uint64_t len = 1 + rand(m.data.size() - off);
      std::vector<uint8_t> part(len);
      auto pn = vol_.read(ino_, off, part);
      if (!pn.is_ok() || *pn != len || as_string(part) != m.data.substr(off, len)) {
        return fail("range read of " + where(k) + " at " + std::to_string(off) + "+" +
                    std::to_string(len) + " differs");
      }
    }
    auto value_names = vol_.listxattr(ino_);
    if (!value_names.is_ok()) return fail("listxattr: " + value_names.status().to_string());
    std::size_t user = 0;
    for (const std::string& name : *value_names) user += name.rfind("user.", 0) == 0;
    if (user != m.xattrs.size()) return fail("xattr count of " + where(k) + " differs");
    return true;
  }

  bool sync() {
    Status s = vol_.sync();
    return s.is_ok() || fail("sync: " + s.to_string());
  }

  Volume& vol_;
  const int id_;
  const uint64_t shared_dir_, own_dir_, seed_, ops_;
  std::mt19937_64 rng_;
  std::vector<Key> pool_;
  Model model_;
  uint64_t ino_ = 0;
  uint64_t op_ = 0;
  uint64_t forced_ = 0;
};

struct ReaderResult {
  uint64_t iterations = 0;
  uint64_t pins = 0;
  uint64_t vanished = 0;  // the file went away between lookup and pin
};

// Pins blocks of the writers' shared files, holds a few while the writers go on, and checks
// that none of them changes.
void reader_main(Volume& vol, uint64_t shared_dir, uint64_t seed, const std::atomic<bool>& done,
                 ReaderResult& result) {
  struct Held {
    BlockRef ref;
    std::string copy;
    std::string what;
  };
  std::mt19937_64 rng(seed * 1000003 + 99);
  std::deque<Held> held;
  auto check = [&](const Held& h) {
    if (as_string(*h.ref) != h.copy) {
      ADD_FAILURE() << "reader (TUX3_STRESS_SEED=" << seed << "): pinned " << h.what
                    << " changed: " << first_difference(as_string(*h.ref), h.copy);
      return false;
    }
    return true;
  };
  for (uint64_t iter = 0; iter < kReaderMaxIters; ++iter) {
    if (done.load(std::memory_order_acquire) && iter >= kReaderMinIters) break;
    result.iterations = iter + 1;
    Key k = Writer::shared_key(int(rng() % kWriters), int(rng() % kSharedNames));
    auto a = vol.lookup(shared_dir, k.name);
    if (a.is_ok()) {
      uint64_t index = rng() % 4 ? rng() % kHotBlocks : rng() % kMaxBlocks;
      auto ref = vol.pin_block(a->ino, index);
      if (ref.is_ok()) {
        if (!*ref || (*ref)->size() != kBlockSize) {
          ADD_FAILURE() << "reader: pinned block has the wrong size";
          return;
        }
        ++result.pins;
        held.push_back({*ref, as_string(**ref),
                        k.name + " (inode " + std::to_string(a->ino) + ") block " +
                            std::to_string(index)});
      } else if (status_errno(ref.status()) == ENOENT) {
        ++result.vanished;
      } else {
        ADD_FAILURE() << "reader: pin_block " << k.name << ": " << ref.status().to_string();
        return;
      }
    } else if (status_errno(a.status()) != ENOENT) {
      ADD_FAILURE() << "reader: lookup " << k.name << ": " << a.status().to_string();
      return;
    }
    if (iter % 64 == 0) (void)vol.stats();
    // Every held block, now and then; the oldest when there are too many.
    if (iter % 16 == 0) {
      for (const Held& h : held) {
        if (!check(h)) return;
      }
    }
    while (held.size() > kReaderHeld) {
      if (!check(held.front())) return;
      held.pop_front();
    }
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  for (const Held& h : held) {
    if (!check(h)) return;
  }
}

// Every writer's files against its model, and nothing else in the directories.
void check_against_models(Volume& vol, const std::vector<const Model*>& models,
                          const std::string& when) {
  SCOPED_TRACE(when);
  auto shared = vol.lookup(kRootIno, "stress");
  ASSERT_TRUE(shared.is_ok()) << shared.status().to_string();
  auto list = [&](uint64_t dir) {
    std::set<std::string> names;
    Status s = vol.readdir(dir, 0, [&](const DirEntry& e) {
      if (e.name != "." && e.name != "..") {
        EXPECT_TRUE(names.insert(e.name).second) << e.name;
      }
      return true;
    });
    EXPECT_TRUE(s.is_ok()) << s.to_string();
    return names;
  };
  std::set<std::string> want_shared;
  for (int id = 0; id < kWriters; ++id) {
    std::string own_name = "d" + std::to_string(id);
    want_shared.insert(own_name);
    auto own = vol.lookup(shared->ino, own_name);
    if (!own.is_ok()) {
      ADD_FAILURE() << own_name << ": " << own.status().to_string();
      continue;
    }
    std::set<std::string> want_own;
    for (const auto& [key, file] : *models[id]) {
      (key.own ? want_own : want_shared).insert(key.name);
      std::string path = key.own ? own_name + "/" + key.name : key.name;
      auto a = vol.lookup(key.own ? own->ino : shared->ino, key.name);
      if (!a.is_ok()) {
        ADD_FAILURE() << path << ": " << a.status().to_string();
        continue;
      }
      EXPECT_EQ(a->nlink, 1u) << path;
      EXPECT_EQ(a->size, file.data.size()) << path;
      std::vector<uint8_t> buf(file.data.size() + 100);
      auto n = vol.read(a->ino, 0, buf);
      if (!n.is_ok()) {
        ADD_FAILURE() << "read " << path << ": " << n.status().to_string();
        continue;
      }
      std::string got = as_string(std::span(buf).first(*n));
      EXPECT_TRUE(got == file.data) << path << ": " << first_difference(got, file.data);
      auto names = vol.listxattr(a->ino);
      ASSERT_TRUE(names.is_ok()) << names.status().to_string();
      std::set<std::string> user;
      for (const std::string& name : *names) {
        if (name.rfind("user.", 0) == 0) user.insert(name);
      }
      std::set<std::string> want_x;
      for (const auto& [name, value] : file.xattrs) {
        want_x.insert(name);
        auto v = vol.getxattr(a->ino, name);
        if (!v.is_ok()) {
          ADD_FAILURE() << path << " " << name << ": " << v.status().to_string();
          continue;
        }
        EXPECT_TRUE(as_string(*v) == value) << path << " " << name;
      }
      EXPECT_EQ(user, want_x) << path;
    }
    EXPECT_EQ(list(own->ino), want_own) << own_name;
    // Names the model does not have are absent.
    for (int n = 0; n < kSharedNames; ++n) {
      Key k = Writer::shared_key(id, n);
      if (!models[id]->count(k)) {
        EXPECT_EQ(status_errno(vol.lookup(shared->ino, k.name).status()), ENOENT) << k.name;
      }
    }
  }
  EXPECT_EQ(list(shared->ino), want_shared);
}

void expect_clean(MemoryDevice& dev, const std::string& when) {
  auto reader = VolumeReader::open(dev);
  ASSERT_TRUE(reader.is_ok()) << when << ": " << reader.status().to_string();
  auto report = verify_volume(**reader);
  ASSERT_TRUE(report.is_ok()) << when << ": " << report.status().to_string();
  std::string all;
  for (const auto& p : report->problems) all += p + "\n";
  EXPECT_TRUE(report->clean()) << when << ":\n" << all;
}

class VolumeStress : public ::testing::TestWithParam<bool> {
 protected:
  VolumeOptions options() const {
    VolumeOptions o;
    o.dirty_limit_bytes = 64 << 10;
    o.delta_interval_ms = 2;
    o.cache_bytes = 256 << 10;  // 64 blocks: the files hold more, so the cache evicts
    o.stable_pages = GetParam();
    o.io_threads = GetParam() ? 2 : 4;
    return o;
  }
};

TEST_P(VolumeStress, ConcurrentWritersMatchTheirModels) {
  const bool stable = GetParam();
  const uint64_t seed = env_u64("TUX3_STRESS_SEED", 20240611);
  const uint64_t ops = env_u64("TUX3_STRESS_OPS", 2000);
  const uint64_t timeout = env_u64("TUX3_STRESS_TIMEOUT_S", 300);
  SCOPED_TRACE("TUX3_STRESS_SEED=" + std::to_string(seed) +
               " TUX3_STRESS_OPS=" + std::to_string(ops));
  RecordProperty("seed", std::to_string(seed));
  RecordProperty("ops_per_writer", std::to_string(ops));
  Watchdog watchdog(std::chrono::seconds(timeout), stable ? "StablePages" : "Forking");

  MkfsOptions mk;
  mk.block_bits = unsigned(__builtin_ctz(kBlockSize));
  mk.uuid = testing::kSampleUuid;
  mk.now = {1700000000, 0};
  MemoryDevice dev(kDeviceSize);
  auto g = plan_volume(kDeviceSize, dev.topology(), mk);
  ASSERT_TRUE(g.is_ok()) << g.status().to_string();
  ASSERT_TRUE(write_volume(dev, *g, mk).is_ok());

  auto opened = Volume::open(dev, options());
  ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
  std::unique_ptr<Volume> vol = std::move(*opened);

  auto shared = vol->mkdir(kRootIno, "stress", 0755, 0, 0);
  ASSERT_TRUE(shared.is_ok()) << shared.status().to_string();
  std::vector<std::unique_ptr<Writer>> writers;
  for (int id = 0; id < kWriters; ++id) {
    auto own = vol->mkdir(shared->ino, "d" + std::to_string(id), 0755, 0, 0);
    ASSERT_TRUE(own.is_ok()) << own.status().to_string();
    writers.push_back(
        std::make_unique<Writer>(*vol, id, shared->ino, own->ino, seed, stable, ops));
    ASSERT_TRUE(writers.back()->setup());
  }
  ASSERT_TRUE(vol->sync().is_ok());

  auto start = std::chrono::steady_clock::now();
  std::atomic<bool> done{false};
  ReaderResult reader_result;
  std::thread reader([&] {
    reader_main(*vol, shared->ino, seed, done, reader_result);
  });
  std::vector<std::thread> threads;
  for (auto& w : writers) threads.emplace_back([&w] { w->run(); });
  for (auto& t : threads) t.join();
  done.store(true, std::memory_order_release);
  reader.join();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::vector<const Model*> models;
  uint64_t forced = 0;
  for (auto& w : writers) {
    models.push_back(&w->model());
    forced = std::max(forced, w->forced());
  }
  check_against_models(*vol, models, "before close");
  VolumeStats st = vol->stats();

  std::cout << "VolumeStress " << (stable ? "stable pages" : "forking") << ": seed " << seed
            << ", " << ops << " ops x " << kWriters << " writers in " << seconds << " s\n"
            << "  deltas " << st.deltas << ", unifies " << st.unifies << ", forks " << st.forks
            << " (" << st.fork_bytes << " bytes), stable_waits " << st.stable_waits << " ("
            << st.stable_wait_ns / 1000 << " us), throttle_waits " << st.throttle_waits << " ("
            << st.throttle_wait_ns / 1000 << " us), commit_waits " << st.commit_waits << "\n"
            << "  pages_evicted " << st.pages_evicted << ", inodes_evicted " << st.inodes_evicted
            << ", data_blocks_written " << st.data_blocks_written << ", inflight_writes_peak "
            << st.inflight_writes_peak << ", marshal_max " << st.marshal_max_ns / 1000 << " us\n"
            << "  reader: " << reader_result.iterations << " iterations, " << reader_result.pins
            << " pins, " << reader_result.vanished << " vanished" << std::endl;
  RecordProperty("deltas", std::to_string(st.deltas));
  RecordProperty("forks", std::to_string(st.forks));
  RecordProperty("stable_waits", std::to_string(st.stable_waits));
  RecordProperty("throttle_waits", std::to_string(st.throttle_waits));
  RecordProperty("pages_evicted", std::to_string(st.pages_evicted));
  RecordProperty("inodes_evicted", std::to_string(st.inodes_evicted));
  RecordProperty("reader_pins", std::to_string(reader_result.pins));

  // What is guaranteed whatever the timing: every forced point wrote a block it had pinned
  // (a fork) and synced a delta holding that write, one delta per forced point at least.
  if (forced > 0) {
    EXPECT_GE(st.deltas, forced);
    if (!stable) {
      EXPECT_GT(st.forks, 0u);
    }
  }
  if (stable && ops > 0) {
    EXPECT_TRUE(st.stable_waits > 0 || st.deltas > 0);
  }
  EXPECT_GT(reader_result.pins, 0u);

  ASSERT_TRUE(vol->close().is_ok());
  vol.reset();
  expect_clean(dev, "after close");

  auto again = Volume::open(dev, options());
  ASSERT_TRUE(again.is_ok()) << again.status().to_string();
  vol = std::move(*again);
  check_against_models(*vol, models, "after reopen");
  ASSERT_TRUE(vol->close().is_ok());
  vol.reset();
  expect_clean(dev, "after reopen and close");
}

INSTANTIATE_TEST_SUITE_P(, VolumeStress, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "StablePages" : "Forking";
                         });

}  // namespace
}  // namespace tux3
