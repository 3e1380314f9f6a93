#!/usr/bin/env python3
"""The interactive shell on a terminal: a prompt, tab completion of command names and of
paths inside the volume, history kept in $TUX3_DEBUGFS_HISTORY, quit and end of input.

usage: debugfs_pty.py DEBUGFS MKFS WRITER SCRATCH_DIR
"""
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "debugfs_golden"


class Terminal:
    def __init__(self, argv, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(argv[0], argv, env)
        self.seen = b""

    def read_until(self, text, timeout=10.0):
        end = time.monotonic() + timeout
        while text.encode() not in self.seen:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"waiting for {text!r}; got {self.seen[-400:]!r}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise EOFError(f"the shell ended waiting for {text!r}: {self.seen[-400:]!r}")
                self.seen += chunk

    def send(self, text):
        os.write(self.fd, text.encode())

    def wait(self, timeout=10.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            try:
                if select.select([self.fd], [], [], 0.05)[0]:
                    self.seen += os.read(self.fd, 4096)
            except OSError:
                time.sleep(0.05)
        os.kill(self.pid, 9)
        raise TimeoutError("the shell did not end")


def main():
    debugfs, mkfs, writer, scratch = sys.argv[1:5]
    scratch = Path(scratch)
    scratch.mkdir(parents=True, exist_ok=True)
    image = scratch / "img"
    image.unlink(missing_ok=True)
    subprocess.run([mkfs, "-q", "-b", "1024", str(image), "2m"], check=True,
                   env=dict(os.environ, SOURCE_DATE_EPOCH="1700000000"))
    subprocess.run([writer, "-q", "--deterministic", "--time", "1700000000", str(image),
                    str(GOLDEN / "tree.tw")], check=True)
    history = scratch / "history"
    history.unlink(missing_ok=True)
    env = dict(os.environ, TUX3_DEBUGFS_HISTORY=str(history), TERM="dumb", TZ="UTC")
    failures = []

    t = Terminal([debugfs, str(image)], env)
    try:
        t.read_until("tux3-debugfs: ")
        t.send("ls /ho\t")             # a path: /home/
        t.read_until("/home/")
        t.send("\n")
        t.read_until("alice")
        t.read_until("tux3-debugfs: ")
        t.send("cd /home/al\t\n")       # /home/alice/
        t.read_until("tux3-debugfs: ")
        t.send("pw\t\n")               # a command name: pwd
        t.read_until("/home/alice (inode")
        t.send("ls /nowhere\n")        # an error does not end the shell
        t.read_until("no such file or directory")
        t.send("stat ho\t\n")          # relative to the current directory: hosts-link
        t.read_until("target '/etc/hosts'")
        t.send("quit\n")
        code = t.wait()
        if code != 0:
            failures.append(f"quit: exit {code}")
    except (TimeoutError, EOFError) as e:
        failures.append(str(e))
        try:
            os.kill(t.pid, 9)
        except ProcessLookupError:
            pass
    # libedit's history file: a header line, then one line each, spaces as \040.
    kept = history.read_text(errors="replace").replace("\\040", " ") if history.exists() else ""
    for line in ("pwd", "cd /home/alice/", "quit"):
        if line not in kept:
            failures.append(f"history lacks {line!r}: {kept!r}")

    # End of input leaves as quit does; the history is read back in the next session.
    t = Terminal([debugfs, str(image)], env)
    try:
        t.read_until("tux3-debugfs: ")
        t.send("\x10")                # ^P: the previous line of the history
        t.read_until("quit")
        t.send("\x15pwd\n")           # ^U erases it; pwd runs
        t.read_until("/ (inode 2)")
        t.read_until("tux3-debugfs: ")
        time.sleep(0.2)  # the prompt is printed before libedit puts the terminal in raw mode
        t.send("\x04")
        code = t.wait()
        if code != 0:
            failures.append(f"^D: exit {code}")
    except (TimeoutError, EOFError) as e:
        failures.append(f"^D: {e}")

    for f in failures:
        print(f"FAIL: {f}")
    if failures:
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
