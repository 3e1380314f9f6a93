#!/usr/bin/env bash
# debugfs_dump: a tux3-image dump opens directly, without restoring it: every read command
# prints what it prints on the volume itself (file data excepted in a metadata dump: it
# reads as zeros); a dump is read-only (-w is a usage error); a damaged dump is a clear error.
source "$(dirname "${BASH_SOURCE[0]}")/debugfs_lib.sh" "$@"
[[ -n $IMAGE_TOOL && -x $IMAGE_TOOL ]] || skip "tux3-image is not built"

golden_image img
cp img crash.img
"$WRITER" -q --deterministic --time 1700000000 --fsync-mode stream crash.img \
  "$DEBUGFS_GOLDEN/crash.tw" || { echo "FAIL: crash.tw" >&2; exit 1; }

for image in img crash.img; do
  "$IMAGE_TOOL" dump -q "$image" "$image.dump" || { fail "tux3-image dump $image"; continue; }
  # Every read command, one batch each side; the outputs must be the same.
  cat >cmds <<'CMDS'
ls -l /home/alice
stat /home/alice/notes /home/bob/frag
btree itree
btree otree
log
deltas
streams
extents /home/bob/frag
icheck 0 15 33 45 58 88
ncheck 26 27
freefrag
graph
block 33
xattrs /home/alice/notes
cat /home/alice/hosts-link
CMDS
  "$DEBUGFS" -k -f cmds "$image" >want 2>&1
  "$DEBUGFS" -k -f cmds "$image.dump" >got 2>&1
  CHECKS=$((CHECKS + 1))
  if ! cmp -s want got; then
    fail "$image: every command reads the same from the dump"
    diff want got | head -20 >&2
  fi
  df -R super "$image.dump"
  expect_rc 0 "$image: super of the dump"
  out_has "a tux3-image dump (read-only)" "super says it is a dump"
done
df -R "cat /etc/hosts" img.dump
CHECKS=$((CHECKS + 1))
[[ $(tr -d '\0' <"$OUT" | wc -c) -eq 0 && $(wc -c <"$OUT") -eq 300 ]] ||
  fail "file data of a metadata dump reads as zeros, at the file's size"

df -w -R super img.dump
expect_error 16 "read-only" "-w on a dump"

head -c 600 img.dump >short.dump
df -R super short.dump
CHECKS=$((CHECKS + 1))
if [[ $RC -ne 8 ]] || ! grep -q "short.dump" "$ERR"; then
  fail "a truncated dump: exit 8 naming it"
  _show
fi
finish
