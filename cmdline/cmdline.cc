// cmdline.cc: the tools' shared command-line plumbing (cmdline.h).
#include "cmdline.h"

#include <charconv>
#include <cstdlib>
#include <sstream>

#include <fmt/format.h>

#include "tuxdisk/format/constants.h"
#include "tuxdisk/version.h"

namespace tux3::cmdline {

Status usage(std::string message) { return Status::invalid_argument(std::move(message)); }

bool parse_decimal(std::string_view text, uint64_t max, uint64_t& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out <= max;
}

Result<Parsed> parse(int argc, char** argv, const po::options_description& visible,
                     const po::options_description& hidden,
                     const po::positional_options_description& positional,
                     std::string_view synopsis,
                     const std::function<void(const po::parsed_options&)>& inspect) {
  po::options_description all;
  all.add(visible).add(hidden);
  Parsed out;
  try {
    po::parsed_options parsed =
        po::command_line_parser(argc, argv).options(all).positional(positional).run();
    if (inspect) inspect(parsed);
    po::store(parsed, out.vm);
    po::notify(out.vm);
  } catch (const po::error& e) {
    return usage(fmt::format("{} (try --help)", e.what()));
  }
  std::ostringstream help;
  help << synopsis << "\n" << visible;
  out.help_text = help.str();
  return out;
}

Result<std::optional<format::Timestamp>> source_date_epoch() {
  const char* epoch = std::getenv("SOURCE_DATE_EPOCH");
  if (!epoch) return std::optional<format::Timestamp>();
  uint64_t sec;
  if (!parse_decimal(epoch, uint64_t(INT64_MAX), sec)) {
    return usage(fmt::format("SOURCE_DATE_EPOCH '{}' is not a non-negative integer", epoch));
  }
  return std::optional(format::Timestamp{int64_t(sec), 0});
}

std::string version_line(std::string_view tool) {
  return fmt::format("{} (tux3-tools) {}, on-disk format {}", tool, suite_version(),
                     format::kFormatVersion);
}

}  // namespace tux3::cmdline
