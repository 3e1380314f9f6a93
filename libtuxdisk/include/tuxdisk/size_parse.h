// size_parse.h: human sizes on command lines ("512", "64k", "16G", "1t"; powers of 1024).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tuxdisk/status.h"

namespace tux3 {

// Parses a byte count with an optional k/m/g/t/p suffix (either case, optional trailing
// "iB" or "B"). InvalidArgument names the text and the reason; overflow is an error.
Result<uint64_t> parse_size(std::string_view text);

// "1.00 GiB", "512 B".
std::string format_size(uint64_t bytes);

}  // namespace tux3
