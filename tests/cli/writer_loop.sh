#!/bin/bash
# writer_loop.sh: the engine on a block device (a loop device): scripts/tree.tw written to it
# gives the same tree as on an image file, the device verifies clean, a second run reopens it
# (replaying its log) and keeps adding, and a device held by another writer is refused.
# Needs root and losetup, else skips.
# Usage: writer_loop.sh WRITER_BINARY MKFS_BINARY INSPECT_BINARY [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/writer_lib.sh" "$@"

[[ $(id -u) -eq 0 ]] || skip "needs root for loop devices"
command -v losetup >/dev/null || skip "losetup not found"

truncate -s 64M backing
DEV=$(losetup -f --show backing 2>/dev/null) || skip "cannot attach a loop device"
on_exit "losetup -d '$DEV'"
[[ -b $DEV ]] || skip "$DEV is not a block device"

script="$(dirname "${BASH_SOURCE[0]}")/scripts/tree.tw"
SOURCE_DATE_EPOCH=$TEST_TIME "$MKFS" -q -U "$TEST_UUID" --root-owner 0:0 "$DEV" ||
  { echo "FAIL: mkfs.tux3 on $DEV failed" >&2; exit 1; }
tw -q --time "$TEST_TIME" "$DEV" "$script"
tw_ok "tree.tw on $DEV"
verify_clean "$DEV" "after tree.tw"

new_image file 64m
tw -q --time "$TEST_TIME" file "$script"
tw_ok "tree.tw on an image file"
check "the device holds the same tree as the image file" cmp -s <(tree "$DEV") <(tree file)

# A second run opens the device again, replays, and adds to it.
tw -q "$DEV" - <<'S'
mkdir /again
write /again/big 5m pattern=random seed=3
sync
write /again/small 100
S
tw_ok "a second run on $DEV"
tw -q "$DEV" - <<'S'
check /again/big size=5m content=random:3
check /again/small size=100
S
tw_ok "the second run's files read back after a third open"
verify_clean "$DEV" "after three runs"

# Another process holding the device exclusively (O_EXCL, as a mount or a writer would):
# refused with exit 2, and the volume is unchanged.
python3 -c "import os, sys, time; os.open(sys.argv[1], os.O_RDONLY | os.O_EXCL); print('held', flush=True); time.sleep(60)" "$DEV" >held.out &
holder=$!
on_exit "kill $holder 2>/dev/null"
for _ in $(seq 50); do [[ -s held.out ]] && break; sleep 0.1; done
tw -q "$DEV" - <<<'mkdir /nope'
tw_error 2 "in use" "a device held exclusively by another process"
kill "$holder"
wait "$holder" 2>/dev/null || true
tw -q "$DEV" - <<<'expect-error ENOENT check /nope'
tw_ok "the refused run changed nothing"

finish
