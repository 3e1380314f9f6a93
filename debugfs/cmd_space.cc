// cmd_space.cc: freefrag: the free space of the state shown, as e2freefrag reports it.
#include <bit>

#include <fmt/format.h>

#include "commands.h"
#include "json_values.h"
#include "names.h"

namespace tux3::debugfs {

namespace {

std::string size_text(uint64_t bytes) {
  const char* units[] = {"B", "K", "M", "G", "T", "P"};
  int u = 0;
  while (bytes >= 1024 && bytes % 1024 == 0 && u < 5) {
    bytes /= 1024;
    ++u;
  }
  return fmt::format("{}{}", bytes, units[u]);
}

}  // namespace

Status cmd_freefrag(CommandContext& ctx, const CommandSpec& spec) {
  TUX3_RETURN_IF_ERROR(parse_args(ctx, spec, ArgSpec{}).status());
  Session& s = ctx.session;
  TUX3_ASSIGN_OR_RETURN(const AllocMap* map, s.alloc_map());
  const uint64_t vol = map->vol_blocks;
  const uint32_t bs = s.super().block_size();
  // Free extents: runs of clear bits; histogram bucket i holds sizes [2^i, 2^(i+1)) blocks.
  std::vector<uint64_t> bucket_extents(64), bucket_blocks(64);
  uint64_t free_blocks = 0, extents = 0, smallest = 0, largest = 0;
  for (uint64_t b = 0; b < vol;) {
    if (map->allocated(b)) {
      ++b;
      continue;
    }
    uint64_t start = b;
    while (b < vol && !map->allocated(b)) ++b;
    uint64_t run = b - start;
    ++extents;
    free_blocks += run;
    smallest = extents == 1 ? run : std::min(smallest, run);
    largest = std::max(largest, run);
    unsigned i = unsigned(std::bit_width(run) - 1);
    bucket_extents[i]++;
    bucket_blocks[i] += run;
  }
  uint64_t unknown = 0;
  for (const BlockRange& r : map->unknown) unknown += r.count;
  const uint64_t super_free = s.super().free_blocks;
  if (ctx.json) {
    Json doc = json_document("freefrag");
    doc["block_size"] = bs;
    doc["vol_blocks"] = vol;
    doc["free_blocks"] = free_blocks;
    doc["superblock_free_blocks"] = super_free;
    doc["unknown_blocks"] = unknown;
    doc["free_extents"] = extents;
    doc["smallest"] = smallest;
    doc["largest"] = largest;
    Json hist = Json::array();
    for (unsigned i = 0; i < 64; ++i) {
      if (!bucket_extents[i]) continue;
      hist.push_back(Json{{"min_blocks", uint64_t(1) << i}, {"extents", bucket_extents[i]},
                          {"blocks", bucket_blocks[i]}});
    }
    doc["histogram"] = std::move(hist);
    doc["problems"] = map->problems;
    ctx.emit(doc);
    return Status::ok();
  }
  FILE* out = ctx.out;
  fmt::print(out, "Blocksize: {} bytes\n", bs);
  fmt::print(out, "Total blocks: {}\n", vol);
  fmt::print(out, "Free blocks: {} ({:.1f}%)\n", free_blocks, vol ? 100.0 * double(free_blocks) / double(vol) : 0.0);
  fmt::print(out, "Superblock free blocks: {}{}\n", super_free,
             super_free == free_blocks ? " (agrees)"
                                       : fmt::format(" (differs by {})",
                                                     int64_t(super_free - free_blocks)));
  if (unknown) fmt::print(out, "Blocks whose bitmap does not verify: {} (counted in use)\n", unknown);
  fmt::print(out, "\nMin. free extent: {}\n", extents ? size_text(smallest * bs) : "-");
  fmt::print(out, "Max. free extent: {}\n", extents ? size_text(largest * bs) : "-");
  fmt::print(out, "Avg. free extent: {}\n",
             extents ? size_text(free_blocks / extents * bs) : "-");
  fmt::print(out, "Num. free extent: {}\n", extents);
  if (extents) {
    fmt::print(out, "\nHISTOGRAM OF FREE EXTENT SIZES:\n");
    fmt::print(out, "{:>22} :  {:>12}  {:>12}  {:>7}\n", "Extent Size Range", "Free extents",
               "Free Blocks", "Percent");
    for (unsigned i = 0; i < 64; ++i) {
      if (!bucket_extents[i]) continue;
      std::string range = fmt::format("{}...{}-", size_text((uint64_t(1) << i) * bs),
                                      size_text((uint64_t(2) << i) * bs));
      fmt::print(out, "{:>22} :  {:>12}  {:>12}  {:>6.2f}%\n", range, bucket_extents[i],
                 bucket_blocks[i], 100.0 * double(bucket_blocks[i]) / double(free_blocks));
    }
  }
  for (const std::string& p : map->problems) fmt::print(out, "  BAD: {}\n", p);
  return Status::ok();
}

}  // namespace tux3::debugfs
