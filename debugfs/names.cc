// names.cc: value formats of tux3-debugfs's text output (names.h).
#include "names.h"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

#include "tuxdisk/format/stream.h"
#include "tuxdisk/format/values.h"

namespace tux3::debugfs {

using namespace format;

std::string_view type_name(uint32_t mode) {
  switch (mode & kModeTypeMask) {
    case kModeRegular: return "regular";
    case kModeDirectory: return "directory";
    case kModeCharDev: return "chardev";
    case kModeBlockDev: return "blockdev";
    case kModeFifo: return "fifo";
    case kModeSocket: return "socket";
    case kModeSymlink: return "symlink";
    default: return "invalid";
  }
}

std::string_view file_type_name(FileType type) {
  switch (type) {
    case FileType::kRegular: return "regular";
    case FileType::kDirectory: return "directory";
    case FileType::kCharDevice: return "chardev";
    case FileType::kBlockDevice: return "blockdev";
    case FileType::kFifo: return "fifo";
    case FileType::kSocket: return "socket";
    case FileType::kSymlink: return "symlink";
    case FileType::kUnknown: break;
  }
  return "invalid";
}

std::string mode_string(uint32_t mode) {
  std::string out(10, '-');
  switch (mode & kModeTypeMask) {
    case kModeDirectory: out[0] = 'd'; break;
    case kModeSymlink: out[0] = 'l'; break;
    case kModeCharDev: out[0] = 'c'; break;
    case kModeBlockDev: out[0] = 'b'; break;
    case kModeFifo: out[0] = 'p'; break;
    case kModeSocket: out[0] = 's'; break;
    case kModeRegular: break;
    default: out[0] = '?'; break;
  }
  const char* rwx = "rwxrwxrwx";
  for (int i = 0; i < 9; ++i) {
    if (mode & (0400u >> i)) out[1 + i] = rwx[i];
  }
  auto special = [&](uint32_t bit, int pos, char set, char set_no_x) {
    if (mode & bit) out[pos] = out[pos] == '-' ? set_no_x : set;
  };
  special(04000, 3, 's', 'S');
  special(02000, 6, 's', 'S');
  special(01000, 9, 't', 'T');
  return out;
}

std::string octal_mode(uint32_t mode) { return fmt::format("0{:o}", mode); }

std::string timestamp_text(const Timestamp& t) { return fmt::format("{}.{:09}", t.sec, t.nsec); }

std::string timestamp_date(const Timestamp& t) {
  std::time_t sec = std::time_t(t.sec);
  std::tm tm{};
  if (!gmtime_r(&sec, &tm)) return "(out of range)";
  char buf[64];
  if (std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0) return "(out of range)";
  return buf;
}

std::string printable(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (char c : bytes) {
    auto b = uint8_t(c);
    if (b >= 0x20 && b < 0x7f && b != '\\') {
      out += c;
    } else {
      out += fmt::format("\\x{:02x}", b);
    }
  }
  return out;
}

std::string printable(std::span<const uint8_t> bytes) {
  return printable(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = uint8_t(s[i]);
    std::size_t n;
    if (c < 0x80) {
      n = 0;
    } else if ((c & 0xe0) == 0xc0 && c >= 0xc2) {
      n = 1;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
    } else if ((c & 0xf8) == 0xf0 && c <= 0xf4) {
      n = 3;
    } else {
      return false;
    }
    if (s.size() - i - 1 < n) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      if ((uint8_t(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += n + 1;
  }
  return true;
}

std::string hex_bytes(std::span<const uint8_t> bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) out += fmt::format("{:02x}", b);
  return out;
}

std::vector<std::string> bit_names(uint64_t bits,
                                   const std::vector<std::pair<uint64_t, std::string>>& known) {
  std::vector<std::string> out;
  for (const auto& [bit, name] : known) {
    if (bits & bit) out.push_back(name);
    bits &= ~bit;
  }
  for (unsigned i = 0; i < 64; ++i) {
    if (bits & (uint64_t(1) << i)) out.push_back(fmt::format("{:#x}", uint64_t(1) << i));
  }
  return out;
}

std::vector<std::string> state_names(uint16_t state) {
  return bit_names(state, {{kStateClean, "clean"}, {kStateErrors, "errors"}});
}

std::vector<std::string> incompat_names(uint64_t features) {
  return bit_names(features, {{kIncompatStreams, "streams"}});
}

std::vector<std::string> inode_flag_names(uint32_t flags) {
  return bit_names(flags,
                   {{kInodeImmutable, "immutable"}, {kInodeAppend, "append"}, {kInodeNoDump, "nodump"}});
}

std::vector<std::string> extent_flag_names(uint32_t flags) {
  return bit_names(flags, {{kExtentUnwritten, "unwritten"}});
}

std::vector<std::string> stream_flag_names(uint16_t flags) {
  return bit_names(flags, {{kStreamHasSize, "HAS_SIZE"},
                           {kStreamHasMtime, "HAS_MTIME"},
                           {kStreamHasCtime, "HAS_CTIME"},
                           {kStreamHasMode, "HAS_MODE"},
                           {kStreamHasDataCrc, "HAS_DATA_CRC"},
                           {kStreamContinued, "CONTINUED"}});
}

std::string fsync_mode_name(FsyncMode mode) {
  switch (mode) {
    case FsyncMode::kStream: return "stream";
    case FsyncMode::kDelta: return "delta";
  }
  return fmt::format("{}", uint8_t(mode));
}

std::string xattr_full_name(const Xattr& x) {
  switch (x.ns) {
    case XattrNs::kUser: return "user." + x.name;
    case XattrNs::kTrusted: return "trusted." + x.name;
    case XattrNs::kSecurity: return "security." + x.name;
    case XattrNs::kPosixAclAccess: return "system.posix_acl_access";
    case XattrNs::kPosixAclDefault: return "system.posix_acl_default";
    case XattrNs::kSystem: return "system." + x.name;
  }
  return fmt::format("ns{}.{}", uint8_t(x.ns), x.name);
}

std::string join(const std::vector<std::string>& words, std::string_view sep,
                 std::string_view none) {
  if (words.empty()) return std::string(none);
  std::string out;
  for (const std::string& w : words) {
    if (!out.empty()) out += sep;
    out += w;
  }
  return out;
}

std::string record_name(const LogRecord& record) {
  const LogRecordKind* kind = log_record_kind(uint8_t(record.code));
  return kind ? std::string(kind->name) : fmt::format("UNKNOWN_{:#04x}", uint8_t(record.code));
}

std::vector<std::pair<std::string, uint64_t>> record_fields(const LogRecord& record) {
  std::vector<std::pair<std::string, uint64_t>> out;
  const LogRecordKind* kind = log_record_kind(uint8_t(record.code));
  if (!kind) return out;
  for (std::size_t i = 0; i < kind->field_count; ++i) {
    out.emplace_back(std::string(kind->fields[i].name), record.fields[i]);
  }
  return out;
}

std::string record_text(const LogRecord& r) {
  std::string out = record_name(r);
  for (const auto& [name, value] : record_fields(r)) {
    if (name.ends_with("_sec")) {
      out += fmt::format(" {}={}", name, int64_t(value));
    } else {
      out += fmt::format(" {}={}", name, value);
    }
  }
  return out;
}

std::string hexdump(std::span<const uint8_t> bytes, uint64_t base) {
  std::string out;
  bool starred = false;
  for (std::size_t off = 0; off < bytes.size(); off += 16) {
    std::size_t n = std::min<std::size_t>(16, bytes.size() - off);
    auto line = bytes.subspan(off, n);
    if (off >= 16 && n == 16 && std::equal(line.begin(), line.end(), bytes.begin() + off - 16) &&
        off + 16 < bytes.size()) {
      if (!starred) out += "*\n";
      starred = true;
      continue;
    }
    starred = false;
    out += fmt::format("{:08x}:", base + off);
    for (std::size_t i = 0; i < 16; ++i) {
      if (i % 2 == 0) out += ' ';
      out += i < n ? fmt::format("{:02x}", line[i]) : std::string("  ");
    }
    out += "  ";
    for (uint8_t b : line) out += b >= 0x20 && b < 0x7f ? char(b) : '.';
    out += '\n';
  }
  return out;
}

std::string plural(uint64_t n, std::string_view word) {
  if (n == 1) return fmt::format("1 {}", word);
  if (word.ends_with("ry")) return fmt::format("{} {}ies", n, word.substr(0, word.size() - 1));
  return fmt::format("{} {}s", n, word);
}

}  // namespace tux3::debugfs
