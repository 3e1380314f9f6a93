// fs.h: files, directories and paths of the state a session shows: inode records (with
// the applied fsyncs laid over them), data mappings, directory listings that go on past a
// bad entry, name lookup by hash, path resolution, file data.
//
// Paths (tux3-debugfs(8), PATHS): absolute from the root, or relative to the current
// directory; "." and ".." are understood (".." is the directory's PARENT); symlinks are
// never followed; "<N>" names inode N, alone or as the first component ("<17>/a").
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "session.h"
#include "tuxdisk/format/inode.h"
#include "tuxdisk/format/values.h"
#include "tuxdisk/replay.h"

namespace tux3::debugfs {

// Where an inode's record is in the inode table, and its bytes.
struct RawInode {
  uint64_t leaf = 0;
  std::size_t slot = 0;
  std::vector<uint8_t> value;
};
// NotFound: the table has no such inode. Corruption: a node on the way is damaged.
Result<RawInode> find_inode(VolumeReader& reader, uint64_t inum);

struct InodeRef {
  uint64_t inum = 0;
  format::InodeRecord rec;   // as the applied fsyncs leave it
  format::InodeRecord disk;  // as the inode table holds it
  uint64_t leaf = 0;        // the ileaf holding the record, and its slot there
  std::size_t slot = 0;
  std::size_t record_bytes = 0;
  std::vector<const FsyncReplayInfo*> fsyncs;  // laid over the record, in order
};
// NotFound: no such inode. Corruption: the record does not decode (the message names the
// leaf and slot) or the inode table is damaged on the way.
Result<InodeRef> load_inode(Session& session, uint64_t inum);

// The mapping of a file's data (its EXTENTS attribute or extent tree, with the fsyncs),
// ascending by logical block. Corruption on any damage.
Result<std::vector<format::Extent>> file_mapping(Session& session, const InodeRef& inode);

struct DirListing {
  std::vector<format::Dirent> entries;  // in key order
  std::vector<std::string> problems;    // bad nodes and entries, each with the reason
};
// Corruption only when the inode is not a directory; damage inside goes to problems.
Result<DirListing> list_dir(Session& session, const InodeRef& dir);
// By the name's hash, reading only the leaf it belongs in. nullopt: no such name.
Result<std::optional<format::Dirent>> lookup(Session& session, const InodeRef& dir,
                                             std::string_view name);

struct Resolved {
  uint64_t inum = 0;
  std::string path;  // the absolute path as resolved ("<N>" when given as an inode)
};
// NotFound ("no such file or directory"), Corruption, InvalidArgument (a bad "<N>").
Result<Resolved> resolve(Session& session, std::string_view spec);
// resolve() and load_inode(); errors name the path as given.
Result<InodeRef> load_path(Session& session, const std::string& path);
// The absolute path of a directory, from its PARENT chain. Corruption on a cycle or a
// directory its parent does not name.
Result<std::string> dir_path(Session& session, uint64_t dir);

// Calls sink for the file's data in order, up to its size: (offset, length, bytes), with
// bytes null for a hole or an unwritten extent (zeros). Stops at the first error.
using DataSink = std::function<Status(uint64_t offset, uint64_t length, const uint8_t* bytes)>;
Status read_data(Session& session, const InodeRef& inode, const DataSink& sink);
// A symlink's target (inline, or from its data blocks).
Result<std::string> symlink_target(Session& session, const InodeRef& inode);

}  // namespace tux3::debugfs
