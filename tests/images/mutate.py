#!/usr/bin/env python3
"""mutate.py: random damage to the corpus images, and fsck.tux3 must survive all of it.

Usage: mutate.py FSCK CORPUS_DIR SCRATCH_DIR [--iterations N] [--seed S] [--timeout SEC]
(N defaults to $TUX3_MUTATE_ITERATIONS, else 120.)

Each iteration takes a case's image (cycling through the cases), picks one metadata block
(a superblock slot or any block starting with a tux3 magic), changes 1 to 4 random bytes
in it and, most of the time, reseals its checksum so the damage gets past the checksum
into the decoders. Then, with a time limit on each run:

  fsck.tux3 -fn   exits 0, 4 or 8 (8 with one line on stderr), and writes nothing;
  fsck.tux3 -fy   exits 0, 1, 4, 5 or 8;
  fsck.tux3 -fy   again: exits 0 if the first run fixed everything (0 or 1), else 0 or 4;
                  never 1 (a repair that needs two runs).

A crash (a signal, a sanitizer report), a hang or any other exit fails the iteration; its
image is kept in SCRATCH_DIR/failures/ with the command that shows it. Exit 0 when every
iteration passes, 1 otherwise, 16 on usage errors. Deterministic for a given seed.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tux3img import fmt  # noqa: E402

MAGICS = set(fmt.MAGICS.values())


def metadata_blocks(image, block_size):
    """(offset, length) of every superblock slot and every block with a tux3 magic."""
    out = [(off, fmt.SLOT_SIZE) for off in fmt.SLOT_OFFSETS]
    first = (fmt.SLOT_OFFSETS[-1] + fmt.SLOT_SIZE + block_size - 1) // block_size
    for b in range(first, len(image) // block_size):
        off = b * block_size
        if int.from_bytes(image[off:off + 4], "big") in MAGICS:
            out.append((off, block_size))
    return out


def mutate(image, rng):
    """Damages one metadata block of image (a bytearray) in place; returns what was done."""
    sb = fmt.decode_superblock(bytes(image[fmt.SLOT_OFFSETS[0]:fmt.SLOT_OFFSETS[0] + fmt.SLOT_SIZE]))
    block_size = 1 << sb["blockbits"]
    off, length = rng.choice(metadata_blocks(image, block_size))
    changes = []
    for _ in range(rng.randint(1, 4)):
        # Mostly past the header's magic and checksum; sometimes anywhere.
        pos = rng.randrange(8 if rng.random() < 0.9 else 0, length)
        value = rng.choice([0, 0xFF, rng.randrange(256), image[off + pos] ^ (1 << rng.randrange(8))])
        image[off + pos] = value
        changes.append(f"{pos}={value:#04x}")
    resealed = rng.random() < 0.8
    if resealed:
        buf = bytearray(image[off:off + length])
        fmt.seal(buf)
        image[off:off + length] = buf
    return f"block at byte {off} ({length} bytes): {' '.join(changes)}{' resealed' if resealed else ''}"


def run(cmd, timeout):
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired:
        return "timeout", "", ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("fsck")
    ap.add_argument("corpus")
    ap.add_argument("scratch")
    # The default: $TUX3_MUTATE_ITERATIONS, else 120 (the sanitizer run sets fewer).
    ap.add_argument("--iterations", type=int,
                    default=int(os.environ.get("TUX3_MUTATE_ITERATIONS", "120")))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=60)
    try:
        args = ap.parse_args()
    except SystemExit as e:
        sys.exit(16 if e.code else 0)
    cases = sorted(d for d in os.listdir(args.corpus)
                   if os.path.isfile(os.path.join(args.corpus, d, "image.zst")))
    if not cases:
        print(f"mutate.py: {args.corpus}: no cases", file=sys.stderr)
        sys.exit(16)
    os.makedirs(args.scratch, exist_ok=True)
    failures_dir = os.path.join(args.scratch, "failures")
    rng = random.Random(args.seed)
    images = {}
    failed = 0
    img = os.path.join(args.scratch, "mutated.img")
    for i in range(args.iterations):
        case = cases[i % len(cases)]
        if case not in images:
            images[case] = subprocess.run(
                ["zstd", "-q", "-dc", os.path.join(args.corpus, case, "image.zst")],
                check=True, capture_output=True).stdout
        image = bytearray(images[case])
        what = mutate(image, rng)
        with open(img, "wb") as f:
            f.write(image)
        problems = []

        rc, out, err = run([args.fsck, "-fn", img], args.timeout)
        with open(img, "rb") as f:
            if f.read() != image:
                problems.append("-fn wrote to the image")
        if rc not in (0, 4, 8):
            problems.append(f"-fn exited {rc}: {err.strip()[-2000:]}")
        elif rc == 8 and (len(err.strip().split("\n")) != 1 or not err.startswith("fsck.tux3: ")):
            problems.append(f"-fn exited 8 without one error line: {err!r}")

        rc1, out1, err1 = run([args.fsck, "-fy", img], args.timeout)
        if rc1 not in (0, 1, 4, 5, 8):
            problems.append(f"-fy exited {rc1}: {err1.strip()[-2000:]}")
        rc2, out2, err2 = run([args.fsck, "-fy", img], args.timeout)
        allowed = (0,) if rc1 in (0, 1) else (0, 4, 8) if rc1 == 8 else (0, 4)
        if rc2 not in allowed:
            problems.append(f"second -fy exited {rc2} after a first {rc1}:\n{out2[-3000:]}{err2[-1000:]}")

        if problems:
            failed += 1
            os.makedirs(failures_dir, exist_ok=True)
            keep = os.path.join(failures_dir, f"{case}-{args.seed}-{i}.img")
            with open(keep, "wb") as f:
                f.write(image)
            print(f"FAIL iteration {i}: {case}: {what}")
            for p in problems:
                print("  " + p.replace("\n", "\n  "))
            print(f"  image: {keep} (before any run); reproduce: {args.fsck} -fy IMAGE")
    print(f"{args.iterations - failed} of {args.iterations} mutated images handled "
          f"(seed {args.seed}, {len(cases)} cases)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
