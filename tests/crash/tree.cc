// tree.cc: snapshots of a volume's namespace and contents (tree.h).
#include "tree.h"

#include <algorithm>
#include <functional>

#include <fmt/format.h>

namespace tux3::crash {

namespace {

std::string printable(const std::string& s, std::size_t max = 24) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < max; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    out += (c >= 32 && c < 127) ? std::string(1, char(c)) : fmt::format("\\x{:02x}", c);
  }
  if (s.size() > max) out += "...";
  return out;
}

std::string describe(const Node& n) {
  return fmt::format("ino {} mode {:o} uid {} gid {} nlink {} size {} rdev {} xattrs {} data \"{}\"",
                     n.ino, n.mode, n.uid, n.gid, n.nlink, n.size, n.rdev, n.xattrs.size(),
                     printable(n.data));
}

}  // namespace

Result<Tree> snapshot(Volume& v, const std::string& top) {
  Tree tree;
  uint64_t start = kRootIno;
  std::string prefix;
  if (top != "/") {
    // Resolve the subtree's root, one component at a time.
    std::size_t pos = 1;
    while (pos <= top.size()) {
      std::size_t end = top.find('/', pos);
      if (end == std::string::npos) end = top.size();
      TUX3_ASSIGN_OR_RETURN(Attr a, v.lookup(start, top.substr(pos, end - pos)));
      start = a.ino;
      pos = end + 1;
    }
    prefix = top;
  }
  std::function<Status(uint64_t, const std::string&)> walk = [&](uint64_t dir,
                                                               const std::string& path) {
    std::vector<DirEntry> entries;
    TUX3_RETURN_IF_ERROR(v.readdir(dir, 0, [&](const DirEntry& e) {
      if (e.name != "." && e.name != "..") entries.push_back(e);
      return true;
    }));
    for (const DirEntry& e : entries) {
      std::string p = path + "/" + e.name;
      TUX3_ASSIGN_OR_RETURN(Attr a, v.getattr(e.ino));
      Node n;
      n.type = e.type;
      n.ino = e.ino;
      n.mode = a.mode;
      n.uid = a.uid;
      n.gid = a.gid;
      n.nlink = a.nlink;
      n.size = a.size;
      n.rdev = a.rdev;
      if (e.type == format::FileType::kRegular) {
        n.data.resize(a.size);
        TUX3_ASSIGN_OR_RETURN(std::size_t got,
                              v.read(e.ino, 0, std::span(reinterpret_cast<uint8_t*>(n.data.data()),
                                                         n.data.size())));
        if (got != a.size) {
          return Status::corruption(fmt::format("{}: read {} of {} bytes", p, got, a.size));
        }
      } else if (e.type == format::FileType::kSymlink) {
        TUX3_ASSIGN_OR_RETURN(n.data, v.readlink(e.ino));
      }
      TUX3_ASSIGN_OR_RETURN(std::vector<std::string> names, v.listxattr(e.ino));
      std::sort(names.begin(), names.end());
      for (const std::string& name : names) {
        TUX3_ASSIGN_OR_RETURN(std::vector<uint8_t> value, v.getxattr(e.ino, name));
        n.xattrs.push_back({name, std::string(value.begin(), value.end())});
      }
      if (tree.count(p)) return Status::corruption(fmt::format("two entries named {}", p));
      tree[p] = std::move(n);
      if (e.type == format::FileType::kDirectory) TUX3_RETURN_IF_ERROR(walk(e.ino, p));
    }
    return Status::ok();
  };
  TUX3_RETURN_IF_ERROR(walk(start, prefix));
  return tree;
}

std::string first_difference(const Tree& got, const Tree& want) {
  for (const auto& [path, node] : want) {
    auto it = got.find(path);
    if (it == got.end()) return fmt::format("{} is missing ({})", path, describe(node));
    if (it->second != node) {
      const Node& g = it->second;
      std::string where;
      if (g.data != node.data) {
        std::size_t i = 0;
        while (i < g.data.size() && i < node.data.size() && g.data[i] == node.data[i]) ++i;
        where = fmt::format(" (data differs from byte {})", i);
      }
      return fmt::format("{} differs{}: has {}, expected {}", path, where, describe(g),
                         describe(node));
    }
  }
  for (const auto& [path, node] : got) {
    if (!want.count(path)) return fmt::format("{} should not exist ({})", path, describe(node));
  }
  return {};
}

}  // namespace tux3::crash
