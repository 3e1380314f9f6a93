# fuse_basic.sh: tux3-fuse's command line, its refusals, and a mount that serves the usual
# operations with their POSIX results; after unmounting, the volume checks clean and a
# read-only remount shows the same tree.
source "$(dirname "${BASH_SOURCE[0]}")/fuse_lib.sh" "$@"

# --- usage: no mount needed ----------------------------------------------------------
tf --help
expect_ok "--help"
out_has "Usage: tux3-fuse" "--help"
tf --version
expect_ok "--version"
out_has "tux3-fuse (tux3-tools)" "--version"
tf
expect_error 16 "no DEVICE" "no arguments"
tf img
expect_error 16 "no MOUNTPOINT" "no mount point"
tf -o cache_size=lots img dir
expect_error 16 "cache_size=lots" "a bad size"
tf -o fsync_mode=sometimes img dir
expect_error 16 "stream or delta" "a bad fsync mode"
tf -o frobnicate img dir
expect_error 16 "unknown option" "an unknown -o option"
tf -o ro=1 img dir
expect_error 16 "takes no value" "a flag given a value"
tf --bogus img dir
expect_error 16 "bogus" "an unknown long option"

need_fuse

mkdir -p mnt
tf missing.img mnt
expect_error 8 "missing.img" "a missing image"
head -c 1M /dev/zero >zero.img
tf zero.img mnt
expect_error 8 "zero.img" "an image without a tux3 volume"
check "no mount is left after a refusal" not mountpoint -q mnt

# --- a mount serving the operations ---------------------------------------------------
new_image vol.img 64M
mount_image vol.img mnt -o delta_interval=100
mkdir -p other
tf vol.img other
expect_error 8 "vol.img" "a second mount of a mounted image is refused"

check "df shows the volume" sh -c "df -P mnt | grep -q vol.img"
printf 'hello\n' >mnt/hello.txt
check "a file reads back" test "$(cat mnt/hello.txt)" = hello
mkdir mnt/dir mnt/dir/sub
check "mkdir makes a directory" test -d mnt/dir/sub
check "a directory's link count counts its subdirectories" test "$(stat -c %h mnt/dir)" = 3
ln -s ../hello.txt mnt/dir/link
check "a symlink resolves" test "$(cat mnt/dir/link)" = hello
check "readlink" test "$(readlink mnt/dir/link)" = ../hello.txt
ln mnt/hello.txt mnt/dir/hard
check "a hard link counts" test "$(stat -c %h mnt/hello.txt)" = 2
check "a hard link is the same inode" test "$(stat -c %i mnt/hello.txt)" = "$(stat -c %i mnt/dir/hard)"
mv mnt/dir/hard mnt/dir/renamed
check "rename" test -f mnt/dir/renamed -a ! -e mnt/dir/hard
head -c 300000 /dev/urandom >data.bin
cp data.bin mnt/dir/data.bin
check "300 KB copied in and read back" cmp -s data.bin mnt/dir/data.bin
truncate -s 1000 mnt/dir/data.bin
check "truncate" test "$(stat -c %s mnt/dir/data.bin)" = 1000
check "truncate keeps the start" cmp -s -n 1000 data.bin mnt/dir/data.bin
chmod 0640 mnt/hello.txt
check "chmod" test "$(stat -c %a mnt/hello.txt)" = 640
touch -d @1600000000 mnt/hello.txt
check "utimens" test "$(stat -c %Y mnt/hello.txt)" = 1600000000
mkfifo mnt/fifo
check "mkfifo" test -p mnt/fifo

# Errors as POSIX says, through Python's os module (errno names, not messages).
py '
import errno, os, sys
m = sys.argv[1]
def err(f, *a):
    try:
        f(*a)
    except OSError as e:
        return errno.errorcode[e.errno]
    return "ok"
print(err(os.mkdir, m + "/dir"))
print(err(os.rmdir, m + "/dir"))
print(err(os.rmdir, m + "/hello.txt"))
print(err(os.unlink, m + "/dir"))
print(err(os.stat, m + "/nothing"))
print(err(os.link, m + "/dir", m + "/dirlink"))
print(err(os.mkdir, m + "/" + "x" * 256))
os.setxattr(m + "/hello.txt", "user.colour", b"blue")
print(os.getxattr(m + "/hello.txt", "user.colour").decode())
print(",".join(sorted(os.listxattr(m + "/hello.txt"))))
os.removexattr(m + "/hello.txt", "user.colour")
print(err(os.getxattr, m + "/hello.txt", "user.colour"))
# A file unlinked while open keeps its data until closed, across a commit (fsync of a
# directory commits the delta); so does a removed directory, empty.
fd = os.open(m + "/open.txt", os.O_CREAT | os.O_RDWR, 0o600)
os.write(fd, b"still here")
os.unlink(m + "/open.txt")
os.mkdir(m + "/gone")
dfd = os.open(m + "/gone", os.O_RDONLY | os.O_DIRECTORY)
os.rmdir(m + "/gone")
root = os.open(m, os.O_RDONLY | os.O_DIRECTORY)
os.fsync(root)
os.close(root)
print(os.pread(fd, 10, 0).decode(), os.fstat(fd).st_nlink)
print(os.fstat(dfd).st_nlink, os.listdir(dfd))
os.close(fd)
os.close(dfd)
print(err(os.stat, m + "/open.txt"))
' "$PWD/mnt"
check "errno values and xattrs through the mount" test "$RC" = 0
want='EEXIST
ENOTEMPTY
ENOTDIR
EISDIR
ENOENT
EPERM
ENAMETOOLONG
blue
user.colour
ENODATA
still here 0
0 []
ENOENT'
CHECKS=$((CHECKS + 1))
if [[ $(cat "$OUT") != "$want" ]]; then
  fail "errno values and xattrs: got"
  sed 's/^/  /' "$OUT" "$ERR" >&2
fi
sync -f mnt/hello.txt
check "fsync of a file" python3 -c "import os,sys; fd=os.open(sys.argv[1], os.O_CREAT|os.O_WRONLY, 0o644); os.write(fd, b'synced'); os.fsync(fd); os.close(fd)" mnt/synced.txt

ls -lR mnt | grep -v "^total " | sed 's/ [A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]\{4,5\} / /' >listing.before
unmount mnt
fsck_clean vol.img "the volume after unmounting"

# --- read-only: the same tree, and writes refused --------------------------------------
mount_image vol.img mnt -o ro
ls -lR mnt | grep -v "^total " | sed 's/ [A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]\{4,5\} / /' >listing.after
check "a read-only remount shows the same tree" diff listing.before listing.after
check "file contents survive the remount" cmp -s -n 1000 data.bin mnt/dir/data.bin
check "an fsynced file survives the remount" test "$(cat mnt/synced.txt)" = synced
check "the mount is read-only" sh -c "! touch mnt/new 2>/dev/null"
py 'import errno, os, sys
try:
    os.mkdir(sys.argv[1] + "/new")
except OSError as e:
    print(errno.errorcode[e.errno])' "$PWD/mnt"
check "mkdir on a read-only mount: EROFS" test "$(cat "$OUT")" = EROFS
tf vol.img other
expect_error 8 "vol.img" "a read-write mount beside a read-only one is refused"
check "the refused mount left nothing mounted" not mountpoint -q other
unmount mnt
finish
