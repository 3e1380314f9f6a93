// info.cc: tux3-image info: read a dump whole (verifying it as restore would) and print its
// header and what it holds, as text or as one JSON object (schema in man/tux3-image.8).
#include <fcntl.h>
#include <unistd.h>

#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "tuxdisk/size_parse.h"

namespace tux3::image_tool {

namespace {

using Json = nlohmann::ordered_json;

std::string utc(int64_t sec) {
  std::time_t t = std::time_t(sec);
  std::tm tm{};
  char text[64];
  if (!::gmtime_r(&t, &tm) || !std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm)) {
    return fmt::format("{} seconds since the epoch", sec);
  }
  return text;
}

std::string holds(uint32_t flags) {
  if (flags & kDumpData) return "every block that is not zeros (metadata and data)";
  if (flags & kDumpScrambled) return "metadata, scrambled, of the volume as replay leaves it";
  if (flags & kDumpReplayed) return "metadata of the volume as replay leaves it";
  return "metadata";
}

void print_text(const std::string& name, const MetadumpHeader& h, const DumpCounts& c) {
  auto row = [](std::string_view key, const std::string& value) {
    fmt::print("{:<20} {}\n", key, value);
  };
  row("dump", name);
  row("dump version", std::to_string(h.version));
  row("producer", h.producer);
  row("created", utc(h.created_sec));
  row("holds", holds(h.flags));
  row("uuid", format::uuid_to_string(h.uuid));
  row("label", h.label);
  row("block size", std::to_string(h.block_size()));
  row("volume", fmt::format("{} blocks ({}), on a device of {} bytes", h.vol_blocks,
                            format_size(h.volume_bytes()), h.device_bytes));
  row("format version", std::to_string(h.volume_version));
  row("committed delta", std::to_string(h.delta));
  row("blocks", fmt::format("{} ({}) in {} runs, {} chunks", c.blocks,
                            format_size(c.blocks << h.block_bits), c.runs, c.chunks));
  for (std::size_t k = 0; k < kDumpBlockKinds; ++k) {
    fmt::print("  {:<18} {}\n", dump_block_kind_name(DumpBlockKind(k)), c.by_kind[k]);
  }
  row("zero blocks", fmt::format("{} (held as zeros, not stored)", c.zero_blocks));
  std::string ratio;
  if (c.stream_bytes && c.blocks) {
    ratio = fmt::format(", {:.1f} times smaller than its blocks",
                        double(c.blocks << h.block_bits) / double(c.stream_bytes));
  }
  row("stream", fmt::format("{} bytes ({}){}", c.stream_bytes, format_size(c.stream_bytes),
                            ratio));
}

void print_json(const std::string& name, const MetadumpHeader& h, const DumpCounts& c) {
  Json doc = {{"tool", "tux3-image"}, {"schema", 1}, {"type", "info"}, {"dump", name}};
  doc["version"] = h.version;
  doc["producer"] = h.producer;
  doc["created"] = h.created_sec;
  doc["flags"] = {{"data", bool(h.flags & kDumpData)},
                  {"scrambled", bool(h.flags & kDumpScrambled)},
                  {"replayed", bool(h.flags & kDumpReplayed)},
                  {"predicted", bool(h.flags & kDumpPredicted)}};
  doc["volume"] = {{"uuid", format::uuid_to_string(h.uuid)},
                   {"label", h.label},
                   {"block_size", h.block_size()},
                   {"blocks", h.vol_blocks},
                   {"device_bytes", h.device_bytes},
                   {"format_version", h.volume_version},
                   {"delta", h.delta}};
  doc["chunk_bytes"] = h.chunk_bytes;
  doc["chunks"] = c.chunks;
  doc["runs"] = c.runs;
  Json blocks = {{"total", c.blocks}};
  for (std::size_t k = 0; k < kDumpBlockKinds; ++k) {
    blocks[std::string(dump_block_kind_name(DumpBlockKind(k)))] = c.by_kind[k];
  }
  doc["blocks"] = std::move(blocks);
  doc["zero_blocks"] = c.zero_blocks;
  doc["block_bytes"] = c.blocks << h.block_bits;
  doc["stream_bytes"] = c.stream_bytes;
  fmt::print("{}\n", doc.dump(-1, ' ', false, Json::error_handler_t::replace));
}

}  // namespace

int run_info(const CommandLine& cmd) {
  const bool from_stdin = cmd.in == "-";
  int fd = from_stdin ? STDIN_FILENO : ::open(cmd.in.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(kExitError, Status::from_errno(errno, cmd.in).message());
  const std::string name = from_stdin ? "standard input" : cmd.in;
  auto source = fd_source(fd, name);
  auto reader = MetadumpReader::open(*source);
  if (!reader) return fail(kExitError, reader.status().message());
  for (;;) {
    auto run = (*reader)->next();
    if (!run) return fail(kExitError, run.status().message());
    if (!*run) break;
  }
  if (!from_stdin) ::close(fd);
  if (cmd.json) {
    print_json(name, (*reader)->header(), (*reader)->counts());
  } else {
    print_text(name, (*reader)->header(), (*reader)->counts());
  }
  return kExitOk;
}

}  // namespace tux3::image_tool
