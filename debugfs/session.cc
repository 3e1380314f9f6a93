// session.cc: opening the volume and the state the commands see (session.h).
#include "session.h"

#include <fmt/format.h>

#include "volume_device.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/metadump.h"
#include "tuxdisk/superblock_io.h"

namespace tux3::debugfs {

using namespace format;

namespace {

bool live_streams(const Superblock& sb) {
  for (const StreamHead& h : sb.streams) {
    if (h.block) return true;
  }
  return false;
}

// Block bits from a slot that does not verify: its blockbits field, when plausible.
std::optional<unsigned> raw_block_bits(std::span<const uint8_t> slot) {
  uint16_t bits = SuperLayout::BlockBits::get(slot);
  if (bits >= kMinBlockBits && bits <= kMaxBlockBits) return bits;
  return std::nullopt;
}

}  // namespace

Result<std::unique_ptr<Session>> Session::open(const OpenOptions& options,
                                               std::vector<std::string>& warnings) {
  std::unique_ptr<Session> s(new Session(options));
  TUX3_RETURN_IF_ERROR(s->open_device());
  TUX3_RETURN_IF_ERROR(s->load(warnings));
  return s;
}

Session::~Session() = default;

Status Session::open_device() {
  auto file = cmdline::open_volume_device(options_.path, options_.write);
  if (!file) return file.status();
  // A tux3-image dump is read through its own device: blocks as stored, the rest zeros.
  std::vector<uint8_t> head(std::min<uint64_t>((*file)->size(), 4096));
  if (!head.empty() && (*file)->read(0, head) && is_metadump(head)) {
    if (options_.write) {
      return Status::invalid_argument(fmt::format(
          "{}: is a tux3-image dump, which opens read-only (restore it with tux3-image restore "
          "to write)", options_.path));
    }
    file->reset();
    TUX3_ASSIGN_OR_RETURN(device_, open_metadump(options_.path));
    is_dump_ = true;
    return Status::ok();
  }
  device_ = std::move(*file);
  return Status::ok();
}

Status Session::load(std::vector<std::string>& warnings) {
  reader_.reset();
  chain_.reset();
  alloc_.reset();
  overlay_ = FsyncOverlay();
  view_ = ViewInfo();

  // Both slots, as they are; the geometry from the chosen one, else from what they hold.
  std::vector<uint8_t> raw(2 * kSuperSlotSize);
  bool slots_read = device_->size() >= kReservedBytes &&
                    device_->read(kSuperSlotOffset[0], raw);
  if (slots_read) {
    slots_ = choose_superblock(std::span(raw).subspan(0, kSuperSlotSize),
                               std::span(raw).subspan(kSuperSlotSize));
  } else {
    slots_ = SlotPair();
  }
  geometry_ = Geometry();
  if (slots_.chosen) {
    const Superblock& sb = *slots_.slots[*slots_.chosen];
    geometry_.block_bits = sb.block_bits;
    geometry_.vol_blocks = sb.vol_blocks;
    geometry_.from_superblock = true;
  } else if (slots_read) {
    auto bits = raw_block_bits(std::span(raw).subspan(0, kSuperSlotSize));
    if (!bits) bits = raw_block_bits(std::span(raw).subspan(kSuperSlotSize));
    geometry_.block_bits = bits.value_or(kDefaultBlockBits);
  }
  geometry_.block_size = uint32_t(1) << geometry_.block_bits;
  if (!geometry_.from_superblock) geometry_.vol_blocks = device_->size() >> geometry_.block_bits;
  geometry_.first_data_block = first_data_block(geometry_.block_bits);

  // The superblock the library chooses (it also checks the device holds the volume).
  auto chosen = read_superblock(*device_);
  if (!chosen) {
    view_.no_reader = chosen.status().message();
    reader_error_ = chosen.status();
    warnings.push_back(fmt::format("{}; only the raw blocks can be shown (super, block)",
                                   chosen.status().message()));
    return Status::ok();
  }
  slots_ = std::move(*chosen);
  const Superblock& committed = *slots_.slots[*slots_.chosen];
  Superblock state = committed;
  if (options_.delta && *options_.delta != committed.delta) {
    TUX3_ASSIGN_OR_RETURN(state, state_for_delta(*options_.delta));
    view_.committed = false;
  }
  view_.delta = state.delta;

  auto opened = VolumeReader::open_at(*device_, slots_, state, options_.replay);
  if (opened) {
    view_.log_replayed = options_.replay;
  } else if (options_.replay && opened.status().code() == Errc::kCorruption) {
    view_.log_note = opened.status().message();
    warnings.push_back(fmt::format("the log does not replay: {}; showing the volume as it is on "
                                   "disk (as with --no-replay)", opened.status().message()));
    opened = VolumeReader::open_at(*device_, slots_, state, false);
  }
  if (!opened) {
    view_.no_reader = opened.status().message();
    reader_error_ = opened.status();
    warnings.push_back(opened.status().message());
    return Status::ok();
  }
  reader_ = std::move(*opened);

  if (!live_streams(state)) return Status::ok();
  if (!view_.log_replayed) {
    view_.streams_note = "the log is not replayed";
    return Status::ok();
  }
  auto overlay = FsyncOverlay::build(*device_);
  if (!overlay) {
    view_.streams_note = overlay.status().message();
    warnings.push_back(fmt::format("the fsync streams are not applied: {}",
                                   overlay.status().message()));
    return Status::ok();
  }
  overlay_ = std::move(*overlay);
  return Status::ok();
}

Result<Superblock> Session::state_for_delta(uint64_t delta) {
  const Superblock& committed = *slots_.slots[*slots_.chosen];
  if (delta > committed.delta) {
    return Status::invalid_argument(fmt::format("--delta {}: newer than the committed delta {}",
                                                delta, committed.delta));
  }
  auto find_in = [&](const Superblock& top, std::string& held) -> std::optional<Superblock> {
    LogChain chain = read_log_chain(*device_, top);
    if (chain.damage) {
      held = fmt::format("a damaged log (block {}: {})", chain.damage->block, chain.damage->reason);
      return std::nullopt;
    }
    if (chain.deltas.empty()) {
      held = "an empty log";
    } else {
      held = fmt::format("deltas {} to {}", chain.deltas.front().delta, chain.deltas.back().delta);
    }
    for (std::size_t i = 0; i < chain.deltas.size(); ++i) {
      if (chain.deltas[i].delta == delta) return state_superblock(top, chain, i);
    }
    return std::nullopt;
  };
  std::string held, other_held;
  if (auto sb = find_in(committed, held)) return *sb;
  const auto& other = slots_.slots[1 - *slots_.chosen];
  if (other && other->delta < committed.delta) {
    if (other->delta == delta) return *other;
    if (auto sb = find_in(*other, other_held)) return *sb;
    other_held = "; the other slot's log holds " + other_held;
  }
  return Status::invalid_argument(fmt::format("--delta {}: not in the log, which holds {}{}", delta,
                                              held, other_held));
}

Result<VolumeReader*> Session::reader() {
  if (!reader_) {
    return Status(reader_error_).with_context("no usable superblock or inode table");
  }
  return reader_.get();
}

const LogChain& Session::chain() {
  if (!chain_) chain_ = read_log_chain(*device_, reader_->super());
  return *chain_;
}

Result<const AllocMap*> Session::alloc_map() {
  if (!alloc_ && alloc_error_.is_ok()) {
    TUX3_ASSIGN_OR_RETURN(VolumeReader * r, reader());
    const LogChain* applied = view_.log_replayed ? &chain() : nullptr;
    auto built = build_alloc_map(*r, applied, overlay_);
    if (!built) {
      alloc_error_ = built.status();
    } else {
      alloc_ = std::move(*built);
    }
  }
  if (!alloc_error_.is_ok()) return alloc_error_;
  return &*alloc_;
}

void Session::set_cwd(uint64_t inum, std::string path) {
  cwd_ = inum;
  cwd_path_ = std::move(path);
}

Result<Volume*> Session::engine() {
  if (!options_.write) {
    return Status::invalid_argument("the volume is open read-only (give -w to change it)");
  }
  if (!engine_) {
    VolumeOptions vo;
    vo.deterministic_deltas = true;
    vo.delta_interval_ms = UINT32_MAX;  // a delta per command, committed by the command
    vo.io_threads = 0;
    if (options_.clock) vo.clock = [t = *options_.clock] { return t; };
    auto opened = Volume::open(*device_, vo);
    if (!opened) return opened.status().with_context("opening the writer engine");
    engine_ = std::move(*opened);
  }
  return engine_.get();
}

Status Session::commit_engine_change(std::vector<std::string>& warnings) {
  Status committed = engine_ ? engine_->commit_delta(false) : Status::ok();
  TUX3_RETURN_IF_ERROR(load(warnings));
  return committed;
}

Status Session::settle_for_raw_edit(std::vector<std::string>& warnings) {
  if (!engine_) return Status::ok();  // (never open without -w)
  TUX3_RETURN_IF_ERROR(close());
  return load(warnings);
}

Status Session::write_raw(uint64_t offset, std::span<const uint8_t> bytes,
                          std::vector<std::string>& warnings) {
  if (!options_.write) {
    return Status::invalid_argument("the volume is open read-only (give -w to change it)");
  }
  TUX3_RETURN_IF_ERROR(settle_for_raw_edit(warnings));
  TUX3_RETURN_IF_ERROR(device_->write(offset, bytes));
  TUX3_RETURN_IF_ERROR(device_->flush());
  return load(warnings);
}

Status Session::close() {
  if (!engine_) return Status::ok();
  Status s = engine_->close();
  engine_.reset();
  return s.with_context("closing the writer engine");
}

}  // namespace tux3::debugfs
