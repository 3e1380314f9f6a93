// options.h: tux3-fuse's command line and its -o list, parsed into the engine's options
// and the options handed to libfuse. No libfuse here, so the parsing is testable alone.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tuxdisk/status.h"
#include "tuxdisk/volume.h"

namespace tux3::fuse {

struct MountOptions {
  std::string device;      // DEVICE or FILE
  std::string mountpoint;
  VolumeOptions volume;    // read_only, cache, deltas, fsync mode and streams, stable pages
  unsigned threads = 16;   // FUSE worker threads at most (each fsync holds one)
  bool direct = false;     // O_DIRECT on the device or image file
  // The kernel's writeback cache: writes are cached by the kernel and reach the engine at
  // writeback, fsync, close or unmount (only fsynced data is promised after a crash).
  bool writeback_cache = false;
  // How long the kernel may trust names and attributes it was told, in milliseconds.
  unsigned timeout_ms = 60000;
  bool foreground = false; // -f: do not detach
  bool debug = false;      // -d: libfuse's request trace (implies -f)
  // Options for libfuse's session ("fsname=...,subtype=tux3,default_permissions,...").
  std::vector<std::string> fuse_options;
  bool help = false;
  bool version = false;
  std::string help_text;
  // As mount(8)'s helper (mount.tux3): -f asks to do nothing, -s to ignore unknown options.
  bool fake = false;
  bool sloppy = false;
};

// Splits an -o list at commas (a backslash escapes the next character).
std::vector<std::string> split_option_list(std::string_view list);

// Applies one -o option: a tux3 option sets `out`; a FUSE mount option is kept for
// libfuse; an option only mount(8) uses is dropped. Unknown or malformed: a usage error
// (InvalidArgument) naming it.
Status apply_mount_option(std::string_view option, MountOptions& out);

// Parses argv: tux3-fuse [-f] [-d] [-o OPTIONS]... DEVICE MOUNTPOINT. Usage problems are
// InvalidArgument with a one-line message.
Result<MountOptions> parse_command_line(int argc, char** argv);

// Parses argv as mount(8) calls its helper /sbin/mount.tux3:
//   mount.tux3 SPEC DIR [-sfnv] [-N NAMESPACE] [-o OPTIONS] [-t TYPE]
// -f (fake) and -s (sloppy) are kept; -n, -v, -N and -t change nothing here. The mount
// always detaches.
Result<MountOptions> parse_helper_command_line(int argc, char** argv);

}  // namespace tux3::fuse
