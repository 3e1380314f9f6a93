#!/bin/bash
# writer_tree.sh: scripts/tree.tw builds one of everything (directories, files in every
# pattern, holes, truncate up and down, a host file, hard links, short and long symlinks,
# fifo, devices, socket, owners, modes, times, xattrs, renames over existing files and
# exchange, unlink, rmdir, loops); the volume verifies clean and its listing equals
# scripts/tree.expected. The same script twice on two identical volumes gives cmp-identical
# images; another --time gives a different one.
#
# Regenerate scripts/tree.expected after an intended change with
#   WRITER_REGENERATE=1 ctest --test-dir BUILD_DIR -R cli_writer_tree --output-on-failure
# and review its diff.
# Usage: writer_tree.sh WRITER_BINARY MKFS_BINARY INSPECT_BINARY [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/writer_lib.sh" "$@"

EXPECTED=$SCRIPTS/tree.expected

new_image a.img 16m
tw --time "$TEST_TIME" a.img "$SCRIPTS/tree.tw"
tw_ok "tree.tw runs"
out_has "ops: " "statistics printed"
verify_clean a.img "after tree.tw"
tree a.img >a.tree
check "the listing is not empty" test "$(wc -l <a.tree)" -gt 40
if [[ -n ${WRITER_REGENERATE:-} ]]; then
  cp a.tree "$EXPECTED"
  note "regenerated $EXPECTED"
fi
CHECKS=$((CHECKS + 1))
if ! diff -u "$EXPECTED" a.tree >tree.diff; then
  fail "the listing differs from scripts/tree.expected (see the diff; WRITER_REGENERATE=1 to accept)"
  head -n 60 tree.diff >&2
fi

# Reproducible: a second identical volume, the same script and time: the same bytes.
new_image b.img 16m
tw -q --time "$TEST_TIME" b.img "$SCRIPTS/tree.tw"
tw_ok "tree.tw on a second volume"
check "two runs give cmp-identical images" cmp a.img b.img
# SOURCE_DATE_EPOCH does the same as --time.
new_image c.img 16m
SOURCE_DATE_EPOCH=$TEST_TIME tw -q c.img "$SCRIPTS/tree.tw"
tw_ok "tree.tw with SOURCE_DATE_EPOCH"
check "SOURCE_DATE_EPOCH gives the same image as --time" cmp a.img c.img
# The script from standard input, from another directory (copy's host path is then
# relative to the current directory).
new_image d.img 16m
(cd "$SCRIPTS" && "$WRITER" -q --time "$TEST_TIME" "$WORK/d.img" - <tree.tw) >d.out 2>&1
check "tree.tw on stdin from its directory" test ! -s d.out
check "the script on stdin gives the same image" cmp a.img d.img
# Another time: another image, and the listing shows it.
new_image e.img 16m
tw -q --time $((TEST_TIME + 1)) e.img "$SCRIPTS/tree.tw"
tw_ok "tree.tw at another time"
check "another --time changes the image" not cmp -s a.img e.img
check "another --time changes the listing" not cmp -s a.tree <(tree e.img)

# A second run of the whole script on the result fails at once (mkdir /dirs exists) and
# leaves the tree as it was.
line=$(grep -n '^mkdir /dirs$' "$SCRIPTS/tree.tw" | cut -d: -f1)
tw -q --time "$TEST_TIME" a.img "$SCRIPTS/tree.tw"
tw_error 1 "tree.tw:$line: mkdir: /dirs: 'dirs': exists: File exists (EEXIST)" \
  "running tree.tw again fails at its first mkdir"
verify_clean a.img "after the failed second run"
check "the failed second run left the listing unchanged" cmp -s a.tree <(tree a.img)

finish
