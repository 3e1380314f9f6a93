// names.h: how tux3-debugfs writes values in its text output: modes, types, times, names
// that may hold any byte, flag words, log records, hex dumps.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tuxdisk/format/constants.h"
#include "tuxdisk/format/inode.h"
#include "tuxdisk/format/log.h"
#include "tuxdisk/format/superblock.h"

namespace tux3::debugfs {

// "regular", "directory", "chardev", "blockdev", "fifo", "socket", "symlink"; "invalid" for
// type bits the format does not define.
std::string_view type_name(uint32_t mode);
std::string_view file_type_name(format::FileType type);
// ls -l's "drwxr-xr-x" (with s/S/t/T for the set-id and sticky bits).
std::string mode_string(uint32_t mode);
// "0100644".
std::string octal_mode(uint32_t mode);
// "1700000000.000000000".
std::string timestamp_text(const format::Timestamp& t);
// "2023-11-14 22:13:20 UTC"; "(out of range)" when the seconds do not make a date.
std::string timestamp_date(const format::Timestamp& t);

// A name from the volume, printable: bytes outside printable ASCII, and the backslash,
// as \xHH; the result never holds a control character.
std::string printable(std::string_view bytes);
std::string printable(std::span<const uint8_t> bytes);
// Whether `bytes` is valid UTF-8 (JSON strings must be).
bool valid_utf8(std::string_view bytes);
std::string hex_bytes(std::span<const uint8_t> bytes);

// The names of the bits set, in the order given, then any other bit as 0x...
std::vector<std::string> bit_names(uint64_t bits,
                                   const std::vector<std::pair<uint64_t, std::string>>& known);
std::vector<std::string> state_names(uint16_t state);          // "clean", "errors"
std::vector<std::string> incompat_names(uint64_t features);    // "streams"
std::vector<std::string> inode_flag_names(uint32_t flags);     // "immutable", ...
std::vector<std::string> extent_flag_names(uint32_t flags);    // "unwritten"
std::vector<std::string> stream_flag_names(uint16_t flags);    // "HAS_SIZE", ...
std::string fsync_mode_name(format::FsyncMode mode);
std::string xattr_full_name(const format::Xattr& x);           // "user.author"
// Words joined by `sep`, or `none` when there are none.
std::string join(const std::vector<std::string>& words, std::string_view sep,
                 std::string_view none = "none");

// A log record as "ALLOC block=10 count=1" (the kind's field names; *_sec signed).
std::string record_text(const format::LogRecord& record);
std::string record_name(const format::LogRecord& record);
std::vector<std::pair<std::string, int64_t>> record_signed_fields(const format::LogRecord& r);
std::vector<std::pair<std::string, uint64_t>> record_fields(const format::LogRecord& r);

// xxd-style lines: "00000010: 0123 4567 ...  .#Eg....", runs of identical lines after the
// first as one "*". `base` is the offset printed for bytes[0].
std::string hexdump(std::span<const uint8_t> bytes, uint64_t base = 0);

// "1 block" / "3 blocks".
std::string plural(uint64_t n, std::string_view word);

}  // namespace tux3::debugfs
