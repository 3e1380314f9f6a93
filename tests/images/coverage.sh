#!/usr/bin/env bash
# coverage.sh: every problem code fsck.tux3 lists (--list-problems) appears in some case's
# expected output (expect.0, the -fn run; expect.1; expect.2), or is named in uncovered.txt with the reason no corpus image
# shows it. Usage: coverage.sh FSCK CORPUS_DIR. Exit 0 covered, 1 not.
set -uo pipefail
[[ $# -eq 2 ]] || { echo "usage: coverage.sh FSCK CORPUS_DIR" >&2; exit 16; }
fsck=$1 corpus=$2
codes=$("$fsck" --list-problems | tail -n +2 | cut -f1) || { echo "coverage.sh: --list-problems failed" >&2; exit 1; }
[[ -n $codes ]] || { echo "coverage.sh: no problem codes listed" >&2; exit 1; }
missing=0
for code in $codes; do
  if grep -qsw -- "$code" "$corpus"/*/expect.[012]; then continue; fi
  if grep -qs "^$code " "$corpus/uncovered.txt"; then continue; fi
  echo "not covered: $code (no case's expected output shows it; add a case, or a line to uncovered.txt saying why none can)"
  missing=1
done
# A code listed as uncovered that a case now shows should leave the list.
while read -r code _; do
  [[ -z $code || $code == \#* ]] && continue
  if grep -qsw -- "$code" "$corpus"/*/expect.[012]; then
    echo "uncovered.txt lists $code, but a case shows it: remove the line"
    missing=1
  fi
done < <(cat "$corpus/uncovered.txt" 2>/dev/null)
[[ $missing == 0 ]] && echo "every problem code is covered by the corpus"
exit "$missing"
