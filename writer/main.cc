// tux3-writer: run a script of file system operations on a tux3 volume.
// parse options -> read and parse the whole script (nothing runs on a syntax error) ->
// open the image exclusively -> run -> close (a final unify) -> statistics. The script's
// `crash` command ends the process at once instead (no close, no statistics).
// Exit codes (man/tux3-writer.1): 0 done, 1 a script command failed (the volume is closed
// cleanly), 2 volume or device error, 16 usage or script syntax error.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cmdline.h"
#include "options.h"
#include "script.h"
#include "tuxdisk/file_device.h"

using namespace tux3;

namespace {

constexpr int kExitOk = 0, kExitFailed = 1, kExitError = 2, kExitUsage = 16;

int fail(int code, const std::string& message) {
  fmt::print(stderr, "tux3-writer: {}\n", message);
  return code;
}

Result<std::string> read_script(const std::string& path) {
  bool from_stdin = path == "-";
  std::string name = from_stdin ? "<stdin>" : path;
  int fd = from_stdin ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::invalid_argument(fmt::format("{}: {}", name, std::strerror(errno)));
  std::string text;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    text.append(buf, std::size_t(n));
  }
  int err = errno;
  if (!from_stdin) ::close(fd);
  if (n < 0) return Status::invalid_argument(fmt::format("{}: {}", name, std::strerror(err)));
  return text;
}

// The fsync latency histogram's non-empty buckets, labelled by their range in
// microseconds: "0-1", "2-3", "4-7", ..., "8388608+" (the last bucket is open-ended).
std::vector<std::pair<std::string, uint64_t>> latency_buckets(const VolumeStats& s) {
  std::vector<std::pair<std::string, uint64_t>> out;
  const std::size_t n = s.fsync_latency_us_log2.size();
  for (std::size_t i = 0; i < n; ++i) {
    uint64_t count = s.fsync_latency_us_log2[i];
    if (!count) continue;
    uint64_t low = i ? uint64_t(1) << i : 0, high = (uint64_t(1) << (i + 1)) - 1;
    out.emplace_back(i + 1 == n ? fmt::format("{}+", low) : fmt::format("{}-{}", low, high), count);
  }
  return out;
}

void print_stats(const VolumeStats& s, uint64_t ops, double seconds, bool json,
                 const std::vector<std::string>& fsyncloops) {
  const std::pair<const char*, uint64_t> fields[] = {
      {"deltas", s.deltas},
      {"unifies", s.unifies},
      {"data blocks", s.data_blocks_written},
      {"leaves", s.leaves_written},
      {"bnodes", s.bnodes_written},
      {"bitmap blocks", s.bitmap_blocks_written},
      {"log blocks", s.log_blocks_written},
      {"log records", s.log_records},
      {"bytes written", s.bytes_written},
      {"flushes", s.flushes},
      {"forks", s.forks},
      {"fork bytes", s.fork_bytes},
      {"stable waits", s.stable_waits},
      {"stable wait us", s.stable_wait_ns / 1000},
      {"throttle waits", s.throttle_waits},
      {"throttle wait us", s.throttle_wait_ns / 1000},
      {"commit waits", s.commit_waits},
      {"commit wait us", s.commit_wait_ns / 1000},
      {"marshal us", s.marshal_ns / 1000},
      {"marshal max us", s.marshal_max_ns / 1000},
      {"in-flight writes peak", s.inflight_writes_peak},
      {"in-flight bytes peak", s.inflight_bytes_peak},
      {"pages evicted", s.pages_evicted},
      {"inodes evicted", s.inodes_evicted},
      {"fsync calls", s.fsync_calls},
      {"fsync stream", s.fsync_stream},
      {"fsync clean", s.fsync_clean},
      {"fsync waited delta", s.fsync_waited_delta},
      {"fsync delta mode", s.fsync_delta_mode},
      {"fsync fallback new", s.fsync_fallback_new},
      {"fsync fallback dir", s.fsync_fallback_dir},
      {"fsync fallback meta", s.fsync_fallback_meta},
      {"fsync fallback unreserved", s.fsync_fallback_unreserved},
      {"fsync fallback nospace", s.fsync_fallback_nospace},
      {"fsync stream waits", s.fsync_stream_waits},
      {"stream blocks", s.stream_blocks_written},
      {"stream data blocks", s.stream_data_blocks},
      {"stream bytes", s.stream_bytes},
      {"stream flushes", s.stream_flushes},
      {"stream records replayed", s.stream_records_replayed},
      {"orphans destroyed at open", s.orphans_destroyed_at_open},
  };
  auto buckets = latency_buckets(s);
  if (!json) {
    fmt::print("ops: {}\nelapsed: {:.3f} s\n", ops, seconds);
    for (auto& [name, value] : fields) fmt::print("{}: {}\n", name, value);
    std::string histogram;
    for (auto& [range, count] : buckets) histogram += fmt::format(" {}:{}", range, count);
    fmt::print("fsync latency us:{}\n", histogram);
    return;
  }
  std::string out = fmt::format("{{\"ops\": {}, \"elapsed_seconds\": {:.6f}", ops, seconds);
  for (auto& [name, value] : fields) {
    std::string key = name;
    for (char& c : key) c = c == ' ' || c == '-' ? '_' : c;
    out += fmt::format(", \"{}\": {}", key, value);
  }
  out += ", \"fsync_latency_us\": {";
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    out += fmt::format("{}\"{}\": {}", i ? ", " : "", buckets[i].first, buckets[i].second);
  }
  out += "}";
  if (!fsyncloops.empty()) {
    out += ", \"fsyncloop\": [";
    for (std::size_t i = 0; i < fsyncloops.size(); ++i) out += (i ? ", " : "") + fsyncloops[i];
    out += "]";
  }
  fmt::print("{}}}\n", out);
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = writer::parse_command_line(argc, argv);
  if (!parsed) return fail(kExitUsage, parsed.status().message());
  writer::CommandLine& cmd = *parsed;
  if (cmd.help) {
    fmt::print("{}", cmd.help_text);
    return kExitOk;
  }
  if (cmd.version) {
    fmt::print("{}\n", cmdline::version_line("tux3-writer"));
    return kExitOk;
  }

  // The whole script is read and checked before the image is touched.
  auto text = read_script(cmd.script);
  if (!text) return fail(kExitUsage, text.status().message());
  bool from_stdin = cmd.script == "-";
  std::string host_dir = ".";
  if (!from_stdin && cmd.script.find('/') != std::string::npos) {
    host_dir = cmd.script.substr(0, cmd.script.rfind('/'));
    if (host_dir.empty()) host_dir = "/";
  }
  auto script = writer::parse_script(*text, from_stdin ? "<stdin>" : cmd.script, host_dir);
  if (!script) return fail(kExitUsage, script.status().message());

  auto started = std::chrono::steady_clock::now();
  if (cmd.fixed_time) {
    format::Timestamp t = *cmd.fixed_time;
    cmd.volume.clock = [t] { return t; };
  } else {
    cmd.volume.clock = [] {
      timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      return format::Timestamp{ts.tv_sec, uint32_t(ts.tv_nsec)};
    };
  }
  FileDeviceOptions device_options;
  device_options.exclusive = true;
  device_options.direct = cmd.direct;
  auto device = FileDevice::open(cmd.image, device_options);
  if (!device) return fail(kExitError, device.status().message());
  auto volume = Volume::open(**device, cmd.volume);
  if (!volume) return fail(kExitError, volume.status().message());

  writer::RunOptions run_options;
  run_options.uid = cmd.uid;
  run_options.gid = cmd.gid;
  run_options.seed = cmd.seed;
  run_options.now = cmd.volume.clock;
  if (cmd.progress) {
    run_options.after_command = [](const writer::Step& step, const std::vector<std::string>&,
                                   uint64_t) {
      fmt::print("done {} {}\n", step.line, step.command);
      std::fflush(stdout);
    };
  }
  writer::RunResult result = writer::run_script(*script, **volume, run_options);
  if (result.crashed) {
    // As a power loss: no commit, no close, the backend stopped wherever it is. What the
    // engine has already written stays in IMAGE; the next open replays from there.
    std::fflush(stdout);
    std::fflush(stderr);
    _exit(kExitOk);
  }

  int code = kExitOk;
  if (const auto& f = result.failure) {
    fail(f->volume_error ? kExitError : kExitFailed,
         fmt::format("{}:{}: {}: {}", script->name, f->line, f->command, f->reason));
    code = f->volume_error ? kExitError : kExitFailed;
  }
  // Close even after a failed command: what ran before it is committed with a unify. After
  // a volume error the engine refuses to commit; that was reported already.
  Status closed = (*volume)->close();
  if (!closed && code != kExitError) {
    return fail(kExitError, fmt::format("{}: close: {}", cmd.image, closed.message()));
  }
  if (code != kExitOk) return code;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!cmd.quiet) print_stats((*volume)->stats(), result.ops, seconds, cmd.json, result.fsyncloop_json);
  return kExitOk;
}
