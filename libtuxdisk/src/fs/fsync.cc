// fsync.cc: fsync through fsync log streams. See tuxdisk/volume.h (fsync) and
// man/tux3-format.5, FSYNC STREAMS.
//
// A stream fsync, under the volume lock: the file's dirty pages get new blocks (the mapping
// changes in the open delta as a commit would change it, the ALLOC records wait in
// pending_records_ for the next delta's log); one stream block (more if the mappings do
// not fit) is encoded at the block the stream has reserved, naming a newly reserved block
// for the stream's next one, with a checksum of the data. Then, without the lock: the data
// and the stream block, and one flush (the checksum lets replay ignore a stream block whose
// data did not all land, so no flush is needed between them). The inode table is not
// touched: the file stays dirty in the open delta, so the next delta marshalled carries its
// new state, retires the stream blocks written before it (they are freed with it), and
// logs the new reservations.
//
// Why a stream block is always found by replay: every delta's superblock names, for each
// stream, the block reserved for the stream's next block when the delta was marshalled,
// and stream I/O never overlaps a marshal (the backend waits for it). So a block written
// while a delta is in flight lies on the chain of both the durable superblock and the one
// being written, and a block written before a marshal is absorbed by that delta.
//
// Why applying it on top of the committed delta is right: a file's records are valid on
// top of the durable state only if the delta in flight holds nothing of the file that the
// streams do not; otherwise fsync waits for that delta first. A file's records stay on one
// stream until a durable delta absorbs them, so replay applies them in order.
#include <chrono>

#include <fmt/format.h>

#include "fs/volume_impl.h"
#include "tuxdisk/format/inode.h"
#include "tuxdisk/format/stream.h"

namespace tux3 {

using namespace format;

FsyncMode VolumeImpl::fsync_mode() const { return opt_.fsync_mode.value_or(sb_.fsync_mode); }

void VolumeImpl::record_fsync_latency(uint64_t ns) {
  uint64_t us = ns / 1000;
  std::size_t bucket = 0;
  while (bucket + 1 < stats_.fsync_latency_us_log2.size() && (us >> (bucket + 1)) != 0) ++bucket;
  stats_.fsync_latency_us_log2[bucket]++;
  stats_.fsync_calls++;
}

Status VolumeImpl::fsync(uint64_t ino, bool datasync) {
  if (opt_.read_only) return Status::ok();
  if (failed_) return failed_status();
  TUX3_ASSIGN_OR_RETURN(Inode * inode, get_inode(ino));
  auto fall_back = [&](uint64_t& counter) {
    ++counter;
    return commit_and_wait(false);
  };
  auto retry = [&] {
    if (failed_) return failed_status();
    retry_op_ = true;
    return Status::from_errno(EAGAIN, "retry after waiting");
  };
  uint64_t ignored_ns = 0;
  if (fsync_mode() == FsyncMode::kDelta) return fall_back(stats_.fsync_delta_mode);
  // Streams are reserved from the first fsync on: the next delta committed (this one's
  // fallback, if it falls back) names their first blocks.
  if (!streams_enabled_) {
    streams_enabled_ = true;
    unsigned count = opt_.fsync_streams ? opt_.fsync_streams
                     : sb_.stream_count ? sb_.stream_count
                                        : 4;
    streams_.resize(std::clamp<unsigned>(count, 1, kMaxStreams));
  }
  if (inode->rec.type() != kModeRegular || ino < kFirstNormalIno) {
    return fall_back(stats_.fsync_fallback_dir);
  }
  // Another fsync of this file is writing: this one follows it.
  if (inode->fsync_busy) {
    wait_counted(
        [&] {
          auto it = inodes_.find(ino);
          return failed_ || it == inodes_.end() || !it->second->fsync_busy;
        },
        stats_.fsync_stream_waits, ignored_ns);
    return retry();
  }
  // The delta in flight holds changes of this file no stream has: it must be durable
  // before a stream record can be applied on top of it.
  if (inode->marshal_delta > sb_.delta && !inode->marshal_was_streamed) {
    uint64_t target = inode->marshal_delta;
    wait_counted([&] { return failed_ || sb_.delta >= target; }, stats_.fsync_waited_delta,
                 ignored_ns);
    return retry();
  }
  bool dirty_pages = !inode->dirty_blocks.empty();
  if (!inode->dirty || inode->change_seq == inode->streamed_change) {
    ++stats_.fsync_clean;
    return Status::ok();
  }
  if (!inode->in_itree) return fall_back(stats_.fsync_fallback_new);
  // Only size, times, mode and mappings travel in a stream block.
  TUX3_ASSIGN_OR_RETURN(auto stored, itree_->get(ino));
  if (!stored) return fall_back(stats_.fsync_fallback_new);
  TUX3_ASSIGN_OR_RETURN(InodeRecord base, decode_inode(*stored, ino));
  InodeRecord probe = inode->rec;
  probe.size = base.size;
  probe.blocks = base.blocks;
  probe.atime = base.atime;
  probe.mtime = base.mtime;
  probe.ctime = base.ctime;
  probe.mode = base.mode;
  probe.root = base.root;
  probe.inline_extents = base.inline_extents;
  // Names are directory changes: a file linked, unlinked or renamed since the last delta
  // is made durable by the delta (as its link count must match its entries).
  if (inode->shrunk || inode->relinked || probe != base || inode->rec.type() != base.type()) {
    return fall_back(stats_.fsync_fallback_meta);
  }
  if (datasync && !dirty_pages) {
    uint64_t durable_size = inode->fsync_stream >= 0 ? inode->streamed_size : base.size;
    if (inode->rec.size == durable_size) {
      ++stats_.fsync_clean;
      return Status::ok();
    }
  }

  // A stream: the file's own while a durable delta has not absorbed its records.
  if (inode->fsync_stream >= 0 && inode->stream_hold_delta != 0 &&
      sb_.delta >= inode->stream_hold_delta) {
    inode->fsync_stream = -1;
  }
  if (marshal_waiting_) {
    wait_counted([&] { return failed_ || !marshal_waiting_; }, stats_.fsync_stream_waits,
                 ignored_ns);
    return retry();
  }
  auto usable = [&](const FsyncStream& st) {
    return st.next_block != 0 && st.reserved_delta <= sb_.delta;
  };
  int chosen = -1;
  if (inode->fsync_stream >= 0) {
    chosen = inode->fsync_stream;
    if (std::size_t(chosen) >= streams_.size() || !usable(streams_[chosen])) {
      return fall_back(stats_.fsync_fallback_unreserved);
    }
    if (streams_[chosen].busy) {
      wait_counted([&] { return failed_ || !streams_[chosen].busy; }, stats_.fsync_stream_waits,
                   ignored_ns);
      return retry();
    }
  } else {
    bool any_usable = false;
    for (std::size_t k = 0; k < streams_.size() && chosen < 0; ++k) {
      std::size_t i = (ino + k) % streams_.size();
      if (!usable(streams_[i])) continue;
      any_usable = true;
      if (!streams_[i].busy) chosen = int(i);
    }
    // The first fsync after open: the commit reserves the heads.
    if (!any_usable) return fall_back(stats_.fsync_fallback_unreserved);
    if (chosen < 0) {
      wait_counted(
          [&] {
            for (const FsyncStream& st : streams_) {
              if (usable(st) && !st.busy) return true;
            }
            return failed_;
          },
          stats_.fsync_stream_waits, ignored_ns);
      return retry();
    }
  }
  FsyncStream& st = streams_[chosen];

  // Space: the dirty pages are in reserved_blocks() already; the stream blocks are few.
  std::size_t capacity = stream_extent_capacity(bs_);
  uint64_t stream_blocks_bound = 2 + inode->dirty_blocks.size() / capacity;
  if (reserved_blocks() + stream_blocks_bound + 1 > alloc_->free_blocks()) {
    return fall_back(stats_.fsync_fallback_nospace);
  }

  // The data: new blocks, new mappings (old ones freed with the open delta).
  std::vector<PlannedWrite> writes;
  auto placed = place_dirty_pages(*inode, stream_goal_, kStreamIo, writes, op_frees_,
                                  /*split_requests=*/false);
  if (!placed) {
    fail(placed.status().with_context("fsync: placing data after reserving"));
    return failed_status();
  }
  const std::vector<Extent>& extents = *placed;
  for (const Extent& e : extents) pending_records_.push_back({LogCode::kAlloc, {e.physical, e.count}});

  // The stream blocks, each naming a newly reserved successor.
  std::size_t nblocks = std::max<std::size_t>(1, (extents.size() + capacity - 1) / capacity);
  std::vector<uint64_t> where{st.next_block};
  for (std::size_t k = 0; k < nblocks; ++k) {
    auto next = alloc_->allocate(stream_goal_, 1);
    if (!next) {
      fail(next.status().with_context("fsync: reserving a stream block after reserving"));
      return failed_status();
    }
    where.push_back(next->first);
    pending_records_.push_back({LogCode::kStreamReserve, {uint64_t(chosen), next->first}});
  }
  std::vector<std::vector<uint8_t>> blocks;
  const InodeRecord& r = inode->rec;
  // Each block's data checksum, over the buffers its extents map (writes[] and extents[]
  // correspond one to one).
  std::vector<uint32_t> data_crcs;
  for (std::size_t first = 0; first < std::max<std::size_t>(1, extents.size()); first += capacity) {
    StreamDataCrc crc;
    for (std::size_t x = first; x < std::min(extents.size(), first + capacity); ++x) {
      for (const auto& buffer : writes[x].buffers) crc.add_block(*buffer);
    }
    data_crcs.push_back(crc.value());
  }
  for (std::size_t k = 0; k < nblocks; ++k) {
    StreamBlock b;
    b.header = {kMagicStream, where[k], sb_.uuid, st.tag};
    b.stream = uint16_t(chosen);
    b.flags = kStreamHasSize | kStreamHasMtime | kStreamHasCtime | kStreamHasMode |
              kStreamHasDataCrc | (k + 1 < nblocks ? kStreamContinued : 0);
    b.data_crc = data_crcs[k];
    b.seq = st.next_seq + k;
    b.next = where[k + 1];
    b.inum = ino;
    b.size = r.size;
    b.mtime = r.mtime;
    b.ctime = r.ctime;
    b.mode = r.mode;
    std::size_t first = k * capacity, last = std::min(extents.size(), first + capacity);
    b.extents.assign(extents.begin() + std::ptrdiff_t(std::min(first, extents.size())),
                     extents.begin() + std::ptrdiff_t(last));
    std::vector<uint8_t> buf(bs_);
    Status encoded = encode_stream_block(b, buf);
    if (!encoded) {
      fail(encoded.with_context("fsync"));
      return failed_status();
    }
    blocks.push_back(std::move(buf));
    st.unretired.push_back(where[k]);
  }
  st.last_seq = st.next_seq + nblocks - 1;
  st.next_seq += nblocks;
  st.next_block = where.back();
  st.reserved_delta = 0;  // on the chain once this fsync's blocks are written
  st.busy = true;
  inode->fsync_busy = true;
  inode->fsync_stream = chosen;
  inode->stream_hold_delta = 0;
  inode->streamed_change = inode->change_seq;
  inode->streamed_size = r.size;
  ++streams_busy_;

  // Without the lock: the data and the stream blocks, then one flush. The blocks carry the
  // data's checksum, so replay ignores a stream block whose data did not all land.
  // Nothing of the volume's state is touched until the lock is taken again.
  const unsigned bits = sb_.block_bits;
  {
    std::lock_guard flush_lock(flush_mu_);
    ++flush_writers_;
  }
  mu_.unlock();
  Status s;
  for (const PlannedWrite& w : writes) {
    std::vector<uint8_t> run;
    run.reserve(w.buffers.size() * bs_);
    for (const auto& buffer : w.buffers) run.insert(run.end(), buffer->begin(), buffer->end());
    s = dev_.write(w.block << bits, run);
    if (!s) break;
  }
  for (std::size_t k = 0; s && k < blocks.size(); ++k) s = dev_.write(where[k] << bits, blocks[k]);
  // A flush, not FUA on the last write: FUA makes only that write durable.
  uint64_t flushes = 0;
  s = shared_flush(s, flushes);
  mu_.lock();

  if (auto it = inodes_.find(ino); it != inodes_.end()) {
    Inode& now = *it->second;
    now.fsync_busy = false;
    for (std::size_t x = 0; x < extents.size(); ++x) {
      for (std::size_t k = 0; k < writes[x].buffers.size(); ++k) {
        auto p = now.pages.find(extents[x].logical + k);
        if (p != now.pages.end() && p->second.data == writes[x].buffers[k] &&
            p->second.io_delta == kStreamIo) {
          p->second.io_delta = 0;
        }
      }
    }
  }
  st.busy = false;
  --streams_busy_;
  cv_.notify_all();
  if (!s) {
    fail(s.with_context(fmt::format("fsync of inode {} through stream {}", ino, chosen)));
    return failed_status();
  }
  uint64_t data_blocks = 0;
  for (const PlannedWrite& w : writes) data_blocks += w.buffers.size();
  stats_.fsync_stream++;
  stats_.stream_blocks_written += blocks.size();
  stats_.stream_data_blocks += data_blocks;
  stats_.stream_bytes += (blocks.size() + data_blocks) * bs_;
  stats_.stream_flushes += flushes;
  stats_.bytes_written += (blocks.size() + data_blocks) * bs_;
  return Status::ok();
}

Status VolumeImpl::shared_flush(Status written, uint64_t& issued) {
  std::unique_lock lock(flush_mu_);
  --flush_writers_;
  flush_cv_.notify_all();
  if (!written) return written;
  uint64_t need = flushes_started_ + 1;  // any flush numbered from here began after the call
  while (flushes_done_ < need && flush_error_.is_ok()) {
    if (flushing_) {
      flush_cv_.wait(lock);
      continue;
    }
    // Other fsyncs are writing their blocks: a moment's wait lets this flush cover them
    // too (as a journal batches commits); one fsync alone never waits.
    if (flush_writers_ > 0) {
      flush_cv_.wait_for(lock, kFlushBatchWait, [&] { return flush_writers_ == 0 || flushing_; });
      continue;
    }
    flushing_ = true;
    uint64_t number = ++flushes_started_;
    lock.unlock();
    Status s = dev_.flush();
    ++issued;
    lock.lock();
    flushing_ = false;
    flushes_done_ = number;
    if (!s) flush_error_ = s;
    flush_cv_.notify_all();
  }
  return flush_error_;
}

bool VolumeImpl::streams_have_work() const {
  if (!pending_records_.empty()) return true;
  for (const FsyncStream& st : streams_) {
    if (!st.unretired.empty()) return true;
    if (streams_enabled_ && !closed_ && st.next_block == 0) return true;
    if (closed_ && st.next_block != 0) return true;
  }
  // Heads left by the previous run, replayed at open: the next delta drops them.
  return !streams_enabled_ && has_live_streams(sb_);
}

Status VolumeImpl::marshal_streams(CommitContext& ctx, Superblock& next, bool unify) {
  for (const LogRecord& r : pending_records_) ctx.log(r);
  pending_records_.clear();
  bool closing = closed_ && unify;
  for (std::size_t i = 0; i < streams_.size(); ++i) {
    FsyncStream& st = streams_[i];
    if (!st.unretired.empty()) {
      ctx.log({LogCode::kStreamRetire, {i, st.last_seq}});
      for (uint64_t b : st.unretired) ctx.free_extent(b, 1);
      st.unretired.clear();
    }
    if (closing) {
      // A clean volume has no live stream (and no INCOMPAT_STREAMS).
      if (st.next_block) ctx.free_extent(st.next_block, 1);
      st = {};
      continue;
    }
    if (streams_enabled_ && st.next_block == 0) {
      TUX3_ASSIGN_OR_RETURN(uint64_t block, ctx.allocate_node());
      ctx.log({LogCode::kStreamReserve, {i, block}});
      st.next_block = block;
      st.next_seq = 1;
      st.tag = ctx.delta();
      st.reserved_delta = ctx.delta();
    }
  }
  next.streams = {};
  bool live = false;
  for (std::size_t i = 0; i < streams_.size(); ++i) {
    const FsyncStream& st = streams_[i];
    if (st.next_block == 0) continue;
    next.streams[i] = {st.next_block, st.next_seq, st.tag};
    live = true;
  }
  if (live) {
    next.stream_count = uint16_t(streams_.size());
    next.feature_incompat |= kIncompatStreams;
  } else {
    next.feature_incompat &= ~kIncompatStreams;
  }
  if (closing) streams_enabled_ = false;
  return Status::ok();
}

Status VolumeImpl::apply_stream_fsync(const StreamFsync& f, std::string& rejected) {
  const StreamBlock& b = f.record;
  auto fail_record = [&](std::string why) {
    rejected = fmt::format("stream {} seq {} (block {}): inode {}: {}", f.stream, f.first_seq,
                           f.blocks.front(), b.inum, why);
    return Status::ok();
  };
  auto found = get_inode(b.inum);
  if (!found) return fail_record(found.status().message());
  Inode& inode = **found;
  if (!inode.in_itree || inode.rec.type() != kModeRegular) {
    return fail_record("not a regular file of the committed delta");
  }
  if ((b.flags & kStreamHasMode) && (b.mode & kModeTypeMask) != inode.rec.type()) {
    return fail_record("mode changes the file type");
  }
  // Every new block must be free in the committed delta (plus the fsyncs applied so far).
  for (std::size_t i = 0; i < b.extents.size(); ++i) {
    const Extent& e = b.extents[i];
    if (i > 0 && e.logical < b.extents[i - 1].logical + b.extents[i - 1].count) {
      return fail_record("extents overlap");
    }
    for (uint64_t x = e.physical; x < e.physical + e.count; ++x) {
      TUX3_ASSIGN_OR_RETURN(bool used, alloc_->is_allocated(x));
      if (used) return fail_record(fmt::format("block {} is already in use", x));
    }
  }
  for (const Extent& e : b.extents) {
    TUX3_RETURN_IF_ERROR(alloc_->mark(e.physical, e.count));
    TUX3_RETURN_IF_ERROR(map_run(inode, e.logical, e.physical, e.count, op_frees_));
    pending_records_.push_back({LogCode::kAlloc, {e.physical, e.count}});
  }
  InodeRecord& r = inode.rec;
  if (b.flags & kStreamHasSize) {
    r.size = b.size;
    uint64_t keep = (b.size + bs_ - 1) / bs_;
    TUX3_RETURN_IF_ERROR(punch(inode, keep, kMaxBlocks, op_frees_));
  }
  if (b.flags & kStreamHasMtime) r.mtime = b.mtime;
  if (b.flags & kStreamHasCtime) r.ctime = b.ctime;
  if (b.flags & kStreamHasMode) r.mode = b.mode;
  touch(inode);
  stats_.stream_records_replayed++;
  return Status::ok();
}

Status VolumeImpl::replay_streams(const EngineStart& how, bool& changed) {
  changed = false;
  if (!has_live_streams(sb_)) return Status::ok();
  TUX3_ASSIGN_OR_RETURN(StreamReplay replay, read_streams(dev_, sb_));
  std::vector<std::string> stopped(kMaxStreams);  // why a stream applies nothing more
  for (const StreamFsync& f : replay.fsyncs) {
    StreamFsyncOutcome outcome{f, false, {}};
    if (!how.apply_streams) {
      outcome.not_applied = "streams are not applied";
    } else if (!stopped[f.stream].empty()) {
      outcome.not_applied = stopped[f.stream];
    } else if (auto limit = how.stream_limit.find(f.stream);
               limit != how.stream_limit.end() && f.last_seq > limit->second) {
      outcome.not_applied = fmt::format("beyond the limit of stream {} (seq {})", f.stream,
                                        limit->second);
      stopped[f.stream] = outcome.not_applied;
    } else {
      std::string rejected;
      TUX3_RETURN_IF_ERROR(apply_stream_fsync(f, rejected));
      // Never guess past a record that does not fit: the stream ends before it.
      if (!rejected.empty()) {
        outcome.not_applied = rejected;
        stopped[f.stream] = "after a record that did not apply";
      } else {
        outcome.applied = true;
      }
    }
    if (how.log) how.log->fsyncs.push_back(std::move(outcome));
  }
  if (how.log) how.log->stream_ends = replay.ends;
  // The heads were reserved by the committed delta; the next delta releases them, and the
  // streams start again from new reservations (with a new delta tag).
  for (std::size_t i = 0; i < sb_.stream_count && i < kMaxStreams; ++i) {
    if (sb_.streams[i].block) op_frees_.push_back({sb_.streams[i].block, 1});
  }
  // The chains' other blocks are free in the committed delta (the next one would have
  // logged them), yet the committed superblock still leads to them: until the first delta
  // is durable, a crash replays them again, so nothing may overwrite them before that.
  for (const StreamFsync& f : replay.fsyncs) {
    for (uint64_t b : f.blocks) TUX3_RETURN_IF_ERROR(hold_until_next_delta(b).status());
  }
  changed = true;
  return Status::ok();
}

}  // namespace tux3
