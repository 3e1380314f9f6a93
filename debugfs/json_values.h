// json_values.h: JSON values several commands share (the schema is in tux3-debugfs(8),
// JSON OUTPUT). Keys keep the order they are written in.
#pragma once

#include <string>

#include "commands.h"
#include "fs.h"
#include "tuxdisk/format/log.h"
#include "tuxdisk/format/superblock.h"
#include "tuxdisk/format/values.h"

namespace tux3::debugfs {

// {"tool": "tux3-debugfs", "schema": 1, "command": name}: every document starts so.
Json json_document(std::string_view command);
Json json_timestamp(const format::Timestamp& t);    // {"sec", "nsec"}
Json json_tree_root(const format::TreeRoot& root);  // {"block", "depth"}
Json json_extent(const format::Extent& e);          // {"logical", "physical", "count", "flags"}
Json json_roots(const format::DeltaRoots& roots);
Json json_record(const format::LogRecord& r);       // {"code", "name", "fields": {...}}
// A name from the volume: the string (bytes that are not UTF-8 become U+FFFD when printed);
// `into` also gets "name_hex" when the name is not valid UTF-8.
void json_name(Json& into, const char* key, const std::string& name);
// An inode record as stat shows it (without its location).
Json json_inode_record(const format::InodeRecord& rec);

}  // namespace tux3::debugfs
