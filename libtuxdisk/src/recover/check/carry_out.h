// carry_out.h: writing the accepted repairs (see carry_out.cc for the order).
#pragma once

#include <vector>

#include "recover/check/context.h"
#include "tuxdisk/volume.h"

namespace tux3::check {

// Writes `accepted` (repairs of c.repairs) through the engine as one unify delta, frees
// the blocks nothing uses any more, rewrites the bitmap, closes the volume clean. Returns
// the delta written last. REQUIRES: every pass ran on c; the volume needs no replay.
Result<uint64_t> carry_out(Context& c, const std::vector<const Repair*>& accepted,
                           const VolumeOptions& engine);

}  // namespace tux3::check
