#!/usr/bin/env bash
# debugfs_write: -w. Changes through the writer engine, one delta per command, leave a
# volume fsck finds clean; without -w they are refused. set_super and corrupt change one
# field, resealed unless --no-seal, and what they leave is what fsck then reports.
source "$(dirname "${BASH_SOURCE[0]}")/debugfs_lib.sh" "$@"

golden_image img
delta_of() { "$DEBUGFS" --json -R super "$1" | "$PY" -c \
  'import json,sys; d=json.load(sys.stdin); print(d["view"]["delta"])'; }

# Without -w nothing changes.
cp img ro.img
before=$(sha256sum ro.img)
df -R "mkdir /x" ro.img
expect_rc 8 "mkdir without -w"
err_has "read-only (give -w" "the refusal says how"
df -R "corrupt 33 owner 5" ro.img
expect_rc 8 "corrupt without -w"
check "the image is unchanged" test "$(sha256sum ro.img)" = "$before"
df -R "corrupt --list 33" ro.img
expect_rc 0 "corrupt --list works read-only"
out_has "entry.0.child" "--list names the bnode's entries"

# Engine commands: one delta each, then the volume is closed cleanly.
head -c 3000 /dev/urandom >host.data
truncate -s 20480 host.data            # a hole at the end
printf 'tail' >>host.data              # ... and data after it
d0=$(delta_of img)
