#!/bin/bash
# fsck_ask.sh: no mode flag, on a terminal (a pseudo-terminal: skipped if none can be
# made): each fix is asked for before anything is repaired. y then n: one fixed, one left
# (exit 5); a: yes to all (exit 1, one question); an unknown answer asks again; q, end of
# file and ^C cancel (exit 32) and nothing is written; a volume without errors asks
# nothing; a crashed one is replayed without a question (exit 0).
# Usage: fsck_ask.sh FSCK MKFS WRITER REPLAY INSPECT [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/fsck_lib.sh" "$@"

base_image good.img
cp good.img damaged.img
damage_preen damaged.img
damaged=$(sum damaged.img)
q1="P0305 block-count: inode 21: records 7 blocks, its extents hold 1
Set it from the extents? [ynaq] "
q2="P0601 link-count: inode 17: link count 3, 1 found
Set it to the number found? [ynaq] "
version=$("$FSCK" -V)

cp damaged.img img
fsck_pty t.txt y,n -f img
expect_rc 5 "answering y then n"
check "y, n: the questions, then the report" test "$(sed -n '1,6p' t.txt)" = "$version
${q1}y
${q2}n
Pass 0: superblock"
check "y, n: the first fixed" grep -qx "  Set it from the extents? yes" t.txt
check "y, n: the second declined" grep -qx "  Set it to the number found? no" t.txt
check "y, n: the summary" grep -qx "img: 10 inodes, 67/4096 blocks; 2 problems, 1 fixed, 1 left" t.txt
fk -fn img
expect_rc 4 "-fn after y, n: the declined problem is left"
check "-fn after y, n: only the link count" test "$(grep -c '^P0' "$OUT")" -eq 1 -a -n "$(grep '^P0601 ' "$OUT")"

cp damaged.img img
fsck_pty t.txt a -f img
expect_rc 1 "answering a (yes to all)"
check "a: one question" test "$(grep -c 'ynaq' t.txt)" -eq 1
check "a: both fixed" test "$(grep -c '? yes$' t.txt)" -eq 2
fk -fn img
expect_ok "-fn after a"

cp damaged.img img
fsck_pty t.txt maybe,n,n -f img
expect_rc 4 "an unknown answer, then n, n"
check "an unknown answer asks again" test "$(grep -c "^Set it from the extents? \[ynaq\] " t.txt)" -eq 2
check "... saying what to answer" grep -qF "Answer y (yes), n (no), a (yes to all) or q (quit: repair nothing)." t.txt
unchanged img "$damaged" "both declined"

for answers in q y,q EOF INT; do
  cp damaged.img img
  fsck_pty t.txt "$answers" -f img
  expect_rc 32 "cancelling with $answers"
  unchanged img "$damaged" "cancelled with $answers"
  if [[ $answers == INT ]]; then
    check "^C: interrupted" grep -q "^fsck.tux3: interrupted: cancelled" t.txt
  else
    check "$answers: cancelled" grep -qx "img: cancelled: no repair was written" t.txt
  fi
done

cp good.img img
fsck_pty t.txt "" -f img
expect_ok "no errors: no question"
check "no errors: the report" grep -qx "img: 10 inodes, 67/4096 blocks; no problems" t.txt

crashed_image crash.img
fsck_pty t.txt "" crash.img
expect_ok "a crashed volume: replayed without a question"
check "a crashed volume: replayed" grep -q "; log replayed; no problems$" t.txt
fk -fn crash.img
expect_ok "-fn after the replay"

finish
