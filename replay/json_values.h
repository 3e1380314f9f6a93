// json_values.h: the JSON values tux3-replay's report and listing share (nlohmann::json,
// keys in a fixed order), and the one way they are written out.
#pragma once

#include <nlohmann/json.hpp>

#include "tuxdisk/format/stream.h"
#include "tuxdisk/replay.h"

namespace tux3::replay {

using Json = nlohmann::ordered_json;

// Every object starts with these keys: {"tool": "tux3-replay", "schema": 1, "type": type,
// "device": device}.
Json json_document(const char* type, const std::string& device);
Json json_timestamp(const format::Timestamp& t);       // {"sec": S, "nsec": N}
Json json_tree_root(const format::TreeRoot& root);     // {"block": B, "depth": D}
Json json_stream_head(const format::StreamHead& head); // {"block", "seq", "delta"}
Json json_roots(const format::DeltaRoots& roots);
// A stream block's fields (seq, inode, flags, size, times, mode, data_crc, extents, next).
Json json_stream_record(const format::StreamBlock& block);
// A stream's end: {"block", "seq", "reason", "incomplete_blocks"}.
Json json_stream_end(const StreamInfo& stream);
Json json_delta(const LogDeltaInfo& delta);            // with its roots
Json json_damage(const std::optional<LogDamage>& damage);  // null when there is none

// Writes `doc` on one line to standard output; bytes that are not UTF-8 (in a label or a
// reason) are replaced, never thrown about.
void print_json(const Json& doc);

}  // namespace tux3::replay
