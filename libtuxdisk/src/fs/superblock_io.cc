// superblock_io.cc: reading and choosing a superblock slot.
#include "tuxdisk/superblock_io.h"

#include <vector>

#include <fmt/format.h>

namespace tux3 {

using namespace format;

Result<SlotPair> read_superblock(BlockDevice& device) {
  if (device.size() < kReservedBytes) {
    return Status::not_found(fmt::format("{}: {} bytes is too small to hold a tux3 volume",
                                         device.name(), device.size()));
  }
  std::vector<uint8_t> image(2 * kSuperSlotSize);
  TUX3_RETURN_IF_ERROR(device.read(kSuperSlotOffset[0], image));
  SlotPair slots = choose_superblock(std::span<const uint8_t>(image).first(kSuperSlotSize),
                                     std::span<const uint8_t>(image).subspan(kSuperSlotSize));
  if (!slots.chosen) {
    const Status& a = slots.slots[0].status();
    const Status& b = slots.slots[1].status();
    // Both never written (or not ours): not a tux3 volume. Otherwise report the damage.
    if (a.code() == Errc::kNotFound && b.code() == Errc::kNotFound) {
      return Status::not_found(fmt::format("{}: no tux3 superblock", device.name()));
    }
    // A slot this build cannot read (a newer version or feature) says why by itself.
    if (a.code() == Errc::kNotSupported || b.code() == Errc::kNotSupported) {
      Status unsupported = a.code() == Errc::kNotSupported ? a : b;
      return std::move(unsupported).with_context(device.name());
    }
    Status worst = a.code() == Errc::kNotFound ? b : a;
    return std::move(worst).with_context(
        fmt::format("{}: no valid superblock slot (slot 0: {}; slot 1: {})", device.name(),
                    a.message(), b.message()));
  }
  const Superblock& sb = *slots.slots[*slots.chosen];
  // The other slot, unreadable only because it names a version or feature this build does
  // not know, and newer than the chosen one: a newer writer committed it. Falling back to
  // the older slot would discard that delta: refuse the volume instead.
  unsigned other = 1 - *slots.chosen;
  const Status& why = slots.slots[other].status();
  if (why.code() == Errc::kNotSupported) {
    auto raw = std::span<const uint8_t>(image).subspan(other * kSuperSlotSize, kSuperSlotSize);
    uint64_t other_delta = decode_header(raw).delta;
    if (other_delta > sb.delta) {
      return Status::not_supported(fmt::format(
          "{}: {} (its delta {} is newer than slot {}'s delta {})", device.name(), why.message(),
          other_delta, *slots.chosen, sb.delta));
    }
  }
  uint64_t need = sb.vol_blocks << sb.block_bits;
  if (device.size() < need) {
    return Status::corruption(fmt::format(
        "{}: the volume needs {} bytes ({} blocks of {}) but the device has only {}",
        device.name(), need, sb.vol_blocks, sb.block_size(), device.size()));
  }
  return slots;
}

}  // namespace tux3
