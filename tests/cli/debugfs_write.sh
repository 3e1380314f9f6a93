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
df -R "corrupt 33 frob 5" ro.img
expect_error 16 "no field 'frob'" "an unknown field is misuse, with or without -w"
df -R "set_super frob 5" ro.img
expect_error 16 "no field 'frob'" "set_super of an unknown field without -w"
check "the image is unchanged" test "$(sha256sum ro.img)" = "$before"
df -R "corrupt --list 33" ro.img
expect_rc 0 "corrupt --list works read-only"
out_has "entry.0.child" "--list names the bnode's entries"

# Engine commands: one delta each, then the volume is closed cleanly.
head -c 3000 /dev/urandom >host.data
truncate -s 20480 host.data            # a hole at the end
printf 'tail' >>host.data              # ... and data after it
d0=$(delta_of img)
# The helpers below read the text of `super` (no interpreter to start: the test stays fast).
# shown_deltas: the delta shown by each `super` in the last df's output, space-separated.
shown_deltas() { sed -nE 's/^shown: delta ([0-9]+) .*/\1/p' "$OUT" | paste -sd' '; }
# shown_delta IMAGE: the delta `super` shows (delta_of without the JSON).
shown_delta() { "$DEBUGFS" -R super "$1" | sed -nE 's/^shown: delta ([0-9]+) .*/\1/p' || true; }
# deltas_from FIRST COUNT: FIRST, FIRST+1, ..., COUNT numbers, space-separated.
deltas_from() { seq -s ' ' "$1" $(($1 + $2 - 1)); }
# slot_in_use IMAGE: 0 or 1.
slot_in_use() { "$DEBUGFS" -R super "$1" | sed -nE 's/^slot ([01]) \(.*, in use$/\1/p' || true; }
# slot_field IMAGE SLOT REGEX: group 1 of the first line of SLOT's part of `super` that
# matches REGEX (sed -E).
slot_field() {
  local v
  v=$("$DEBUGFS" -R super "$1" 2>/dev/null |
    sed -nE "/^slot $2 \\(/,/^(slot|geometry)/{/^  /s/$3/\\1/p}") || true
  echo "${v%%$'\n'*}"
}
label_of() { slot_field "$1" "$2" "^.*, label '(.*)'\$"; }
# only_in A B START LENGTH: the images differ, and only in bytes [START, START+LENGTH).
only_in() {
  { cmp -l "$1" "$2" || true; } | awk -v s="$3" -v e=$(($3 + $4)) \
    '{ n++; o = $1 - 1; if (o < s || o >= e) bad = 1 } END { exit !(n > 0 && !bad) }'
}
# fsck_reports IMAGE CODE TEXT DESC: fsck.tux3 -fn exits CODE and its report holds TEXT.
fsck_reports() {
  CHECKS=$((CHECKS + 1))
  local report rc=0
  report=$("$FSCK" -fn "$1" 2>&1) || rc=$?
  if [[ $rc -ne $2 || $report != *"$3"* ]]; then
    fail "$4: expected fsck.tux3 -fn $1 to exit $2 and report '$3' (exit $rc)"
    sed -n '1,15s/^/  fsck: /p' <<<"$report" >&2
  fi
}
# stat_field IMAGE PATH REGEX: group 1 of the first line of `stat PATH` matching REGEX.
stat_field() {
  local v
  v=$("$DEBUGFS" -R "stat $2" "$1" | sed -nE "s/$3/\\1/p") || true
  echo "${v%%$'\n'*}"
}

long_target=/a/$(printf 'long/%.0s' {1..60})end    # 305 bytes: not inline in the record
chmod 0640 host.data
cp img w.img
SOURCE_DATE_EPOCH=1700009999 df -w -R super \
  -R "mkdir -m 0750 /w" -R super \
  -R "write host.data /w/data" -R super \
  -R "write -m 0600 host.data /w/m600" -R super \
  -R "ln /w/data /w/link1" -R super \
  -R "link /w/data /w/link2" -R super \
  -R "symlink /w/sl /etc/hosts" -R super \
  -R "symlink /w/long $long_target" -R super \
  -R 'setxattr /w/data user.k "v\x01z"' -R super \
  -R "ea_set /w/data user.t hello" -R super \
  -R "mkdir /w/sub" -R super \
  w.img
expect_rc 0 "ten engine commands with -w"
[[ -s $ERR ]] && { fail "the engine commands print nothing on stderr"; _show; }
CHECKS=$((CHECKS + 1))
[[ $(shown_deltas) == "$(deltas_from "$d0" 11)" ]] ||
  fail "one delta per command: the deltas shown were '$(shown_deltas)', expected $(deltas_from "$d0" 11)"
check "closing the engine commits one more delta" test "$(shown_delta w.img)" = $((d0 + 11))
df -R deltas w.img
out_has "delta $((d0 + 11)) (unify)" "the close's delta is a unify"
fsck_clean w.img "after the engine commands"

# What each command did.
df -R "ls -l /w" -R "stat /w" -R "ls -l /w/sub" w.img
expect_rc 0 "ls -l /w"
for name in data m600 link1 link2 sl long sub; do
  CHECKS=$((CHECKS + 1))
  grep -qE "UTC  $name( ->|\$)" "$OUT" || { fail "ls -l /w lists $name"; _show; }
done
out_has "sl -> /etc/hosts" "ls -l shows the symlink's target"
out_has "mode 040750 (drwxr-x---), uid 0, gid 0, links 3" "mkdir -m 0750: mode, owner 0:0, links"
out_has "mtime 1700009999.000000000" "SOURCE_DATE_EPOCH gives the change its time"
CHECKS=$((CHECKS + 1))   # ls -l /w/sub printed nothing after stat /w's last line
[[ $(tail -n1 "$OUT") == "  parent "* ]] || { fail "the new subdirectory is empty"; _show; }
df -R "stat /w/data" -R "stat /w/m600" w.img
out_has "mode 0100640 (-rw-r-----)" "write keeps the host file's mode"
out_has "uid 0, gid 0, links 3" "ln and link made two more names"
out_has "size 20484, blocks 4" "write: the size, and blocks only where there is data"
out_has "mode 0100600 (-rw-------)" "write -m 0600"
df -R "cat /w/data" w.img
check "cat /w/data is the host file byte for byte" cmp -s "$OUT" host.data
df -R "cat /w/m600" w.img
check "cat /w/m600 is the host file byte for byte" cmp -s "$OUT" host.data
df -R "dump /w/data data.copy" -R "blocks /w/data" -R "bmap /w/data 10" w.img
expect_rc 0 "dump, blocks and bmap of the written file"
check "dump of the written file is the host file" cmp -s data.copy host.data
check "the hole stays a hole" test "$(du -k data.copy | cut -f1)" -lt 16
CHECKS=$((CHECKS + 1))
[[ $(head -n1 "$OUT" | wc -w) -eq 4 ]] || { fail "write: 3 blocks of data and the tail, none for the hole"; _show; }
out_has "hole" "write: logical block 10 is a hole"
df -R "cat /w/sl" w.img
check "symlink: cat gives the target" test "$(cat "$OUT")" = /etc/hosts
df -R "cat /w/long" w.img
check "a long symlink: cat gives the whole target" test "$(cat "$OUT")" = "$long_target"
df -R "xattrs /w/data" w.img
out_has "user.k (3 bytes) = 0x76017a" "setxattr with \\x01 in the value"
out_has 'user.t (5 bytes) = "hello"' "ea_set"

# ncheck lists the names of a file in one directory in the order ls shows them.
inum=$(stat_field w.img /w/data '^inode ([0-9]+): regular')
df -R "ls /w" w.img
ls_names=$(awk -v i="$inum" '$1 == i { print "/w/" $3 }' "$OUT")
df -R "ncheck $inum" w.img
expect_rc 0 "ncheck of the three names"
nc_names=$(awk -F'\t' -v i="$inum" '$1 == i { print $2 }' "$OUT")
check "ncheck names the file three times" test "$(wc -l <<<"$nc_names")" -eq 3
CHECKS=$((CHECKS + 1))
if [[ $nc_names != "$ls_names" ]]; then
  fail "ncheck $inum lists the names in ls's order"
  sed 's/^/  ls:     /' <<<"$ls_names" >&2
  sed 's/^/  ncheck: /' <<<"$nc_names" >&2
fi

# Removals, one delta each.
d1=$((d0 + 11))
df -w -R super -R "rm /w/link2" -R super -R "unlink /w/sl" -R super \
  -R "rmxattr /w/data user.k" -R super -R "ea_rm /w/data user.t" -R super \
  -R "rmdir /w/sub" -R super w.img
expect_rc 0 "five removals with -w"
CHECKS=$((CHECKS + 1))
[[ $(shown_deltas) == "$(deltas_from "$d1" 6)" ]] ||
  fail "one delta per removal: the deltas shown were '$(shown_deltas)', expected $(deltas_from "$d1" 6)"
check "and one for the close" test "$(shown_delta w.img)" = $((d1 + 6))
fsck_clean w.img "after the removals"
df -R "ls /w" w.img
out_lacks " link2" "rm removed the name"
out_lacks " sl" "unlink removed the symlink"
out_lacks " sub" "rmdir removed the directory"
out_has " link1" "the other names stay"
df -R "stat /w/data" -R "xattrs /w/data" -R "stat /w" w.img
CHECKS=$((CHECKS + 1))
[[ $(grep -c "links 2" "$OUT") -eq 2 ]] ||
  { fail "rm lowered the file's link count, rmdir the parent's"; _show; }
out_has "no extended attributes" "rmxattr and ea_rm removed both"
df -R "cat /w/link1" w.img
check "the data is still there under the other name" cmp -s "$OUT" host.data

# Refusals: the documented status and one line saying what; the change is not made.
refusals=()
# refused CODE TEXT DESC CMD: CMD, run on r.img, exits CODE with one line on stderr holding
# TEXT. The commands are run again below, all in one run, to see that none commits a delta.
refused() {
  df -w -R "$4" r.img
  expect_error "$1" "$2" "$3"
  refusals+=(-R "$4" -R super)
}
cp w.img r.img
# These fail before the engine opens: the image is not touched at all.
refused 8 "/nope: no such file or directory" "mkdir in a missing directory" "mkdir /nope/x"
refused 8 "/nope: no such file or directory" "write into a missing directory" "write host.data /nope/f"
refused 8 "/nope: no such file or directory" "ln into a missing directory" "ln /w/data /nope/l"
refused 8 "/nope: no such file or directory" "ln of a missing file" "ln /nope /w/l"
refused 8 "/nope: no such file or directory" "symlink in a missing directory" "symlink /nope/s /x"
refused 8 "/w/data: not a directory" "mkdir under a file" "mkdir /w/data/x"
refused 8 "missing.host" "write of a missing host file" "write missing.host /w/new"
refused 8 "$WORK: not a regular file" "write of a host directory" "write $WORK /w/new"
refused 16 "-m '8': expected an octal mode" "mkdir -m 8" "mkdir -m 8 /w/q"
refused 16 "-m '17777': expected an octal mode" "mkdir -m beyond 07777" "mkdir -m 17777 /w/q"
refused 16 "-m 'rw': expected an octal mode" "write -m rw" "write -m rw host.data /w/q"
refused 16 "'..': not a name a file can have" "mkdir of .." "mkdir /w/.."
refused 16 "too few arguments" "rmdir without a path" "rmdir"
check "the commands refused before the engine opens leave the image as it was" cmp -s w.img r.img
# These are refused by the engine (which, opened, is closed with a unify at the end of the
# run: the image changes, the tree does not, as checked below).
refused 8 "'data': exists" "mkdir over a file" "mkdir /w/data"
refused 8 "'data': exists" "write over an existing file" "write host.data /w/data"
refused 8 "'link1': exists" "symlink over a file" "symlink /w/link1 /x"
refused 8 "'link1': exists" "ln over a file" "ln /w/data /w/link1"
refused 8 "'w': directory not empty" "rmdir of a non-empty directory" "rmdir /w"
refused 8 "'data': not a directory" "rmdir of a file" "rmdir /w/data"
refused 8 "'w': is a directory" "rm of a directory" "rm /w"
refused 8 "'gone': no such entry" "rm of a missing name" "rm /w/gone"
# The engine's message names no path here (reported): only the reason is checked.
refused 8 "hard link to a directory" "ln of a directory" "ln /w /w2"
refused 8 "no xattr 'user.none'" "rmxattr of a missing attribute" "rmxattr /w/data user.none"
refused 8 "unsupported name space" "setxattr in an unknown name space" "setxattr /w/data bad v"
# All of them in one run (-k), a super after each: the delta shown never moves; then the
# tree reads as it did.
look=(-R "ls -l /" -R "ls -l /w" -R "xattrs /w/data")
df -w -k -R super "${refusals[@]}" "${look[@]}" r.img
expect_rc 16 "every refusal in one run: the worst status"
CHECKS=$((CHECKS + 1))
n=$((${#refusals[@]} / 4))
read -r -a seen <<<"$(shown_deltas)"
if [[ ${#seen[@]} -ne $((n + 1)) || $(printf '%s\n' "${seen[@]}" | sort -u | wc -l) -ne 1 ]]; then
  fail "no refused command commits a delta: the deltas shown were '${seen[*]}'"
fi
check "one line on stderr for each refused command" test "$(wc -l <"$ERR")" -eq "$n"
snap_w=$("$DEBUGFS" "${look[@]}" w.img 2>&1)
check "after the refusals the tree is unchanged" \
  test "$(awk -v n=$((n + 1)) 'k == n; /^shown: delta/ { k++ }' "$OUT")" = "$snap_w"

# --- set_super: one field of one slot; nothing else changes.
cp img s.img
use=$(slot_in_use s.img)
other=$((1 - use))
check "a slot is in use" test -n "$use"
df -R "set_super --list" s.img
expect_rc 0 "set_super --list works read-only"
out_has "superblock slot $use: " "--list shows the slot in use"
out_has "free_blocks" "--list names free_blocks"
out_has "stream.0.block" "--list names the stream table"
df -R "set_super --list --slot $other" s.img
out_has "superblock slot $other: " "--list --slot shows the other slot"
df -R "set_super label tux3test" s.img
expect_error 8 "read-only (give -w" "set_super without -w"
check "set_super without -w changes nothing" cmp -s img s.img
df -w -R "set_super label tux3test" -R super s.img
expect_rc 0 "set_super label"
out_has "superblock slot $use: label: '' -> 'tux3test' (checksum 0x" "set_super prints old and new"
out_has "label 'tux3test'" "super shows the new label in the same run"
check "only the slot in use changed" only_in img s.img $((4096 * (use + 1))) 4096
check "set_super commits no delta" test "$(shown_delta s.img)" = "$d0"
check "super: the slot in use has the new label" test "$(label_of s.img "$use")" = tux3test
check "super: the other slot keeps its label" test -z "$(label_of s.img "$other")"
fsck_clean s.img "a label changed and resealed"
cp img s0.img
df -w -R "set_super --slot $other label older" s0.img
out_has "superblock slot $other: label" "set_super --slot names the slot it changed"
check "--slot $other changed only that slot" only_in img s0.img $((4096 * (other + 1))) 4096
cp img sb.img
df -w -R "set_super --slot both label twin" sb.img
check "--slot both: slot 0" test "$(label_of sb.img 0)" = twin
check "--slot both: slot 1" test "$(label_of sb.img 1)" = twin
cp img sn.img
df -w -R "set_super create_sec -86400" sn.img
expect_rc 0 "a negative time"
check "create_sec -86400 is read back signed" \
  test "$(slot_field sn.img "$use" '^  created (-?[0-9]+)\..*')" = -86400
# With the log not empty, a count changed alone no longer matches the log's ROOTS record.
cp img sf.img
free=$(slot_field sf.img "$use" '^  free blocks ([0-9]+),.*')
df -w -R "set_super free_blocks $((free - 100))" sf.img
out_has "free_blocks: $free -> $((free - 100))" "set_super free_blocks"
fsck_reports sf.img 4 "P0101 log-damaged" "the ROOTS record no longer matches: the log is damaged"
head=$(slot_field sf.img "$use" '^  log head ([0-9]+),.*')
df -R "corrupt --list $head" sf.img
roots=$(grep -oE 'record\.[0-9]+\.free_blocks' "$OUT" | tail -n1)
check "the log block has a ROOTS record" test -n "$roots"
df -w -R "corrupt $head $roots $((free - 100))" sf.img
expect_rc 0 "the ROOTS record changed to match"
fsck_reports sf.img 4 "P0003 free-count: the superblock counts $((free - 100)) free blocks, the bitmap $free" \
  "with the log matching, fsck reports the free count"
# --no-seal: the slot no longer verifies.
cp img su.img
df -w -R "set_super --no-seal --slot $other label torn" su.img
out_has "(checksum not recomputed)" "--no-seal says the checksum is left"
df -R super su.img
out_has "slot $other (byte $((4096 * (other + 1)))): invalid: superblock slot $other: bad checksum" \
  "super: the unsealed slot is invalid"
fsck_reports su.img 4 "P0001 slot-unreadable: slot $other: superblock slot $other: bad checksum" \
  "fsck names the unsealed older slot of a clean volume"
cp img sv.img
df -w -R "set_super --no-seal label torn" sv.img
df -R super sv.img
out_has "slot $use (byte $((4096 * (use + 1)))): invalid" "the slot in use, unsealed, is invalid"
out_has "slot $other (byte $((4096 * (other + 1)))): delta $((d0 - 1)), valid, in use" \
  "the other slot is used instead (a torn newest slot is a crash, not damage)"
fsck_reports sv.img 0 "P0103 needs-replay: delta $((d0 - 1))" \
  "fsck: the older slot's log is to be replayed, no error (as after a crash in a commit)"
# usage_refused IMG CMD TEXT WHAT: CMD with -w is a usage error (16, one line with TEXT).
usage_refused() {
  df -w -R "$2" "$1"
  expect_error 16 "$3" "$4"
}
# Usage errors change nothing.
cp img sx.img
usage_refused sx.img "set_super frob 1" "no field 'frob'" "set_super of an unknown field"
usage_refused sx.img "set_super --slot 2 label x" "--slot '2'" "set_super --slot 2"
usage_refused sx.img "set_super free_blocks many" "'many' is not a number" "set_super with a bad value"
usage_refused sx.img "set_super label $(printf 'x%.0s' {1..65})" "at most 64 bytes" "a label too long"
usage_refused sx.img "set_super label" "FIELD and VALUE are needed" "set_super without a value"
check "the refused set_supers changed nothing" cmp -s img sx.img

# --- corrupt: one field of one block, resealed; fsck reports what was made.
cp img c.img
hosts=$(stat_field c.img /etc/hosts '^inode ([0-9]+): regular')
leaf=$(stat_field c.img /etc/hosts '^  record: ileaf ([0-9]+) slot.*')
bs=$(slot_field c.img "$use" '^  version [0-9]+, block size ([0-9]+),.*')
last=$(($(slot_field c.img "$use" '.*, ([0-9]+) blocks$') - 1))
check "stat names the inode and its leaf; super the geometry" \
  test -n "$hosts" -a -n "$leaf" -a -n "$bs" -a "$last" -gt 0
df -w -R "corrupt $leaf inode.$hosts.nlink 5" -R "stat /etc/hosts" c.img
expect_rc 0 "corrupt nlink"
out_has "block $leaf: inode.$hosts.nlink: 1 -> 5 (checksum 0x" "corrupt prints old and new"
out_has "links 5" "stat in the same run sees the edit"
check "only the leaf changed" only_in img c.img $((leaf * bs)) "$bs"
check "corrupt commits no delta" test "$(shown_delta c.img)" = "$d0"
df -R "block $leaf" c.img
out_has "checksum" "block decodes the edited leaf"
out_lacks "BAD" "the leaf is resealed"
fsck_reports c.img 4 "P0601 link-count: inode $hosts: link count 5, 1 found" "fsck reports the link count"
# Without VALUE every bit is inverted.
cp img ci.img
df -w -R "corrupt $leaf inode.$hosts.nlink" ci.img
out_has "inode.$hosts.nlink: 1 -> 4294967294" "corrupt without VALUE inverts the field"
fsck_reports ci.img 4 "inode $hosts: link count 4294967294 exceeds" "fsck reports the inverted count"
# A raw field is the same bytes as the named one.
df -R "corrupt --list $leaf" img
off=$(sed -nE "s/^  inode\\.$hosts\\.nlink +@([0-9]+) .*/\\1/p" "$OUT")
cp img cr.img
df -w -R "corrupt $leaf u32@$off 7" -R "stat /etc/hosts" cr.img
out_has "u32@$off: 1 -> 7" "a raw u32 field"
out_has "links 7" "u32@OFF is where --list says nlink is"
# A bitmap bit, flipped and flipped back.
df -R "blocks <1>" -R "icheck $last" img
bitmap=$(awk 'NR == 1 { print $1 }' "$OUT")
out_has "$last	free" "the last block is free"
cp img cb.img
df -w -R "corrupt $bitmap bit.$last" cb.img
out_has "bit.$last: 0 -> 1" "corrupt flips a bitmap bit"
fsck_reports cb.img 4 "P0802 block-leaked: marked allocated, used by nothing: 1 block: $last" \
  "fsck reports the leaked block"
df -w -R "corrupt $bitmap bit.$last" cb.img
out_has "bit.$last: 1 -> 0" "flipped back"
fsck_clean cb.img "a bit flipped twice, resealed"
# --no-seal and the checksum itself: a torn block that fsck names.
cp img cn.img
df -w -R "corrupt --no-seal $leaf inode.$hosts.nlink 5" -R "block $leaf" cn.img
out_has "1 -> 5 (checksum not recomputed)" "corrupt --no-seal"
out_has "BAD" "block: the unsealed leaf's checksum is bad"
fsck_reports cn.img 4 "P0201 itable-node: inode table node at block $leaf" "fsck names the unsealed leaf"
fsck_reports cn.img 4 "block $leaf: bad checksum" "... and why"
cp img cc.img
df -w -R "corrupt $bitmap checksum" cc.img
out_has "(checksum not recomputed)" "corrupt of the checksum does not reseal it"
fsck_reports cc.img 4 "P0801 bitmap-block: bitmap block $bitmap" "fsck names the torn bitmap block"
# Usage errors: 16, nothing written.
cp img cx.img
usage_refused cx.img "corrupt $leaf frob 1" "no field 'frob' in this ileaf" "corrupt of an unknown field"
usage_refused cx.img "corrupt $leaf inode.$hosts.nlink lots" "'lots' is not a number" "corrupt with a bad value"
usage_refused cx.img "corrupt $leaf inode.$hosts.nlink 99999999999" "does not fit the 4-byte field" "corrupt with a value too big"
usage_refused cx.img "corrupt $leaf inode.$hosts.nlink ''" "an empty VALUE" "corrupt with an empty value"
usage_refused cx.img "corrupt 999999 owner 1" "outside the volume" "corrupt of a block past the end"
usage_refused cx.img "corrupt 1 owner 1" "reserved area" "corrupt of the reserved area"
usage_refused cx.img "corrupt $leaf" "FIELD is needed" "corrupt without a field"
check "the refused corrupts changed nothing" cmp -s img cx.img

# --- Raw edits and engine commands in one run: the engine is closed before the edit and
# opened again after it, so the next command sees the edit.
cp img m.img
df -w -R "mkdir /m1" -R "set_super --slot both label mixed" -R "mkdir /m2" -R "ls /" m.img
expect_rc 0 "engine, raw edit, engine"
out_has " m1" "the first mkdir"
out_has " m2" "the second mkdir"
check "the commits after the edit carry it" test "$(label_of m.img "$(slot_in_use m.img)")" = mixed
fsck_clean m.img "engine and raw edits mixed"
# set_super without --slot after an engine command edits the slot in use after the
# engine's closing unify (it once edited the older one, and the edit was lost); corrupt
# reads the block as that close left it.
cp img mk.img
df -w -R "mkdir /k" -R "set_super label known" mk.img
expect_rc 0 "engine command, then set_super"
check "set_super edits the slot in use after the engine's close" \
  test "$(label_of mk.img "$(slot_in_use mk.img)")" = known
fsck_clean mk.img "set_super after an engine command"

finish
