// metadump_stream_test.cc: the tux3-image stream on its own: header and varint codecs,
// records through the chunk writer and reader, and streams that are damaged, truncated,
// foreign, empty or from a newer version (always an error naming the reason, never a crash).
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <tuple>

#include "image/dump_stream.h"
#include "tuxdisk/metadump.h"

namespace tux3 {
namespace {

using image::kChunkBytes;


MetadumpHeader sample_header() {
  MetadumpHeader h;
  h.flags = kDumpReplayed;
  h.block_bits = 10;
  h.volume_version = 1;
  h.chunk_bytes = kChunkBytes;
  h.vol_blocks = 100000;
  h.device_bytes = 100000 * 1024 + 512;
  for (std::size_t i = 0; i < h.uuid.size(); ++i) h.uuid[i] = uint8_t(i * 17);
  h.delta = 77;
  h.created_sec = 1700000000;
  h.label = "bug 1234";
  h.producer = "tux3-image (tux3-tools) 0.1.0";
  return h;
}

std::vector<uint8_t> block_of(uint64_t block, uint32_t size) {
  std::vector<uint8_t> b(size);
  for (uint32_t i = 0; i < size; ++i) b[i] = uint8_t((block * 31 + i / 7) | 1);
  return b;
}

// A stream of runs (first, count) with recognisable blocks.
std::vector<uint8_t> make_stream(const MetadumpHeader& h,
                                 const std::vector<std::pair<uint64_t, uint64_t>>& runs,
                                 unsigned threads = 1) {
  VectorSink sink;
  auto w = image::ChunkWriter::open(sink, h, 3, threads);
  EXPECT_TRUE(w.is_ok());
  for (auto [first, count] : runs) {
    std::vector<uint8_t> bytes;
    for (uint64_t b = first; b < first + count; ++b) {
      auto one = block_of(b, h.block_size());
      bytes.insert(bytes.end(), one.begin(), one.end());
    }
    EXPECT_TRUE((*w)->add_run(first, bytes).is_ok());
  }
  EXPECT_TRUE((*w)->finish().is_ok());
  return sink.bytes();
}

// Reads a whole stream; the runs it held, or the error.
Result<std::vector<std::pair<uint64_t, uint64_t>>> read_stream(std::vector<uint8_t> bytes,
                                                               std::size_t step = 4093) {
  SpanSource source(bytes, "dump.t3i", step);
  TUX3_ASSIGN_OR_RETURN(auto reader, MetadumpReader::open(source));
  std::vector<std::pair<uint64_t, uint64_t>> runs;
  for (;;) {
    TUX3_ASSIGN_OR_RETURN(auto run, reader->next());
    if (!run) break;
    if (run->zero) return Status::corruption("a ZERO run in a stream of RUNs");
    for (uint64_t i = 0; i < run->count; ++i) {
      auto want = block_of(run->first + i, reader->header().block_size());
      auto got = run->bytes.subspan(i * want.size(), want.size());
      if (!std::equal(got.begin(), got.end(), want.begin())) {
        return Status::corruption("block bytes differ");
      }
    }
    if (!runs.empty() && runs.back().first + runs.back().second == run->first) {
      runs.back().second += run->count;  // a run split across chunks
    } else {
      runs.emplace_back(run->first, run->count);
    }
  }
  return runs;
}

TEST(MetadumpHeader, RoundTrips) {
  MetadumpHeader h = sample_header();
  std::array<uint8_t, kMetadumpHeaderSize> bytes;
  image::encode_dump_header(h, bytes);
  EXPECT_EQ(std::memcmp(bytes.data(), "TUX3DUMP", 8), 0);
  EXPECT_TRUE(is_metadump(bytes));
  auto back = image::decode_dump_header(bytes, "x");
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->flags, h.flags);
  EXPECT_EQ(back->block_bits, h.block_bits);
  EXPECT_EQ(back->vol_blocks, h.vol_blocks);
  EXPECT_EQ(back->device_bytes, h.device_bytes);
  EXPECT_EQ(back->uuid, h.uuid);
  EXPECT_EQ(back->delta, h.delta);
  EXPECT_EQ(back->created_sec, h.created_sec);
  EXPECT_EQ(back->label, h.label);
  EXPECT_EQ(back->producer, h.producer);
}

TEST(MetadumpHeader, EveryFlippedByteIsCaught) {
  std::array<uint8_t, kMetadumpHeaderSize> bytes;
  image::encode_dump_header(sample_header(), bytes);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto copy = bytes;
    copy[i] ^= 0x10;
    auto back = image::decode_dump_header(copy, "dump.t3i");
    ASSERT_FALSE(back.is_ok()) << "byte " << i;
    EXPECT_NE(back.status().message().find("dump.t3i: "), std::string::npos);
  }
}

TEST(MetadumpHeader, ForeignEmptyShortAndNewer) {
  std::array<uint8_t, kMetadumpHeaderSize> bytes;
  image::encode_dump_header(sample_header(), bytes);
  auto empty = image::decode_dump_header({}, "e");
  EXPECT_EQ(empty.status().message(), "e: empty: not a tux3-image dump");
  std::vector<uint8_t> elf = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0};
  EXPECT_NE(image::decode_dump_header(elf, "f").status().message().find("not a tux3-image"),
            std::string::npos);
  auto short_header = image::decode_dump_header(std::span(bytes).first(100), "s");
  EXPECT_NE(short_header.status().message().find("truncated"), std::string::npos);

  MetadumpHeader newer = sample_header();
  newer.version = 2;
  image::encode_dump_header(newer, bytes);
  auto refused = image::decode_dump_header(bytes, "n");
  EXPECT_EQ(refused.status().code(), Errc::kNotSupported);
  EXPECT_NE(refused.status().message().find("version 2 is newer"), std::string::npos);
}

TEST(MetadumpVarint, RoundTripsAndRejectsMalformed) {
  for (uint64_t v : {uint64_t(0), uint64_t(1), uint64_t(127), uint64_t(128), uint64_t(300),
                     uint64_t(1) << 48, UINT64_MAX}) {
    std::vector<uint8_t> out;
    image::put_varint(out, v);
    std::size_t pos = 0;
    EXPECT_EQ(image::get_varint(out, pos), v);
    EXPECT_EQ(pos, out.size());
    out.pop_back();  // cut short
    pos = 0;
    EXPECT_FALSE(image::get_varint(out, pos).has_value());
  }
  std::size_t pos = 0;
  std::vector<uint8_t> padded = {0x81, 0x00};  // 1, not minimal
  EXPECT_FALSE(image::get_varint(padded, pos).has_value());
  std::vector<uint8_t> huge(10, 0xff);
  huge.push_back(0x01);
  pos = 0;
  EXPECT_FALSE(image::get_varint(huge, pos).has_value());
  std::vector<uint8_t> over = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
  pos = 0;
  EXPECT_FALSE(image::get_varint(over, pos).has_value());  // 2^64
}

TEST(MetadumpStream, RunsComeBackAcrossChunks) {
  MetadumpHeader h = sample_header();
  // 3000 KiB in one run spans three 1 MiB chunks; then sparse runs far apart.
  std::vector<std::pair<uint64_t, uint64_t>> runs = {
      {0, 12}, {20, 3000}, {5000, 1}, {5002, 2}, {99999, 1}};
  auto bytes = make_stream(h, runs);
  auto back = read_stream(bytes, 1);  // one byte at a time
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(*back, runs);
  auto fast = read_stream(bytes, 1 << 20);
  ASSERT_TRUE(fast.is_ok());
  EXPECT_EQ(*fast, runs);
}

TEST(MetadumpStream, CompressionThreadsDoNotChangeTheBytes) {
  // Ten chunks, compressed on four threads: the frames come out in order, the same bytes.
  std::vector<std::pair<uint64_t, uint64_t>> runs = {{0, 12}, {20, 9000}, {50000, 700}};
  auto one = make_stream(sample_header(), runs, 1);
  auto four = make_stream(sample_header(), runs, 4);
  EXPECT_TRUE(one == four);
  auto back = read_stream(four);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(*back, runs);
}

TEST(MetadumpStream, EmptyVolumeStreamHasOnlyEnd) {
  auto bytes = make_stream(sample_header(), {});
  auto back = read_stream(bytes);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_TRUE(back->empty());
}

TEST(MetadumpStream, ZeroRunsComeBackWithoutBytes) {
  MetadumpHeader h = sample_header();
  VectorSink sink;
  auto w = image::ChunkWriter::open(sink, h, 3);
  ASSERT_TRUE(w.is_ok());
  auto one = block_of(3, h.block_size());
  ASSERT_TRUE((*w)->add_zero_run(0, 3).is_ok());
  ASSERT_TRUE((*w)->add_run(3, one).is_ok());
  ASSERT_TRUE((*w)->add_zero_run(4, 1).is_ok());
  ASSERT_TRUE((*w)->add_zero_run(90000, 10000).is_ok());
  ASSERT_TRUE((*w)->finish().is_ok());
  SpanSource source(sink.bytes());
  auto reader = MetadumpReader::open(source);
  ASSERT_TRUE(reader.is_ok());
  std::vector<std::tuple<uint64_t, uint64_t, bool>> runs;
  for (;;) {
    auto run = (*reader)->next();
    ASSERT_TRUE(run.is_ok()) << run.status().to_string();
    if (!*run) break;
    EXPECT_EQ((*run)->bytes.size(), (*run)->zero ? 0 : (*run)->count * h.block_size());
    runs.emplace_back((*run)->first, (*run)->count, (*run)->zero);
  }
  std::vector<std::tuple<uint64_t, uint64_t, bool>> want = {
      {0, 3, true}, {3, 1, false}, {4, 1, true}, {90000, 10000, true}};
  EXPECT_EQ(runs, want);
  EXPECT_EQ((*reader)->counts().blocks, 1u);
  EXPECT_EQ((*reader)->counts().zero_blocks, 10004u);
  EXPECT_EQ((*reader)->counts().runs, 4u);
}

TEST(MetadumpStream, TruncatedAnywhereIsAnError) {
  auto bytes = make_stream(sample_header(), {{0, 12}, {20, 1500}, {7000, 3}});
  for (std::size_t cut : {std::size_t(0), std::size_t(7), std::size_t(255), std::size_t(256),
                          std::size_t(257), std::size_t(300), bytes.size() / 2,
                          bytes.size() - 5, bytes.size() - 1}) {
    std::vector<uint8_t> part(bytes.begin(), bytes.begin() + std::ptrdiff_t(cut));
    auto back = read_stream(part);
    ASSERT_FALSE(back.is_ok()) << "cut at " << cut;
    EXPECT_EQ(back.status().code(), Errc::kCorruption) << back.status().to_string();
  }
  // Cut exactly between two frames: every frame is whole, the END record is missing.
  MetadumpHeader h = sample_header();
  VectorSink sink;
  auto w = image::ChunkWriter::open(sink, h, 1);
  ASSERT_TRUE(w.is_ok());
  std::vector<uint8_t> big;
  for (uint64_t b = 100; b < 2100; ++b) {
    auto one = block_of(b, h.block_size());
    big.insert(big.end(), one.begin(), one.end());
  }
  ASSERT_TRUE((*w)->add_run(100, big).is_ok());
  std::size_t first_frames = sink.bytes().size();  // the first chunk went out when full
  ASSERT_GT(first_frames, kMetadumpHeaderSize);
  ASSERT_TRUE((*w)->finish().is_ok());
  std::vector<uint8_t> part(sink.bytes().begin(),
                            sink.bytes().begin() + std::ptrdiff_t(first_frames));
  auto back = read_stream(part);
  ASSERT_FALSE(back.is_ok());
  EXPECT_NE(back.status().message().find("before its END record"), std::string::npos)
      << back.status().to_string();
}

TEST(MetadumpStream, BytesAfterTheEndAreAnError) {
  auto bytes = make_stream(sample_header(), {{0, 12}});
  std::vector<uint8_t> frames(bytes.begin() + 256, bytes.end());
  for (const auto& tail : {std::vector<uint8_t>{0}, frames}) {
    auto more = bytes;
    more.insert(more.end(), tail.begin(), tail.end());
    auto back = read_stream(more);
    ASSERT_FALSE(back.is_ok());
    EXPECT_NE(back.status().message().find("data follows the end of the dump"), std::string::npos)
        << back.status().to_string();
  }
}

TEST(MetadumpStream, FlippedCompressedBytesNeverCrash) {
  auto bytes = make_stream(sample_header(), {{0, 12}, {20, 300}, {7000, 3}});
  std::mt19937 rng(9);
  int caught = 0, trials = 0;
  for (std::size_t pos = kMetadumpHeaderSize; pos < bytes.size();
       pos += 1 + rng() % 97, ++trials) {
    auto copy = bytes;
    copy[pos] ^= uint8_t(1 + rng() % 255);
    auto back = read_stream(copy);
    // zstd's frame checksum catches a change of the content; a change it cannot see (in a
    // field zstd ignores) leaves the blocks as they were.
    if (!back.is_ok()) {
      ++caught;
      EXPECT_EQ(back.status().code(), Errc::kCorruption) << back.status().to_string();
    }
  }
  EXPECT_GT(caught, trials * 9 / 10);
}

TEST(MetadumpStream, HandMadeRecordsAreBoundsChecked) {
  MetadumpHeader h = sample_header();
  auto parse = [&](std::vector<uint8_t> chunk) {
    image::ChunkParseState state;
    return image::parse_chunk(chunk, h, state, [](uint64_t, uint64_t, std::size_t, bool) {
      return Status::ok();
    });
  };
  std::vector<uint8_t> beyond = {image::kRecordRun};
  image::put_varint(beyond, h.vol_blocks);  // gap past the end
  image::put_varint(beyond, 1);
  EXPECT_FALSE(parse(beyond).is_ok());
  std::vector<uint8_t> too_many = {image::kRecordRun, 0};
  image::put_varint(too_many, UINT64_MAX);  // count overflows
  EXPECT_FALSE(parse(too_many).is_ok());
  std::vector<uint8_t> short_bytes = {image::kRecordRun, 5, 2};
  short_bytes.resize(short_bytes.size() + 1024);  // one block of two
  EXPECT_FALSE(parse(short_bytes).is_ok());
  EXPECT_FALSE(parse({image::kRecordRun, 0, 0}).is_ok());  // an empty run
  EXPECT_FALSE(parse({0x7f, 0, 0}).is_ok());               // unknown record
  EXPECT_FALSE(parse({image::kRecordEnd, 1, 1, 0}).is_ok());  // totals do not match
  EXPECT_FALSE(parse({image::kRecordEnd, 0, 0, 0, image::kRecordEnd, 0, 0, 0}).is_ok());
  EXPECT_FALSE(parse({image::kRecordEnd, 0, 0}).is_ok());  // cut short
  EXPECT_TRUE(parse({image::kRecordEnd, 0, 0, 0}).is_ok());
  // ZERO runs: no bytes, the same bounds, counted apart.
  EXPECT_FALSE(parse({image::kRecordZero, 5, 3, image::kRecordRun, 0, 1}).is_ok());  // no bytes
  std::vector<uint8_t> zeros = {image::kRecordZero, 5, 3, image::kRecordEnd, 1, 0, 3};
  EXPECT_TRUE(parse(zeros).is_ok());
  std::vector<uint8_t> zero_beyond = {image::kRecordZero};
  image::put_varint(zero_beyond, h.vol_blocks - 1);
  image::put_varint(zero_beyond, 2);
  EXPECT_FALSE(parse(zero_beyond).is_ok());
}

}  // namespace
}  // namespace tux3
