#!/usr/bin/env python3
"""bench/gentree.py: make a deterministic directory tree for the populate benchmark.

Usage: bench/gentree.py [--seed S] [--files N] [--bytes B] [--dirs D] [--max-depth K] DIR

The same arguments always give the same tree: names, sizes, contents, modes, times,
symlinks and hard links all come from one seeded generator (Python's random.Random).
Defaults: 200,000 files holding 2 GiB, 10,000 directories, depth up to 8. --files alone
scales the rest: N/20 directories and N * 2 GiB / 200,000 bytes.

The mix, like a software tree or a root filesystem:
  - 94 % small files, 0 to 16 KiB (log-uniform, 2 % of them empty);
  - 5.9 % medium, 16 to 256 KiB (log-uniform);
  - 0.1 % large (at least one): what is left of the byte budget, shared unevenly
    (log-uniform weights), so the total is exactly --bytes unless the small and medium
    files alone exceed it;
  - directories: each new one under a random earlier one above the depth limit; files go
    to directories with skewed weights (some hold hundreds, many a few);
  - 1 % of the files also get a symlink (relative, to a file elsewhere), 0.5 % a second
    name (hard link) in another directory; 0.2 % of the files carry a user.* xattr when the
    host filesystem has them;
  - modes 0644 (0755 for a tenth), mtimes spread over the year before 2024-01-01.
Contents are slices of a 64 MiB seeded random pool: incompressible, though not unique.

DIR must not exist; it is made, and DIR.done is written (outside the tree) when the tree is
complete, holding the arguments and totals, so a caller can reuse a finished tree.
"""
import argparse
import math
import os
import random
import sys

POOL_BYTES = 64 << 20
EPOCH_END = 1704067200  # 2024-01-01 00:00:00 UTC


def log_uniform(rng, lo, hi):
    return int(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--files", type=int, default=200000)
    ap.add_argument("--bytes", type=int, default=None)
    ap.add_argument("--dirs", type=int, default=None)
    ap.add_argument("--max-depth", type=int, default=8)
    ap.add_argument("dir")
    a = ap.parse_args()
    total = a.bytes if a.bytes is not None else a.files * (2 << 30) // 200000
    ndirs = a.dirs if a.dirs is not None else max(1, a.files // 20)
    if a.files < 1 or total < 0 or a.max_depth < 1:
        sys.exit("gentree.py: --files must be >= 1, --bytes >= 0, --max-depth >= 1")
    if os.path.exists(a.dir):
        sys.exit("gentree.py: %s exists" % a.dir)
    rng = random.Random(a.seed)

    # Directories: index 0 is the root.
    dirs = [""]
    depth = [0]
    for i in range(1, ndirs):
        while True:
            parent = rng.randrange(len(dirs))
            if depth[parent] < a.max_depth:
                break
        name = "%s%d" % (rng.choice(["src", "lib", "doc", "test", "include", "share", "d", "x"]), i)
        dirs.append(os.path.join(dirs[parent], name))
        depth.append(depth[parent] + 1)
    weights = [rng.paretovariate(1.2) for _ in dirs]
    cum = []
    for x in weights:
        cum.append((cum[-1] if cum else 0) + x)

    # File sizes.
    n_large = max(1, a.files // 1000)
    n_medium = a.files * 59 // 1000
    n_small = a.files - n_large - n_medium
    kinds = ["s"] * n_small + ["m"] * n_medium + ["l"] * n_large
    rng.shuffle(kinds)
    sizes = []
    for k in kinds:
        if k == "s":
            sizes.append(0 if rng.random() < 0.02 else log_uniform(rng, 1, 16 << 10))
        elif k == "m":
            sizes.append(log_uniform(rng, 16 << 10, 256 << 10))
        else:
            sizes.append(None)
    budget = total - sum(s for s in sizes if s is not None)
    large = [i for i, s in enumerate(sizes) if s is None]
    w = [math.exp(rng.uniform(0, math.log(64))) for _ in large]
    left = max(0, budget)
    for j, i in enumerate(large):
        share = left if j == len(large) - 1 else int(max(0, budget) * w[j] / sum(w))
        sizes[i] = max(0, min(share, left))
        left -= sizes[i]

    exts = [".c", ".h", ".py", ".txt", ".so", ".png", ".json", ".md", "", ".o", ".html"]
    files = []
    for i, size in enumerate(sizes):
        d = rng.choices(range(len(dirs)), cum_weights=cum)[0] if i % 64 else rng.randrange(len(dirs))
        name = "%s%d%s" % (rng.choice(["f", "file", "data", "main", "util", "mod", "a"]), i, rng.choice(exts))
        mode = 0o755 if rng.random() < 0.1 else 0o644
        mtime = EPOCH_END - rng.randrange(365 * 86400)
        files.append((os.path.join(dirs[d], name), size, mode, mtime, rng.randrange(POOL_BYTES)))

    pool = rng.randbytes(POOL_BYTES)
    root = a.dir
    os.makedirs(root)
    for d in dirs[1:]:
        os.mkdir(os.path.join(root, d))
    xattrs_ok = True
    written = 0
    for i, (path, size, mode, mtime, off) in enumerate(files):
        full = os.path.join(root, path)
        with open(full, "wb") as f:
            left = size
            while left:
                start = off % POOL_BYTES
                n = min(left, POOL_BYTES - start)
                f.write(pool[start:start + n])
                left -= n
                off += n
        written += size
        os.chmod(full, mode)
        if xattrs_ok and i % 500 == 7:
            try:
                os.setxattr(full, "user.bench", b"v%d" % i)
            except OSError:
                xattrs_ok = False
        os.utime(full, (mtime, mtime))

    # Symlinks and hard links, to files chosen at random, from other directories.
    nsym = nlink = 0
    for i in range(a.files // 100):
        target = files[rng.randrange(len(files))][0]
        d = dirs[rng.randrange(len(dirs))]
        link = os.path.join(d, "link%d" % i)
        os.symlink(os.path.relpath(target, d or "."), os.path.join(root, link))
        nsym += 1
    for i in range(a.files // 200):
        target = files[rng.randrange(len(files))][0]
        d = dirs[rng.randrange(len(dirs))]
        os.link(os.path.join(root, target), os.path.join(root, d, "hard%d" % i))
        nlink += 1
    # Directory times last (adding entries changed them), deepest first.
    for d in sorted(dirs, key=lambda x: -x.count(os.sep)):
        t = EPOCH_END - rng.randrange(365 * 86400)
        os.utime(os.path.join(root, d) if d else root, (t, t))

    with open(a.dir.rstrip("/") + ".done", "w") as f:
        f.write("seed=%d files=%d bytes=%d dirs=%d max_depth=%d\n"
                % (a.seed, a.files, total, ndirs, a.max_depth))
        f.write("written: %d files, %d bytes, %d directories, %d symlinks, %d hard links, xattrs %s\n"
                % (len(files), written, len(dirs) - 1, nsym, nlink, "yes" if xattrs_ok else "no"))


if __name__ == "__main__":
    main()
