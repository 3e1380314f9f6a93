// inode.cc: inode record encode/decode/validate.
#include "tuxdisk/format/inode.h"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "tuxdisk/bytes.h"
#include "tuxdisk/format/constants.h"

namespace tux3::format {
namespace {

using L = InodeLayout;

Status inode_error(uint64_t inum, std::string detail) {
  return Status::corruption(fmt::format("inode {}: {}", inum, detail));
}

bool valid_time(const Timestamp& t) { return t.nsec < 1000000000u; }

std::size_t xattr_body_size(const Xattr& x) { return 2 + x.name.size() + x.value.size(); }

}  // namespace

FileType file_type_of_mode(uint32_t mode) {
  switch (mode & kModeTypeMask) {
    case kModeRegular: return FileType::kRegular;
    case kModeDirectory: return FileType::kDirectory;
    case kModeCharDev: return FileType::kCharDevice;
    case kModeBlockDev: return FileType::kBlockDevice;
    case kModeFifo: return FileType::kFifo;
    case kModeSocket: return FileType::kSocket;
    case kModeSymlink: return FileType::kSymlink;
    default: return FileType::kUnknown;
  }
}

std::size_t inode_record_size(const InodeRecord& inode) {
  std::size_t n = L::kCoreSize;
  if (inode.rdev) n += L::kAttrHeaderSize + 8;
  if (inode.is_dir()) n += L::kAttrHeaderSize + 8;
  if (inode.inline_symlink) n += L::kAttrHeaderSize + inode.inline_symlink->size();
  for (const Xattr& x : inode.xattrs) n += L::kAttrHeaderSize + xattr_body_size(x);
  if (!inode.inline_extents.empty()) {
    n += L::kAttrHeaderSize + inode.inline_extents.size() * kInlineExtentSize;
  }
  return n;
}

Status validate_inode(const InodeRecord& inode, uint64_t inum) {
  FileType type = file_type_of_mode(inode.mode);
  if (type == FileType::kUnknown) {
    return inode_error(inum, fmt::format("mode {:#o} has no valid file type", inode.mode));
  }
  if (inode.mode & ~(kModeTypeMask | kModePermMask)) {
    return inode_error(inum, fmt::format("mode {:#o} has unknown bits", inode.mode));
  }
  if (!valid_time(inode.atime) || !valid_time(inode.mtime) || !valid_time(inode.ctime) ||
      !valid_time(inode.btime)) {
    return inode_error(inum, "a timestamp has nanoseconds >= 1e9");
  }
  if (inode.flags & ~kInodeFlagsKnown) {
    return inode_error(inum, fmt::format("unknown flags {:#x}", inode.flags & ~kInodeFlagsKnown));
  }
  if (inode.root.depth > kMaxTreeDepth || (inode.root.block == 0 && inode.root.depth != 0)) {
    return inode_error(inum, fmt::format("tree root {} depth {} is invalid", inode.root.block,
                                         inode.root.depth));
  }
  bool device = type == FileType::kCharDevice || type == FileType::kBlockDevice;
  if (inode.rdev.has_value() != device) {
    return inode_error(inum, device ? "device inode without RDEV" : "RDEV on a non-device inode");
  }
  bool dir = type == FileType::kDirectory;
  if (dir && inode.parent == 0) return inode_error(inum, "directory without PARENT");
  if (!dir && inode.parent != 0) return inode_error(inum, "PARENT on a non-directory");
  if (inode.parent > kMaxInum) return inode_error(inum, "PARENT is out of range");
  if (inode.inline_symlink) {
    if (type != FileType::kSymlink) return inode_error(inum, "SYMLINK on a non-symlink");
    std::size_t n = inode.inline_symlink->size();
    if (n == 0 || n > kMaxInlineSymlinkLen || n != inode.size) {
      return inode_error(inum, fmt::format("inline symlink of {} bytes (size {})", n, inode.size));
    }
    if (inode.root.block != 0) return inode_error(inum, "inline symlink with a data tree");
  }
  if (type == FileType::kSymlink && (inode.size == 0 || inode.size > kMaxSymlinkLen)) {
    return inode_error(inum, fmt::format("symlink size {} is outside 1..{}", inode.size,
                                         kMaxSymlinkLen));
  }
  if (!dir && type != FileType::kRegular && type != FileType::kSymlink &&
      inode.root.block != 0) {
    return inode_error(inum, "device, FIFO or socket with a data tree");
  }
  if (!inode.inline_extents.empty()) {
    if (type != FileType::kRegular && !(type == FileType::kSymlink && !inode.inline_symlink)) {
      return inode_error(inum, "EXTENTS on an inode that holds no data blocks");
    }
    if (inode.root.block != 0) return inode_error(inum, "EXTENTS and an extent tree at once");
    if (inode.inline_extents.size() > kMaxInlineExtents) {
      return inode_error(inum, fmt::format("{} inline extents exceed {}",
                                           inode.inline_extents.size(), kMaxInlineExtents));
    }
    for (std::size_t i = 0; i < inode.inline_extents.size(); ++i) {
      const Extent& e = inode.inline_extents[i];
      if (e.count == 0 || e.physical == 0 || (e.flags & ~kExtentFlagsKnown) ||
          e.logical >= kMaxBlocks || e.count > kMaxBlocks - e.logical) {
        return inode_error(inum, fmt::format("inline extent {} is invalid", i));
      }
      if (i > 0 && e.logical < inode.inline_extents[i - 1].logical +
                                   inode.inline_extents[i - 1].count) {
        return inode_error(inum, fmt::format("inline extent {} overlaps or precedes the one "
                                             "before", i));
      }
    }
  }
  if (inode.nlink > kMaxLinkCount) {
    return inode_error(inum, fmt::format("link count {} exceeds {}", inode.nlink, kMaxLinkCount));
  }
  for (std::size_t i = 0; i < inode.xattrs.size(); ++i) {
    const Xattr& x = inode.xattrs[i];
    if (uint8_t(x.ns) < uint8_t(XattrNs::kUser) || uint8_t(x.ns) > uint8_t(XattrNs::kSystem)) {
      return inode_error(inum, fmt::format("xattr {} has unknown name space {}", i, int(x.ns)));
    }
    // POSIX ACLs are whole names ("system.posix_acl_access"): their name space is the name.
    bool acl = x.ns == XattrNs::kPosixAclAccess || x.ns == XattrNs::kPosixAclDefault;
    if (acl ? !x.name.empty()
            : (x.name.empty() || x.name.size() > kMaxNameLen ||
               x.name.find('\0') != std::string::npos)) {
      return inode_error(inum, fmt::format("xattr {} name is invalid for its name space", i));
    }
    if (xattr_body_size(x) > 0xffff) return inode_error(inum, "xattr value too large");
    if (i > 0 && std::tie(inode.xattrs[i - 1].ns, inode.xattrs[i - 1].name) >=
                     std::tie(x.ns, x.name)) {
      return inode_error(inum, fmt::format("xattr {} is out of order or duplicated", i));
    }
  }
  return Status::ok();
}

std::vector<uint8_t> encode_inode(const InodeRecord& inode) {
  std::vector<uint8_t> out(inode_record_size(inode));
  std::span<uint8_t> b(out);
  L::Mode::set(b, inode.mode);
  L::Uid::set(b, inode.uid);
  L::Gid::set(b, inode.gid);
  L::Nlink::set(b, inode.nlink);
  L::Size::set(b, inode.size);
  L::Blocks::set(b, inode.blocks);
  L::AtimeSec::set(b, uint64_t(inode.atime.sec));
  L::AtimeNsec::set(b, inode.atime.nsec);
  L::MtimeSec::set(b, uint64_t(inode.mtime.sec));
  L::MtimeNsec::set(b, inode.mtime.nsec);
  L::CtimeSec::set(b, uint64_t(inode.ctime.sec));
  L::CtimeNsec::set(b, inode.ctime.nsec);
  L::BtimeSec::set(b, uint64_t(inode.btime.sec));
  L::BtimeNsec::set(b, inode.btime.nsec);
  L::Flags::set(b, inode.flags);
  L::Generation::set(b, inode.generation);
  L::RootBlock::set(b, inode.root.block);
  L::RootDepth::set(b, inode.root.depth);
  ByteWriter w(b.subspan(L::kCoreSize));
  if (inode.rdev) {
    w.u8(uint8_t(AttrTag::kRdev));
    w.be16(8);
    w.be64(*inode.rdev);
  }
  if (inode.is_dir()) {
    w.u8(uint8_t(AttrTag::kParent));
    w.be16(8);
    w.be64(inode.parent);
  }
  if (inode.inline_symlink) {
    w.u8(uint8_t(AttrTag::kSymlink));
    w.be16(uint16_t(inode.inline_symlink->size()));
    w.bytes(*inode.inline_symlink);
  }
  for (const Xattr& x : inode.xattrs) {
    w.u8(uint8_t(AttrTag::kXattr));
    w.be16(uint16_t(xattr_body_size(x)));
    w.u8(uint8_t(x.ns));
    w.u8(uint8_t(x.name.size()));
    w.bytes(x.name);
    w.bytes(x.value);
  }
  if (!inode.inline_extents.empty()) {
    w.u8(uint8_t(AttrTag::kExtents));
    w.be16(uint16_t(inode.inline_extents.size() * kInlineExtentSize));
    for (const Extent& e : inode.inline_extents) {
      w.be64(e.logical);
      w.be64(e.physical);
      w.be32(e.count);
      w.be32(e.flags);
    }
  }
  return out;
}

Result<InodeRecord> decode_inode(std::span<const uint8_t> b, uint64_t inum) {
  if (b.size() < L::kCoreSize) {
    return inode_error(inum, fmt::format("record of {} bytes is shorter than the {}-byte core",
                                         b.size(), L::kCoreSize));
  }
  InodeRecord inode;
  inode.mode = L::Mode::get(b);
  inode.uid = L::Uid::get(b);
  inode.gid = L::Gid::get(b);
  inode.nlink = L::Nlink::get(b);
  inode.size = L::Size::get(b);
  inode.blocks = L::Blocks::get(b);
  inode.atime = {int64_t(L::AtimeSec::get(b)), L::AtimeNsec::get(b)};
  inode.mtime = {int64_t(L::MtimeSec::get(b)), L::MtimeNsec::get(b)};
  inode.ctime = {int64_t(L::CtimeSec::get(b)), L::CtimeNsec::get(b)};
  inode.btime = {int64_t(L::BtimeSec::get(b)), L::BtimeNsec::get(b)};
  inode.flags = L::Flags::get(b);
  inode.generation = L::Generation::get(b);
  inode.root = {L::RootBlock::get(b), L::RootDepth::get(b)};
  if (L::Reserved::get(b) != 0) return inode_error(inum, "reserved core field is not zero");
  ByteReader r(b.subspan(L::kCoreSize));
  int last_tag = 0;
  bool have_parent = false;
  while (r.remaining() > 0) {
    uint8_t tag = r.u8();
    uint16_t length = r.be16();
    std::span<const uint8_t> body = r.bytes(length);
    if (!r.ok()) return inode_error(inum, "attribute overruns the record");
    if (tag < last_tag || (tag == last_tag && tag != uint8_t(AttrTag::kXattr))) {
      return inode_error(inum, fmt::format("attribute tag {} is out of order or repeated", tag));
    }
    last_tag = tag;
    ByteReader br(body);
    switch (AttrTag(tag)) {
      case AttrTag::kRdev:
        inode.rdev = br.be64();
        break;
      case AttrTag::kParent:
        inode.parent = br.be64();
        have_parent = true;
        break;
      case AttrTag::kSymlink:
        inode.inline_symlink = std::string(body.begin(), body.end());
        br.skip(body.size());
        break;
      case AttrTag::kXattr: {
        Xattr x;
        x.ns = XattrNs(br.u8());
        uint8_t name_len = br.u8();
        auto name = br.bytes(name_len);
        x.name.assign(name.begin(), name.end());
        auto value = br.bytes(br.remaining());
        x.value.assign(value.begin(), value.end());
        inode.xattrs.push_back(std::move(x));
        break;
      }
      case AttrTag::kExtents: {
        if (body.empty() || body.size() % kInlineExtentSize != 0) {
          return inode_error(inum, fmt::format("EXTENTS of {} bytes", body.size()));
        }
        while (br.remaining() > 0) {
          Extent e;
          e.logical = br.be64();
          e.physical = br.be64();
          e.count = br.be32();
          e.flags = br.be32();
          inode.inline_extents.push_back(e);
        }
        break;
      }
      default:
        return inode_error(inum, fmt::format("unknown attribute tag {}", tag));
    }
    if (!br.at_end()) {
      return inode_error(inum, fmt::format("attribute tag {} has bad length {}", tag, length));
    }
  }
  if (have_parent && inode.parent == 0) return inode_error(inum, "PARENT is zero");
  TUX3_RETURN_IF_ERROR(validate_inode(inode, inum));
  return inode;
}

Result<InodeRecord> salvage_inode(std::span<const uint8_t> b, uint64_t inum,
                                  std::vector<std::string>& fixes) {
  if (b.size() < L::kCoreSize) {
    return inode_error(inum, fmt::format("record of {} bytes is shorter than the {}-byte core",
                                         b.size(), L::kCoreSize));
  }
  InodeRecord in;
  in.mode = L::Mode::get(b);
  in.uid = L::Uid::get(b);
  in.gid = L::Gid::get(b);
  in.nlink = L::Nlink::get(b);
  in.size = L::Size::get(b);
  in.blocks = L::Blocks::get(b);
  in.atime = {int64_t(L::AtimeSec::get(b)), L::AtimeNsec::get(b)};
  in.mtime = {int64_t(L::MtimeSec::get(b)), L::MtimeNsec::get(b)};
  in.ctime = {int64_t(L::CtimeSec::get(b)), L::CtimeNsec::get(b)};
  in.btime = {int64_t(L::BtimeSec::get(b)), L::BtimeNsec::get(b)};
  in.flags = L::Flags::get(b);
  in.generation = L::Generation::get(b);
  in.root = {L::RootBlock::get(b), L::RootDepth::get(b)};
  FileType type = file_type_of_mode(in.mode);
  if (type == FileType::kUnknown) {
    return inode_error(inum, fmt::format("mode {:#o} has no valid file type", in.mode));
  }
  if (L::Reserved::get(b) != 0) fixes.push_back("reserved core field cleared");
  if (in.mode & ~(kModeTypeMask | kModePermMask)) {
    in.mode &= kModeTypeMask | kModePermMask;
    fixes.push_back("unknown mode bits cleared");
  }
  for (Timestamp* t : {&in.atime, &in.mtime, &in.ctime, &in.btime}) {
    if (!valid_time(*t)) {
      t->nsec = 0;
      fixes.push_back("timestamp nanoseconds cleared");
    }
  }
  if (in.flags & ~kInodeFlagsKnown) {
    in.flags &= kInodeFlagsKnown;
    fixes.push_back("unknown flags cleared");
  }
  if (in.nlink > kMaxLinkCount) {
    in.nlink = kMaxLinkCount;
    fixes.push_back("link count capped");
  }
  bool dir = type == FileType::kDirectory;
  bool device = type == FileType::kCharDevice || type == FileType::kBlockDevice;
  bool holds_data = dir || type == FileType::kRegular || type == FileType::kSymlink;
  if (in.root.depth > kMaxTreeDepth || (in.root.block == 0 && in.root.depth != 0) ||
      (!holds_data && in.root.block != 0)) {
    in.root = {};
    fixes.push_back("impossible tree root dropped");
  }
  // Attributes, one at a time; a malformed one is dropped, and one running past the
  // record ends the list.
  ByteReader r(b.subspan(L::kCoreSize));
  std::vector<Extent> extents;
  while (r.remaining() > 0) {
    uint8_t tag = r.u8();
    uint16_t length = r.be16();
    std::span<const uint8_t> body = r.bytes(length);
    if (!r.ok()) {
      fixes.push_back("attributes past the end of the record dropped");
      break;
    }
    ByteReader br(body);
    switch (AttrTag(tag)) {
      case AttrTag::kRdev:
        if (length == 8 && device) in.rdev = br.be64();
        else fixes.push_back("invalid RDEV dropped");
        break;
      case AttrTag::kParent: {
        uint64_t parent = length == 8 ? br.be64() : 0;
        if (dir && parent != 0 && parent <= kMaxInum) in.parent = parent;
        else fixes.push_back("invalid PARENT dropped");
        break;
      }
      case AttrTag::kSymlink:
        if (type == FileType::kSymlink && length > 0 && length <= kMaxInlineSymlinkLen) {
          in.inline_symlink = std::string(body.begin(), body.end());
        } else {
          fixes.push_back("invalid SYMLINK dropped");
        }
        break;
      case AttrTag::kXattr: {
        Xattr x;
        x.ns = XattrNs(br.u8());
        uint8_t name_len = br.u8();
        auto name = br.bytes(name_len);
        auto value = br.bytes(br.remaining());
        if (!br.ok()) {
          fixes.push_back("malformed xattr dropped");
          break;
        }
        x.name.assign(name.begin(), name.end());
        x.value.assign(value.begin(), value.end());
        bool acl = x.ns == XattrNs::kPosixAclAccess || x.ns == XattrNs::kPosixAclDefault;
        bool known = uint8_t(x.ns) >= uint8_t(XattrNs::kUser) &&
                     uint8_t(x.ns) <= uint8_t(XattrNs::kSystem);
        bool named = acl ? x.name.empty()
                         : !x.name.empty() && x.name.size() <= kMaxNameLen &&
                               x.name.find('\0') == std::string::npos;
        if (known && named) in.xattrs.push_back(std::move(x));
        else fixes.push_back("invalid xattr dropped");
        break;
      }
      case AttrTag::kExtents:
        if (length == 0 || length % kInlineExtentSize != 0) {
          fixes.push_back("malformed EXTENTS dropped");
          break;
        }
        while (br.remaining() > 0) {
          Extent e;
          e.logical = br.be64();
          e.physical = br.be64();
          e.count = br.be32();
          e.flags = br.be32();
          extents.push_back(e);
        }
        break;
      default:
        fixes.push_back(fmt::format("unknown attribute {} dropped", tag));
        break;
    }
  }
  // Xattrs in order, each name once.
  auto xattr_less = [](const Xattr& a, const Xattr& x) {
    return std::tie(a.ns, a.name) < std::tie(x.ns, x.name);
  };
  if (!std::is_sorted(in.xattrs.begin(), in.xattrs.end(), xattr_less)) {
    fixes.push_back("xattrs sorted");
  }
  std::stable_sort(in.xattrs.begin(), in.xattrs.end(), [](const Xattr& a, const Xattr& x) {
    return std::tie(a.ns, a.name) < std::tie(x.ns, x.name);
  });
  auto dup = std::unique(in.xattrs.begin(), in.xattrs.end(), [](const Xattr& a, const Xattr& x) {
    return a.ns == x.ns && a.name == x.name;
  });
  if (dup != in.xattrs.end()) {
    in.xattrs.erase(dup, in.xattrs.end());
    fixes.push_back("repeated xattr dropped");
  }
  // Inline extents: only on a file holding data blocks without a tree, valid, in order.
  bool may_inline = (type == FileType::kRegular || (type == FileType::kSymlink && !in.inline_symlink)) &&
                    in.root.block == 0;
  for (const Extent& e : extents) {
    bool valid = e.count != 0 && e.physical != 0 && !(e.flags & ~kExtentFlagsKnown) &&
                 e.logical < kMaxBlocks && e.count <= kMaxBlocks - e.logical;
    bool after = in.inline_extents.empty() ||
                 e.logical >= in.inline_extents.back().logical + in.inline_extents.back().count;
    if (may_inline && valid && after && in.inline_extents.size() < kMaxInlineExtents) {
      in.inline_extents.push_back(e);
    } else {
      fixes.push_back(fmt::format("inline extent at logical block {} dropped", e.logical));
    }
  }
  if (dir && in.parent == 0) {
    in.parent = kInoRoot;
    fixes.push_back("missing PARENT set to the root");
  }
  if (device && !in.rdev) {
    in.rdev = 0;
    fixes.push_back("missing RDEV set to 0");
  }
  if (in.inline_symlink && in.inline_symlink->size() != in.size) {
    in.size = in.inline_symlink->size();
    fixes.push_back("symlink size set to its target's");
  }
  TUX3_RETURN_IF_ERROR(validate_inode(in, inum));
  return in;
}

}  // namespace tux3::format
