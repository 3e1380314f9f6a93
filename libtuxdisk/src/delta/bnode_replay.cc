// bnode_replay.cc: applying BNODE_* log records to rebuild bnodes.
#include "delta/bnode_replay.h"

#include <algorithm>

#include <fmt/format.h>

#include "tuxdisk/format/constants.h"

namespace tux3 {

using namespace format;

namespace {

Status bad(const LogRecord& r, std::string_view what) {
  const LogRecordKind* kind = log_record_kind(uint8_t(r.code));
  return Status::corruption(fmt::format("log record {} {} {} {}: {}",
                                        kind ? kind->name : "?", r.fields[0], r.fields[1],
                                        r.fields[2], what));
}

std::vector<BnodeEntry>::iterator find_key(std::vector<BnodeEntry>& v, uint64_t key) {
  return std::lower_bound(v.begin(), v.end(), key,
                          [](const BnodeEntry& e, uint64_t k) { return e.key < k; });
}

}  // namespace

Result<BnodeImage*> BnodeReplay::image(uint64_t block, const LogRecord& record) {
  auto it = images_.find(block);
  if (it == images_.end()) {
    return bad(record, "edits a bnode that was not created or moved in this unify cycle");
  }
  return &it->second;
}

Status BnodeReplay::apply(const LogRecord& r) {
  Status s = apply_strict(r);
  if (s || !tolerant_ || s.code() == Errc::kIoError) return s;
  skipped_.push_back(s.message());
  // A redirect whose source did not read still leaves its old block to the next unify.
  if (r.code == LogCode::kBnodeRedirect && !images_.count(r.fields[1])) {
    released_at_unify_.push_back(r.fields[0]);
  }
  return Status::ok();
}

Status BnodeReplay::apply_strict(const LogRecord& r) {
  const auto& f = r.fields;
  switch (r.code) {
    case LogCode::kBnodeNew: {
      if (f[2] == 0 || f[2] > kMaxTreeDepth) return bad(r, "invalid level");
      if (!images_.emplace(f[0], BnodeImage{f[1], uint16_t(f[2]), {}}).second) {
        return bad(r, "block is already a bnode of this cycle");
      }
      return Status::ok();
    }
    case LogCode::kBnodeRedirect: {
      if (images_.count(f[1])) return bad(r, "target is already a bnode of this cycle");
      auto it = images_.find(f[0]);
      if (it != images_.end()) {
        return bad(r, "moves a bnode that already moved in this unify cycle");
      }
      auto disk = read_disk_(f[0]);
      if (!disk) return std::move(disk).take_status().with_context("BNODE_REDIRECT source");
      images_[f[1]] = BnodeImage{disk->owner, disk->level, std::move(disk->entries)};
      released_at_unify_.push_back(f[0]);
      return Status::ok();
    }
    case LogCode::kBnodeAdd: {
      TUX3_ASSIGN_OR_RETURN(BnodeImage * img, image(f[0], r));
      auto it = find_key(img->entries, f[1]);
      if (it != img->entries.end() && it->key == f[1]) return bad(r, "key already present");
      img->entries.insert(it, {f[1], f[2]});
      return Status::ok();
    }
    case LogCode::kBnodeUpdate: {
      TUX3_ASSIGN_OR_RETURN(BnodeImage * img, image(f[0], r));
      auto it = find_key(img->entries, f[1]);
      if (it == img->entries.end() || it->key != f[1]) return bad(r, "key not present");
      it->child = f[2];
      return Status::ok();
    }
    case LogCode::kBnodeDel: {
      TUX3_ASSIGN_OR_RETURN(BnodeImage * img, image(f[0], r));
      auto it = find_key(img->entries, f[1]);
      if (it == img->entries.end() || it->key != f[1]) return bad(r, "key not present");
      if (f[2] == 0 || f[2] > uint64_t(img->entries.end() - it)) {
        return bad(r, "count runs past the last entry");
      }
      img->entries.erase(it, it + std::ptrdiff_t(f[2]));
      return Status::ok();
    }
    case LogCode::kBnodeFree: {
      if (images_.erase(f[0])) {
        freed_.push_back(f[0]);
      } else {
        released_at_unify_.push_back(f[0]);
      }
      return Status::ok();
    }
    default:
      return Status::ok();
  }
}

}  // namespace tux3
