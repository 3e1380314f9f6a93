// volume_api.cc: the Volume that open() returns: the engine behind its lock.
//
// Every call takes the volume lock and runs the engine's method. A mutating call first
// passes the dirty-limit throttle. A call the engine asks to retry (it waited, releasing
// the lock, so what it had looked up may have changed) is run again from the start.
#include <chrono>

#include <fmt/format.h>

#include "fs/volume_impl.h"
#include "tuxdisk/superblock_io.h"

namespace tux3 {

using namespace format;

namespace {

class LockedVolume final : public Volume {
 private:
  // Runs `op` under the lock, again while the engine asks for a retry.
  template <class Op>
  auto run(bool mutating, Op op) -> decltype(op()) {
    std::lock_guard lock(v_->mu_);
    while (true) {
      if (mutating && !v_->opt_.read_only) {
        Status s = v_->throttle();
        if (!s) return s;
      }
      v_->retry_op_ = false;
      auto result = op();
      if (!v_->retry_op_) return result;
    }
  }
  template <class Op>
  auto reader(Op op) -> decltype(op()) {
    return run(false, op);
  }
  template <class Op>
  auto writer(Op op) -> decltype(op()) {
    return run(true, op);
  }

 public:
  // Destroying it stops the backend (~VolumeImpl) after the delta in flight, if any.
  explicit LockedVolume(std::unique_ptr<VolumeImpl> impl) : v_(std::move(impl)) {}

  Result<bool> block_allocated(uint64_t block) {
    std::lock_guard lock(v_->mu_);
    if (block >= v_->sb_.vol_blocks) return Status::invalid_argument("block outside the volume");
    return v_->alloc_->is_allocated(block);
  }

  Status close() override {
    Status s;
    {
      std::lock_guard lock(v_->mu_);
      s = v_->close();
    }
    v_->stop_backend();
    return s;
  }
  Result<Attr> lookup(uint64_t dir, std::string_view name) override {
    return reader([&] { return v_->lookup(dir, name); });
  }
  Result<Attr> getattr(uint64_t ino) override {
    return reader([&] { return v_->getattr(ino); });
  }
  Result<Attr> setattr(uint64_t ino, const SetAttr& changes) override {
    return writer([&] { return v_->setattr(ino, changes); });
  }
  Result<Attr> create(uint64_t dir, std::string_view name, uint32_t mode, uint32_t uid,
                      uint32_t gid) override {
    return writer([&] { return v_->create(dir, name, mode, uid, gid); });
  }
  Result<Attr> mkdir(uint64_t dir, std::string_view name, uint32_t mode, uint32_t uid,
                     uint32_t gid) override {
    return writer([&] { return v_->mkdir(dir, name, mode, uid, gid); });
  }
  Result<Attr> mknod(uint64_t dir, std::string_view name, uint32_t mode, uint64_t rdev,
                     uint32_t uid, uint32_t gid) override {
    return writer([&] { return v_->mknod(dir, name, mode, rdev, uid, gid); });
  }
  Result<Attr> symlink(uint64_t dir, std::string_view name, std::string_view target,
                       uint32_t uid, uint32_t gid) override {
    return writer([&] { return v_->symlink(dir, name, target, uid, gid); });
  }
  Result<std::string> readlink(uint64_t ino) override {
    return reader([&] { return v_->readlink(ino); });
  }
  Result<Attr> link(uint64_t ino, uint64_t dir, std::string_view name) override {
    return writer([&] { return v_->link(ino, dir, name); });
  }
  Status unlink(uint64_t dir, std::string_view name) override {
    return writer([&] { return v_->unlink(dir, name); });
  }
  Status rmdir(uint64_t dir, std::string_view name) override {
    return writer([&] { return v_->rmdir(dir, name); });
  }
  Status rename(uint64_t old_dir, std::string_view old_name, uint64_t new_dir,
                std::string_view new_name, unsigned flags) override {
    return writer([&] { return v_->rename(old_dir, old_name, new_dir, new_name, flags); });
  }
  Status readdir(uint64_t dir, uint64_t offset,
                 const std::function<bool(const DirEntry&)>& emit) override {
    // `emit` runs outside the lock (it may call back into the volume): entries are
    // gathered in batches under it.
    while (true) {
      std::vector<DirEntry> batch;
      Status s = reader([&] {
        return v_->readdir(dir, offset, [&](const DirEntry& e) {
          batch.push_back(e);
          return batch.size() < 256;
        });
      });
      if (!s) return s;
      if (batch.empty()) return Status::ok();
      for (const DirEntry& e : batch) {
        if (!emit(e)) return Status::ok();
      }
      if (batch.size() < 256) return Status::ok();
      offset = batch.back().next_offset;
    }
  }
  Result<std::size_t> read(uint64_t ino, uint64_t offset, std::span<uint8_t> out) override {
    return reader([&] { return v_->read(ino, offset, out); });
  }
  Result<std::size_t> write(uint64_t ino, uint64_t offset,
                            std::span<const uint8_t> data) override {
    // Throttled by the engine itself, which knows how much the file holds dirty.
    return run(false, [&] { return v_->write(ino, offset, data); });
  }
  Result<std::vector<uint8_t>> getxattr(uint64_t ino, std::string_view name) override {
    return reader([&] { return v_->getxattr(ino, name); });
  }
  Status setxattr(uint64_t ino, std::string_view name, std::span<const uint8_t> value,
                  int flags) override {
    return writer([&] { return v_->setxattr(ino, name, value, flags); });
  }
  Result<std::vector<std::string>> listxattr(uint64_t ino) override {
    return reader([&] { return v_->listxattr(ino); });
  }
  Status removexattr(uint64_t ino, std::string_view name) override {
    return writer([&] { return v_->removexattr(ino, name); });
  }
  Status open_file(uint64_t ino) override {
    return reader([&] { return v_->open_file(ino); });
  }
  Status release_file(uint64_t ino) override {
    return reader([&] { return v_->release_file(ino); });
  }
  VolumeStatFs statfs() override {
    std::lock_guard lock(v_->mu_);
    return v_->statfs();
  }
  Status sync() override {
    return reader([&] { return v_->sync(); });
  }
  Status fsync(uint64_t ino, bool datasync) override {
    auto t0 = std::chrono::steady_clock::now();
    Status s = reader([&] { return v_->fsync(ino, datasync); });
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::steady_clock::now() - t0);
    std::lock_guard lock(v_->mu_);
    v_->record_fsync_latency(uint64_t(ns.count()));
    return s;
  }
  Status commit_delta(bool unify) override {
    return reader([&] { return v_->commit_delta(unify); });
  }
  Status start_commit(bool unify) override {
    return reader([&] { return v_->start_commit(unify); });
  }
  Result<BlockRef> pin_block(uint64_t ino, uint64_t index) override {
    return reader([&] { return v_->pin_block(ino, index); });
  }
  VolumeStats stats() const override {
    std::lock_guard lock(v_->mu_);
    return v_->stats();
  }
  format::Superblock super() const override {
    std::lock_guard lock(v_->mu_);
    return v_->super();
  }

 private:
  std::unique_ptr<VolumeImpl> v_;
};

}  // namespace

Result<std::unique_ptr<Volume>> open_volume_at(BlockDevice& device, const VolumeOptions& options,
                                               const EngineStart& start) {
  const Superblock& sb = start.super;
  if ((sb.feature_ro_compat & ~kRoCompatSupported) != 0 && !options.read_only) {
    return Status::not_supported(fmt::format(
        "{}: unknown read-only-compatible features {:#x}: open read-only", device.name(),
        sb.feature_ro_compat & ~kRoCompatSupported));
  }
  auto volume = std::make_unique<VolumeImpl>(device, options, sb);
  TUX3_RETURN_IF_ERROR(volume->start(start).with_context(device.name()));
  return std::unique_ptr<Volume>(std::make_unique<LockedVolume>(std::move(volume)));
}

Result<std::unique_ptr<Volume>> Volume::open(BlockDevice& device, const VolumeOptions& options) {
  TUX3_ASSIGN_OR_RETURN(SlotPair slots, read_superblock(device));
  EngineStart start;
  start.super = *slots.slots[*slots.chosen];
  return open_volume_at(device, options, start);
}

Result<bool> engine_block_allocated(Volume& volume, uint64_t block) {
  return static_cast<LockedVolume&>(volume).block_allocated(block);
}

}  // namespace tux3
