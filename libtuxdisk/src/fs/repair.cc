// repair.cc: fsck's edits on the engine (fs/repair.h).
#include "fs/repair.h"

#include <sys/stat.h>

#include <fmt/format.h>

#include "fs/engine_start.h"
#include "fs/volume_impl.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/format/inode.h"
#include "tuxdisk/format/values.h"

namespace tux3 {

using namespace format;

namespace {

// Whether the checker counted `bytes` (the record of inode `inum`, if any) in the inode
// count it gave open_repairer: a record that decodes or can be salvaged, under a number an
// inode may have.
bool counted_record(uint64_t inum, const std::optional<std::vector<uint8_t>>& bytes) {
  if (!valid_inode_number(inum) || !bytes) return false;
  if (decode_inode(*bytes, inum)) return true;
  std::vector<std::string> fixes;
  return bool(salvage_inode(*bytes, inum, fixes));
}

class RepairerImpl final : public Repairer {
 public:
  explicit RepairerImpl(std::unique_ptr<VolumeImpl> v) : v_(std::move(v)) {}
  ~RepairerImpl() override {
    if (v_) v_->stop_backend();
  }

  Status rebuild_tree(uint64_t tree, std::vector<BtreeItem> items) override {
    std::lock_guard lock(v_->mu_);
    VolumeImpl& v = *v_;
    auto fresh = [&](uint32_t magic, uint64_t owner) -> Result<std::unique_ptr<Btree>> {
      auto t = std::make_unique<Btree>(v.store_, v.bs_, magic, owner, TreeRoot{});
      for (const BtreeItem& item : items) TUX3_RETURN_IF_ERROR(t->put(item.key, item.value));
      return t;
    };
    if (tree == kOwnerInodeTable) {
      TUX3_ASSIGN_OR_RETURN(v.itree_, fresh(kMagicIleaf, kOwnerInodeTable));
      v.inodes_.clear();  // reloaded from the new table
      v.inode_count_ = items.size();
      return Status::ok();
    }
    if (tree == kOwnerOrphans) {
      TUX3_ASSIGN_OR_RETURN(v.otree_, fresh(kMagicOleaf, kOwnerOrphans));
      return Status::ok();
    }
    TUX3_ASSIGN_OR_RETURN(Inode * inode, v.get_inode(tree));
    TUX3_ASSIGN_OR_RETURN(inode->tree,
                          fresh(inode->rec.is_dir() ? kMagicDleaf : kMagicXleaf, tree));
    inode->rec.root = {};
    inode->rec.inline_extents.clear();
    v.touch(*inode);
    return Status::ok();
  }

  Status delete_inode(uint64_t inum) override {
    std::lock_guard lock(v_->mu_);
    VolumeImpl& v = *v_;
    TUX3_ASSIGN_OR_RETURN(auto bytes, v.itree_->get(inum));
    bool counted = counted_record(inum, bytes);
    TUX3_RETURN_IF_ERROR(v.itree_->erase(inum).status());
    TUX3_RETURN_IF_ERROR(v.otree_->erase(inum).status());
    v.inodes_.erase(inum);
    v.dirty_inodes_.erase(inum);
    v.data_inodes_.erase(inum);
    if (counted && v.inode_count_ > 0) --v.inode_count_;
    return Status::ok();
  }

  Status put_record(uint64_t inum, const std::vector<uint8_t>& bytes) override {
    std::lock_guard lock(v_->mu_);
    VolumeImpl& v = *v_;
    TUX3_ASSIGN_OR_RETURN(auto old, v.itree_->get(inum));
    bool counted = counted_record(inum, old);  // a salvaged record was counted already
    TUX3_RETURN_IF_ERROR(v.itree_->put(inum, bytes));
    v.inodes_.erase(inum);
    v.dirty_inodes_.erase(inum);
    v.data_inodes_.erase(inum);
    if (!counted) ++v.inode_count_;
    return Status::ok();
  }

  Status set_nlink(uint64_t inum, uint32_t nlink) override {
    return edit(inum, [&](InodeRecord& r) { r.nlink = nlink; });
  }
  Status set_blocks(uint64_t inum, uint64_t blocks) override {
    return edit(inum, [&](InodeRecord& r) { r.blocks = blocks; });
  }
  Status set_parent(uint64_t dir, uint64_t parent) override {
    return edit(dir, [&](InodeRecord& r) { r.parent = parent; });
  }

  Status drop_extent(uint64_t inum, uint64_t logical) override {
    std::lock_guard lock(v_->mu_);
    TUX3_ASSIGN_OR_RETURN(Inode * inode, v_->get_inode(inum));
    TUX3_ASSIGN_OR_RETURN(Btree * tree, v_->inode_tree(*inode));
    TUX3_RETURN_IF_ERROR(tree->erase(logical).status());
    v_->touch(*inode);
    return Status::ok();
  }

  Status truncate_map(uint64_t inum, uint64_t first) override {
    std::lock_guard lock(v_->mu_);
    VolumeImpl& v = *v_;
    TUX3_ASSIGN_OR_RETURN(Inode * inode, v.get_inode(inum));
    TUX3_ASSIGN_OR_RETURN(Btree * tree, v.inode_tree(*inode));
    TUX3_ASSIGN_OR_RETURN(auto before, tree->floor(first == 0 ? 0 : first - 1));
    if (before && before->key < first) {
      TUX3_ASSIGN_OR_RETURN(Extent e, decode_extent(before->key, before->value, v.sb_.vol_blocks,
                                                    first_data_block(v.sb_.block_bits)));
      if (e.logical + e.count > first) {
        e.count = uint32_t(first - e.logical);
        uint8_t value[ExtentLayout::kSize];
        encode_extent(e, value);
        TUX3_RETURN_IF_ERROR(tree->put(e.logical, value));
      }
    }
    while (true) {
      TUX3_ASSIGN_OR_RETURN(auto item, tree->lower_bound(first));
      if (!item) break;
      TUX3_RETURN_IF_ERROR(tree->erase(item->key).status());
    }
    v.touch(*inode);
    return Status::ok();
  }

  Status remove_entry(uint64_t dir, uint64_t key, uint64_t target) override {
    std::lock_guard lock(v_->mu_);
    TUX3_ASSIGN_OR_RETURN(Inode * d, v_->get_inode(dir));
    TUX3_ASSIGN_OR_RETURN(Btree * tree, v_->inode_tree(*d));
    if (key == 0) {
      bool found = false;
      TUX3_RETURN_IF_ERROR(tree->for_each_item([&](const BtreeItem& item) {
        if (!found && item.value.size() > DirentLayout::kNameOffset &&
            DirentLayout::Inum::get(item.value) == target) {
          key = item.key;
          found = true;
        }
        return Status::ok();
      }));
      if (!found) return Status::ok();  // gone already
    }
    TUX3_ASSIGN_OR_RETURN(bool erased, tree->erase(key));
    if (erased && d->rec.size > 0) --d->rec.size;
    v_->touch(*d);
    return Status::ok();
  }

  Status set_entry_type(uint64_t dir, uint64_t key, uint8_t type) override {
    std::lock_guard lock(v_->mu_);
    TUX3_ASSIGN_OR_RETURN(Inode * d, v_->get_inode(dir));
    TUX3_ASSIGN_OR_RETURN(Btree * tree, v_->inode_tree(*d));
    TUX3_ASSIGN_OR_RETURN(auto value, tree->get(key));
    if (!value || value->size() <= DirentLayout::kNameOffset) return Status::ok();
    DirentLayout::Type::set(*value, type);
    TUX3_RETURN_IF_ERROR(tree->put(key, *value));
    v_->touch(*d);
    return Status::ok();
  }

  Status rekey_entry(uint64_t dir, uint64_t key) override {
    std::lock_guard lock(v_->mu_);
    VolumeImpl& v = *v_;
    TUX3_ASSIGN_OR_RETURN(Inode * d, v.get_inode(dir));
    TUX3_ASSIGN_OR_RETURN(Btree * tree, v.inode_tree(*d));
    TUX3_ASSIGN_OR_RETURN(auto value, tree->get(key));
    if (!value || value->size() <= DirentLayout::kNameOffset) return Status::ok();
    uint64_t inum = DirentLayout::Inum::get(*value);
    auto type = FileType(DirentLayout::Type::get(*value));
    std::string name(value->begin() + DirentLayout::kNameOffset, value->end());
    TUX3_RETURN_IF_ERROR(v.remove_entry(*d, key, name));
    TUX3_ASSIGN_OR_RETURN(auto taken, v.find_entry(*d, name));
    if (taken) return Status::ok();  // a duplicate: dropped
    return v.add_entry(*d, name, inum, type);
  }

  Status reconnect(uint64_t inum) override {
    std::lock_guard lock(v_->mu_);
    VolumeImpl& v = *v_;
    TUX3_ASSIGN_OR_RETURN(Inode * lf, lost_and_found());
    TUX3_ASSIGN_OR_RETURN(Inode * inode, v.get_inode(inum));
    std::string name = fmt::format("#{}", inum);
    for (unsigned n = 1;; ++n) {
      TUX3_ASSIGN_OR_RETURN(auto taken, v.find_entry(*lf, name));
      if (!taken) break;
      name = fmt::format("#{}.{}", inum, n);
    }
    uint64_t lf_ino = lf->ino;
    TUX3_RETURN_IF_ERROR(v.add_entry(*lf, name, inum, file_type_of_mode(inode->rec.mode)));
    if (inode->rec.is_dir()) {
      inode->rec.parent = lf_ino;
      v.touch(*inode);
      ++lf->rec.nlink;
      v.touch(*lf);
    }
    return Status::ok();
  }

  Status remove_orphan(uint64_t inum) override {
    std::lock_guard lock(v_->mu_);
    TUX3_RETURN_IF_ERROR(v_->otree_->erase(inum).status());
    if (auto it = v_->inodes_.find(inum); it != v_->inodes_.end()) it->second->orphan = false;
    return Status::ok();
  }

  Status new_root() override {
    std::lock_guard lock(v_->mu_);
    VolumeImpl& v = *v_;
    TUX3_ASSIGN_OR_RETURN(auto old, v.itree_->get(kInoRoot));
    InodeRecord r;
    r.mode = kModeDirectory | 0755;
    r.nlink = 2;
    r.parent = kInoRoot;
    r.atime = r.mtime = r.ctime = r.btime = v.now();
    TUX3_RETURN_IF_ERROR(v.itree_->put(kInoRoot, encode_inode(r)));
    v.inodes_.erase(kInoRoot);
    v.dirty_inodes_.erase(kInoRoot);
    v.data_inodes_.erase(kInoRoot);
    if (!counted_record(kInoRoot, old)) ++v.inode_count_;
    return Status::ok();
  }

  Result<uint64_t> finish(const std::vector<uint64_t>& unused) override {
    {
      std::lock_guard lock(v_->mu_);
      VolumeImpl& v = *v_;
      for (uint64_t b : unused) {
        TUX3_ASSIGN_OR_RETURN(bool allocated, v.alloc_->is_allocated(b));
        if (allocated) v.op_frees_.push_back({b, 1});
      }
      TUX3_RETURN_IF_ERROR(v.commit_and_wait(true).with_context("writing the repairs"));
      TUX3_RETURN_IF_ERROR(v.close().with_context("closing after the repairs"));
    }
    v_->stop_backend();
    return v_->sb_.delta;
  }

 private:
  template <class F>
  Status edit(uint64_t inum, F change) {
    std::lock_guard lock(v_->mu_);
    TUX3_ASSIGN_OR_RETURN(Inode * inode, v_->get_inode(inum));
    change(inode->rec);
    v_->touch(*inode);
    return Status::ok();
  }

  // /lost+found, made (mode 0700, like e2fsck's) if the root has none. REQUIRES: mu_.
  Result<Inode*> lost_and_found() {
    VolumeImpl& v = *v_;
    TUX3_ASSIGN_OR_RETURN(Inode * root, v.get_inode(kInoRoot));
    TUX3_ASSIGN_OR_RETURN(auto found, v.find_entry(*root, "lost+found"));
    if (found) {
      TUX3_ASSIGN_OR_RETURN(Inode * lf, v.get_inode(found->dirent.inum));
      if (lf->rec.is_dir()) return lf;
      return Status::corruption("/lost+found is not a directory");
    }
    TUX3_ASSIGN_OR_RETURN(Attr a, v.make_node(kInoRoot, "lost+found", S_IFDIR | 0700, 0, 0, 0, {}));
    return v.get_inode(a.ino);
  }

  std::unique_ptr<VolumeImpl> v_;
};

}  // namespace

Result<std::unique_ptr<Repairer>> open_repairer(
    BlockDevice& device, const VolumeOptions& options, const Superblock& super,
    std::shared_ptr<const std::vector<uint64_t>> allocation, uint64_t inode_count) {
  VolumeOptions o = options;
  o.read_only = false;
  auto v = std::make_unique<VolumeImpl>(device, o, super);
  EngineStart start;
  start.super = super;
  start.allocation = std::move(allocation);
  start.tolerant_replay = true;  // the trees it would damage are rebuilt
  start.inode_count = inode_count;
  TUX3_RETURN_IF_ERROR(v->start(start).with_context(device.name()));
  return std::unique_ptr<Repairer>(std::make_unique<RepairerImpl>(std::move(v)));
}

}  // namespace tux3
