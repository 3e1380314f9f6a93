// tux3-inspect: a test helper (not installed): check an image and list its tree.
//   tux3-inspect IMAGE verify   run the library verifier; exit 0 clean, 1 problems, 2 error
//   tux3-inspect IMAGE tree     one line per path, sorted, deterministic:
//     PATH TYPE MODE UID:GID NLINK SIZE MTIME_SEC.NSEC CONTENT [xattr=name:hex ...]
//   where CONTENT is the XXH64 of file data, the symlink target, or major:minor.
#include <xxhash.h>

#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tuxdisk/file_device.h"
#include "tuxdisk/verify.h"
#include "tuxdisk/volume.h"
#include "tuxdisk/volume_reader.h"

using namespace tux3;

namespace {

std::string hex(const std::vector<uint8_t>& v) {
  std::string out;
  for (uint8_t b : v) out += fmt::format("{:02x}", b);
  return out;
}

int list_tree(Volume& vol) {
  std::map<std::string, std::string> lines;
  std::function<Status(uint64_t, const std::string&)> walk = [&](uint64_t ino,
                                                                  const std::string& path) -> Status {
    TUX3_ASSIGN_OR_RETURN(Attr a, vol.getattr(ino));
    uint32_t type = a.mode & 0170000;
    std::string kind, content;
    if (type == 0040000) {
      kind = "dir";
    } else if (type == 0100000) {
      kind = "file";
      std::vector<uint8_t> data(a.size);
      TUX3_RETURN_IF_ERROR(vol.read(ino, 0, data).status());
      content = fmt::format("{:016x}", XXH64(data.data(), data.size(), 0));
    } else if (type == 0120000) {
      kind = "symlink";
      TUX3_ASSIGN_OR_RETURN(content, vol.readlink(ino));
    } else {
      kind = type == 0020000 ? "chr" : type == 0060000 ? "blk" : type == 0010000 ? "fifo" : "sock";
      content = fmt::format("{}:{}", a.rdev >> 32, a.rdev & 0xffffffff);
    }
    std::string line = fmt::format("{} {} {:04o} {}:{} {} {} {}.{:09d} {}", path.empty() ? "/" : path,
                                   kind, a.mode & 07777, a.uid, a.gid, a.nlink,
                                   type == 0040000 ? 0 : a.size, a.mtime.sec, a.mtime.nsec, content);
    TUX3_ASSIGN_OR_RETURN(auto names, vol.listxattr(ino));
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      TUX3_ASSIGN_OR_RETURN(auto v, vol.getxattr(ino, n));
      line += fmt::format(" xattr={}:{}", n, hex(v));
    }
    lines[path.empty() ? "/" : path] = line;
    if (type != 0040000) return Status::ok();
    std::vector<std::pair<std::string, uint64_t>> children;
    TUX3_RETURN_IF_ERROR(vol.readdir(ino, 0, [&](const DirEntry& e) {
      if (e.name != "." && e.name != "..") children.push_back({e.name, e.ino});
      return true;
    }));
    for (auto& [name, child] : children) TUX3_RETURN_IF_ERROR(walk(child, path + "/" + name));
    return Status::ok();
  };
  Status s = walk(kRootIno, "");
  if (!s) {
    fmt::print(stderr, "tux3-inspect: {}\n", s.to_string());
    return 2;
  }
  for (auto& [path, line] : lines) fmt::print("{}\n", line);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    fmt::print(stderr, "usage: tux3-inspect IMAGE verify|tree\n");
    return 16;
  }
  FileDeviceOptions options;
  options.read_only = true;
  auto dev = FileDevice::open(argv[1], options);
  if (!dev) {
    fmt::print(stderr, "tux3-inspect: {}\n", dev.status().message());
    return 2;
  }
  std::string cmd = argv[2];
  if (cmd == "verify") {
    auto reader = VolumeReader::open(**dev);
    if (!reader) {
      fmt::print(stderr, "tux3-inspect: {}\n", reader.status().message());
      return 2;
    }
    auto report = verify_volume(**reader);
    if (!report) {
      fmt::print(stderr, "tux3-inspect: {}\n", report.status().message());
      return 2;
    }
    for (const auto& p : report->problems) fmt::print("problem: {}\n", p);
    fmt::print("{}: {} inodes, {} directories, {} files, {} blocks in use, {} log blocks\n",
               report->clean() ? "clean" : "PROBLEMS", report->inodes, report->directories,
               report->regular_files, report->blocks_in_use, report->log_blocks);
    return report->clean() ? 0 : 1;
  }
  if (cmd == "tree") {
    VolumeOptions vo;
    vo.read_only = true;
    auto vol = Volume::open(**dev, vo);
    if (!vol) {
      fmt::print(stderr, "tux3-inspect: {}\n", vol.status().message());
      return 2;
    }
    return list_tree(**vol);
  }
  fmt::print(stderr, "tux3-inspect: unknown command '{}'\n", cmd);
  return 16;
}
