// cmdline.h: the command-line plumbing every tux3 tool shares (Boost.Program_options).
//
// Each tool keeps its own options, meanings and checks; this is only what would otherwise
// be written again in each: parsing argv into a variables map with the --help text, the
// one-line usage errors (InvalidArgument, which every tool maps to exit 16), whole
// numbers, SOURCE_DATE_EPOCH, and the --version line.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <boost/program_options.hpp>

#include "tuxdisk/format/superblock.h"
#include "tuxdisk/status.h"

namespace tux3::cmdline {

namespace po = boost::program_options;

// A usage error: InvalidArgument with `message`, one line.
Status usage(std::string message);

// A whole decimal number of at most `max`: digits only (no sign, no spaces, no suffix).
bool parse_decimal(std::string_view text, uint64_t max, uint64_t& out);

struct Parsed {
  po::variables_map vm;
  std::string help_text;  // `synopsis`, a blank line, then the visible options
};

// Parses argv against `visible` and `hidden` options, positionals as `positional` says.
// `synopsis` heads the help text ("Usage: tool ...\nWhat it does.\n"). `inspect` (optional)
// sees the raw parse first (to count a repeated flag). A parse error is a usage error
// naming the option, with "(try --help)".
Result<Parsed> parse(int argc, char** argv, const po::options_description& visible,
                     const po::options_description& hidden,
                     const po::positional_options_description& positional,
                     std::string_view synopsis,
                     const std::function<void(const po::parsed_options&)>& inspect = {});

// SOURCE_DATE_EPOCH as a timestamp, nullopt when unset; a usage error when it is not a
// non-negative whole number.
Result<std::optional<format::Timestamp>> source_date_epoch();

// "TOOL (tux3-tools) VERSION, on-disk format N".
std::string version_line(std::string_view tool);

}  // namespace tux3::cmdline
