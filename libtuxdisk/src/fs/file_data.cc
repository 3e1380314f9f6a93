// file_data.cc: file contents: the extent map, reads, writes, truncate, and writing dirty
// data at commit (delayed allocation: blocks are chosen only when the delta commits, and
// every write goes to a new block, redirect-on-write).
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "fs/volume_impl.h"

namespace tux3 {

using namespace format;

namespace {

uint64_t max_file_size(uint32_t block_bits) {
  if (block_bits + 48 >= 63) return uint64_t(INT64_MAX);
  return kMaxBlocks << block_bits;
}

}  // namespace

Result<std::optional<Extent>> VolumeImpl::map_block(Inode& inode, uint64_t logical) {
  TUX3_ASSIGN_OR_RETURN(Btree * tree, inode_tree(inode));
  TUX3_ASSIGN_OR_RETURN(auto item, tree->floor(logical));
  if (!item) return std::optional<Extent>();
  uint64_t first_data = first_data_block(sb_.block_bits);
  TUX3_ASSIGN_OR_RETURN(Extent e, decode_extent(item->key, item->value, sb_.vol_blocks, first_data));
  if (logical >= e.logical + e.count) return std::optional<Extent>();
  return std::optional<Extent>(e);
}

Status VolumeImpl::punch(Inode& inode, uint64_t first, uint64_t end,
                         std::vector<std::pair<uint64_t, uint32_t>>& frees) {
  if (first >= end) return Status::ok();
  TUX3_ASSIGN_OR_RETURN(Btree * tree, inode_tree(inode));
  uint64_t first_data = first_data_block(sb_.block_bits);
  auto handle = [&](const BtreeItem& item) -> Status {
    TUX3_ASSIGN_OR_RETURN(Extent e, decode_extent(item.key, item.value, sb_.vol_blocks, first_data));
    uint64_t e_end = e.logical + e.count;
    if (e_end <= first || e.logical >= end) return Status::ok();
    TUX3_RETURN_IF_ERROR(tree->erase(e.logical).status());
    uint8_t buf[ExtentLayout::kSize];
    if (e.logical < first) {
      encode_extent({e.logical, e.physical, uint32_t(first - e.logical), e.flags}, buf);
      TUX3_RETURN_IF_ERROR(tree->put(e.logical, buf));
    }
    if (e_end > end) {
      encode_extent({end, e.physical + (end - e.logical), uint32_t(e_end - end), e.flags}, buf);
      TUX3_RETURN_IF_ERROR(tree->put(end, buf));
    }
    uint64_t cut_start = std::max(first, e.logical), cut_end = std::min(end, e_end);
    frees.push_back({e.physical + (cut_start - e.logical), uint32_t(cut_end - cut_start)});
    inode.rec.blocks -= std::min<uint64_t>(inode.rec.blocks, cut_end - cut_start);
    return Status::ok();
  };
  TUX3_ASSIGN_OR_RETURN(auto before, tree->floor(first));
  if (before && before->key < first) TUX3_RETURN_IF_ERROR(handle(*before));
  while (true) {
    TUX3_ASSIGN_OR_RETURN(auto item, tree->lower_bound(first));
    if (!item || item->key >= end) break;
    TUX3_RETURN_IF_ERROR(handle(*item));
  }
  return Status::ok();
}

Result<std::size_t> VolumeImpl::read_data(Inode& inode, uint64_t offset, std::span<uint8_t> out) {
  uint64_t size = inode.rec.size;
  if (offset >= size) return std::size_t(0);
  std::size_t n = std::size_t(std::min<uint64_t>(out.size(), size - offset));
  std::size_t done = 0;
  std::vector<uint8_t> block(bs_);
  while (done < n) {
    uint64_t pos = offset + done;
    uint64_t logical = pos / bs_;
    std::size_t in_block = std::size_t(pos % bs_);
    std::size_t chunk = std::min<std::size_t>(bs_ - in_block, n - done);
    if (auto it = inode.pages.find(logical); it != inode.pages.end()) {
      std::memcpy(out.data() + done, it->second.data->data() + in_block, chunk);
    } else {
      TUX3_ASSIGN_OR_RETURN(auto extent, map_block(inode, logical));
      if (!extent || (extent->flags & kExtentUnwritten)) {
        std::memset(out.data() + done, 0, chunk);
      } else {
        uint64_t phys = extent->physical + (logical - extent->logical);
        // Read the rest of this extent that the request covers in one go.
        uint64_t run = std::min<uint64_t>(extent->logical + extent->count - logical,
                                          (n - done + in_block + bs_ - 1) / bs_);
        bool cached_inside = false;
        for (uint64_t b = 1; b < run && !cached_inside; ++b) cached_inside = inode.pages.count(logical + b);
        if (in_block == 0 && run > 1 && !cached_inside && chunk == bs_) {
          std::size_t bytes = std::size_t(std::min<uint64_t>(run * bs_, n - done) / bs_ * bs_);
          TUX3_RETURN_IF_ERROR(dev_.read(phys << sb_.block_bits, out.subspan(done, bytes)));
          done += bytes;
          continue;
        }
        TUX3_RETURN_IF_ERROR(dev_.read(phys << sb_.block_bits, block));
        std::memcpy(out.data() + done, block.data() + in_block, chunk);
      }
    }
    done += chunk;
  }
  return n;
}

Result<std::size_t> VolumeImpl::read(uint64_t ino, uint64_t offset, std::span<uint8_t> out) {
  TUX3_ASSIGN_OR_RETURN(Inode * inode, get_inode(ino));
  if (inode->rec.is_dir()) return Status::from_errno(EISDIR, "read of a directory");
  if (inode->rec.type() != kModeRegular) return Status::from_errno(EINVAL, "read of a special file");
  return read_data(*inode, offset, out);
}

Status VolumeImpl::write_data(Inode& inode, uint64_t offset, std::span<const uint8_t> data) {
  if (data.empty()) return Status::ok();
  if (offset > max_file_size(sb_.block_bits) ||
      data.size() > max_file_size(sb_.block_bits) - offset) {
    return Status::from_errno(EFBIG, "write past the largest file size");
  }
  std::size_t done = 0;
  while (done < data.size()) {
    uint64_t pos = offset + done;
    uint64_t logical = pos / bs_;
    std::size_t in_block = std::size_t(pos % bs_);
    std::size_t chunk = std::min<std::size_t>(bs_ - in_block, data.size() - done);
    TUX3_ASSIGN_OR_RETURN(Page * cached, cached_page(inode, logical, chunk < bs_));
    Page& page = *cached;
    // (under_commit_io first: a request lets go of its buffers before it takes the lock to
    // say it completed, and only that lock orders its reads before this write.)
    if (page.pinned || under_commit_io(page) || page.data.use_count() > 1) {
      // Shared with a request of the delta under commit, an fsync or a reader: fork. The
      // old buffer stays with them, unchanged; the cache gets a copy that belongs to the
      // open delta. (A request that completed has let go of its buffers: no fork then.)
      page.data = buffers_->copy_of(*page.data);
      page.pinned = false;
      stats_.forks++;
      stats_.fork_bytes += bs_;
    }
    page.io_delta = 0;  // this buffer is no longer the one any I/O writes
    std::memcpy(page.data->data() + in_block, data.data() + done, chunk);
    if (!page.dirty) {
      page.dirty = true;
      dirty_bytes_ += bs_;
      inode.dirty_blocks.insert(logical);
      data_inodes_.insert(inode.ino);
    }
    done += chunk;
  }
  inode.rec.size = std::max<uint64_t>(inode.rec.size, offset + data.size());
  inode.rec.mtime = inode.rec.ctime = now();
  touch(inode);
  return Status::ok();
}

Result<Page*> VolumeImpl::cached_page(Inode& inode, uint64_t logical, bool need_contents) {
  if (auto it = inode.pages.find(logical); it != inode.pages.end()) return &it->second;
  auto buffer = buffers_->zeroed();
  if (need_contents && logical * bs_ < inode.rec.size) {
    TUX3_ASSIGN_OR_RETURN(auto extent, map_block(inode, logical));
    if (extent && !(extent->flags & kExtentUnwritten)) {
      uint64_t phys = extent->physical + (logical - extent->logical);
      TUX3_RETURN_IF_ERROR(dev_.read(phys << sb_.block_bits, *buffer));
    }
  }
  ++cached_pages_;
  return &inode.pages.emplace(logical, Page{std::move(buffer)}).first->second;
}

Result<BlockRef> VolumeImpl::pin_block(uint64_t ino, uint64_t index) {
  TUX3_ASSIGN_OR_RETURN(Inode * inode, get_inode(ino));
  if (inode->rec.type() != kModeRegular || ino < kFirstNormalIno) {
    return Status::from_errno(EINVAL, fmt::format("inode {}: not a regular file", ino));
  }
  if (index >= kMaxBlocks) return Status::from_errno(EINVAL, "block index out of range");
  TUX3_ASSIGN_OR_RETURN(Page * page, cached_page(*inode, index, true));
  // Bytes past the end of the file read as zeros (a truncated tail is zeroed already).
  page->pinned = true;
  return BlockRef(page->data);
}

Result<std::size_t> VolumeImpl::write(uint64_t ino, uint64_t offset, std::span<const uint8_t> data) {
  if (opt_.read_only) return Status::from_errno(EROFS, "read-only volume");
  // First, before any lookup (it may wait, and it may evict).
  bool throttled = false;
  TUX3_RETURN_IF_ERROR(throttle(ino, &throttled));
  if (throttled) {
    retry_op_ = true;
    return Status::from_errno(EAGAIN, "retry after the throttle");
  }
  TUX3_ASSIGN_OR_RETURN(Inode * inode, get_inode(ino));
  if (inode->rec.is_dir()) return Status::from_errno(EISDIR, "write to a directory");
  if (inode->rec.type() != kModeRegular || ino < kFirstNormalIno) {
    return Status::from_errno(EINVAL, "write to a special file");
  }
  if (data.empty()) return std::size_t(0);
  // Space for the blocks this write newly dirties.
  uint64_t first = offset / bs_, last = (offset + data.size() - 1) / bs_, fresh = 0;
  for (uint64_t b = first; b <= last && fresh < 1 + last - first; ++b) {
    auto it = inode->pages.find(b);
    fresh += it == inode->pages.end() || !it->second.dirty;
  }
  if (opt_.stable_pages) {
    // Stable pages: a block under I/O is waited for, not forked: until its own request
    // has completed, as the kernel waits for a page's writeback (not for the delta's
    // flush and commit block). (A buffer an fsync is writing is forked: fsync I/O is short
    // and has no delta.)
    const Page* busy = nullptr;
    for (auto it = inode->pages.lower_bound(first); it != inode->pages.end() && it->first <= last;
         ++it) {
      if (under_commit_io(it->second)) {
        busy = &it->second;
        break;
      }
    }
    if (busy) {
      uint64_t delta = busy->io_delta;
      uint32_t request = busy->io_write;
      wait_counted([&] { return failed_ || !request_in_flight(delta, request); },
                   stats_.stable_waits, stats_.stable_wait_ns);
      // A failed commit never makes the block durable: retrying would wait forever.
      if (failed_) return failed_status();
      retry_op_ = true;
      return Status::from_errno(EAGAIN, "retry after waiting for I/O");
    }
  }
  TUX3_RETURN_IF_ERROR(reserve(fresh));
  TUX3_RETURN_IF_ERROR(write_data(*inode, offset, data));
  TUX3_RETURN_IF_ERROR(maybe_commit());
  return data.size();
}

Status VolumeImpl::truncate(Inode& inode, uint64_t size) {
  if (size > max_file_size(sb_.block_bits)) return Status::from_errno(EFBIG, "size too large");
  uint64_t old = inode.rec.size;
  if (size < old) {
    inode.shrunk = true;
    uint64_t keep = (size + bs_ - 1) / bs_;
    // Pages under I/O leave the cache; their buffers stay with the delta writing them.
    for (auto it = inode.pages.lower_bound(keep); it != inode.pages.end();) {
      if (it->second.dirty) {
        dirty_bytes_ -= std::min<uint64_t>(dirty_bytes_, bs_);
        inode.dirty_blocks.erase(it->first);
      }
      it = inode.pages.erase(it);
      --cached_pages_;
    }
    TUX3_RETURN_IF_ERROR(punch(inode, keep, kMaxBlocks, op_frees_));
    if (size % bs_) {
      // Zero the tail of the last block, so growing the file later shows zeros there.
      std::vector<uint8_t> zeros(bs_ - size % bs_, 0);
      uint64_t saved_size = inode.rec.size;
      TUX3_RETURN_IF_ERROR(write_data(inode, size, zeros));
      inode.rec.size = saved_size;
    }
  }
  inode.rec.size = size;
  inode.rec.mtime = inode.rec.ctime = now();
  touch(inode);
  return Status::ok();
}

Status VolumeImpl::map_run(Inode& inode, uint64_t logical, uint64_t phys, uint32_t count,
                           std::vector<std::pair<uint64_t, uint32_t>>& frees) {
  TUX3_ASSIGN_OR_RETURN(Btree * tree, inode_tree(inode));
  TUX3_RETURN_IF_ERROR(punch(inode, logical, logical + count, frees));
  // Extend the extent to the left when this run continues it on disk too.
  uint8_t value[ExtentLayout::kSize];
  Extent merged{logical, phys, count, 0};
  if (logical > 0) {
    TUX3_ASSIGN_OR_RETURN(auto left, map_block(inode, logical - 1));
    if (left && left->flags == 0 && left->physical + left->count == phys &&
        left->logical + left->count == logical && uint64_t(left->count) + count <= UINT32_MAX) {
      merged = {left->logical, left->physical, left->count + count, 0};
    }
  }
  encode_extent(merged, value);
  TUX3_RETURN_IF_ERROR(tree->put(merged.logical, value));
  inode.rec.blocks += count;
  return Status::ok();
}

Result<std::vector<Extent>> VolumeImpl::place_dirty_pages(
    Inode& inode, uint64_t& goal, uint64_t io_delta, std::vector<PlannedWrite>& writes,
    std::vector<std::pair<uint64_t, uint32_t>>& frees, bool split_requests) {
  std::vector<uint64_t> dirty(inode.dirty_blocks.begin(), inode.dirty_blocks.end());
  uint32_t max_request = split_requests
                             ? uint32_t(std::max<uint64_t>(1, kMaxRequestBytes >> sb_.block_bits))
                             : UINT32_MAX;
  std::vector<Extent> placed;
  for (std::size_t i = 0; i < dirty.size();) {
    std::size_t j = i + 1;
    while (j < dirty.size() && dirty[j] == dirty[j - 1] + 1 && j - i < 8192) ++j;
    // Blocks dirty[i..j) are logically contiguous: place them, as contiguously as we can.
    for (std::size_t at = i; at < j;) {
      TUX3_ASSIGN_OR_RETURN(auto run, alloc_->allocate(goal, uint32_t(j - at)));
      auto [phys, count] = run;
      // The pages' buffers are written as they are (shared, not copied): from now on a
      // write to one of them forks it. They stay cached, clean: reads before the write
      // completes must see them.
      for (uint32_t k = 0; k < count; ++k) {
        if (k % max_request == 0) {
          writes.push_back({phys + k, {}});
          writes.back().buffers.reserve(std::min(max_request, count - k));
        }
        Page& page = inode.pages[dirty[at + k]];
        writes.back().buffers.push_back(page.data);
        page.io_delta = io_delta;
        page.io_write = uint32_t(writes.size() - 1);
        page.dirty = false;
        dirty_bytes_ -= std::min<uint64_t>(dirty_bytes_, bs_);
        inode.dirty_blocks.erase(dirty[at + k]);
      }
      TUX3_RETURN_IF_ERROR(map_run(inode, dirty[at], phys, count, frees));
      placed.push_back({dirty[at], phys, count, 0});
      goal = phys + count;
      at += count;
    }
    i = j;
  }
  return placed;
}

Status VolumeImpl::flush_data(Inode& inode, CommitContext& ctx) {
  TUX3_ASSIGN_OR_RETURN(auto placed, place_dirty_pages(inode, ctx.goal, ctx.delta(),
                                                        ctx.plan->writes, ctx.delta_frees,
                                                        /*split_requests=*/true));
  for (const Extent& e : placed) {
    ctx.log({LogCode::kAlloc, {e.physical, e.count}});
    ctx.plan->data_blocks += e.count;
  }
  return Status::ok();
}

}  // namespace tux3
