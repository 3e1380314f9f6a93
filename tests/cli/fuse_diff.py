#!/usr/bin/env python3
"""fuse_diff.py: a differential test of a tux3-fuse mount against a reference file system.

Usage: fuse_diff.py MOUNT REFERENCE [--seed S] [--ops N] [--compare-only]

Runs the same seeded sequence of file operations on MOUNT and on REFERENCE (a tmpfs
directory): create, write at offsets, read, truncate, rename (plain, NOREPLACE, EXCHANGE),
link, unlink, mkdir, rmdir, symlink, chmod, utimens, setxattr/removexattr, fsync, stat.
Every result must match: the errno name, or the data read, or the attributes that both
file systems define alike. Then the two trees must match (types, permission bits, link
counts, sizes of files, contents, symlink targets, user xattrs, and modification times
where the sequence set them). --compare-only compares the trees without running
operations (after a remount). Exits 0 when all matched, 1 at the first difference (the
seed and operation number say how to replay it), 2 on usage errors.

Known, documented differences left out of the comparison (tux3-fuse(8) LIMITS): the size
of directories, st_blocks, access times, ctime, the order of readdir.
"""
import argparse
import ctypes
import errno
import os
import random
import stat
import sys

LIBC = ctypes.CDLL(None, use_errno=True)
RENAME_NOREPLACE, RENAME_EXCHANGE = 1, 2
DIRS = ["", "a/", "b/", "a/c/"]
NAMES = ["f0", "f1", "f2", "a", "b", "c", "d3", "l0"]


def renameat2(old, new, flags):
    r = LIBC.renameat2(-100, old.encode(), -100, new.encode(), ctypes.c_uint(flags))
    if r != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def outcome(fn):
    try:
        value = fn()
    except OSError as e:
        return "E" + errno.errorcode.get(e.errno, str(e.errno))
    return "ok" if value is None else value


def attrs(st):
    mode = st.st_mode
    out = (stat.S_IFMT(mode), stat.S_IMODE(mode), st.st_nlink)
    if not stat.S_ISDIR(mode):
        out += (st.st_size,)
    return out


class Op:
    """One operation, drawn from the generator, run against a root."""

    def __init__(self, rng):
        self.kind = rng.choice(
            ["create", "create", "write", "write", "write", "read", "truncate", "rename",
             "rename2", "link", "unlink", "mkdir", "mkdir", "rmdir", "symlink", "chmod",
             "utime", "setxattr", "removexattr", "fsync", "stat"])
        self.path = rng.choice(DIRS) + rng.choice(NAMES)
        self.path2 = rng.choice(DIRS) + rng.choice(NAMES)
        self.offset = rng.choice([0, 0, 100, 4095, 4096, 8191, 65536, 1 << 20])
        self.data = bytes(rng.getrandbits(8) for _ in range(rng.choice([1, 10, 4096, 5000])))
        self.size = rng.choice([0, 1, 4096, 10000, 70000])
        self.mode = rng.choice([0o600, 0o644, 0o755, 0o4755, 0o2700])
        self.flags = rng.choice([RENAME_NOREPLACE, RENAME_EXCHANGE])
        self.time = rng.randrange(1_000_000_000, 2_000_000_000)
        self.xname = rng.choice(["user.a", "user.bb", "user.c"])
        self.xvalue = bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 3, 100])))

    def describe(self):
        return f"{self.kind} {self.path} {self.path2}"

    def run(self, root, times):
        p, q = os.path.join(root, self.path), os.path.join(root, self.path2)
        k = self.kind
        if k == "create":
            def create():
                os.close(os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            return outcome(create)
        if k == "write":
            def write():
                fd = os.open(p, os.O_WRONLY)
                try:
                    return os.pwrite(fd, self.data, self.offset)
                finally:
                    os.close(fd)
            return outcome(write)
        if k == "read":
            def read():
                with open(p, "rb") as f:
                    return f.read()
            return outcome(read)
        if k == "truncate":
            return outcome(lambda: os.truncate(p, self.size))
        if k == "rename":
            return outcome(lambda: os.rename(p, q))
        if k == "rename2":
            return outcome(lambda: renameat2(p, q, self.flags))
        if k == "link":
            return outcome(lambda: os.link(p, q, follow_symlinks=False))
        if k == "unlink":
            return outcome(lambda: os.unlink(p))
        if k == "mkdir":
            return outcome(lambda: os.mkdir(p, 0o755))
        if k == "rmdir":
            return outcome(lambda: os.rmdir(p))
        if k == "symlink":
            return outcome(lambda: os.symlink(self.path2, p))
        if k == "chmod":
            return outcome(lambda: os.chmod(p, self.mode, follow_symlinks=True))
        if k == "utime":
            def utime():
                os.utime(p, ns=(self.time * 10**9, self.time * 10**9), follow_symlinks=False)
                times[self.path] = self.time
            return outcome(utime)
        if k == "setxattr":
            return outcome(lambda: os.setxattr(p, self.xname, self.xvalue, follow_symlinks=False))
        if k == "removexattr":
            return outcome(lambda: os.removexattr(p, self.xname, follow_symlinks=False))
        if k == "fsync":
            def fsync():
                fd = os.open(p, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            return outcome(fsync)
        return outcome(lambda: attrs(os.lstat(p)))


def tree(root, times):
    """Everything compared of the tree under root, by relative path."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            st = os.lstat(full)
            entry = [attrs(st)]
            if stat.S_ISREG(st.st_mode):
                with open(full, "rb") as f:
                    entry.append(f.read())
            elif stat.S_ISLNK(st.st_mode):
                entry.append(os.readlink(full))
            if not stat.S_ISLNK(st.st_mode):
                entry.append(sorted((n, os.getxattr(full, n)) for n in os.listxattr(full)
                                    if n.startswith("user.")))
            # Times the sequence set, where nothing has changed them since: one name, not a
            # directory (its entries change its time).
            if rel in times and st.st_nlink == 1 and not stat.S_ISDIR(st.st_mode):
                entry.append(st.st_mtime_ns)
            out[rel] = entry
    return out


def compare_trees(a, b, times):
    ta, tb = tree(a, times), tree(b, times)
    if ta == tb:
        return True
    for rel in sorted(set(ta) | set(tb)):
        if ta.get(rel) != tb.get(rel):
            print(f"tree differs at {rel}:\n  mount:     {str(ta.get(rel))[:300]}\n"
                  f"  reference: {str(tb.get(rel))[:300]}", file=sys.stderr)
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mount")
    ap.add_argument("reference")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ops", type=int, default=int(os.environ.get("TUX3_FUSE_DIFF_OPS", 2000)))
    ap.add_argument("--compare-only", action="store_true")
    args = ap.parse_args()
    times = {}
    times_file = os.path.join(args.reference, "..", "fuse_diff.times")
    if args.compare_only:
        if os.path.exists(times_file):
            with open(times_file) as f:
                times = {line.split("\t")[0]: int(line.split("\t")[1]) for line in f}
        # Paths whose times were set may have been renamed since: compared only if present.
        ok = compare_trees(args.mount, args.reference, times)
        print("trees match" if ok else "trees differ")
        return 0 if ok else 1
    rng = random.Random(args.seed)
    for n in range(args.ops):
        op = Op(rng)
        ra = op.run(args.mount, times)
        rb = op.run(args.reference, {})
        if ra != rb:
            print(f"seed {args.seed}, operation {n}: {op.describe()}:\n"
                  f"  mount:     {str(ra)[:200]}\n  reference: {str(rb)[:200]}", file=sys.stderr)
            return 1
        if op.kind in ("rename", "rename2", "unlink", "rmdir", "link", "write", "truncate",
                       "create", "mkdir", "symlink") and ra != "Eok":
            # The file a time was set on may have changed or moved: stop comparing it.
            for key in [k for k in times if k.startswith((op.path, op.path2))]:
                del times[key]
    with open(times_file, "w") as f:
        for rel, t in times.items():
            f.write(f"{rel}\t{t}\n")
    ok = compare_trees(args.mount, args.reference, times)
    print(f"{args.ops} operations matched (seed {args.seed}); " +
          ("trees match" if ok else "trees differ"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
