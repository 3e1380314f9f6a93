#!/bin/bash
# fsck_problems.sh: the man page's PROBLEMS table is the library's table: every row of
# `fsck.tux3 --list-problems` (code, id, pass, kind, preen, problem, fix) is a row of the
# table in man/fsck.tux3.8, in the same order, with the same text, and nothing else is.
# Also: the man page renders without warnings, and its EXIT STATUS lists every code.
# Usage: fsck_problems.sh FSCK MKFS WRITER REPLAY INSPECT [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/fsck_lib.sh" "$@"

MAN=$CLI_DIR/../../man/fsck.tux3.8
[[ -f $MAN ]] || { fail "$MAN not found"; finish; }

fk --list-problems
expect_ok "--list-problems"
cp "$OUT" table.tsv
check "the man page's PROBLEMS table is --list-problems" python3 - "$MAN" table.tsv <<'PY'
import sys

def unescape(text):
    return (text.replace("\\-", "-").replace("\\(aq", "'").replace("\\&", "")
            .replace("\\e", "\\"))

lines = open(sys.argv[1]).read().split("\n")
start = lines.index(".SH PROBLEMS")
header = next(i for i in range(start, len(lines)) if lines[i].startswith("Code@"))
assert lines[header] == "Code@Id@Pass@Kind@Preen@Problem; fix", lines[header]
assert lines[header + 1] == "_", lines[header + 1]
rows, i = [], header + 2
while lines[i] != ".TE":
    cells = lines[i].split("@")
    assert len(cells) == 6 and cells[5] == "T{", ("a row is CODE@ID@PASS@KIND@PREEN@T{", lines[i])
    block = []
    i += 1
    while lines[i] != "T}":
        block.append(lines[i])
        i += 1
    i += 1
    assert len(block) == 3 and block[1] == ".br" and block[2].startswith("fix: "), block
    fix = block[2][len("fix: "):]
    rows.append([unescape(c) for c in cells[:5]] +
                [unescape(block[0]), "" if fix == "none" else unescape(fix)])

table = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])][1:]
problems = []
for want, got in zip(table, rows):
    if want != got:
        problems.append(f"  --list-problems: {want}\n  man page:        {got}")
for want in table[len(rows):]:
    problems.append(f"  missing from the man page: {want}")
for got in rows[len(table):]:
    problems.append(f"  in the man page only: {got}")
if problems:
    sys.exit("the man page and the table disagree:\n" + "\n".join(problems))
PY

check "EXIT STATUS lists 0 1 2 4 8 16 32" python3 - "$MAN" <<'PY'
import sys
text = open(sys.argv[1]).read()
section = text[text.index(".SH EXIT STATUS"):text.index(".SH", text.index(".SH EXIT STATUS") + 1)]
codes = [l.split()[1] for l in section.split("\n") if l.startswith(".B ") and l.split()[1].isdigit()]
assert codes == ["0", "1", "2", "4", "8", "16", "32"], codes
PY

if command -v man >/dev/null; then
  warnings=$(MANWIDTH=80 man -l "$MAN" 2>&1 >/dev/null)
  check "man -l: no warnings" test -z "$warnings"
  [[ -z $warnings ]] || sed -n '1,5s/^/  man: /p' <<<"$warnings" >&2
else
  note "man not found: rendering not checked"
fi
if command -v groff >/dev/null; then
  warnings=$(groff -ww -z -t -man "$MAN" 2>&1)
  check "groff -ww: no warnings" test -z "$warnings"
  [[ -z $warnings ]] || sed -n '1,5s/^/  groff: /p' <<<"$warnings" >&2
fi

finish
