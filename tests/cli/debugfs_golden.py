#!/usr/bin/env python3
"""Golden text tests of tux3-debugfs: every command's output on small fixed images.

usage: debugfs_golden.py MKFS WRITER DEBUGFS SCRATCH_DIR

Builds two images reproducibly (mkfs.tux3 with a fixed UUID and clock, io_min fixed,
tux3-writer --deterministic --time with debugfs_golden/tree.tw; the second then runs
crash.tw, leaving a log, an orphan and live fsync streams), then runs each record of
debugfs_golden/clean.txt and debugfs_golden/crash.txt and compares what it prints.

A record is
    $ ARGS...              tux3-debugfs's arguments (shell words); the image comes last
    <its standard output>
    stderr: <each line of its standard error>
    --- exit N
The image's path prints as IMAGE. To accept new output after an intended change, run with
TUX3_REGEN_GOLDEN=1 (ctest -R cli_debugfs_golden with it in the environment): the files
are rewritten from what the commands print now; review the diff before committing.
Exit status: 0 all match (or regenerated), 1 a record differs (each shown as a diff).
"""
import difflib
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "debugfs_golden"
TIME = "1700000000"
UUID = "7e57da7a-0000-4000-8000-00000000d0c5"


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, timeout=60, **kw)


def make_images(mkfs, writer, debugfs, scratch):
    env = dict(os.environ, SOURCE_DATE_EPOCH=TIME, TZ="UTC")
    clean = scratch / "clean.img"
    clean.unlink(missing_ok=True)
    run([mkfs, "-q", "-b", "1024", "-U", UUID, "-L", "golden", "--root-owner", "0:0",
         str(clean), "2m"], env=env)
    # io_min and io_opt come from the host's filesystem: fix them in both slots (they are
    # hints), as tests/images does, here with tux3-debugfs itself.
    run([debugfs, "-w", "-R", "set_super --slot both io_min 4096",
         "-R", "set_super --slot both io_opt 0", str(clean)], env=env)
    tree = (GOLDEN / "tree.tw").read_text()
    run([writer, "-q", "--deterministic", "--time", TIME, str(clean), "-"], input=tree.encode(),
        env=env)
    crash = scratch / "crash.img"
    shutil.copyfile(clean, crash)
    run([writer, "-q", "--deterministic", "--time", TIME, "--fsync-mode", "stream",
         "--fsync-streams", "2", str(crash), "-"], input=(GOLDEN / "crash.tw").read_bytes(),
        env=env)
    return {"clean": clean, "crash": crash}


def parse(path):
    """The records of a golden file: [(args line, expected text)]."""
    records, args, body = [], None, []
    for line in path.read_text().splitlines(keepends=True):
        if line.startswith("$ "):  # a record's output never starts so
            if args is not None:
                records.append((args, "".join(body)))
            args, body = line[2:].rstrip("\n"), []
            continue
        if args is None:
            continue
        body.append(line)
        if line.startswith("--- exit "):
            records.append((args, "".join(body)))
            args = None
    if args is not None:
        records.append((args, "".join(body)))
    return records


def actual(debugfs, image, args, cwd):
    argv = [debugfs] + shlex.split(args) + [str(image)]
    env = dict(os.environ, TZ="UTC", TUX3_DEBUGFS_HISTORY="")
    p = subprocess.run(argv, capture_output=True, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                       timeout=60)
    out = p.stdout.decode("utf-8", "backslashreplace").replace(str(image), "IMAGE")
    err = p.stderr.decode("utf-8", "backslashreplace").replace(str(image), "IMAGE")
    text = out + ("" if not out or out.endswith("\n") else "\n(no newline at the end)\n")
    text += "".join(f"stderr: {l}\n" for l in err.splitlines())
    return text + f"--- exit {p.returncode}\n"


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 16
    mkfs, writer, debugfs, scratch = sys.argv[1:5]
    scratch = Path(scratch)
    scratch.mkdir(parents=True, exist_ok=True)
    images = make_images(mkfs, writer, debugfs, scratch)
    regen = os.environ.get("TUX3_REGEN_GOLDEN") == "1"
    failures = checks = 0
    for name, image in images.items():
        golden = GOLDEN / f"{name}.txt"
        records = parse(golden)
        out = []
        for args, expected in records:
            got = actual(debugfs, image, args, scratch)
            checks += 1
            out.append(f"$ {args}\n{got}")
            if got != expected and not regen:
                failures += 1
                print(f"FAIL: {golden.name}: $ {args}")
                sys.stdout.writelines(difflib.unified_diff(
                    expected.splitlines(keepends=True), got.splitlines(keepends=True),
                    "expected", "actual"))
        if regen:
            golden.write_text("\n".join(out))
            print(f"regenerated {golden}")
    if failures:
        print(f"{failures} of {checks} records differ (TUX3_REGEN_GOLDEN=1 rewrites them)")
        return 1
    print(f"PASS: {checks} records")
    return 0


if __name__ == "__main__":
    sys.exit(main())
