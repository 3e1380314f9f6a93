#!/usr/bin/env bash
# The progress bar: drawn on standard error when it is a terminal (a pseudo-terminal here)
# during dump and restore, and erased at the end; never with -q, never when standard error
# is not a terminal. Standard output (the dump, with OUT -) carries no bar.
source "$(dirname "${BASH_SOURCE[0]}")/image_lib.sh" "$@"
export SOURCE_DATE_EPOCH=$TEST_TIME

crashed_image vol.img

# Each case runs tux3-image with standard error on a pseudo-terminal (standard output to
# NAME.out); what the terminal received goes to NAME.tty, the exit status to NAME.rc. All
# in one python3, which is slow to start.
python3 - "$IMAGE_TOOL" <<'PY'
import os, pty, subprocess, sys
tool = sys.argv[1]
cases = {
    "dump": ["dump", "vol.img", "a.t3i"],
    "quiet": ["dump", "-q", "vol.img", "b.t3i"],
    "piped": ["dump", "vol.img", "-"],
    "restore": ["restore", "a.t3i", "r.img"],
}
for name in ["dump", "quiet", "piped", "restore"]:
    master, slave = pty.openpty()
    with open(name + ".out", "wb") as stdout:
        p = subprocess.Popen([tool] + cases[name], stdout=stdout, stderr=slave,
                             stdin=subprocess.DEVNULL)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    open(name + ".tty", "wb").write(seen)
    open(name + ".rc", "w").write("%d\n" % p.wait())
PY

for name in dump quiet piped restore; do
  check "$name with a terminal on standard error: exit 0" test "$(cat "$name.rc")" -eq 0
done
check "a bar was drawn" grep -qa '|=*.*| *[0-9.]*%  writing' dump.tty
check "the bar was erased at the end" test "$(tail -c 4 dump.tty | od -An -tx1 | tr -d ' ')" = 0d1b5b4b
check "the summary is on standard output" grep -q "blocks of metadata" dump.out
check "-q: no bar" test ! -s quiet.tty
check "OUT -: the bar is on the terminal" grep -qa '%  writing' piped.tty
check "OUT -: the dump on standard output has no bar in it" cmp -s piped.out a.t3i
check "restore draws a bar" grep -qa '%  restoring' restore.tty

"$IMAGE_TOOL" dump vol.img c.t3i 2>nottty.err >/dev/null
check "no terminal: no bar" test ! -s nottty.err

finish
