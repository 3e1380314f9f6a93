// volume_model_test.cc: a long seeded random sequence of operations applied to the engine
// and to a simple in-memory model, compared after every delta, after close and reopen, and
// after a crash (the engine dropped without closing: only committed deltas survive).
// TUX3_MODEL_OPS and TUX3_MODEL_SEED lengthen or vary the run (the soak).
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "samples.h"
#include "tuxdisk/memory_device.h"
#include "tuxdisk/mkfs.h"
#include "tuxdisk/verify.h"
#include "tuxdisk/volume.h"
#include "tuxdisk/volume_reader.h"

namespace tux3 {
namespace {

struct ModelNode {
  bool is_dir = false;
  std::string data;                          // files
  std::map<std::string, uint64_t> entries;   // directories: name -> model id
  std::map<std::string, std::string> xattrs;
  bool operator==(const ModelNode&) const = default;
};

// The model: a tree of ids; ids map to engine inode numbers.
struct Model {
  std::map<uint64_t, ModelNode> nodes;  // id -> node (id = engine ino)
  bool operator==(const Model&) const = default;
};

uint64_t env_or(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : fallback;
}

class ModelRun {
 public:
  ModelRun(uint64_t seed, uint32_t unify_every) : rng_(seed), unify_every_(unify_every) {
    MkfsOptions o;
    o.block_bits = 10;  // small blocks: deeper trees, more splits
    o.uuid = testing::kSampleUuid;
    o.now = {1700000000, 0};
    dev_ = std::make_unique<MemoryDevice>(32 << 20);
    auto g = plan_volume(dev_->size(), dev_->topology(), o);
    EXPECT_TRUE(g.is_ok());
    EXPECT_TRUE(write_volume(*dev_, *g, o).is_ok());
    model_.nodes[kRootIno].is_dir = true;
    committed_ = model_;
    open();
  }

  void open() {
    VolumeOptions opt;
    opt.delta_interval_ms = 1u << 30;  // deltas only when the test says
    opt.unify_every_deltas = unify_every_;
    opt.unify_log_blocks = 1u << 30;
    opt.dirty_limit_bytes = 1ull << 40;
    auto v = Volume::open(*dev_, opt);
    ASSERT_TRUE(v.is_ok()) << v.status().to_string();
    vol_ = std::move(*v);
  }

  // Reads the engine's whole tree into a model.
  Model snapshot() {
    Model m;
    std::vector<uint64_t> todo{kRootIno};
    while (!todo.empty()) {
      uint64_t ino = todo.back();
      todo.pop_back();
      auto attr = vol_->getattr(ino);
      EXPECT_TRUE(attr.is_ok()) << attr.status().to_string();
      ModelNode& node = m.nodes[ino];
      node.is_dir = (attr->mode & 0170000) == 0040000;
      auto names = vol_->listxattr(ino);
      for (const auto& n : *names) {
        auto v = vol_->getxattr(ino, n);
        node.xattrs[n] = std::string(v->begin(), v->end());
      }
      if (node.is_dir) {
        Status s = vol_->readdir(ino, 0, [&](const DirEntry& e) {
          if (e.name != "." && e.name != "..") {
            node.entries[e.name] = e.ino;
            todo.push_back(e.ino);
          }
          return true;
        });
        EXPECT_TRUE(s.is_ok()) << s.to_string();
      } else {
        node.data.assign(attr->size, '\0');
        auto n = vol_->read(ino, 0, std::span(reinterpret_cast<uint8_t*>(node.data.data()), node.data.size()));
        EXPECT_TRUE(n.is_ok()) << n.status().to_string();
      }
    }
    return m;
  }

  void check_clean(const char* when) {
    auto reader = VolumeReader::open(*dev_);
    ASSERT_TRUE(reader.is_ok()) << when << ": " << reader.status().to_string();
    auto report = verify_volume(**reader);
    ASSERT_TRUE(report.is_ok());
    std::string all;
    for (const auto& p : report->problems) all += p + "\n";
    ASSERT_TRUE(report->clean()) << when << " (op " << ops_ << "):\n" << all;
  }

  uint64_t pick(const std::vector<uint64_t>& v) { return v[rng_() % v.size()]; }
  std::string name() { return "n" + std::to_string(rng_() % 40); }

  void step() {
    ++ops_;
    std::vector<uint64_t> dirs, files;
    for (auto& [id, n] : model_.nodes) (n.is_dir ? dirs : files).push_back(id);
    uint64_t dir = pick(dirs);
    ModelNode& d = model_.nodes[dir];
    std::string nm = name();
    int op = int(rng_() % 100);
    if (op < 20) {  // create
      auto r = vol_->create(dir, nm, 0644, 0, 0);
      if (d.entries.count(nm)) {
        ASSERT_EQ(status_errno(r.status()), EEXIST);
      } else {
        ASSERT_TRUE(r.is_ok()) << r.status().to_string();
        d.entries[nm] = r->ino;
        model_.nodes[r->ino] = ModelNode{};
      }
    } else if (op < 28) {  // mkdir
      auto r = vol_->mkdir(dir, nm, 0755, 0, 0);
      if (d.entries.count(nm)) {
        ASSERT_EQ(status_errno(r.status()), EEXIST);
      } else {
        ASSERT_TRUE(r.is_ok()) << r.status().to_string();
        d.entries[nm] = r->ino;
        model_.nodes[r->ino].is_dir = true;
      }
    } else if (op < 55 && !files.empty()) {  // write at an offset
      uint64_t f = pick(files);
      std::string& data = model_.nodes[f].data;
      uint64_t off = rng_() % 20000;
      std::string bytes(rng_() % 5000, char('a' + rng_() % 26));
      auto r = vol_->write(f, off, std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
      ASSERT_TRUE(r.is_ok()) << r.status().to_string();
      if (!bytes.empty()) {
        if (data.size() < off + bytes.size()) data.resize(off + bytes.size(), '\0');
        data.replace(off, bytes.size(), bytes);
      }
    } else if (op < 62 && !files.empty()) {  // truncate
      uint64_t f = pick(files);
      uint64_t size = rng_() % 25000;
      SetAttr s;
      s.size = size;
      ASSERT_TRUE(vol_->setattr(f, s).is_ok());
      model_.nodes[f].data.resize(size, '\0');
    } else if (op < 72) {  // unlink or rmdir
      if (!d.entries.count(nm)) {
        ASSERT_EQ(status_errno(vol_->unlink(dir, nm)), ENOENT);
        return;
      }
      uint64_t victim = d.entries[nm];
      ModelNode& v = model_.nodes[victim];
      if (v.is_dir) {
        Status s = vol_->rmdir(dir, nm);
        if (!v.entries.empty()) {
          ASSERT_EQ(status_errno(s), ENOTEMPTY);
          return;
        }
        ASSERT_TRUE(s.is_ok()) << s.to_string();
      } else {
        ASSERT_TRUE(vol_->unlink(dir, nm).is_ok());
      }
      d.entries.erase(nm);
      if (links(victim) == 0) model_.nodes.erase(victim);
    } else if (op < 78 && !files.empty()) {  // hard link
      uint64_t f = pick(files);
      auto r = vol_->link(f, dir, nm);
      if (d.entries.count(nm)) {
        ASSERT_EQ(status_errno(r.status()), EEXIST);
      } else {
        ASSERT_TRUE(r.is_ok()) << r.status().to_string();
        d.entries[nm] = f;
      }
    } else if (op < 88) {  // rename to another directory
      if (!d.entries.count(nm)) return;
      uint64_t moved = d.entries[nm];
      uint64_t to = pick(dirs);
      std::string to_name = name();
      Status s = vol_->rename(dir, nm, to, to_name);
      ModelNode& t = model_.nodes[to];
      bool moved_is_dir = model_.nodes[moved].is_dir;
      if (moved_is_dir && (to == moved || inside(to, moved))) {
        ASSERT_EQ(status_errno(s), EINVAL);
        return;
      }
      if (t.entries.count(to_name)) {
        uint64_t target = t.entries[to_name];
        if (target == moved) {
          ASSERT_TRUE(s.is_ok());
          return;
        }
        ModelNode& tn = model_.nodes[target];
        if (moved_is_dir && !tn.is_dir) { ASSERT_EQ(status_errno(s), ENOTDIR); return; }
        if (!moved_is_dir && tn.is_dir) { ASSERT_EQ(status_errno(s), EISDIR); return; }
        if (tn.is_dir && !tn.entries.empty()) { ASSERT_EQ(status_errno(s), ENOTEMPTY); return; }
        ASSERT_TRUE(s.is_ok()) << s.to_string();
        t.entries.erase(to_name);
        d.entries.erase(nm);  // (d may be t: erase before re-adding)
        model_.nodes[to].entries[to_name] = moved;
        if (links(target) == 0) model_.nodes.erase(target);
      } else {
        ASSERT_TRUE(s.is_ok()) << s.to_string();
        d.entries.erase(nm);
        model_.nodes[to].entries[to_name] = moved;
      }
    } else if (op < 94) {  // xattrs
      std::vector<uint64_t> all;
      for (auto& [id, n] : model_.nodes) all.push_back(id);
      uint64_t target = pick(all);
      std::string key = "user.k" + std::to_string(rng_() % 4);
      if (rng_() % 3) {
        std::string value(rng_() % 40, 'v');
        ASSERT_TRUE(vol_->setxattr(target, key, std::span(reinterpret_cast<const uint8_t*>(value.data()), value.size()), 0).is_ok());
        model_.nodes[target].xattrs[key] = value;
      } else {
        Status s = vol_->removexattr(target, key);
        if (model_.nodes[target].xattrs.erase(key)) ASSERT_TRUE(s.is_ok());
        else ASSERT_EQ(status_errno(s), ENODATA);
      }
    } else if (op < 97) {  // a delta
      ASSERT_TRUE(vol_->sync().is_ok());
      committed_ = model_;
      check_clean("after a delta");
      ASSERT_TRUE(snapshot() == model_) << "after a delta at op " << ops_;
    } else if (op < 99) {  // close and reopen
      ASSERT_TRUE(vol_->close().is_ok());
      vol_.reset();
      committed_ = model_;
      check_clean("after close");
      open();
      ASSERT_TRUE(snapshot() == model_) << "after reopen at op " << ops_;
    } else {  // crash: uncommitted changes are lost
      vol_.reset();
      model_ = committed_;
      open();
      check_clean("after crash and replay");
      ASSERT_TRUE(snapshot() == model_) << "after crash at op " << ops_;
    }
  }

  std::size_t links(uint64_t id) {
    std::size_t n = 0;
    for (auto& [pid, p] : model_.nodes) {
      for (auto& [name, child] : p.entries) n += child == id;
    }
    return n;
  }

  bool inside(uint64_t dir, uint64_t ancestor) {
    for (uint64_t at = dir; at != kRootIno;) {
      if (at == ancestor) return true;
      uint64_t parent = kRootIno;
      for (auto& [pid, p] : model_.nodes) {
        for (auto& [name, child] : p.entries) {
          if (child == at && model_.nodes[at].is_dir) parent = pid;
        }
      }
      at = parent;
    }
    return false;
  }

  uint64_t ops() const { return ops_; }

 private:
  std::mt19937_64 rng_;
  uint32_t unify_every_;
  std::unique_ptr<MemoryDevice> dev_;
  std::unique_ptr<Volume> vol_;
  Model model_, committed_;
  uint64_t ops_ = 0;
};

// Unify every 4 deltas, or (in practice) only at close: the log then spans many deltas and
// every crash replays all of them.
class VolumeModel : public ::testing::TestWithParam<uint32_t> {};

TEST_P(VolumeModel, RandomOperationsMatchTheModel) {
  uint64_t seed = env_or("TUX3_MODEL_SEED", 42);
  uint64_t count = env_or("TUX3_MODEL_OPS", 2000);
  ModelRun run(seed, GetParam());
  for (uint64_t i = 0; i < count; ++i) {
    run.step();
    if (::testing::Test::HasFatalFailure()) {
      FAIL() << "seed " << seed << ", failed at op " << run.ops();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Unify, VolumeModel, ::testing::Values(4u, 1000000u));

}  // namespace
}  // namespace tux3
