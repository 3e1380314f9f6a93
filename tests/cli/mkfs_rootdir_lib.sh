# mkfs_rootdir_lib.sh: helpers shared by the mkfs.tux3 --root-dir tests. Each test starts
#
#   source "$(dirname "${BASH_SOURCE[0]}")/mkfs_rootdir_lib.sh" "$@"
#
# where "$@" is MKFS_BINARY INSPECT_BINARY [SCRATCH_DIR] (INSPECT_BINARY: tests/tools/
# tux3-inspect). It sources lib.sh (see there: checks, mk, finish, skip) and adds:
#   make_tree DIR [big]   a host tree with one of every kind of entry (see below)
#   host_listing DIR [EPOCH]
#                         the tree as `tux3-inspect IMAGE tree` prints it, computed from the
#                         host (times clamped to EPOCH when given)
#   inspect IMAGE verify|tree
#   expect_same_tree IMAGE DIR [EPOCH] DESCRIPTION
#                         the image verifies clean and holds exactly DIR's tree
_ROOTDIR_INSPECT=${2:?usage: $0 MKFS_BINARY INSPECT_BINARY [SCRATCH_DIR]}
if [[ $_ROOTDIR_INSPECT != /* ]]; then _ROOTDIR_INSPECT=$PWD/$_ROOTDIR_INSPECT; fi
set -- "$1" "${3:-}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
[[ -x $_ROOTDIR_INSPECT ]] || { echo "FAIL: $_ROOTDIR_INSPECT is not an executable" >&2; exit 1; }
command -v python3 >/dev/null || skip "python3 is not installed"

export ROOTDIR_HASH_CACHE=$WORK/.hash-cache
IS_ROOT=0
if [[ $(id -u) -eq 0 ]]; then IS_ROOT=1; fi

inspect() { "$_ROOTDIR_INSPECT" "$@"; }

# make_tree DIR [big]: nested directories, empty and small files, a sparse file of 24 MiB with
# two data regions, files with a leading hole and a trailing hole, a 5 MiB file (with "big":
# also 80 MiB more, so the copy spans several deltas), hard links (three names of one file,
# two of a symlink-free special), symlinks (short, long: 1000 bytes, dangling), a FIFO, a
# socket, user.* xattrs (on files, directories and the root, one of 1500 bytes), modes 4755,
# 2711, 1777, 0000 (as root) on a directory, 0400, odd names; as root also character and block devices,
# several owners, and trusted.* xattrs. Times are set last, with nanoseconds, a few in the
# far future (for clamping).
make_tree() {
  python3 - "$1" "${2:-}" "$IS_ROOT" <<'EOF'
import errno, os, socket, stat, sys
root, big, is_root = sys.argv[1], sys.argv[2] == "big", sys.argv[3] == "1"
os.makedirs(root)
def p(*parts): return os.path.join(root, *parts)
def write(path, data=b"", mode=None):
    with open(path, "wb") as f: f.write(data)
    if mode is not None: os.chmod(path, mode)
def pattern(n, seed):
    out = bytearray()
    x = seed
    while len(out) < n:
        x = (x * 6364136223846793005 + 1442695040888963407) & (2**64 - 1)
        out += x.to_bytes(8, "little")
    return bytes(out[:n])
for d in ["a/b/c/d/e", "a/x", "empty", "sticky", "setgid", "locked", "names"]:
    os.makedirs(p(d), exist_ok=True)
write(p("empty-file"))
write(p("a/one-byte"), b"1")
write(p("a/b/block"), pattern(4096, 1))
write(p("a/b/c/unaligned"), pattern(12345, 2))
write(p("a/b/c/d/e/deep"), b"deep\n")
write(p("big5m"), pattern(5 << 20, 3))
if big:
    write(p("a/x/big80m"), os.urandom(80 << 20))
# Sparse (kept small: the listing hashes every byte in Python): 24 MiB with data at 1 MiB
# and at 20 MiB; a leading hole; a trailing hole.
with open(p("sparse"), "wb") as f:
    f.truncate(24 << 20)
    f.seek(1 << 20); f.write(pattern(10000, 5))
    f.seek(20 << 20); f.write(b"middle")
with open(p("a/leading-hole"), "wb") as f:
    f.seek(2 << 20); f.write(b"after the hole")
with open(p("a/trailing-hole"), "wb") as f:
    f.write(pattern(5000, 6)); f.truncate(3 << 20)
# Hard links: three names of one file (one in another directory), two of a FIFO.
write(p("a/linked"), b"linked contents\n")
os.link(p("a/linked"), p("a/linked2"))
os.link(p("a/linked"), p("a/b/linked3"))
os.mkfifo(p("fifo"))
os.link(p("fifo"), p("a/fifo-link"))
# Symlinks.
os.symlink("a/b/block", p("to-block"))
os.symlink("x" * 1000, p("long-link"))
os.symlink("../nowhere/at/all", p("a/dangling"))
os.symlink("a", p("dir-link"))
# A socket.
s = socket.socket(socket.AF_UNIX); s.bind(p("sock")); s.close()
# Odd names (sorted order is byte order).
for name in ["UPPER", "lower", "-dash", "with space", "\u00e9t\u00e9", "z" * 255, ".hidden"]:
    write(p("names", name), name.encode())
# Modes.
write(p("setuid"), b"#!/bin/sh\n", 0o4755)
write(p("readonly"), b"ro\n", 0o400)
os.chmod(p("sticky"), 0o1777)
os.chmod(p("setgid"), 0o2711)
# xattrs (where the host filesystem has them).
def sx(path, name, value):
    try:
        os.setxattr(path, name, value, follow_symlinks=False)
    except OSError as e:
        if e.errno not in (errno.ENOTSUP, errno.EOPNOTSUPP): raise
        print("note: no %s xattrs on this host filesystem" % name.split(".")[0], file=sys.stderr)
sx(p("a/one-byte"), "user.comment", b"one")
sx(p("a/one-byte"), "user.empty", b"")
sx(p("a"), "user.dir", b"\x00\x01\xff")
sx(root, "user.root", b"root xattr")
sx(p("big5m"), "user.large", pattern(1500, 7))
if is_root:
    os.mknod(p("chr"), stat.S_IFCHR | 0o620, os.makedev(4, 1))
    os.mknod(p("blk"), stat.S_IFBLK | 0o660, os.makedev(8, 16))
    os.mknod(p("a/chr-big"), stat.S_IFCHR | 0o600, os.makedev(511, 1048575))
    os.chown(p("a/one-byte"), 1000, 1001)
    os.chown(p("a/b"), 12345, 54321)
    os.lchown(p("to-block"), 7, 8)
    os.chown(p("fifo"), 65534, 65534)
    os.chown(p("sock"), 4000000000, 4000000001)
    sx(p("a/b/block"), "trusted.t", b"trusted")
    sx(p("chr"), "trusted.dev", b"on a device")
    sx(p("to-block"), "trusted.link", b"on a symlink")
# Times, deepest first so that setting them does not change them again.
t = 1600000000
paths = []
for dirpath, dirnames, filenames in os.walk(root):
    for n in dirnames + filenames: paths.append(os.path.join(dirpath, n))
paths.sort(key=lambda x: -x.count(os.sep))
for i, path in enumerate(sorted(paths, key=lambda x: (-x.count(os.sep), x))):
    ns = (t + i * 1000) * 10**9 + (i * 123456789) % 10**9
    os.utime(path, ns=(ns - 5 * 10**9, ns), follow_symlinks=False)
os.utime(p("a/x"), ns=(4100000000 * 10**9 + 1, 4100000000 * 10**9 + 7), follow_symlinks=False)
os.utime(p("readonly"), ns=(4000000000 * 10**9, 4000000000 * 10**9 + 1), follow_symlinks=False)
os.chmod(p("locked"), 0 if is_root else 0o555)  # last: nothing can be made in it afterwards
os.utime(root, ns=(1650000000 * 10**9 + 42, 1650000000 * 10**9 + 99))
EOF
}

# host_listing DIR [EPOCH]: what `tux3-inspect IMAGE tree` must print for an image made
# from DIR (times later than EPOCH clamped to it). The XXH64 is computed here in Python.
host_listing() {
  python3 - "$1" "${2:-}" <<'EOF'
import os, stat, struct, sys
root = os.fsencode(sys.argv[1])
epoch = int(sys.argv[2]) if sys.argv[2] else None
M = (1 << 64) - 1
P1, P2, P3, P4, P5 = (11400714785074694791, 14029467366897019727, 1609587929392839161,
                      9650029242287828579, 2870177450012600261)
def rotl(x, r): return ((x << r) | (x >> (64 - r))) & M
def rnd(acc, v): return (rotl((acc + v * P2) & M, 31) * P1) & M
def xxh64(data):
    n, i = len(data), 0
    if n >= 32:
        v1, v2, v3, v4 = (P1 + P2) & M, P2, 0, (-P1) & M
        unpack = struct.Struct("<4Q").unpack_from
        while i <= n - 32:
            a, b, c, d = unpack(data, i)
            v1 = (rotl((v1 + a * P2) & M, 31) * P1) & M
            v2 = (rotl((v2 + b * P2) & M, 31) * P1) & M
            v3 = (rotl((v3 + c * P2) & M, 31) * P1) & M
            v4 = (rotl((v4 + d * P2) & M, 31) * P1) & M
            i += 32
        h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) & M
        for v in (v1, v2, v3, v4): h = ((h ^ rnd(0, v)) * P1 + P4) & M
    else:
        h = P5
    h = (h + n) & M
    while i + 8 <= n:
        h ^= rnd(0, struct.unpack_from("<Q", data, i)[0]); h = (rotl(h, 27) * P1 + P4) & M; i += 8
    if i + 4 <= n:
        h ^= (struct.unpack_from("<I", data, i)[0] * P1) & M; h = (rotl(h, 23) * P2 + P3) & M; i += 4
    while i < n:
        h ^= (data[i] * P5) & M; h = (rotl(h, 11) * P1) & M; i += 1
    h ^= h >> 33; h = (h * P2) & M; h ^= h >> 29; h = (h * P3) & M; h ^= h >> 32
    return h
# Hashes are cached per test run (keyed by path, size and mtime): the listing is taken more
# than once of the same tree, and hashing in Python is slow.
cache_file = os.environ.get("ROOTDIR_HASH_CACHE")
cache = {}
if cache_file and os.path.exists(cache_file):
    with open(cache_file) as f:
        cache = dict(line.rstrip("\n").rsplit(" ", 1) for line in f)
def file_hash(path, st):
    key = "%s:%d:%d:%d" % (os.fsdecode(os.path.abspath(path)), st.st_ino, st.st_size, st.st_mtime_ns)
    if key not in cache:
        with open(path, "rb") as f: cache[key] = "%016x" % xxh64(f.read())
    return cache[key].encode()
def clamp(ns):
    sec, nsec = divmod(ns, 10**9)
    if epoch is not None and (sec, nsec) > (epoch, 0): sec, nsec = epoch, 0
    return "%d.%09d" % (sec, nsec)
entries = {}  # volume path -> (host path, lstat)
names = {}    # (dev, ino) -> names in the tree
def walk(host, vol):
    st = os.lstat(host)
    entries[vol] = (host, st)
    names.setdefault((st.st_dev, st.st_ino), []).append(vol)
    if stat.S_ISDIR(st.st_mode):
        for n in sorted(os.listdir(host)):
            walk(os.path.join(host, n), (vol if vol != b"/" else b"") + b"/" + n)
walk(root, b"/")
lines = []
for vol in sorted(entries):
    host, st = entries[vol]
    m = st.st_mode
    if stat.S_ISDIR(m):
        kind, content, size = "dir", b"", 0
        nlink = 2 + sum(1 for n in os.listdir(host) if stat.S_ISDIR(os.lstat(os.path.join(host, n)).st_mode))
    else:
        nlink = len(names[(st.st_dev, st.st_ino)])
        size = st.st_size
        if stat.S_ISREG(m):
            kind = "file"
            content = file_hash(host, st)
        elif stat.S_ISLNK(m):
            kind, content = "symlink", os.readlink(host)
        else:
            kind = {stat.S_IFCHR: "chr", stat.S_IFBLK: "blk", stat.S_IFIFO: "fifo", stat.S_IFSOCK: "sock"}[stat.S_IFMT(m)]
            content = b"%d:%d" % (os.major(st.st_rdev), os.minor(st.st_rdev))
            size = 0
    line = b"%s %s %04o %d:%d %d %d %s %s" % (vol, kind.encode(), stat.S_IMODE(m), st.st_uid, st.st_gid,
                                             nlink, size, clamp(st.st_mtime_ns).encode(), content)
    for x in sorted(os.listxattr(host, follow_symlinks=False)):
        line += b" xattr=%s:%s" % (x.encode(), os.getxattr(host, x, follow_symlinks=False).hex().encode())
    lines.append(line)
sys.stdout.buffer.write(b"".join(l + b"\n" for l in lines))
if cache_file:
    with open(cache_file, "w") as f:
        f.writelines("%s %s\n" % kv for kv in cache.items())
EOF
}

# expect_same_tree IMAGE DIR EPOCH DESCRIPTION (EPOCH may be empty)
expect_same_tree() {
  local image=$1 dir=$2 epoch=$3 what=$4
  CHECKS=$((CHECKS + 1))
  if ! inspect "$image" verify >verify.out 2>&1; then
    fail "$what: tux3-inspect verify is not clean:"
    sed -n '1,10s/^/  /p' verify.out >&2
    return
  fi
  CHECKS=$((CHECKS + 1))
  if ! inspect "$image" tree >tree.vol 2>tree.err; then
    fail "$what: tux3-inspect tree failed: $(head -n1 tree.err)"
    return
  fi
  host_listing "$dir" "$epoch" >tree.host
  if ! diff -u tree.host tree.vol >tree.diff; then
    fail "$what: the volume's tree differs from the host's (- host, + volume):"
    sed -n '1,40s/^/  /p' tree.diff >&2
  fi
}
