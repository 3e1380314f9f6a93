// report.h: mkfs.tux3's description of the volume it made (or would make).
#pragma once

#include <string>

#include "target.h"
#include "tuxdisk/mkfs.h"

namespace tux3::mkfs {

void print_geometry(const std::string& path, const Target& target, const VolumeGeometry& g,
                    const MkfsOptions& options, bool dry_run);

}  // namespace tux3::mkfs
