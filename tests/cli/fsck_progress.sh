#!/bin/bash
# fsck_progress.sh: -C FD writes "PASS CUR MAX DEVICE" lines on FD (PASS from 1 to 9, a
# line at the start of each pass, CUR <= MAX), the protocol systemd-fsck reads, and
# changes nothing else; a reader that goes away does not stop the check; -C 0 draws a bar
# on a terminal (a pseudo-terminal, when one can be made) and nothing when there is none.
# Usage: fsck_progress.sh FSCK MKFS WRITER REPLAY INSPECT [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/fsck_lib.sh" "$@"

base_image img
damage_preen img
before=$(sum img)

fk -fn img
expect_rc 4 "-fn"
cp "$OUT" plain.out

# protocol_ok FILE DEVICE: every line is "PASS CUR MAX DEVICE", passes in order, 1 and 9
# and every pass present.
protocol_ok() {
  python3 - "$1" "$2" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().split("\n")
assert lines[-1] == "", "the last line ends with a newline"
passes = []
for line in lines[:-1]:
    m = re.fullmatch(r"([1-9]) ([0-9]+) ([0-9]+) (.*)", line)
    assert m and m.group(4) == sys.argv[2], line
    p, cur, top = int(m.group(1)), int(m.group(2)), int(m.group(3))
    assert cur <= top, line
    assert not passes or p >= passes[-1], ("passes out of order", line)
    passes.append(p)
assert set(range(1, 10)) <= set(passes), passes
PY
}

fk -fn -C 5 img 5>progress.txt
expect_rc 4 "-fn -C 5"
check "-C 5: the protocol" protocol_ok progress.txt img
check "-C 5: the report is the same" cmp -s "$OUT" plain.out
check "-C 5: nothing on stderr" test ! -s "$ERR"
fk -fnC5 img 5>progress.txt
check "-fnC5: the protocol" protocol_ok progress.txt img
unchanged img "$before" "-fn -C 5"

cp img fix.img
fk -fy -C 5 fix.img 5>progress.txt
expect_rc 1 "-fy -C 5"
check "-fy -C 5: the protocol" protocol_ok progress.txt fix.img

# The reader of the progress pipe has gone (SIGPIPE is ignored; the check goes on).
check "a closed progress pipe: the check goes on" python3 - "$FSCK" img plain.out <<'PY'
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run([sys.argv[1], "-fn", "-C", str(w), sys.argv[2]], pass_fds=[w],
                   stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
assert p.returncode == 4, (p.returncode, p.stderr)
assert p.stdout == open(sys.argv[3], "rb").read() and p.stderr == b"", p
PY

fk -fn -C 0 img
expect_rc 4 "-C 0 without a terminal"
check "-C 0 without a terminal: no bar, the same report" cmp -s "$OUT" plain.out
check "-C 0 without a terminal: nothing on stderr" test ! -s "$ERR"

fsck_pty t.txt "" -fn -C 0 img
expect_rc 4 "-C 0 on a terminal"
check "-C 0: a bar" grep -aq $'\rimg: |=* *| *[0-9.]*%  pass 9/9: allocation' t.txt
check "-C 0: the report after it" grep -aqx "img: 10 inodes, 67/4096 blocks; 2 problems, 0 fixed, 2 left" t.txt
unchanged img "$before" "-C 0"

finish
