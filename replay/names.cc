// names.cc: names and value formats for tux3-replay's output (names.h).
#include "names.h"

#include <fmt/format.h>

#include "tuxdisk/format/constants.h"

namespace tux3::replay {

using namespace format;

namespace {

// The names of the bits set, known ones first in the given order, then any other as hex.
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

}  // namespace

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

bool field_is_signed(const std::string& name) { return name.ends_with("_sec"); }

std::vector<std::string> stream_flag_names(uint16_t flags) {
  return bit_names(flags, {{kStreamHasSize, "HAS_SIZE"},
                           {kStreamHasMtime, "HAS_MTIME"},
                           {kStreamHasCtime, "HAS_CTIME"},
                           {kStreamHasMode, "HAS_MODE"},
                           {kStreamHasDataCrc, "HAS_DATA_CRC"},
                           {kStreamContinued, "CONTINUED"}});
}

std::vector<std::string> extent_flag_names(uint32_t flags) {
  return bit_names(flags, {{kExtentUnwritten, "UNWRITTEN"}});
}

std::vector<std::string> state_names(uint16_t state) {
  return bit_names(state, {{kStateClean, "clean"}, {kStateErrors, "errors"}});
}

std::vector<std::string> incompat_names(uint64_t features) {
  return bit_names(features, {{kIncompatStreams, "streams"}});
}

std::string fsync_mode_name(FsyncMode mode) {
  switch (mode) {
    case FsyncMode::kStream: return "stream";
    case FsyncMode::kDelta: return "delta";
  }
  return fmt::format("{}", uint8_t(mode));
}

std::string timestamp_text(const Timestamp& t) { return fmt::format("{}.{:09}", t.sec, t.nsec); }

std::string mode_text(uint32_t mode) { return fmt::format("0{:o}", mode); }

std::string join(const std::vector<std::string>& words, const std::string& sep,
                 const std::string& none) {
  if (words.empty()) return none;
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : sep) + w;
  return out;
}

std::string shell_word(const std::string& word) {
  // A name starting with '-' would read as an option: make it a relative path.
  std::string w = !word.empty() && word[0] == '-' ? "./" + word : word;
  bool plain = !w.empty();
  for (char c : w) {
    plain = plain && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '/' || c == '.' || c == '_' || c == '-' || c == ':' || c == '+' ||
                      c == ',');
  }
  if (plain) return w;
  std::string out = "'";
  for (char c : w) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string damage_message(const LogDamage& damage, const std::string& device) {
  std::string where = damage.block ? fmt::format(": block {}", *damage.block) : "";
  std::string reason = damage.reason;
  if (reason.starts_with(device + ": ")) reason.erase(0, device.size() + 2);
  std::string last = "no older state can be replayed";
  if (damage.log_intact) {
    // Rolling back would lose committed deltas that fsck can keep.
    last = fmt::format("the log itself is intact: fsck.tux3 -fy {} repairs the damaged blocks "
                       "without losing a delta", shell_word(device));
    if (damage.last_valid_delta) {
      last += fmt::format(" (or roll back: tux3-replay --until-delta {} --force {})",
                          *damage.last_valid_delta, shell_word(device));
    }
  } else if (damage.last_valid_delta) {
    uint64_t d = *damage.last_valid_delta;
    last = fmt::format("last valid point: delta {}, replay it with tux3-replay --until-delta {} "
                       "--force {}", d, d, shell_word(device));
  }
  return fmt::format("{}: cannot replay delta {}{}: {}; {}", device, damage.delta, where, reason,
                     last);
}

}  // namespace tux3::replay
