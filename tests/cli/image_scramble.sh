#!/usr/bin/env bash
# tux3-image dump --scramble: the restored image passes fsck.tux3 -fn and needs no replay;
# it holds none of the names, xattr values, symlink targets or label of the original (nor
# file data); it has the same shape (paths of the same lengths, modes, owners, sizes, link
# counts); its symlinks point at the renamed paths. The same key gives the same dump, another
# key other names; no key gives a random one. A volume left by a crash is dumped as replay
# leaves it.
source "$(dirname "${BASH_SOURCE[0]}")/image_lib.sh" "$@"
export SOURCE_DATE_EPOCH=$TEST_TIME

populated_image populated.img customer-42

# The names the original holds (and must not show up again), from its tree listing.
"$INSPECT" populated.img tree >orig-tree.txt
secrets=(projects alpha beta report.txt report-link short-link long-component many
         entry-00042-of-the-big-directory data.bin "written by Alice" "team blue"
         "quarterly numbers" customer-42)

ti dump --scramble --scramble-key "bug 1234" populated.img s1.t3i
expect_ok "dump --scramble"
out_has "blocks of scrambled metadata" "the summary says the dump is scrambled"
ti restore -q s1.t3i restored.img
expect_ok "restore of a scrambled dump"
ti info --json s1.t3i
check "info: scrambled and replayed" grep -q '"flags":{"data":false,"scrambled":true,"replayed":true,' "$OUT"
check "the label is scrambled to the same length" \
  grep -qE '"label":"[A-Za-z0-9_-]{11}"' "$OUT"

rc=0
"$FSCK" -fn restored.img >fsck.txt 2>&1 || rc=$?
check "fsck.tux3 -fn of the scrambled image exits 0" test "$rc" -eq 0
check "fsck.tux3 -fn finds no problem" grep -q "; no problems$" fsck.txt
rc=0
"$REPLAY" -n restored.img >/dev/null 2>&1 || rc=$?
check "a scrambled image needs no replay" test "$rc" -eq 0
verify_clean restored.img "the scrambled image"

printf '%s\n' "${secrets[@]}" >secrets.txt
check "no name or value of the original is in the scrambled dump" not grep -qaF -f secrets.txt s1.t3i
check "... nor in the restored image" not grep -qaF -f secrets.txt restored.img
check "... where the original has them all" \
  test "$(grep -aoF -f secrets.txt populated.img | sort -u | wc -l)" -eq "${#secrets[@]}"

# The same shape: each line's path length, type, mode, owner, links and size.
"$INSPECT" restored.img tree >scrambled-tree.txt
shape() { awk '{ printf "%d %s %s %s %s %s\n", length($1), $2, $3, $4, $5, $6 }' "$1" | sort; }
check "the same shape, path by path" cmp -s <(shape orig-tree.txt) <(shape scrambled-tree.txt)
check "lost+found-like names aside, no original path is left" \
  test -z "$(comm -12 <(cut -d' ' -f1 orig-tree.txt | grep -v '^/$' | sort) \
                     <(cut -d' ' -f1 scrambled-tree.txt | sort))"
# The short symlink (in projects/) still points at its renamed target.
link_line=$(awk '$2 == "symlink" && length($1) == length("/projects/short-link")' scrambled-tree.txt)
link_dir=$(dirname "$(cut -d' ' -f1 <<<"$link_line")")
link_target=$(cut -d' ' -f8 <<<"$link_line")
check "a symlink points at the renamed path ($link_dir/$link_target)" \
  grep -q "^$link_dir/$link_target file " scrambled-tree.txt
check "xattr values are zeros" \
  grep -q "xattr=user\.[A-Za-z0-9_-]*:00000000000000000000000000000000$" scrambled-tree.txt

# Keys: the same key, the same bytes; another key, other names; no key, a random one.
"$IMAGE_TOOL" dump -q --scramble --scramble-key "bug 1234" populated.img s2.t3i
check "the same key gives the same dump" cmp -s s1.t3i s2.t3i
"$IMAGE_TOOL" dump -q --scramble --scramble-key "other" populated.img s3.t3i
check "another key gives another dump" not cmp -s s1.t3i s3.t3i
"$IMAGE_TOOL" dump -q --scramble populated.img r1.t3i
"$IMAGE_TOOL" dump -q --scramble populated.img r2.t3i
check "without a key, each dump has its own names" not cmp -s r1.t3i r2.t3i

# A crashed volume: dumped as replay leaves it, and the copy checks clean.
crashed_image crashed.img
ti dump -q --scramble crashed.img crashed.t3i
expect_ok "dump --scramble of a crashed volume"
"$IMAGE_TOOL" restore -q crashed.t3i crashed-restored.img
rc=0
"$FSCK" -fn crashed-restored.img >/dev/null 2>&1 || rc=$?
check "the scrambled copy of a crashed volume checks clean" test "$rc" -eq 0
rc=0
"$REPLAY" -n crashed-restored.img >/dev/null 2>&1 || rc=$?
check "the scrambled copy of a crashed volume needs no replay" test "$rc" -eq 0
check "the crashed original was not written" \
  test "$("$REPLAY" -n crashed.img >/dev/null 2>&1; echo $?)" -eq 1

finish
