// fsync_overlay.cc: applied fsyncs laid over records and mappings (fsync_overlay.h).
#include "fsync_overlay.h"

#include <algorithm>

#include "tuxdisk/format/stream.h"

namespace tux3::debugfs {

using namespace format;

namespace {

// Splits `mapping` so that no extent crosses `logical`.
void split_at(std::vector<Extent>& mapping, uint64_t logical) {
  for (std::size_t i = 0; i < mapping.size(); ++i) {
    Extent& e = mapping[i];
    if (e.logical < logical && logical < e.logical + e.count) {
      auto head = uint32_t(logical - e.logical);
      Extent tail{logical, e.physical + head, e.count - head, e.flags};
      e.count = head;
      mapping.insert(mapping.begin() + std::ptrdiff_t(i) + 1, tail);
      return;
    }
  }
}

// Removes every extent whose logical range lies inside [start, end) (after split_at at both
// ends, nothing crosses them).
void remove_inside(std::vector<Extent>& mapping, uint64_t start, uint64_t end,
                   std::vector<Extent>& freed) {
  std::erase_if(mapping, [&](const Extent& e) {
    bool inside = e.logical >= start && e.logical < end;
    if (inside) freed.push_back(e);
    return inside;
  });
}

}  // namespace

void map_range(std::vector<Extent>& mapping, const Extent& extent, std::vector<Extent>& freed) {
  uint64_t end = extent.logical + extent.count;
  split_at(mapping, extent.logical);
  split_at(mapping, end);
  remove_inside(mapping, extent.logical, end, freed);
  auto at = std::lower_bound(mapping.begin(), mapping.end(), extent.logical,
                             [](const Extent& e, uint64_t l) { return e.logical < l; });
  mapping.insert(at, extent);
}

void unmap_from(std::vector<Extent>& mapping, uint64_t first_logical, std::vector<Extent>& freed) {
  split_at(mapping, first_logical);
  remove_inside(mapping, first_logical, UINT64_MAX, freed);
}

Result<FsyncOverlay> FsyncOverlay::build(BlockDevice& device) {
  ReplayOptions options;
  options.dry_run = true;
  TUX3_ASSIGN_OR_RETURN(ReplayReport report, replay_volume(device, options));
  if (report.damage) {
    return Status::corruption(report.damage->reason);
  }
  FsyncOverlay out;
  out.fsyncs_ = std::move(report.fsyncs);
  out.ends_ = std::move(report.streams);
  return out;
}

std::size_t FsyncOverlay::applied_count() const {
  return std::size_t(std::count_if(fsyncs_.begin(), fsyncs_.end(),
                                   [](const FsyncReplayInfo& f) { return f.applied; }));
}

std::vector<const FsyncReplayInfo*> FsyncOverlay::applied_to(uint64_t inum) const {
  std::vector<const FsyncReplayInfo*> out;
  for (const FsyncReplayInfo& f : fsyncs_) {
    if (f.applied && f.record.inum == inum) out.push_back(&f);
  }
  return out;
}

void FsyncOverlay::apply(uint64_t inum, InodeRecord& record, std::vector<Extent>& mapping,
                         uint32_t block_size, std::vector<Extent>* freed) const {
  std::vector<Extent> dropped;
  bool any = false;
  for (const FsyncReplayInfo* f : applied_to(inum)) {
    any = true;
    const StreamBlock& b = f->record;
    for (const Extent& e : b.extents) map_range(mapping, e, dropped);
    if (b.flags & kStreamHasSize) {
      record.size = b.size;
      unmap_from(mapping, (b.size + block_size - 1) / block_size, dropped);
    }
    if (b.flags & kStreamHasMtime) record.mtime = b.mtime;
    if (b.flags & kStreamHasCtime) record.ctime = b.ctime;
    if (b.flags & kStreamHasMode) record.mode = b.mode;
  }
  if (!any) return;
  record.blocks = 0;
  for (const Extent& e : mapping) record.blocks += e.count;
  if (freed) freed->insert(freed->end(), dropped.begin(), dropped.end());
}

}  // namespace tux3::debugfs
