// version.h: the suite's version, printed by every tool's --version.
#pragma once

#include <string_view>

namespace tux3 {
std::string_view suite_version();
}  // namespace tux3
