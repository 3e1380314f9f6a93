// kill_test.cc: tux3-writer killed (SIGKILL) at random points of a workload, then
// tux3-replay run on the image, then the same checks and oracle as every crash state
// (checker.h, oracle.h).
//
// The writer runs as a child process on an image file, with --progress, so the test knows
// which commands had returned when it died; the model (the state after each command) comes
// from running the same script in this process on the same start image. A killed process
// loses nothing it wrote (the host keeps it), so these states are those a crash of the
// writing program leaves, not those of a power loss; the other crash tests cover those.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "oracle.h"
#include "recorder.h"
#include "suite.h"
#include "tuxdisk/file_device.h"
#include "tuxdisk/verify.h"
#include "tuxdisk/volume_reader.h"

namespace tux3::crash {
namespace {

constexpr const char* kSetup = "mkdir /a\nmkdir /b\nwrite /a/log 4k pattern=text seed=1\n";

// Appends with fsyncs (the acknowledged ones must survive), files made and renamed,
// syncs now and then, and rewrites while deltas commit in the background.
std::string kill_script() {
  return "repeat 30\n"
         "  append /a/log 700 pattern=text seed=1 bs=64k\n"
         "  fsync /a/log\n"
         "  touch /b/f$i\n"
         "  write /b/f$i 3000 pattern=random seed=$i bs=64k\n"
         "  rename /b/f$i /a/g$i\n"
         "  write /a/log 100 offset=1000 pattern=random seed=$i bs=64k\n"
         "  fdatasync /a/log\n"
         "end\n"
         "sync\n"
         "repeat 20\n"
         "  unlink /a/g$i\n"
         "  append /a/log 300 pattern=text seed=1 bs=64k\n"
         "  fsync /a/log\n"
         "end\n";
}

struct Child {
  std::vector<std::string> progress;  // "done LINE COMMAND" lines read
  int status = 0;
};

// Runs the writer on `image` with the script on its standard input. With `kill_after`,
// kills it `delay` after it reported that many commands done (so the kills spread over the
// run however fast the machine is today).
Child run_writer(const std::string& image, const std::string& script,
                 std::optional<std::size_t> kill_after = std::nullopt,
                 std::chrono::microseconds delay = {}) {
  int in[2], out[2];
  EXPECT_EQ(pipe(in), 0);
  EXPECT_EQ(pipe(out), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    close(in[1]);
    close(out[0]);
    execl(TUX3_WRITER_BIN, "tux3-writer", "--progress", "-q", "--time", "1700000000", "--seed", "1",
          "--dirty-limit", "16k", "--io-threads", "2", image.c_str(), "-", nullptr);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  std::thread feeder([&] {
    (void)!write(in[1], script.data(), script.size());
    close(in[1]);
  });
  std::thread killer;
  auto kill_later = [&] {
    killer = std::thread([pid, delay] {
      std::this_thread::sleep_for(delay);
      kill(pid, SIGKILL);
    });
  };
  if (kill_after && *kill_after == 0) kill_later();
  Child child;
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof buf)) > 0) {
    std::size_t before = std::size_t(std::count(text.begin(), text.end(), '\n'));
    text.append(buf, std::size_t(n));
    std::size_t lines = std::size_t(std::count(text.begin(), text.end(), '\n'));
    if (kill_after && *kill_after > 0 && before < *kill_after && lines >= *kill_after) kill_later();
  }
  close(out[0]);
  waitpid(pid, &child.status, 0);
  feeder.join();
  if (killer.joinable()) killer.join();
  std::size_t pos = 0;
  while (true) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) break;  // a line cut by the kill does not count
    if (text.compare(pos, 5, "done ") == 0) child.progress.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return child;
}

int run_replay(const std::string& image) {
  std::string cmd = fmt::format("'{}' -q '{}' >/dev/null 2>&1", TUX3_REPLAY_BIN, image);
  int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void write_image(const std::string& path, const MemoryDevice& dev) {
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(dev.bytes().data()), std::streamsize(dev.size()));
}

TEST(Kill, KilledWriterRecoversToAnAllowedState) {
  Workload w;
  w.name = "killed writer";
  w.setup = kSetup;
  w.scripts = {kill_script()};
  w.volume_bytes = 8u << 20;
  // The model: the same script in this process, from the same start image.
  auto rec = record(w);
  ASSERT_TRUE(rec.is_ok()) << rec.status().to_string();
  rec->workload.async_commits = true;  // the child commits when its dirty limit says
  std::size_t commands = rec->threads[0].steps.size();

  std::string dir = std::filesystem::temp_directory_path() /
                    fmt::format("tux3-kill-{}", getpid());
  std::filesystem::create_directories(dir);
  std::string image = dir + "/image";

  // A whole run: it must succeed and report every command.
  write_image(image, *rec->start);
  Child whole = run_writer(image, w.scripts[0]);
  ASSERT_TRUE(WIFEXITED(whole.status) && WEXITSTATUS(whole.status) == 0);
  ASSERT_EQ(whole.progress.size(), commands);

  Level lvl = level();
  unsigned kills = lvl == Level::kLong ? 200 : lvl == Level::kQuick ? 8 : 24;
  std::mt19937_64 rng(20261203);
  unsigned killed_mid_run = 0;
  for (unsigned k = 0; k < kills; ++k) {
    write_image(image, *rec->start);
    std::size_t after = rng() % commands;
    auto delay = std::chrono::microseconds(rng() % 2000);
    Child child = run_writer(image, w.scripts[0], after, delay);
    std::size_t done = child.progress.size();
    if (done < commands) ++killed_mid_run;
    std::string at = fmt::format("kill {}, {} us after command {} returned: {} of {} commands "
                                 "returned", k, delay.count(), after, done, commands);
    int replayed = run_replay(image);
    ASSERT_TRUE(replayed == 0 || replayed == 1) << at << ": tux3-replay exited " << replayed;
    ASSERT_EQ(run_replay(image), 0) << at << ": a second replay found work";
    auto dev = FileDevice::open(image, {});
    ASSERT_TRUE(dev.is_ok());
    {
      auto reader = VolumeReader::open(**dev);
      ASSERT_TRUE(reader.is_ok()) << at;
      auto report = verify_volume(**reader);
      ASSERT_TRUE(report.is_ok() && report->clean())
          << at << ": " << (report.is_ok() && !report->problems.empty() ? report->problems[0] : "");
    }
    VolumeOptions vo;
    vo.read_only = true;
    auto vol = Volume::open(**dev, vo);
    ASSERT_TRUE(vol.is_ok()) << at;
    auto tree = snapshot(**vol, "/");
    ASSERT_TRUE(tree.is_ok()) << at;
    std::string why = judge(*rec, {{done}, 0}, {*tree});
    EXPECT_EQ(why, "") << at;
  }
  std::cout << fmt::format("killed the writer {} times ({} before its last command returned)\n",
                           kills, killed_mid_run);
  EXPECT_GT(killed_mid_run, kills / 2);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tux3::crash
