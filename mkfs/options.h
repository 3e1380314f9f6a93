// options.h: mkfs.tux3's command line, parsed into what the library and target steps need.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "target.h"
#include "tuxdisk/mkfs.h"
#include "tuxdisk/status.h"

namespace tux3::mkfs {

struct Command {
  MkfsOptions options;
  TargetRequest request;
  bool quiet = false;
  bool discard = false;
  std::string root_dir;                       // --root-dir: copy this tree in (empty: none)
  bool root_owner_given = false;              // --root-owner was on the command line
  std::optional<int64_t> source_date_epoch;   // SOURCE_DATE_EPOCH, when set
  bool help = false;
  bool version = false;
  std::string help_text;
};

// Parses argv. Any usage problem (unknown option, bad block size, UUID, label, size, owner,
// SOURCE_DATE_EPOCH) is InvalidArgument with a one-line message.
Result<Command> parse_command_line(int argc, char** argv);

}  // namespace tux3::mkfs
