#!/usr/bin/env python3
"""tux3-debugfs never crashes on a damaged volume: every read command, text and JSON, on
each image of the fsck corpus (tests/images/*/image.zst, one precise damage each) exits 0
or 8 (a command met damage), never with a signal or a sanitizer's report.

usage: debugfs_corpus.py DEBUGFS IMAGES_DIR SCRATCH_DIR
"""
import concurrent.futures
import os
import shutil
import subprocess
import sys
from pathlib import Path


def batch(vol_blocks):
    """Every read command, text and JSON: paths of the standard tree, <N> for each inode."""
    inodes = " ".join(f"<{i}>" for i in range(1, 61))
    lines = ["super", "super --json", "ls -l -a -k /", "ls --json -l /", "cd /home/alice",
             "ls -l", "pwd", "cd /", f"stat {inodes}", f"stat --json {inodes}",
             "ncheck " + " ".join(map(str, range(1, 61))), "ncheck --json 2 27",
             "icheck " + " ".join(map(str, range(vol_blocks))), "icheck --json 0 1 40 2000",
             "btree itree", "btree --json itree", "btree otree", "log", "log --json",
             "deltas", "deltas --json", "streams", "streams --json", "freefrag",
             "freefrag --json", "graph > /dev/null", "rdump / rdump-out"]
    for i in range(1, 61):
        lines += [f"extents <{i}>", f"btree --json <{i}>", f"xattrs <{i}>",
                  f"cat <{i}> > /dev/null", f"ls -l <{i}>"]
    # The metadata of these images lives in their first blocks.
    lines += [f"block {b}" for b in range(0, min(vol_blocks, 120))]
    lines += [f"block --json {b}" for b in range(0, min(vol_blocks, 120), 7)]
    return "\n".join(lines) + "\n"


def run_one(debugfs, zst, scratch):
    name = zst.parent.name
    work = scratch / name
    image = work / "image"  # decompressed by main()
    (work / "rdump-out").mkdir(exist_ok=True)
    vol_blocks = image.stat().st_size // 1024
    p = subprocess.run([debugfs, "-k", "--no-echo", "-f", "-", str(image)], cwd=work,
                       input=batch(vol_blocks).encode(), capture_output=True, timeout=90,
                       env=dict(os.environ, TUX3_DEBUGFS_HISTORY=""))
    err = p.stderr.decode("utf-8", "replace")
    bad = p.returncode not in (0, 8) or "Sanitizer" in err or "runtime error" in err
    detail = "\n".join(l for l in err.splitlines()
                       if "Sanitizer" in l or "runtime error" in l or "#" in l[:4])[:3000]
    return name, p.returncode, bad, detail or err[-1500:]


def main():
    debugfs, images, scratch = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    zsts = sorted(images.glob("*/image.zst"))
    if not zsts:
        print("FAIL: no images under", images)
        return 1
    # One zstd for every image (a process each costs more than the work): CASE/image.zst
    # becomes SCRATCH/CASE/image.
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    subprocess.run(["zstd", "-qd", "--output-dir-mirror", str(scratch.resolve())]
                   + [f"{z.parent.name}/image.zst" for z in zsts], cwd=images, check=True)
    failures = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for name, rc, bad, detail in pool.map(lambda z: run_one(debugfs, z, scratch), zsts):
            if bad:
                failures += 1
                print(f"FAIL: {name}: exit {rc}\n{detail}")
    if failures:
        print(f"{failures} of {len(zsts)} images")
        return 1
    print(f"PASS: {len(zsts)} images, every read command, exit 0 or 8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
