#!/bin/bash
# mkfs_rootdir_errors.sh: --root-dir failures. A missing DIR or one that is not a directory
# is exit 2 before the target is touched; an empty name is a usage error (16). An entry
# that cannot be read, a volume too small for the tree (ENOSPC), an xattr or a name the
# volume cannot hold: exit 2 with one line naming the host path, and an image file the run
# created is removed (an existing one is kept, holding a valid volume).
# Usage: mkfs_rootdir_errors.sh MKFS_BINARY INSPECT_BINARY [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/mkfs_rootdir_lib.sh" "$@"

mkdir tree
echo hello >tree/file

mk --root-dir missing img 16m
expect_error 2 "missing: --root-dir: No such file or directory" "missing --root-dir"
check "no image after a missing --root-dir" test ! -e img
mk --root-dir tree/file img 16m
expect_error 2 "tree/file: --root-dir: not a directory" "--root-dir is a file"
check "no image after a --root-dir that is a file" test ! -e img
mk --root-dir "" img 16m
expect_error 16 "--root-dir" "empty --root-dir"
mk -n --root-dir missing img 16m
expect_error 2 "missing: --root-dir" "missing --root-dir, dry run"

# The volume is too small: ENOSPC names the image and the file, the new image is removed.
head -c $((5 << 20)) /dev/zero | tr '\0' 'x' >tree/big
mk --root-dir tree img 1m
expect_error 2 "img: no space left on the volume while copying tree/big" "tree larger than the volume"
check "the image this run created is removed after ENOSPC" test ! -e img
truncate -s 1m existing.img
mk --root-dir tree existing.img
expect_error 2 "no space left on the volume while copying tree/big" "ENOSPC on an existing image"
check "an existing image is kept" test -e existing.img
check "the existing image holds a valid volume after ENOSPC" inspect existing.img verify >/dev/null
rm tree/big

# An xattr larger than an inode can hold.
mkdir xtree
echo x >xtree/f
if python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.huge", b"v" * 3000)' xtree/f 2>/dev/null; then
  mk --root-dir xtree img 16m
  expect_error 2 "xtree/f: cannot store extended attribute 'user.huge' (3000 bytes)" "xattr too large"
  check "no image after a failed xattr" test ! -e img
else
  note "no user.* xattrs on this host filesystem: xattr size limit not tested"
fi

# A name longer than 512-byte blocks allow.
mkdir ntree
long=$(printf 'n%.0s' {1..250})
echo n >"ntree/$long"
mk -b 512 --root-dir ntree img 16m
expect_error 2 "ntree/$long: " "name too long for 512-byte blocks"
check "the error says why" grep -q "File name too long" "$ERR"
check "no image after a name too long" test ! -e img

# Entries that cannot be read. Permissions do not stop root, so as root the tree is read
# as nobody (setpriv), when nobody can reach this directory.
as_reader=()
if ((IS_ROOT)); then
  if command -v setpriv >/dev/null && chmod 755 "$WORK" &&
    setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$MKFS" -a -x "$WORK"; then
    as_reader=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  else
    as_reader=(skip)
  fi
fi
if [[ ${as_reader[0]:-} == skip ]]; then
  note "root, and nobody cannot run $MKFS here: unreadable entries not tested"
else
  mkdir -p user
  if ((IS_ROOT)); then chown 65534:65534 user; fi
  run_as() { (cd user && "${as_reader[@]}" "$@"); }
  run_as mkdir -p ptree/sub
  run_as sh -c 'echo secret >ptree/sub/secret && chmod 000 ptree/sub/secret'
  RC=0
  run_as "$MKFS" --root-dir ptree img 16m >"$OUT" 2>"$ERR" || RC=$?
  LAST="mkfs.tux3 --root-dir ptree img 16m (as $(run_as id -un))"
  expect_error 2 "ptree/sub/secret: cannot open: Permission denied" "unreadable file"
  check "no image after an unreadable file" test ! -e user/img
  RC=0
  run_as "$MKFS" -n --root-dir ptree img 16m >"$OUT" 2>"$ERR" || RC=$?
  expect_error 2 "ptree/sub/secret: cannot open: Permission denied" "unreadable file, dry run"
  run_as chmod 644 ptree/sub/secret
  run_as chmod 000 ptree/sub
  RC=0
  run_as "$MKFS" --root-dir ptree img 16m >"$OUT" 2>"$ERR" || RC=$?
  expect_error 2 "ptree/sub: cannot open directory: Permission denied" "unreadable directory"
  check "no image after an unreadable directory" test ! -e user/img
  run_as chmod 755 ptree/sub
fi

finish
