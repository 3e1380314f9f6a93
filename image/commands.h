// commands.h: tux3-image's three commands, and what they share: exit codes and messages.
// Exit codes (man/tux3-image.8): 0 done, 8 operational error (the volume, the dump, a file
// or a device), 16 usage.
#pragma once

#include <cstdint>
#include <string>

#include "options.h"

namespace tux3::image_tool {

inline constexpr int kExitOk = 0, kExitError = 8, kExitUsage = 16;

// Prints "tux3-image: MESSAGE" on standard error; returns code.
int fail(int code, const std::string& message);

int run_dump(const CommandLine& cmd);
int run_restore(const CommandLine& cmd);
int run_info(const CommandLine& cmd);

}  // namespace tux3::image_tool
