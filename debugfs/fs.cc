// fs.cc: inodes, directories, paths and data of a session's state (fs.h).
#include "fs.h"

#include <algorithm>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "names.h"
#include "tree_walk.h"
#include "tuxdisk/format/constants.h"

namespace tux3::debugfs {

using namespace format;

Result<RawInode> find_inode(VolumeReader& reader, uint64_t inum) {
  auto absent = [inum] { return Status::not_found(fmt::format("inode {} does not exist", inum)); };
  const TreeRoot root = reader.super().itree;
  if (root.empty()) return absent();
  if (root.depth > kMaxTreeDepth) {
    return Status::corruption(fmt::format("inode table depth {} is more than {}", root.depth,
                                          kMaxTreeDepth));
  }
  uint64_t block = root.block;
  for (int level = root.depth; level > 0; --level) {
    TUX3_ASSIGN_OR_RETURN(Bnode node, reader.read_bnode(block, kOwnerInodeTable, uint16_t(level)));
    std::size_t i = 0;
    while (i + 1 < node.entries.size() && node.entries[i + 1].key <= inum) ++i;
    if (node.entries[i].key > inum) return absent();
    block = node.entries[i].child;
  }
  if (block < reader.first_data_block() || block >= reader.super().vol_blocks) {
    return Status::corruption(fmt::format("inode table: leaf pointer {} outside the data area", block));
  }
  std::vector<uint8_t> buf(reader.block_size());
  TUX3_RETURN_IF_ERROR(reader.read_block(block, buf));
  TUX3_ASSIGN_OR_RETURN(LeafView leaf,
                        LeafView::decode(buf, NodeExpect{reader.expect(kMagicIleaf, block),
                                                         kOwnerInodeTable, reader.super().vol_blocks}));
  std::size_t i = leaf.lower_bound(inum);
  if (i == leaf.size() || leaf.key(i) != inum) return absent();
  auto value = leaf.value(i);
  return RawInode{block, i, std::vector<uint8_t>(value.begin(), value.end())};
}

Result<InodeRef> load_inode(Session& session, uint64_t inum) {
  TUX3_ASSIGN_OR_RETURN(VolumeReader * reader, session.reader());
  TUX3_ASSIGN_OR_RETURN(RawInode raw, find_inode(*reader, inum));
  auto rec = decode_inode(raw.value, inum);
  if (!rec) {
    std::string why = rec.status().message();
    if (!why.starts_with(fmt::format("inode {}:", inum))) why = fmt::format("inode {}: {}", inum, why);
    return Status::corruption(fmt::format("{} (ileaf {} slot {})", why, raw.leaf, raw.slot))
        .at_block(raw.leaf);
  }
  InodeRef out;
  out.inum = inum;
  out.disk = std::move(*rec);
  out.rec = out.disk;
  out.leaf = raw.leaf;
  out.slot = raw.slot;
  out.record_bytes = raw.value.size();
  out.fsyncs = session.overlay().applied_to(inum);
  if (!out.fsyncs.empty()) {
    TUX3_ASSIGN_OR_RETURN(std::vector<Extent> mapping, reader->file_extents(inum, out.disk));
    session.overlay().apply(inum, out.rec, mapping, reader->block_size());
  }
  return out;
}

Result<std::vector<Extent>> file_mapping(Session& session, const InodeRef& inode) {
  TUX3_ASSIGN_OR_RETURN(VolumeReader * reader, session.reader());
  if (inode.rec.is_dir()) {
    return Status::invalid_argument(fmt::format("inode {} is a directory", inode.inum));
  }
  // The fsyncs are laid over the mapping the inode table gives.
  if (inode.fsyncs.empty()) return reader->file_extents(inode.inum, inode.disk);
  TUX3_ASSIGN_OR_RETURN(std::vector<Extent> mapping, reader->file_extents(inode.inum, inode.disk));
  InodeRecord overlaid = inode.disk;
  session.overlay().apply(inode.inum, overlaid, mapping, reader->block_size());
  return mapping;
}

Result<DirListing> list_dir(Session& session, const InodeRef& dir) {
  if (!dir.rec.is_dir()) {
    return Status::invalid_argument(fmt::format("inode {} is not a directory", dir.inum));
  }
  TUX3_ASSIGN_OR_RETURN(VolumeReader * reader, session.reader());
  DirListing out;
  WalkVisitor visitor;
  visitor.on_leaf = [&](uint64_t block, const LeafView& leaf, uint64_t, uint64_t) {
    for (std::size_t i = 0; i < leaf.size(); ++i) {
      auto d = decode_dirent(leaf.key(i), leaf.value(i), reader->super().hash_seed);
      if (d) {
        out.entries.push_back(std::move(*d));
      } else {
        auto value = leaf.value(i);
        std::string name = value.size() > DirentLayout::kNameOffset
                               ? printable(value.subspan(DirentLayout::kNameOffset))
                               : std::string();
        out.problems.push_back(fmt::format("dleaf {} slot {} (key {:#x}, name '{}'): {}", block,
                                           i, leaf.key(i), name, d.status().message()));
      }
    }
  };
  visitor.on_bad = [&](uint64_t block, uint16_t level, const Status& why) {
    out.problems.push_back(fmt::format("directory {}: {} at block {}: {}", dir.inum,
                                       level ? "bnode" : "dleaf", block, why.message()));
  };
  TUX3_RETURN_IF_ERROR(walk_tolerant(*reader, dir.rec.root, dir.inum, kMagicDleaf, visitor).status());
  return out;
}

Result<std::optional<Dirent>> lookup(Session& session, const InodeRef& dir, std::string_view name) {
  if (!dir.rec.is_dir()) {
    return Status::invalid_argument(fmt::format("inode {} is not a directory", dir.inum));
  }
  TUX3_ASSIGN_OR_RETURN(VolumeReader * reader, session.reader());
  const TreeRoot root = dir.rec.root;
  if (root.empty()) return std::optional<Dirent>();
  const uint64_t seed = reader->super().hash_seed;
  const uint64_t hash = name_hash(name, seed), last = hash | 0xff;
  auto scan_all = [&]() -> Result<std::optional<Dirent>> {
    TUX3_ASSIGN_OR_RETURN(DirListing all, list_dir(session, dir));
    for (Dirent& d : all.entries) {
      if (d.name == name) return std::optional(std::move(d));
    }
    if (!all.problems.empty()) return Status::corruption(all.problems.front());
    return std::optional<Dirent>();
  };
  if (root.depth > kMaxTreeDepth) return scan_all();
  uint64_t block = root.block, high = std::numeric_limits<uint64_t>::max();
  for (int level = root.depth; level > 0; --level) {
    auto node = reader->read_bnode(block, dir.inum, uint16_t(level));
    if (!node) return scan_all();
    std::size_t i = 0;
    while (i + 1 < node->entries.size() && node->entries[i + 1].key <= hash) ++i;
    if (i + 1 < node->entries.size()) high = node->entries[i + 1].key;
    block = node->entries[i].child;
  }
  if (block < reader->first_data_block() || block >= reader->super().vol_blocks) return scan_all();
  std::vector<uint8_t> buf(reader->block_size());
  TUX3_RETURN_IF_ERROR(reader->read_block(block, buf));
  auto leaf = LeafView::decode(buf, NodeExpect{reader->expect(kMagicDleaf, block), dir.inum,
                                               reader->super().vol_blocks});
  if (!leaf) return scan_all();
  std::size_t i = leaf->lower_bound(hash);
  for (; i < leaf->size() && leaf->key(i) <= last; ++i) {
    auto d = decode_dirent(leaf->key(i), leaf->value(i), seed);
    if (d && d->name == name) return std::optional(std::move(*d));
  }
  // The names of this hash may go on in the next leaf.
  if (i == leaf->size() && high <= last) return scan_all();
  return std::optional<Dirent>();
}

namespace {

Result<uint64_t> parse_inode_spec(std::string_view spec) {
  std::string_view digits = spec.substr(1, spec.size() - 2);
  uint64_t inum = 0;
  bool ok = !digits.empty() && digits.size() <= 20;
  for (char c : digits) {
    ok = ok && c >= '0' && c <= '9';
    if (ok) inum = inum * 10 + uint64_t(c - '0');
  }
  if (!ok || inum == 0 || inum > kMaxInum) {
    return Status::invalid_argument(fmt::format("'{}': an inode is written <N>, N from 1 to {}",
                                                spec, kMaxInum));
  }
  return inum;
}

std::string join_path(const std::string& dir, std::string_view name) {
  return dir == "/" ? "/" + std::string(name) : dir + "/" + std::string(name);
}

std::string parent_path(const std::string& path) {
  if (path == "/" || path.empty() || path[0] != '/') return path;
  std::size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

Result<Resolved> resolve(Session& session, std::string_view spec) {
  if (spec.empty()) return Status::invalid_argument("an empty path");
  Resolved at{session.cwd(), session.cwd_path()};
  std::string_view rest = spec;
  if (spec.front() == '<') {
    std::size_t close = spec.find('>');
    if (close == std::string_view::npos) {
      return Status::invalid_argument(fmt::format("'{}': an inode is written <N>", spec));
    }
    TUX3_ASSIGN_OR_RETURN(at.inum, parse_inode_spec(spec.substr(0, close + 1)));
    at.path = std::string(spec.substr(0, close + 1));
    rest = spec.substr(close + 1);
    if (!rest.empty() && rest.front() != '/') {
      return Status::invalid_argument(fmt::format("'{}': a '/' must follow <N>", spec));
    }
  } else if (spec.front() == '/') {
    at = Resolved{kInoRoot, "/"};
  }
  std::size_t pos = 0;
  while (pos <= rest.size()) {
    std::size_t slash = rest.find('/', pos);
    std::string_view name = rest.substr(pos, slash == std::string_view::npos ? std::string_view::npos
                                                                              : slash - pos);
    pos = slash == std::string_view::npos ? rest.size() + 1 : slash + 1;
    if (name.empty() || name == ".") continue;
    TUX3_ASSIGN_OR_RETURN(InodeRef dir, load_inode(session, at.inum));
    if (!dir.rec.is_dir()) {
      return Status::not_found(fmt::format("{}: not a directory", at.path));
    }
    if (name == "..") {
      at.inum = dir.rec.parent;
      at.path = at.path.starts_with("/") ? parent_path(at.path) : fmt::format("<{}>", at.inum);
      continue;
    }
    TUX3_ASSIGN_OR_RETURN(auto entry, lookup(session, dir, name));
    if (!entry) {
      return Status::not_found(fmt::format("{}: no such file or directory",
                                           join_path(at.path, printable(name))));
    }
    at.inum = entry->inum;
    at.path = join_path(at.path, name);
  }
  return at;
}

Result<InodeRef> load_path(Session& session, const std::string& path) {
  TUX3_ASSIGN_OR_RETURN(Resolved where, resolve(session, path));
  auto inode = load_inode(session, where.inum);
  if (!inode) return inode.status().with_context(printable(path));
  return inode;
}

Result<std::string> dir_path(Session& session, uint64_t dir) {
  std::vector<std::string> names;
  std::set<uint64_t> seen;
  uint64_t at = dir;
  while (at != kInoRoot) {
    if (!seen.insert(at).second) {
      return Status::corruption(fmt::format("directory {}: its PARENT chain loops", dir));
    }
    TUX3_ASSIGN_OR_RETURN(InodeRef inode, load_inode(session, at));
    if (!inode.rec.is_dir()) {
      return Status::corruption(fmt::format("inode {} is not a directory", at));
    }
    TUX3_ASSIGN_OR_RETURN(InodeRef parent, load_inode(session, inode.rec.parent));
    TUX3_ASSIGN_OR_RETURN(DirListing listing, list_dir(session, parent));
    auto it = std::find_if(listing.entries.begin(), listing.entries.end(),
                           [&](const Dirent& d) { return d.inum == at; });
    if (it == listing.entries.end()) {
      return Status::corruption(fmt::format("directory {}: its parent {} has no entry for it", at,
                                            inode.rec.parent));
    }
    names.push_back(it->name);
    at = inode.rec.parent;
  }
  std::string path;
  for (auto it = names.rbegin(); it != names.rend(); ++it) path += "/" + *it;
  return path.empty() ? std::string("/") : path;
}

Status read_data(Session& session, const InodeRef& inode, const DataSink& sink) {
  TUX3_ASSIGN_OR_RETURN(VolumeReader * reader, session.reader());
  TUX3_ASSIGN_OR_RETURN(std::vector<Extent> mapping, file_mapping(session, inode));
  const uint64_t size = inode.rec.size;
  const unsigned bits = reader->super().block_bits;
  const uint64_t bs = reader->block_size();
  constexpr uint64_t kChunkBlocks = 64;
  std::vector<uint8_t> buf(kChunkBlocks * bs);
  uint64_t pos = 0;  // bytes delivered
  for (const Extent& e : mapping) {
    if (pos >= size) break;
    uint64_t start = e.logical << bits;
    if (start >= size) break;
    if (start > pos) {
      TUX3_RETURN_IF_ERROR(sink(pos, start - pos, nullptr));
      pos = start;
    }
    for (uint64_t i = 0; i < e.count && pos < size; i += kChunkBlocks) {
      uint64_t n = std::min<uint64_t>(kChunkBlocks, e.count - i);
      uint64_t at = (e.logical + i) << bits;
      uint64_t length = std::min(n * bs, size - at);
      if (e.flags & kExtentUnwritten) {
        TUX3_RETURN_IF_ERROR(sink(at, length, nullptr));
      } else {
        std::span<uint8_t> chunk(buf.data(), n * bs);
        TUX3_RETURN_IF_ERROR(session.device().read((e.physical + i) << bits, chunk)
                                 .with_context(fmt::format("inode {}: data block {}", inode.inum,
                                                           e.physical + i)));
        TUX3_RETURN_IF_ERROR(sink(at, length, chunk.data()));
      }
      pos = at + length;
    }
  }
  if (pos < size) TUX3_RETURN_IF_ERROR(sink(pos, size - pos, nullptr));
  return Status::ok();
}

Result<std::string> symlink_target(Session& session, const InodeRef& inode) {
  if (inode.rec.type() != kModeSymlink) {
    return Status::invalid_argument(fmt::format("inode {} is not a symlink", inode.inum));
  }
  if (inode.rec.inline_symlink) return *inode.rec.inline_symlink;
  std::string target;
  TUX3_RETURN_IF_ERROR(read_data(session, inode, [&](uint64_t, uint64_t length, const uint8_t* b) {
    if (b) {
      target.append(reinterpret_cast<const char*>(b), length);
    } else {
      target.append(length, '\0');
    }
    return Status::ok();
  }));
  return target;
}

}  // namespace tux3::debugfs
