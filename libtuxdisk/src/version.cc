// version.cc: the suite's version string.
#include "tuxdisk/version.h"

namespace tux3 {
std::string_view suite_version() { return TUX3_VERSION; }
}  // namespace tux3
