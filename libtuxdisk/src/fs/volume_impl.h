// volume_impl.h: the engine's state and its internal operations (see tuxdisk/volume.h).
//
// Files of the engine, each one concern:
//   volume_open.cc   open (replay), close, attributes, statfs
//   inode_cache.cc   inode lookup/creation/destruction, inode numbers
//   namei.cc         names: lookup, create, link, unlink, rename, readdir
//   file_data.cc     read, write, truncate, the extent map
//   xattr.cc         extended attributes
//   commit.cc        marshalling a delta into a CommitPlan (under the lock), completing it
//   backend.cc       the backend thread: triggers, writing plans, waiting for durability
//   cache.cc         the memory budget: evicting clean pages and inodes
//   volume_api.cc    the thread-safe Volume: every call under the volume lock
//
// Concurrency: one mutex (mu_) guards all of this state. Frontend operations run under it
// from any thread; the backend thread takes it to marshal a delta and to complete one, and
// releases it while the delta's blocks are written and flushed. A frontend operation that
// must wait (stable pages, the dirty limit, space that only a commit can free) waits on a
// condition variable, and is then run again from the start (retry_op_): no operation holds
// an Inode* or tree node across a wait, so marshalling and eviction never pull state from
// under a suspended operation.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "btree/btree.h"
#include "delta/stream_replay.h"
#include "fs/engine_start.h"
#include "fs/allocator.h"
#include "fs/buffer_pool.h"
#include "fs/commit_plan.h"
#include "fs/io_pool.h"
#include "fs/node_store.h"
#include "fs/spin_mutex.h"
#include "tuxdisk/format/inode.h"
#include "tuxdisk/format/log.h"
#include "tuxdisk/format/values.h"
#include "tuxdisk/volume.h"

namespace tux3 {

// A cached data block. Its buffer is shared (copy-on-write) with the commit writing it and
// with readers holding a BlockRef: while shared it is never changed; a write to it forks it
// (a new buffer in the cache, dirty in the open delta; the old one lives until its write
// completes and its readers let go). At most one version is in the cache: the newest.
struct Page {
  std::shared_ptr<BlockBuffer> data;
  uint64_t io_delta = 0;    // the delta whose commit writes this buffer (0: none) ...
  uint32_t io_write = 0;    // ... in its request plan.writes[io_write]
  bool dirty = false;       // changed in the open delta
  // A reader was given this buffer (pin_block). Readers release it without the lock, so
  // the use count alone cannot prove they are done with it: the next write forks.
  bool pinned = false;
};

struct Inode {
  uint64_t ino = 0;
  format::InodeRecord rec;
  bool in_itree = false;     // the inode table has (or will have at commit) its record
  bool dirty = false;        // record, data or tree changed in the current delta
  unsigned opens = 0;        // open file handles
  bool orphan = false;       // recorded in the orphan tree
  std::unique_ptr<Btree> tree;        // extents or directory index, loaded on first use
  std::map<uint64_t, Page> pages;     // cached data blocks: dirty, under I/O, or clean
  bool referenced = false;            // used since the last eviction sweep (second chance)
  bool shrunk = false;                // a truncate made it smaller in the open delta
  bool relinked = false;              // linked, unlinked or renamed in the open delta
  // Logical numbers of the pages dirty in the open delta (page.dirty), so a commit or an
  // fsync finds them without walking every cached page of a large file.
  std::set<uint64_t> dirty_blocks;
  // fsync streams (fsync.cc). change_seq counts touch(); a stream fsync records it, so a
  // delta in flight whose copy of the file is exactly what a stream holds is known.
  uint64_t change_seq = 0;
  uint64_t streamed_change = UINT64_MAX;  // change_seq at the last stream fsync
  uint64_t streamed_size = 0;             // the size that fsync recorded
  uint64_t marshal_delta = 0;             // the delta that last wrote its record
  bool marshal_was_streamed = false;      // ... and held nothing a stream did not
  int fsync_stream = -1;                  // the stream holding its unabsorbed fsyncs
  uint64_t stream_hold_delta = 0;         // the delta absorbing them (0: not yet marshalled)
  bool fsync_busy = false;                // an fsync of it is writing (lock released)
  bool doomed() const { return rec.nlink == 0 && opens == 0; }
};

// One fsync log stream of the open volume (fsync.cc; man/tux3-format.5, FSYNC STREAMS).
struct FsyncStream {
  uint64_t next_block = 0;      // reserved for the stream's next block (0: none)
  uint64_t next_seq = 0;        // the sequence number it must carry
  uint64_t tag = 0;             // the delta tag of every block of this chain
  uint64_t reserved_delta = 0;  // the delta naming next_block first; usable once durable
  bool busy = false;            // an fsync is writing to it
  std::vector<uint64_t> unretired;  // blocks written, not yet absorbed by a marshalled delta
  uint64_t last_seq = 0;            // the newest sequence number written
};

// The engine. Its Volume methods assume the caller holds mu_ (see LockedVolume in
// volume_api.cc, which is what Volume::open returns).
class VolumeImpl final : public Volume {
 public:
  VolumeImpl(BlockDevice& device, const VolumeOptions& options, format::Superblock super);
  ~VolumeImpl() override;

  // Replay and orphan cleanup, then the backend; called once by open_volume_at(), which
  // passes how to start (the superblock is the constructor's).
  Status start(const EngineStart& how);
  // At open: a block a durable state still leads to, free in the state replayed, is
  // held allocated and freed by the next delta (ALLOC and FREE in its log), so nothing
  // overwrites it before that delta is durable. Returns whether it was free.
  Result<bool> hold_until_next_delta(uint64_t block);

  Status close() override;
  Result<Attr> lookup(uint64_t dir, std::string_view name) override;
  Result<Attr> getattr(uint64_t ino) override;
  Result<Attr> setattr(uint64_t ino, const SetAttr& changes) override;
  Result<Attr> create(uint64_t dir, std::string_view name, uint32_t mode, uint32_t uid,
                      uint32_t gid) override;
  Result<Attr> mkdir(uint64_t dir, std::string_view name, uint32_t mode, uint32_t uid,
                     uint32_t gid) override;
  Result<Attr> mknod(uint64_t dir, std::string_view name, uint32_t mode, uint64_t rdev,
                     uint32_t uid, uint32_t gid) override;
  Result<Attr> symlink(uint64_t dir, std::string_view name, std::string_view target,
                       uint32_t uid, uint32_t gid) override;
  Result<std::string> readlink(uint64_t ino) override;
  Result<Attr> link(uint64_t ino, uint64_t dir, std::string_view name) override;
  Status unlink(uint64_t dir, std::string_view name) override;
  Status rmdir(uint64_t dir, std::string_view name) override;
  Status rename(uint64_t old_dir, std::string_view old_name, uint64_t new_dir,
                std::string_view new_name, unsigned flags) override;
  Status readdir(uint64_t dir, uint64_t offset,
                 const std::function<bool(const DirEntry&)>& emit) override;
  Result<std::size_t> read(uint64_t ino, uint64_t offset, std::span<uint8_t> out) override;
  Result<std::size_t> write(uint64_t ino, uint64_t offset,
                            std::span<const uint8_t> data) override;
  Result<std::vector<uint8_t>> getxattr(uint64_t ino, std::string_view name) override;
  Status setxattr(uint64_t ino, std::string_view name, std::span<const uint8_t> value,
                  int flags) override;
  Result<std::vector<std::string>> listxattr(uint64_t ino) override;
  Status removexattr(uint64_t ino, std::string_view name) override;
  Status open_file(uint64_t ino) override;
  Status release_file(uint64_t ino) override;
  VolumeStatFs statfs() override;
  Status sync() override;
  Status fsync(uint64_t ino, bool datasync) override;
  Status commit_delta(bool unify) override;
  Status start_commit(bool unify) override;
  Result<BlockRef> pin_block(uint64_t ino, uint64_t index) override;
  VolumeStats stats() const override { return stats_; }
  format::Superblock super() const override { return sb_; }

  // --- inode_cache.cc ---
  Result<Inode*> get_inode(uint64_t ino);
  Result<Inode*> new_inode(uint32_t mode, uint32_t uid, uint32_t gid);
  Result<Btree*> inode_tree(Inode& inode);
  void touch(Inode& inode);  // marks the inode dirty in the current delta
  Attr attr_of(const Inode& inode) const;
  format::Timestamp now() const;
  Status drop_link(Inode& inode);  // nlink--, orphan or destroy-at-commit bookkeeping

  // --- namei.cc ---
  struct Found {
    uint64_t key;
    format::Dirent dirent;
  };
  Result<Inode*> get_dir(uint64_t ino);
  Result<std::optional<Found>> find_entry(Inode& dir, std::string_view name);
  Status add_entry(Inode& dir, std::string_view name, uint64_t ino, format::FileType type);
  Status remove_entry(Inode& dir, uint64_t key, std::string_view name);
  Result<bool> dir_is_empty(Inode& dir);
  Result<Attr> make_node(uint64_t dir, std::string_view name, uint32_t mode, uint64_t rdev,
                         uint32_t uid, uint32_t gid, std::string_view symlink_target);
  Result<bool> is_ancestor(uint64_t ancestor, uint64_t ino);

  // --- file_data.cc ---
  // The data path without the file-type checks and commit triggers of read()/write().
  Result<std::size_t> read_data(Inode& inode, uint64_t offset, std::span<uint8_t> out);
  Status write_data(Inode& inode, uint64_t offset, std::span<const uint8_t> data);
  Result<std::optional<format::Extent>> map_block(Inode& inode, uint64_t logical);
  // The cached page of data block `logical`, added if missing with its contents from disk
  // (if need_contents and it has any) or zeros.
  Result<Page*> cached_page(Inode& inode, uint64_t logical, bool need_contents);
  // Unmaps logical blocks [first, end); the freed extents are appended to `frees`.
  Status punch(Inode& inode, uint64_t first, uint64_t end,
               std::vector<std::pair<uint64_t, uint32_t>>& frees);
  Status truncate(Inode& inode, uint64_t size);
  // The inode's dirty pages get new blocks from `goal` on (advanced): their buffers go into
  // `writes` as they are (a later write forks them), marked io_delta; the mapping changes
  // (old blocks into `frees`); the pages are clean. Returns the extents placed. Shared by
  // commit (flush_data) and stream fsync. With split_requests (commit), a placed extent
  // goes out as requests of at most kMaxRequestBytes; without (fsync), as one request
  // each, so writes[x] and the returned extents correspond one to one.
  Result<std::vector<format::Extent>> place_dirty_pages(
      Inode& inode, uint64_t& goal, uint64_t io_delta, std::vector<PlannedWrite>& writes,
      std::vector<std::pair<uint64_t, uint32_t>>& frees, bool split_requests);
  Status flush_data(Inode& inode, class CommitContext& ctx);
  // Request `request` of delta `delta`'s commit is still being written.
  bool request_in_flight(uint64_t delta, uint32_t request) const {
    return delta > sb_.delta && delta != kStreamIo && in_flight_ && in_flight_->delta == delta &&
           !in_flight_->written[request];
  }
  // The page's buffer is in a request of the delta under commit that has not completed.
  bool under_commit_io(const Page& page) const {
    return request_in_flight(page.io_delta, page.io_write);
  }

  // --- commit.cc ---
  Status maybe_commit();  // the delta triggers, checked after each operation
  void note_change(uint64_t dirty_bytes = 0);
  // Steps 1-5 of a commit, in memory: the open delta becomes a plan of writes; the frontend
  // then continues in the next delta. REQUIRES: no plan in flight.
  Result<std::unique_ptr<CommitPlan>> marshal_delta(bool unify);
  // Step 7, once the plan's superblock is durable.
  Status complete_delta(CommitPlan& plan);
  bool has_work(bool unify) const;  // a commit (with unify) would write something
  bool unify_due() const;  // the next commit should unify
  Result<bool> store_inline_extents(Inode& inode, class CommitContext& ctx);
  // Space the current delta will need at commit; operations that add to it call reserve()
  // first, so a full volume fails the operation with ENOSPC, never the commit.
  uint64_t reserved_blocks() const;
  Status reserve(uint64_t blocks);
  Status failed_status() const;
  void fail(const Status& s);

  // --- fsync.cc ---
  // The stream table, retirements and reservations of the delta being marshalled: logs
  // the fsync path's pending records, retires what streams wrote (their blocks are freed
  // with the delta), reserves heads, and fills next's stream table and feature bit.
  // REQUIRES: no stream busy.
  Status marshal_streams(CommitContext& ctx, format::Superblock& next, bool unify);
  bool streams_have_work() const;
  // Open: applies the complete fsyncs of the committed delta's streams and drops their
  // reservations (the first delta after open commits that). `changed`: a commit is due.
  Status replay_streams(const EngineStart& how, bool& changed);
  // A record that does not fit the state (a wrong inode, a block in use) is not applied:
  // `rejected` says why, and its stream ends there.
  Status apply_stream_fsync(const StreamFsync& f, std::string& rejected);
  // Maps logical [logical, logical+count) to physical blocks `phys` (the old mapping is
  // punched into `frees`), extending the extent on the left when contiguous on disk.
  Status map_run(Inode& inode, uint64_t logical, uint64_t phys, uint32_t count,
                 std::vector<std::pair<uint64_t, uint32_t>>& frees);
  void record_fsync_latency(uint64_t ns);
  // Without mu_, after an fsync's writes (`written`: how they went): returns once a device
  // flush that began after them has completed. Concurrent fsyncs share flushes (group
  // commit): one arriving during a flush waits and the next flush covers everyone who
  // arrived meanwhile; a flush waits up to kFlushBatchWait for fsyncs still writing.
  Status shared_flush(Status written, uint64_t& issued);
  static constexpr std::chrono::microseconds kFlushBatchWait{200};
  format::FsyncMode fsync_mode() const;
  // A buffer written by an fsync (lock released): not evictable, never waited for.
  static constexpr uint64_t kStreamIo = UINT64_MAX;

  // --- backend.cc ---
  void backend_main();
  // Without the lock: the blocks, a flush, the superblock (FUA). `peak` is raised to the
  // most writes in flight at once.
  Status write_plan(CommitPlan& plan, uint64_t& peak);
  // Waits on cv_ (releasing mu_), counting the wait in `count` and `ns`.
  template <class Pred>
  void wait_counted(Pred pred, uint64_t& count, uint64_t& ns) {
    if (pred()) return;
    auto t0 = std::chrono::steady_clock::now();
    ++waiters_;
    cv_.wait(mu_, pred);
    --waiters_;
    ++count;
    ns += uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::steady_clock::now() - t0)
                       .count());
  }
  // Commits the open delta (if it has work) and waits until it is durable.
  Status commit_and_wait(bool unify);
  // Before a mutating operation: waits while the open delta is over twice its dirty limit
  // and the backend is busy (the frontend would otherwise need a third delta). A write
  // to a file holding less than an eighth of the dirty limit (a small writer, such as one
  // that fsyncs as it goes) waits only past three times the limit: the heavy writers are
  // the ones slowed. `waited` (optional) tells whether it waited. It may evict: callers
  // hold no Inode* across it.
  Status throttle(uint64_t writer_ino = 0, bool* waited = nullptr);
  void stop_backend();  // waits for the delta in flight, then joins the thread

  // --- cache.cc ---
  uint64_t cache_charge() const;  // bytes the cache holds, estimated
  void evict_to_budget();
  bool inode_evictable(const Inode& inode) const;

  mutable SpinMutex mu_;
  std::condition_variable_any cv_;          // frontend waiters: durability, space, I/O
  std::condition_variable_any backend_cv_;  // the backend: a commit request or a timer
  std::thread backend_;
  std::unique_ptr<IoPool> io_;
  bool stop_ = false;
  bool commit_requested_ = false;
  bool unify_requested_ = false;
  CommitPlan* in_flight_ = nullptr;  // the plan being written (its delta under commit)
  uint64_t marshalled_delta_ = 0;    // the newest delta handed to the backend
  unsigned waiters_ = 0;             // operations suspended in a wait
  bool retry_op_ = false;            // the current operation waited: run it again
  uint64_t cached_pages_ = 0;        // pages in every inode's cache
  uint64_t evict_cursor_ = 0;        // the clock hand of the inode sweep

  BlockDevice& dev_;
  VolumeOptions opt_;
  format::Superblock sb_;  // the committed superblock (updated at each commit)
  uint32_t bs_;
  NodeStore store_;
  std::shared_ptr<BufferPool> buffers_;  // data pages' buffers, recycled
  std::unique_ptr<Btree> itree_;
  std::unique_ptr<Btree> otree_;
  std::unique_ptr<Allocator> alloc_;
  std::map<uint64_t, std::unique_ptr<Inode>> inodes_;
  std::set<uint64_t> dirty_inodes_;
  std::set<uint64_t> data_inodes_;  // dirty inodes with dirty data pages
  // A delta is committed once this many inodes are dirty, whatever the other triggers.
  static constexpr std::size_t kMaxDirtyInodes = 16384;
  uint64_t dirty_bytes_ = 0;
  // Extents freed by operations (truncate, unlink) in the current delta: released with it.
  std::vector<std::pair<uint64_t, uint32_t>> op_frees_;
  int64_t delta_started_ns_ = -1;
  uint64_t next_inum_ = format::kFirstNormalIno;
  uint64_t inode_count_ = 0;
  // Blocks whose release waits for the next unify to be durable (single blocks).
  std::vector<uint64_t> unify_frees_;
  // The current chain's log blocks, oldest first.
  std::vector<uint64_t> chain_;
  uint32_t deltas_since_unify_ = 0;
  VolumeStats stats_;
  uint64_t inflight_bytes_ = 0;
  // fsync streams.
  std::vector<FsyncStream> streams_;  // stream_count of them once enabled
  bool streams_enabled_ = false;      // the next delta reserves stream heads
  unsigned streams_busy_ = 0;         // fsyncs writing with the lock released
  bool marshal_waiting_ = false;      // the backend waits for them to marshal
  std::vector<format::LogRecord> pending_records_;  // ALLOC/STREAM_RESERVE for the next delta
  uint64_t stream_goal_ = 0;          // where fsync data allocation searches from
  // shared_flush(), under flush_mu_ (never held with mu_).
  std::mutex flush_mu_;
  std::condition_variable flush_cv_;
  uint64_t flushes_started_ = 0, flushes_done_ = 0;
  bool flushing_ = false;
  unsigned flush_writers_ = 0;  // fsyncs writing their blocks, not yet at shared_flush
  Status flush_error_;
  bool closed_ = false;
  bool failed_ = false;     // a commit failed: the durable state is the previous delta
  std::string failure_;
};

// The TreeCommitter of one delta's commit: allocations, frees and log records.
class CommitContext final : public TreeCommitter {
 public:
  CommitContext(VolumeImpl& vol, uint64_t delta) : vol_(vol), delta_(delta) {}
  uint64_t delta() const override { return delta_; }
  Result<uint64_t> allocate_node() override;
  void free_after_delta(uint64_t block) override { delta_frees.push_back({block, 1}); }
  void free_after_unify(uint64_t block) override { unify_frees.push_back(block); }
  void log(const format::LogRecord& record) override { records.push_back(record); }

  void free_extent(uint64_t block, uint32_t count) { delta_frees.push_back({block, count}); }

  std::vector<format::LogRecord> records;
  std::vector<std::pair<uint64_t, uint32_t>> delta_frees;  // reusable after this delta
  std::vector<uint64_t> unify_frees;                       // reusable after the next unify
  std::vector<BtreeNode*> leaves;                          // to write, with their tree
  std::vector<const Btree*> leaf_trees;
  uint64_t goal = 0;
  CommitPlan* plan = nullptr;  // where data writes go

 private:
  VolumeImpl& vol_;
  uint64_t delta_;
};

}  // namespace tux3
