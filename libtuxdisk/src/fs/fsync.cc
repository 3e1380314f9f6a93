// fsync.cc: fsync through fsync log streams (placeholder being replaced).
#include "fs/volume_impl.h"

namespace tux3 {

Status VolumeImpl::fsync(uint64_t ino, bool) {
  TUX3_ASSIGN_OR_RETURN(Inode * inode, get_inode(ino));
  (void)inode;
  return commit_and_wait(false);
}

}  // namespace tux3
