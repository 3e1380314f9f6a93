// namei.cc: directory entries and the namespace operations built on them.
//
// A directory's index is a btree keyed by dirent_key(name_hash(name), collision): lookups
// read the (usually single) key of a name's hash; readdir walks keys in order, and the
// key is the resumable offset. "." and ".." are not stored: ".." is the PARENT attribute.
#include <fmt/format.h>

#include "fs/volume_impl.h"
#include "tuxdisk/format/node.h"

namespace tux3 {

using namespace format;

namespace {

Status check_name(std::string_view name, uint32_t block_size) {
  if (name.size() > max_name_len(block_size)) {
    return Status::from_errno(ENAMETOOLONG,
                              fmt::format("name of {} bytes is longer than {}", name.size(),
                                          max_name_len(block_size)));
  }
  if (!valid_name(name)) {
    return Status::from_errno(EINVAL, fmt::format("'{}' is not a valid name", name));
  }
  return Status::ok();
}

}  // namespace

Result<Inode*> VolumeImpl::get_dir(uint64_t ino) {
  TUX3_ASSIGN_OR_RETURN(Inode * dir, get_inode(ino));
  if (!dir->rec.is_dir()) return Status::from_errno(ENOTDIR, fmt::format("inode {}: not a directory", ino));
  if (dir->rec.nlink == 0) return Status::from_errno(ENOENT, fmt::format("directory {} was removed", ino));
  return dir;
}

Result<std::optional<VolumeImpl::Found>> VolumeImpl::find_entry(Inode& dir,
                                                                std::string_view name) {
  TUX3_ASSIGN_OR_RETURN(Btree * tree, inode_tree(dir));
  uint64_t hash = name_hash(name, sb_.hash_seed);
  uint64_t key = hash;
  while (true) {
    TUX3_ASSIGN_OR_RETURN(auto item, tree->lower_bound(key));
    if (!item || dirent_hash_of_key(item->key) != hash) return std::optional<Found>();
    TUX3_ASSIGN_OR_RETURN(Dirent d, decode_dirent(item->key, item->value, sb_.hash_seed));
    if (d.name == name) return std::optional<Found>(Found{item->key, std::move(d)});
    if ((item->key & 0xff) == 0xff) return std::optional<Found>();
    key = item->key + 1;
  }
}

Status VolumeImpl::add_entry(Inode& dir, std::string_view name, uint64_t ino, FileType type) {
  TUX3_ASSIGN_OR_RETURN(Btree * tree, inode_tree(dir));
  uint64_t hash = name_hash(name, sb_.hash_seed);
  // The lowest collision index not taken by another name with the same hash.
  uint64_t key = hash;
  while (true) {
    TUX3_ASSIGN_OR_RETURN(auto item, tree->lower_bound(key));
    if (!item || item->key != key) break;
    if ((key & 0xff) == 0xff) {
      return Status::from_errno(ENOSPC, fmt::format("directory {}: 256 names share one hash",
                                                    dir.ino));
    }
    ++key;
  }
  Dirent d{key, ino, type, std::string(name)};
  TUX3_RETURN_IF_ERROR(tree->put(key, encode_dirent(d)));
  ++dir.rec.size;
  dir.rec.mtime = dir.rec.ctime = now();
  touch(dir);
  return Status::ok();
}

Status VolumeImpl::remove_entry(Inode& dir, uint64_t key, std::string_view name) {
  TUX3_ASSIGN_OR_RETURN(Btree * tree, inode_tree(dir));
  TUX3_ASSIGN_OR_RETURN(bool erased, tree->erase(key));
  if (!erased) {
    return Status::corruption(fmt::format("directory {}: entry '{}' vanished", dir.ino, name));
  }
  if (dir.rec.size > 0) --dir.rec.size;
  dir.rec.mtime = dir.rec.ctime = now();
  touch(dir);
  return Status::ok();
}

Result<bool> VolumeImpl::dir_is_empty(Inode& dir) {
  TUX3_ASSIGN_OR_RETURN(Btree * tree, inode_tree(dir));
  TUX3_ASSIGN_OR_RETURN(auto item, tree->lower_bound(0));
  return !item.has_value();
}

Result<Attr> VolumeImpl::lookup(uint64_t dir_ino, std::string_view name) {
  TUX3_ASSIGN_OR_RETURN(Inode * dir, get_dir(dir_ino));
  if (name == ".") return attr_of(*dir);
  if (name == "..") return getattr(dir->rec.parent);
  TUX3_RETURN_IF_ERROR(check_name(name, bs_));
  TUX3_ASSIGN_OR_RETURN(auto found, find_entry(*dir, name));
  if (!found) return Status::from_errno(ENOENT, fmt::format("'{}': no such entry", name));
  TUX3_ASSIGN_OR_RETURN(Inode * inode, get_inode(found->dirent.inum));
  return attr_of(*inode);
}

Result<Attr> VolumeImpl::make_node(uint64_t dir_ino, std::string_view name, uint32_t mode,
                                   uint64_t rdev, uint32_t uid, uint32_t gid,
                                   std::string_view target) {
  if (opt_.read_only) return Status::from_errno(EROFS, "read-only volume");
  TUX3_ASSIGN_OR_RETURN(Inode * dir, get_dir(dir_ino));
  TUX3_RETURN_IF_ERROR(check_name(name, bs_));
  TUX3_ASSIGN_OR_RETURN(auto existing, find_entry(*dir, name));
  if (existing) return Status::from_errno(EEXIST, fmt::format("'{}': exists", name));
  TUX3_RETURN_IF_ERROR(reserve(2 + target.size() / bs_));
  FileType type = file_type_of_mode(mode);
  if (type == FileType::kUnknown) return Status::from_errno(EINVAL, "invalid file type");
  bool is_dir = type == FileType::kDirectory;
  if (is_dir && dir->rec.nlink >= kMaxLinkCount) {
    return Status::from_errno(EMLINK, fmt::format("directory {}: too many subdirectories", dir_ino));
  }
  if (type == FileType::kSymlink) {
    if (target.empty()) return Status::from_errno(ENOENT, "empty symlink target");
    if (target.size() > kMaxSymlinkLen) {
      return Status::from_errno(ENAMETOOLONG, "symlink target longer than 4095 bytes");
    }
  }
  TUX3_ASSIGN_OR_RETURN(Inode * inode,
                        new_inode((mode & kModeTypeMask) | (mode & kModePermMask), uid, gid));
  InodeRecord& r = inode->rec;
  r.nlink = 1;
  if (is_dir) {
    r.nlink = 2;
    r.parent = dir_ino;
  }
  if (type == FileType::kCharDevice || type == FileType::kBlockDevice) r.rdev = rdev;
  if (type == FileType::kSymlink) {
    r.size = target.size();
    if (target.size() <= max_inline_symlink_len(bs_)) {
      r.inline_symlink = std::string(target);
    } else {
      r.size = 0;
      std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(target.data()),
                                     target.size());
      TUX3_RETURN_IF_ERROR(write_data(*inode, 0, bytes));
    }
  }
  TUX3_RETURN_IF_ERROR(add_entry(*dir, name, inode->ino, type));
  if (is_dir) ++dir->rec.nlink;
  Attr a = attr_of(*inode);
  TUX3_RETURN_IF_ERROR(maybe_commit());
  return a;
}

Result<Attr> VolumeImpl::create(uint64_t dir, std::string_view name, uint32_t mode, uint32_t uid,
                                uint32_t gid) {
  return make_node(dir, name, kModeRegular | (mode & kModePermMask), 0, uid, gid, {});
}

Result<Attr> VolumeImpl::mkdir(uint64_t dir, std::string_view name, uint32_t mode, uint32_t uid,
                               uint32_t gid) {
  return make_node(dir, name, kModeDirectory | (mode & kModePermMask), 0, uid, gid, {});
}

Result<Attr> VolumeImpl::mknod(uint64_t dir, std::string_view name, uint32_t mode, uint64_t rdev,
                               uint32_t uid, uint32_t gid) {
  uint32_t type = mode & kModeTypeMask;
  if (type == kModeDirectory || type == kModeSymlink) {
    return Status::from_errno(EINVAL, "mknod cannot make directories or symlinks");
  }
  if (type == 0) mode |= kModeRegular;
  return make_node(dir, name, mode, rdev, uid, gid, {});
}

Result<Attr> VolumeImpl::symlink(uint64_t dir, std::string_view name, std::string_view target,
                                 uint32_t uid, uint32_t gid) {
  return make_node(dir, name, kModeSymlink | 0777, 0, uid, gid, target);
}

Result<std::string> VolumeImpl::readlink(uint64_t ino) {
  TUX3_ASSIGN_OR_RETURN(Inode * inode, get_inode(ino));
  if (inode->rec.type() != kModeSymlink) return Status::from_errno(EINVAL, "not a symlink");
  if (inode->rec.inline_symlink) return *inode->rec.inline_symlink;
  std::string target(inode->rec.size, '\0');
  TUX3_ASSIGN_OR_RETURN(std::size_t n,
                        read_data(*inode, 0, std::span(reinterpret_cast<uint8_t*>(target.data()),
                                                       target.size())));
  target.resize(n);
  return target;
}

Result<Attr> VolumeImpl::link(uint64_t ino, uint64_t dir_ino, std::string_view name) {
  if (opt_.read_only) return Status::from_errno(EROFS, "read-only volume");
  TUX3_RETURN_IF_ERROR(reserve(1));
  TUX3_ASSIGN_OR_RETURN(Inode * inode, get_inode(ino));
  if (inode->rec.is_dir()) return Status::from_errno(EPERM, "hard link to a directory");
  if (ino < kFirstNormalIno) return Status::from_errno(EPERM, "link to an internal inode");
  if (inode->rec.nlink == 0) return Status::from_errno(ENOENT, "link to a removed file");
  if (inode->rec.nlink >= kMaxLinkCount) return Status::from_errno(EMLINK, "too many links");
  TUX3_ASSIGN_OR_RETURN(Inode * dir, get_dir(dir_ino));
  TUX3_RETURN_IF_ERROR(check_name(name, bs_));
  TUX3_ASSIGN_OR_RETURN(auto existing, find_entry(*dir, name));
  if (existing) return Status::from_errno(EEXIST, fmt::format("'{}': exists", name));
  TUX3_RETURN_IF_ERROR(add_entry(*dir, name, ino, file_type_of_mode(inode->rec.mode)));
  ++inode->rec.nlink;
  inode->rec.ctime = now();
  inode->relinked = true;
  touch(*inode);
  Attr a = attr_of(*inode);
  TUX3_RETURN_IF_ERROR(maybe_commit());
  return a;
}

Status VolumeImpl::unlink(uint64_t dir_ino, std::string_view name) {
  if (opt_.read_only) return Status::from_errno(EROFS, "read-only volume");
  TUX3_ASSIGN_OR_RETURN(Inode * dir, get_dir(dir_ino));
  TUX3_RETURN_IF_ERROR(check_name(name, bs_));
  TUX3_ASSIGN_OR_RETURN(auto found, find_entry(*dir, name));
  if (!found) return Status::from_errno(ENOENT, fmt::format("'{}': no such entry", name));
  TUX3_ASSIGN_OR_RETURN(Inode * inode, get_inode(found->dirent.inum));
  if (inode->rec.is_dir()) return Status::from_errno(EISDIR, fmt::format("'{}': is a directory", name));
  TUX3_RETURN_IF_ERROR(remove_entry(*dir, found->key, name));
  TUX3_RETURN_IF_ERROR(drop_link(*inode));
  return maybe_commit();
}

Status VolumeImpl::rmdir(uint64_t dir_ino, std::string_view name) {
  if (opt_.read_only) return Status::from_errno(EROFS, "read-only volume");
  if (name == ".") return Status::from_errno(EINVAL, "rmdir of '.'");
  if (name == "..") return Status::from_errno(ENOTEMPTY, "rmdir of '..'");
  TUX3_ASSIGN_OR_RETURN(Inode * dir, get_dir(dir_ino));
  TUX3_RETURN_IF_ERROR(check_name(name, bs_));
  TUX3_ASSIGN_OR_RETURN(auto found, find_entry(*dir, name));
  if (!found) return Status::from_errno(ENOENT, fmt::format("'{}': no such entry", name));
  TUX3_ASSIGN_OR_RETURN(Inode * victim, get_inode(found->dirent.inum));
  if (!victim->rec.is_dir()) return Status::from_errno(ENOTDIR, fmt::format("'{}': not a directory", name));
  TUX3_ASSIGN_OR_RETURN(bool empty, dir_is_empty(*victim));
  if (!empty) return Status::from_errno(ENOTEMPTY, fmt::format("'{}': directory not empty", name));
  TUX3_RETURN_IF_ERROR(remove_entry(*dir, found->key, name));
  TUX3_RETURN_IF_ERROR(drop_link(*victim));
  --dir->rec.nlink;  // the victim's ".."
  return maybe_commit();
}

Result<bool> VolumeImpl::is_ancestor(uint64_t ancestor, uint64_t ino) {
  for (uint64_t at = ino, steps = 0; ; ++steps) {
    if (at == ancestor) return true;
    if (at == kRootIno) return false;
    if (steps > (uint64_t(1) << 24)) return Status::corruption("directory parent chain loops");
    TUX3_ASSIGN_OR_RETURN(Inode * inode, get_inode(at));
    at = inode->rec.parent;
  }
}

Status VolumeImpl::rename(uint64_t old_dir_ino, std::string_view old_name, uint64_t new_dir_ino,
                          std::string_view new_name, unsigned flags) {
  if (opt_.read_only) return Status::from_errno(EROFS, "read-only volume");
  TUX3_RETURN_IF_ERROR(reserve(1));
  if (flags & ~(kRenameNoReplace | kRenameExchange) ||
      flags == (kRenameNoReplace | kRenameExchange)) {
    return Status::from_errno(EINVAL, "invalid rename flags");
  }
  TUX3_ASSIGN_OR_RETURN(Inode * old_dir, get_dir(old_dir_ino));
  TUX3_ASSIGN_OR_RETURN(Inode * new_dir, get_dir(new_dir_ino));
  TUX3_RETURN_IF_ERROR(check_name(old_name, bs_));
  TUX3_RETURN_IF_ERROR(check_name(new_name, bs_));
  TUX3_ASSIGN_OR_RETURN(auto src, find_entry(*old_dir, old_name));
  if (!src) return Status::from_errno(ENOENT, fmt::format("'{}': no such entry", old_name));
  TUX3_ASSIGN_OR_RETURN(auto dst, find_entry(*new_dir, new_name));
  TUX3_ASSIGN_OR_RETURN(Inode * moved, get_inode(src->dirent.inum));
  Inode* target = nullptr;
  if (dst) {
    TUX3_ASSIGN_OR_RETURN(target, get_inode(dst->dirent.inum));
  }
  if ((flags & kRenameNoReplace) && dst) return Status::from_errno(EEXIST, "target exists");
  if ((flags & kRenameExchange) && !dst) return Status::from_errno(ENOENT, "no target to exchange");
  if (dst && target == moved) return Status::ok();  // two names of one inode: nothing to do
  // A directory may not move into itself or below itself.
  if (moved->rec.is_dir() && old_dir_ino != new_dir_ino) {
    TUX3_ASSIGN_OR_RETURN(bool inside, is_ancestor(moved->ino, new_dir_ino));
    if (inside) return Status::from_errno(EINVAL, "a directory cannot move below itself");
  }
  if ((flags & kRenameExchange) && target->rec.is_dir() && old_dir_ino != new_dir_ino) {
    TUX3_ASSIGN_OR_RETURN(bool inside, is_ancestor(target->ino, old_dir_ino));
    if (inside) return Status::from_errno(EINVAL, "a directory cannot move below itself");
  }
  Timestamp t = now();
  auto reparent = [&](Inode& child, Inode& from, Inode& to) -> Status {
    if (!child.rec.is_dir() || from.ino == to.ino) return Status::ok();
    if (to.rec.nlink >= kMaxLinkCount) return Status::from_errno(EMLINK, "too many subdirectories");
    child.rec.parent = to.ino;
    --from.rec.nlink;
    ++to.rec.nlink;
    touch(from);
    touch(to);
    return Status::ok();
  };
  if (flags & kRenameExchange) {
    // Swap what the two entries name: rewrite both values in place (keys stay).
    TUX3_ASSIGN_OR_RETURN(Btree * otree, inode_tree(*old_dir));
    TUX3_ASSIGN_OR_RETURN(Btree * ntree, inode_tree(*new_dir));
    Dirent a = src->dirent, b = dst->dirent;
    std::swap(a.inum, b.inum);
    std::swap(a.type, b.type);
    TUX3_RETURN_IF_ERROR(otree->put(a.key, encode_dirent(a)));
    TUX3_RETURN_IF_ERROR(ntree->put(b.key, encode_dirent(b)));
    TUX3_RETURN_IF_ERROR(reparent(*moved, *old_dir, *new_dir));
    TUX3_RETURN_IF_ERROR(reparent(*target, *new_dir, *old_dir));
    moved->rec.ctime = target->rec.ctime = t;
    moved->relinked = target->relinked = true;
    old_dir->rec.mtime = old_dir->rec.ctime = new_dir->rec.mtime = new_dir->rec.ctime = t;
    touch(*moved);
    touch(*target);
    touch(*old_dir);
    touch(*new_dir);
    return maybe_commit();
  }
  if (target) {
    if (moved->rec.is_dir()) {
      if (!target->rec.is_dir()) return Status::from_errno(ENOTDIR, "target is not a directory");
      TUX3_ASSIGN_OR_RETURN(bool empty, dir_is_empty(*target));
      if (!empty) return Status::from_errno(ENOTEMPTY, "target directory not empty");
    } else if (target->rec.is_dir()) {
      return Status::from_errno(EISDIR, "target is a directory");
    }
    if (moved->rec.is_dir() && new_dir->rec.nlink >= kMaxLinkCount && old_dir != new_dir) {
      return Status::from_errno(EMLINK, "too many subdirectories");
    }
    TUX3_RETURN_IF_ERROR(remove_entry(*new_dir, dst->key, new_name));
    TUX3_RETURN_IF_ERROR(drop_link(*target));
    if (target->rec.is_dir()) --new_dir->rec.nlink;
  }
  // Remove first: a rename within one directory may land on the same hash.
  TUX3_RETURN_IF_ERROR(remove_entry(*old_dir, src->key, old_name));
  TUX3_RETURN_IF_ERROR(add_entry(*new_dir, new_name, moved->ino, src->dirent.type));
  TUX3_RETURN_IF_ERROR(reparent(*moved, *old_dir, *new_dir));
  moved->rec.ctime = t;
  moved->relinked = true;
  touch(*moved);
  return maybe_commit();
}

Status VolumeImpl::readdir(uint64_t dir_ino, uint64_t offset,
                           const std::function<bool(const DirEntry&)>& emit) {
  TUX3_ASSIGN_OR_RETURN(Inode * dir, get_dir(dir_ino));
  if (offset == 0 && !emit({".", dir_ino, FileType::kDirectory, 1})) return Status::ok();
  if (offset <= 1 && !emit({"..", dir->rec.parent, FileType::kDirectory, 2})) return Status::ok();
  TUX3_ASSIGN_OR_RETURN(Btree * tree, inode_tree(*dir));
  // Entry offsets are key + 3: 0, 1 and 2 are the start, "." and "..".
  uint64_t key = offset <= 2 ? 0 : offset - 2;
  while (true) {
    TUX3_ASSIGN_OR_RETURN(auto item, tree->lower_bound(key));
    if (!item) return Status::ok();
    TUX3_ASSIGN_OR_RETURN(Dirent d, decode_dirent(item->key, item->value, sb_.hash_seed));
    if (!emit({d.name, d.inum, d.type, item->key + 3})) return Status::ok();
    key = item->key + 1;
  }
}

}  // namespace tux3
