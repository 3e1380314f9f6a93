// xattr.cc: extended attributes, stored inline in the inode record (man/tux3-format.5).
#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "fs/volume_impl.h"
#include "tuxdisk/format/node.h"

namespace tux3 {

using namespace format;

namespace {

constexpr int kXattrCreate = 1, kXattrReplace = 2;

struct Prefix {
  std::string_view text;
  XattrNs ns;
  bool whole_name;  // the prefix is the whole name (POSIX ACLs)
};
constexpr Prefix kPrefixes[] = {
    {"system.posix_acl_access", XattrNs::kPosixAclAccess, true},
    {"system.posix_acl_default", XattrNs::kPosixAclDefault, true},
    {"user.", XattrNs::kUser, false},
    {"trusted.", XattrNs::kTrusted, false},
    {"security.", XattrNs::kSecurity, false},
    {"system.", XattrNs::kSystem, false},
};

Result<std::pair<XattrNs, std::string>> split_name(std::string_view name) {
  for (const Prefix& p : kPrefixes) {
    if (p.whole_name ? name == p.text : name.substr(0, p.text.size()) == p.text) {
      std::string rest(name.substr(p.text.size()));
      if (!p.whole_name && rest.empty()) break;
      if (rest.size() > kMaxNameLen) return Status::from_errno(ERANGE, "xattr name too long");
      return std::make_pair(p.ns, rest);
    }
  }
  return Status::from_errno(EOPNOTSUPP, fmt::format("xattr name '{}': unsupported name space", name));
}

std::string full_name(const Xattr& x) {
  for (const Prefix& p : kPrefixes) {
    if (p.ns == x.ns) return std::string(p.text) + x.name;
  }
  return x.name;
}

std::vector<Xattr>::iterator find(std::vector<Xattr>& v, XattrNs ns, const std::string& name) {
  return std::find_if(v.begin(), v.end(), [&](const Xattr& x) { return x.ns == ns && x.name == name; });
}

}  // namespace

Result<std::vector<uint8_t>> VolumeImpl::getxattr(uint64_t ino, std::string_view name) {
  TUX3_ASSIGN_OR_RETURN(Inode * inode, get_inode(ino));
  TUX3_ASSIGN_OR_RETURN(auto key, split_name(name));
  auto it = find(inode->rec.xattrs, key.first, key.second);
  if (it == inode->rec.xattrs.end()) return Status::from_errno(ENODATA, fmt::format("no xattr '{}'", name));
  return it->value;
}

Status VolumeImpl::setxattr(uint64_t ino, std::string_view name, std::span<const uint8_t> value,
                            int flags) {
  if (opt_.read_only) return Status::from_errno(EROFS, "read-only volume");
  TUX3_RETURN_IF_ERROR(reserve(1));
  TUX3_ASSIGN_OR_RETURN(Inode * inode, get_inode(ino));
  TUX3_ASSIGN_OR_RETURN(auto key, split_name(name));
  auto& xattrs = inode->rec.xattrs;
  auto it = find(xattrs, key.first, key.second);
  if ((flags & kXattrCreate) && it != xattrs.end()) return Status::from_errno(EEXIST, "xattr exists");
  if ((flags & kXattrReplace) && it == xattrs.end()) return Status::from_errno(ENODATA, "no such xattr");
  InodeRecord candidate = inode->rec;
  auto cit = find(candidate.xattrs, key.first, key.second);
  if (cit != candidate.xattrs.end()) {
    cit->value.assign(value.begin(), value.end());
  } else {
    candidate.xattrs.push_back({key.first, key.second, {value.begin(), value.end()}});
    std::sort(candidate.xattrs.begin(), candidate.xattrs.end(), [](const Xattr& a, const Xattr& b) {
      return std::tie(a.ns, a.name) < std::tie(b.ns, b.name);
    });
  }
  if (inode_record_size(candidate) > max_leaf_value(bs_)) {
    return Status::from_errno(ENOSPC, fmt::format("inode {}: extended attributes exceed {} bytes",
                                                  ino, max_leaf_value(bs_)));
  }
  candidate.ctime = now();
  inode->rec = std::move(candidate);
  touch(*inode);
  return maybe_commit();
}

Result<std::vector<std::string>> VolumeImpl::listxattr(uint64_t ino) {
  TUX3_ASSIGN_OR_RETURN(Inode * inode, get_inode(ino));
  std::vector<std::string> names;
  for (const Xattr& x : inode->rec.xattrs) names.push_back(full_name(x));
  return names;
}

Status VolumeImpl::removexattr(uint64_t ino, std::string_view name) {
  if (opt_.read_only) return Status::from_errno(EROFS, "read-only volume");
  TUX3_ASSIGN_OR_RETURN(Inode * inode, get_inode(ino));
  TUX3_ASSIGN_OR_RETURN(auto key, split_name(name));
  auto it = find(inode->rec.xattrs, key.first, key.second);
  if (it == inode->rec.xattrs.end()) return Status::from_errno(ENODATA, fmt::format("no xattr '{}'", name));
  inode->rec.xattrs.erase(it);
  inode->rec.ctime = now();
  touch(*inode);
  return maybe_commit();
}

}  // namespace tux3
