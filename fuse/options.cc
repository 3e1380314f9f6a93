// options.cc: tux3-fuse's command line (options.h).
#include "options.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "cmdline.h"
#include "tuxdisk/format/constants.h"
#include "tuxdisk/size_parse.h"

namespace tux3::fuse {

namespace po = boost::program_options;
using cmdline::usage;

namespace {

// Mount options libfuse's session takes as they are.
constexpr std::array kFuseOptions{
    "allow_other", "auto_unmount", "default_permissions", "noatime", "atime", "nodev", "dev",
    "nosuid",      "suid",         "noexec",              "exec",    "sync",  "async",
    "dirsync",
};
// Prefixes of FUSE options with a value.
constexpr std::array kFuseValueOptions{"fsname=", "subtype=", "max_read="};
// Options only mount(8) reads: nothing to do here.
constexpr std::array kMountOnlyOptions{
    "defaults", "auto",      "noauto",      "user",       "nouser",   "users", "nofail",
    "_netdev",  "relatime",  "norelatime",  "strictatime", "lazytime", "nolazytime",
    "nodiratime", "diratime", "loop",
};

bool one_of(std::string_view s, auto const& list) {
  for (std::string_view x : list) {
    if (s == x) return true;
  }
  return false;
}

Result<uint64_t> whole(std::string_view key, std::string_view value, uint64_t min, uint64_t max) {
  uint64_t n = 0;
  if (!cmdline::parse_decimal(value, max, n) || n < min) {
    return usage(fmt::format("-o {}={}: expected a whole number from {} to {}", key, value, min,
                             max));
  }
  return n;
}

// SECONDS with up to three decimals ("1", "0.5", "30"), as milliseconds, at most a day.
Result<uint64_t> milliseconds(std::string_view key, std::string_view value) {
  std::size_t dot = value.find('.');
  std::string_view whole_part = value.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : value.substr(dot + 1);
  auto all_digits = [](std::string_view v) {
    return std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (whole_part.empty() || whole_part.size() > 5 || fraction.size() > 3 ||
      !all_digits(whole_part) || !all_digits(fraction) ||
      (dot != std::string_view::npos && fraction.empty())) {
    return usage(fmt::format("-o {}={}: expected seconds, such as 1, 0.5 or 30", key, value));
  }
  uint64_t ms = std::stoull(std::string(whole_part)) * 1000;
  std::string digits(fraction);
  digits.resize(3, '0');
  ms += std::stoull(digits);
  if (ms > 86'400'000) {
    return usage(fmt::format("-o {}={}: at most 86400 seconds", key, value));
  }
  return ms;
}

Result<uint64_t> size(std::string_view key, std::string_view value) {
  auto bytes = parse_size(value);
  if (!bytes || *bytes == 0) {
    return usage(fmt::format("-o {}={}: expected a size above 0 (suffixes k, m, g)", key, value));
  }
  return *bytes;
}

}  // namespace

Status apply_known_option(std::string_view option, MountOptions& out);

std::vector<std::string> split_option_list(std::string_view list) {
  std::vector<std::string> out(1);
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (list[i] == '\\' && i + 1 < list.size()) {
      out.back() += list[++i];
    } else if (list[i] == ',') {
      out.emplace_back();
    } else {
      out.back() += list[i];
    }
  }
  std::erase_if(out, [](const std::string& s) { return s.empty(); });
  return out;
}

Status apply_mount_option(std::string_view option, MountOptions& out) {
  Status s = apply_known_option(option, out);
  if (!s && out.sloppy && s.message().ends_with("unknown option")) return Status::ok();
  return s;
}

Status apply_known_option(std::string_view option, MountOptions& out) {
  std::size_t eq = option.find('=');
  std::string_view key = option.substr(0, eq);
  std::string_view value = eq == std::string_view::npos ? "" : option.substr(eq + 1);
  bool has_value = eq != std::string_view::npos;
  auto flag = [&]() -> Status {
    if (has_value) return usage(fmt::format("-o {}: takes no value", option));
    return Status::ok();
  };
  if (key == "ro" || key == "rw") {
    TUX3_RETURN_IF_ERROR(flag());
    out.volume.read_only = key == "ro";
    return Status::ok();
  }
  if (key == "stable_pages") {
    TUX3_RETURN_IF_ERROR(flag());
    out.volume.stable_pages = true;
    return Status::ok();
  }
  if (key == "direct") {
    TUX3_RETURN_IF_ERROR(flag());
    out.direct = true;
    return Status::ok();
  }
  if (key == "writeback_cache" || key == "no_writeback_cache") {
    TUX3_RETURN_IF_ERROR(flag());
    out.writeback_cache = key == "writeback_cache";
    return Status::ok();
  }
  if (!has_value && one_of(key, kFuseOptions)) {
    out.fuse_options.emplace_back(option);
    return Status::ok();
  }
  if (one_of(key, kMountOnlyOptions) || key.starts_with("x-") || key == "comment") {
    return Status::ok();
  }
  for (std::string_view prefix : kFuseValueOptions) {
    if (option.starts_with(prefix)) {
      out.fuse_options.emplace_back(option);
      return Status::ok();
    }
  }
  if (!has_value || value.empty()) {
    return usage(fmt::format("-o {}: unknown option", option));
  }
  if (key == "cache_size") {
    TUX3_ASSIGN_OR_RETURN(out.volume.cache_bytes, size(key, value));
  } else if (key == "dirty_limit") {
    TUX3_ASSIGN_OR_RETURN(out.volume.dirty_limit_bytes, size(key, value));
  } else if (key == "delta_interval") {
    TUX3_ASSIGN_OR_RETURN(uint64_t ms, whole(key, value, 1, UINT32_MAX - 1));
    out.volume.delta_interval_ms = uint32_t(ms);
  } else if (key == "fsync_mode") {
    if (value == "stream") out.volume.fsync_mode = format::FsyncMode::kStream;
    else if (value == "delta") out.volume.fsync_mode = format::FsyncMode::kDelta;
    else return usage(fmt::format("-o {}: expected stream or delta", option));
  } else if (key == "fsync_streams") {
    TUX3_ASSIGN_OR_RETURN(uint64_t n, whole(key, value, 1, format::kMaxStreams));
    out.volume.fsync_streams = unsigned(n);
  } else if (key == "io_threads") {
    TUX3_ASSIGN_OR_RETURN(uint64_t n, whole(key, value, 0, 64));
    out.volume.io_threads = unsigned(n);
  } else if (key == "timeout") {
    TUX3_ASSIGN_OR_RETURN(uint64_t ms, milliseconds(key, value));
    out.timeout_ms = unsigned(ms);
  } else if (key == "threads") {
    TUX3_ASSIGN_OR_RETURN(uint64_t n, whole(key, value, 1, 64));
    out.threads = unsigned(n);
  } else {
    return usage(fmt::format("-o {}: unknown option", option));
  }
  return Status::ok();
}

namespace {

// DEVICE and MOUNTPOINT, the positional arguments of both command lines.
struct Positionals {
  po::options_description hidden;
  po::positional_options_description order;
  Positionals() {
    hidden.add_options()
        ("device", po::value<std::string>())
        ("mountpoint", po::value<std::string>());
    order.add("device", 1).add("mountpoint", 1);
  }
};

// The FUSE options every mount has, then the -o lists in order.
Status apply_option_lists(const po::variables_map& vm, MountOptions& out) {
  // The engine checks no permissions: the kernel does, from the attributes.
  out.fuse_options = {"default_permissions", "subtype=tux3", "fsname=" + out.device};
  if (vm.count("options")) {
    for (const std::string& list : vm["options"].as<std::vector<std::string>>()) {
      for (const std::string& option : split_option_list(list)) {
        TUX3_RETURN_IF_ERROR(apply_mount_option(option, out));
      }
    }
  }
  if (out.volume.read_only) out.fuse_options.emplace_back("ro");
  return Status::ok();
}

}  // namespace

Result<MountOptions> parse_command_line(int argc, char** argv) {
  po::options_description visible("Options");
  visible.add_options()
      ("options,o", po::value<std::vector<std::string>>()->composing(),
       "comma-separated mount options (see tux3-fuse(8)): ro, rw, cache_size=SIZE, "
       "dirty_limit=SIZE, delta_interval=MS, fsync_mode=stream|delta, fsync_streams=N, "
       "stable_pages, direct, writeback_cache, timeout=SECONDS, io_threads=N, threads=N, "
       "and FUSE's allow_other, fsname=, ...")
      ("foreground,f", "stay in the foreground (do not detach once mounted)")
      ("debug,d", "print libfuse's trace of every request (implies -f)")
      ("version,V", "print the version and exit")
      ("help,h", "print this help and exit");
  Positionals positionals;
  TUX3_ASSIGN_OR_RETURN(
      cmdline::Parsed parsed,
      cmdline::parse(argc, argv, visible, positionals.hidden, positionals.order,
                     "Usage: tux3-fuse [options] DEVICE|FILE MOUNTPOINT\n"
                     "Mount a tux3 volume through FUSE, served by the tux3 engine. See "
                     "tux3-fuse(8).\n"));
  MountOptions out;
  const po::variables_map& vm = parsed.vm;
  out.help_text = std::move(parsed.help_text);
  out.help = vm.count("help") > 0;
  out.version = vm.count("version") > 0;
  if (out.help || out.version) return out;
  if (!vm.count("device")) return usage("no DEVICE or FILE given (try --help)");
  if (!vm.count("mountpoint")) return usage("no MOUNTPOINT given (try --help)");
  out.device = vm["device"].as<std::string>();
  out.mountpoint = vm["mountpoint"].as<std::string>();
  out.debug = vm.count("debug") > 0;
  out.foreground = out.debug || vm.count("foreground") > 0;
  TUX3_RETURN_IF_ERROR(apply_option_lists(vm, out));
  return out;
}

Result<MountOptions> parse_helper_command_line(int argc, char** argv) {
  po::options_description visible("Options (as mount(8) passes them)");
  visible.add_options()
      ("options,o", po::value<std::vector<std::string>>()->composing(), "mount options")
      ("sloppy,s", "ignore options this file system does not know")
      ("fake,f", "do everything but mount")
      ("no-mtab,n", "(nothing to do: there is no mtab to write)")
      ("verbose,v", "(accepted)")
      ("namespace,N", po::value<std::string>(), "(accepted; mount(8) enters it first)")
      ("types,t", po::value<std::string>(), "(accepted)")
      ("help,h", "print this help and exit");
  Positionals positionals;
  TUX3_ASSIGN_OR_RETURN(
      cmdline::Parsed parsed,
      cmdline::parse(argc, argv, visible, positionals.hidden, positionals.order,
                     "Usage: mount.tux3 SPEC DIR [-sfnv] [-o OPTIONS]\n"
                     "mount(8)'s helper for tux3: mounts through tux3-fuse. See "
                     "tux3-fuse(8).\n"));
  MountOptions out;
  const po::variables_map& vm = parsed.vm;
  out.help_text = std::move(parsed.help_text);
  out.help = vm.count("help") > 0;
  if (out.help) return out;
  if (!vm.count("device") || !vm.count("mountpoint")) {
    return usage("expected SPEC and DIR (try --help)");
  }
  out.device = vm["device"].as<std::string>();
  out.mountpoint = vm["mountpoint"].as<std::string>();
  out.fake = vm.count("fake") > 0;
  out.sloppy = vm.count("sloppy") > 0;
  TUX3_RETURN_IF_ERROR(apply_option_lists(vm, out));
  return out;
}

}  // namespace tux3::fuse
