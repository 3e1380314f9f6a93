// probe.cc: signature probing and wiping through libblkid.
#include "tuxdisk/probe.h"

#include <blkid/blkid.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <cerrno>
#include <memory>

#include <fmt/format.h>

#include "tuxdisk/endian.h"
#include "tuxdisk/format/constants.h"

namespace tux3 {
namespace {

struct ProbeDeleter {
  void operator()(blkid_probe pr) const { blkid_free_probe(pr); }
};
using ProbePtr = std::unique_ptr<std::remove_pointer_t<blkid_probe>, ProbeDeleter>;

Result<ProbePtr> new_probe(int fd) {
  ProbePtr pr(blkid_new_probe());
  if (!pr) return Status::io_error("libblkid: cannot allocate a probe");
  if (blkid_probe_set_device(pr.get(), fd, 0, 0) != 0) {
    return Status::io_error("libblkid: cannot attach the device to a probe", errno);
  }
  blkid_probe_enable_superblocks(pr.get(), 1);
  blkid_probe_set_superblocks_flags(pr.get(), BLKID_SUBLKS_LABEL | BLKID_SUBLKS_UUID |
                                                  BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE |
                                                  BLKID_SUBLKS_MAGIC);
  blkid_probe_enable_partitions(pr.get(), 1);
  blkid_probe_set_partitions_flags(pr.get(), BLKID_PARTS_MAGIC);
  return pr;
}

std::string lookup(blkid_probe pr, const char* name) {
  const char* value = nullptr;
  if (blkid_probe_lookup_value(pr, name, &value, nullptr) == 0 && value) return value;
  return {};
}

}  // namespace

std::string Signature::describe() const {
  std::string what = type;
  if (usage == "partition table") what += " partition table";
  else if (usage == "raid") what += " RAID member";
  else if (usage == "crypto") what += " encrypted volume";
  else if (!usage.empty() && usage != "other") what += " " + usage;
  if (!label.empty()) what += fmt::format(" labelled '{}'", label);
  return fmt::format("{} (magic at byte {})", what, offset);
}

Result<std::vector<Signature>> probe_signatures(int fd) {
  std::vector<Signature> found;
  TUX3_ASSIGN_OR_RETURN(ProbePtr pr, new_probe(fd));
  int rc;
  while ((rc = blkid_do_probe(pr.get())) == 0) {
    Signature sig;
    if (std::string pt = lookup(pr.get(), "PTTYPE"); !pt.empty()) {
      sig.type = pt;
      sig.usage = "partition table";
      sig.uuid = lookup(pr.get(), "PTUUID");
      std::string off = lookup(pr.get(), "PTMAGIC_OFFSET");
      sig.offset = off.empty() ? 0 : std::stoull(off);
    } else {
      sig.type = lookup(pr.get(), "TYPE");
      sig.usage = lookup(pr.get(), "USAGE");
      sig.label = lookup(pr.get(), "LABEL");
      sig.uuid = lookup(pr.get(), "UUID");
      std::string off = lookup(pr.get(), "SBMAGIC_OFFSET");
      sig.offset = off.empty() ? 0 : std::stoull(off);
    }
    if (sig.type.empty()) continue;
    found.push_back(std::move(sig));
  }
  if (rc < 0) return Status::io_error("libblkid: probing failed");
  // libblkid has no tux3 prober: look for our own superblock magic in either slot.
  for (unsigned slot = 0; slot < 2; ++slot) {
    uint8_t magic[4];
    ssize_t n = ::pread(fd, magic, sizeof magic, off_t(format::kSuperSlotOffset[slot]));
    if (n == 4 && load_be32(magic) == format::kMagicSuper) {
      found.push_back(Signature{"tux3", "filesystem", "", "", format::kSuperSlotOffset[slot]});
      break;
    }
  }
  return found;
}

std::optional<std::string> find_mount(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISBLK(st.st_mode)) return std::nullopt;
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mountinfo, line)) {
    // "36 35 98:0 /mnt1 /mnt/parent rw ...": field 3 is major:minor, field 5 the mount point.
    std::istringstream fields(line);
    std::string id, parent, devno, root, mount_point;
    if (!(fields >> id >> parent >> devno >> root >> mount_point)) continue;
    unsigned major_no = 0, minor_no = 0;
    if (std::sscanf(devno.c_str(), "%u:%u", &major_no, &minor_no) != 2) continue;
    if (major_no == major(st.st_rdev) && minor_no == minor(st.st_rdev)) return mount_point;
  }
  return std::nullopt;
}

Result<int> wipe_signatures(int fd) {
  TUX3_ASSIGN_OR_RETURN(ProbePtr pr, new_probe(fd));
  int wiped = 0;
  // After a wipe libblkid steps back and re-runs the same prober; the cap guards against a
  // signature that will not go away (a read-only medium that does not report its errors).
  while (wiped < 256 && blkid_do_probe(pr.get()) == 0) {
    if (blkid_do_wipe(pr.get(), 0) != 0) {
      return Status::io_error("libblkid: cannot erase a signature", errno);
    }
    ++wiped;
  }
  return wiped;
}

}  // namespace tux3
