// checker_test.cc: the checker finds a wrong recovery, and saves the failing crash state
// with what is needed to run it again by hand.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "checker.h"
#include "tuxdisk/memory_device.h"
#include "tuxdisk/replay.h"

namespace tux3::crash {
namespace {

TEST(Checker, AFailingStateIsReportedAndSaved) {
  Workload w;
  w.name = "checker self-test";
  w.setup = "write /a 2k seed=1\n";
  w.scripts = {"write /a 1k seed=2\nsync\nwrite /b 1k seed=3\nfsync /b\n"};
  auto rec = record(w);
  ASSERT_TRUE(rec.is_ok()) << rec.status().to_string();

  CheckOptions opt;
  opt.save_dir = std::filesystem::temp_directory_path() / fmt::format("tux3-checker-{}", getpid());
  std::filesystem::remove_all(opt.save_dir);
  CheckResult honest;
  check_recording(*rec, opt, honest);
  EXPECT_TRUE(honest.failures.empty()) << honest.failures.front();
  EXPECT_GT(honest.states, 3u);
  EXPECT_GT(honest.g5_states, 0u);
  EXPECT_FALSE(std::filesystem::exists(opt.save_dir));

  // Pretend the sync's delta held other data: every state recovering it must now fail.
  Recording lie = *rec;
  lie.threads[0].steps[0].state["/a"].data[0] ^= 1;
  lie.threads[0].steps[1].state["/a"].data[0] ^= 1;
  CheckResult caught;
  check_recording(lie, opt, caught);
  ASSERT_FALSE(caught.failures.empty());
  EXPECT_NE(caught.failures[0].find("checker self-test"), std::string::npos);
  EXPECT_NE(caught.failures[0].find("/a differs"), std::string::npos) << caught.failures[0];

  // Saved: the crash image (it replays) and how to reproduce it.
  std::vector<std::filesystem::path> images, notes;
  for (const auto& e : std::filesystem::directory_iterator(opt.save_dir)) {
    (e.path().extension() == ".img" ? images : notes).push_back(e.path());
  }
  ASSERT_FALSE(images.empty());
  EXPECT_EQ(images.size(), notes.size());
  EXPECT_LE(images.size(), opt.save_limit);
  std::ifstream note(notes[0]);
  std::stringstream text;
  text << note.rdbuf();
  EXPECT_NE(text.str().find("workload: checker self-test"), std::string::npos);
  EXPECT_NE(text.str().find("crash state: "), std::string::npos);
  EXPECT_NE(text.str().find("write /b 1k seed=3"), std::string::npos);
  EXPECT_NE(text.str().find("tux3-replay"), std::string::npos);
  std::ifstream img(images[0], std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(img)), {});
  ASSERT_EQ(bytes.size(), w.volume_bytes);
  MemoryDevice dev(std::move(bytes));
  auto replayed = replay_volume(dev, {});
  EXPECT_TRUE(replayed.is_ok() && !replayed->damage);
  std::filesystem::remove_all(opt.save_dir);
}

}  // namespace
}  // namespace tux3::crash
