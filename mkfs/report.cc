// report.cc: the geometry listing mkfs.tux3 prints.
#include "report.h"

#include <fmt/format.h>

#include "tuxdisk/format/node.h"
#include "tuxdisk/size_parse.h"

namespace tux3::mkfs {

void print_geometry(const std::string& path, const Target& t, const VolumeGeometry& g,
                    const MkfsOptions& o, bool dry_run) {
  const Topology& topo = t.topology;
  fmt::print("{}{}: {}\n", dry_run ? "dry run, nothing written: " : "", path,
             t.is_block_device ? "block device"
             : t.create        ? "new image file"
                               : "image file");
  fmt::print("topology: logical sector {}, physical sector {}, io min {}, io opt {}, "
             "alignment offset {}\n",
             topo.logical_sector, topo.physical_sector, topo.io_min, topo.io_opt,
             topo.alignment_offset);
  if (g.block_size < topo.physical_sector) {
    fmt::print("warning: block size {} is below the physical sector size {}: writes will be "
               "read-modify-write on the device\n",
               g.block_size, topo.physical_sector);
  }
  if (topo.alignment_offset) {
    fmt::print("warning: the device starts {} bytes off its natural alignment; "
               "repartition for best performance\n",
               topo.alignment_offset);
  }
  fmt::print("volume: {} blocks of {} bytes ({})\n", g.vol_blocks, g.block_size,
             format_size(g.vol_blocks * g.block_size));
  fmt::print("uuid: {}\n", format::uuid_to_string(o.uuid));
  fmt::print("label: {}\n", o.label.empty() ? "(none)" : o.label);
  fmt::print("created: {}.{:09d} (seconds since the epoch)\n", o.now.sec, o.now.nsec);
  fmt::print("reserved: blocks 0..{} (boot area; superblock slots at bytes 4096 and 8192)\n",
             g.reserved_blocks - 1);
  fmt::print("inode table: root leaf at block {}\n", g.itree_leaf);
  fmt::print("allocation bitmap: inode 1, extent leaf at block {}, {} bitmap blocks of {} "
             "bits, 1 written (block {}), the rest sparse\n",
             g.bitmap_xleaf, g.bitmap_file_blocks, g.bits_per_bitmap_block, g.bitmap_block0);
  fmt::print("root directory: inode 2, mode {:04o}, owner {}:{}\n", o.root_mode, o.root_uid,
             o.root_gid);
  fmt::print("free: {} blocks ({})\n", g.free_blocks, format_size(g.free_blocks * g.block_size));
  fmt::print("limits: names {} bytes, inline symlinks {} bytes, inode record {} bytes, {} "
             "blocks per volume\n",
             format::max_name_len(g.block_size), format::max_inline_symlink_len(g.block_size),
             g.max_leaf_value, format::kMaxBlocks);
  fmt::print("fsync: {} mode by default, {} streams\n",
             o.fsync_mode == format::FsyncMode::kDelta ? "delta" : "stream", o.stream_count);
  if (dry_run) fmt::print("would write: {} bytes\n", g.bytes_to_write);
}

void print_population(const std::string& root_dir, const PopulateStats& s, bool dry_run) {
  if (s.excluded_image) {
    fmt::print("note: the image file lies inside {} and is not copied into itself\n", root_dir);
  }
  if (s.xattrs_skipped) {
    fmt::print("warning: {} extended attributes skipped: their name space is not supported "
               "(first: {})\n",
               s.xattrs_skipped, s.first_skipped);
  }
  if (s.shrunk) {
    fmt::print("warning: {} files shrank while being copied and were copied as far as they "
               "went (first: {})\n",
               s.shrunk, s.first_shrunk);
  }
  std::string counts = fmt::format(
      "{} files, {} directories, {} symlinks, {} hard links, {} special files, {} xattrs, "
      "{} bytes of data in {} blocks",
      s.files, s.directories, s.symlinks, s.hard_links, s.specials, s.xattrs, s.data_bytes,
      s.data_blocks);
  if (dry_run) {
    fmt::print("would copy from {}: {}\n", root_dir, counts);
  } else {
    fmt::print("copied from {}: {}; {} deltas, {} bytes written\n", root_dir, counts, s.deltas,
               s.bytes_written);
  }
}

}  // namespace tux3::mkfs
