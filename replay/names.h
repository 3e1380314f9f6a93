// names.h: the names and value formats tux3-replay prints, shared by its text and JSON
// output: record kinds and fields, stream and extent flags, superblock state and features,
// timestamps and modes, and the one-line damage message.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tuxdisk/format/log.h"
#include "tuxdisk/format/stream.h"
#include "tuxdisk/format/superblock.h"
#include "tuxdisk/replay.h"

namespace tux3::replay {

// A record's kind name ("ALLOC", "UNKNOWN_0x1f" for a code the table lacks: a decoded
// record never has one) and its fields as (name, value) in the kind's order. Fields named
// *_sec are signed seconds; they are given as the two's complement of the u64 field.
std::string record_name(const format::LogRecord& record);
std::vector<std::pair<std::string, uint64_t>> record_fields(const format::LogRecord& record);
bool field_is_signed(const std::string& name);

// "HAS_SIZE", "HAS_MTIME", ... for the bits set, in bit order (tux3-format(5) names).
std::vector<std::string> stream_flag_names(uint16_t flags);
std::vector<std::string> extent_flag_names(uint32_t flags);
// Superblock state bits ("clean", "errors") and incompat features ("streams"); an unknown
// bit as "0x...".
std::vector<std::string> state_names(uint16_t state);
std::vector<std::string> incompat_names(uint64_t features);
std::string fsync_mode_name(format::FsyncMode mode);

// "1700000000.000000000".
std::string timestamp_text(const format::Timestamp& t);
// "0100644".
std::string mode_text(uint32_t mode);
// Words joined by `sep`, or `none` when there are none.
std::string join(const std::vector<std::string>& words, const std::string& sep,
                 const std::string& none = "none");

// The one line (without the tool's prefix) that reports damage: the device, the delta
// that cannot be replayed, the block, the reason, and the last valid point with the
// command that replays it.
std::string damage_message(const LogDamage& damage, const std::string& device);
// `device` quoted for a shell when it needs it.
std::string shell_word(const std::string& word);

}  // namespace tux3::replay
