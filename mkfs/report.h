// report.h: mkfs.tux3's description of the volume it made (or would make).
#pragma once

#include <string>

#include "populate.h"
#include "target.h"
#include "tuxdisk/mkfs.h"

namespace tux3::mkfs {

void print_geometry(const std::string& path, const Target& target, const VolumeGeometry& g,
                    const MkfsOptions& options, bool dry_run);

// What --root-dir copied (or, in a dry run, would copy): warnings, then one summary line.
void print_population(const std::string& root_dir, const PopulateStats& stats, bool dry_run);

}  // namespace tux3::mkfs
