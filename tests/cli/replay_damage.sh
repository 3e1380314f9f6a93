#!/bin/bash
# replay_damage.sh: a damaged log. A log block overwritten with garbage (as found with
# --print --json), and one whose checksum is right but whose ROOTS record disagrees with
# the superblock: --print lists what it can and exits 4, replay (and -n, and -j) exits 4
# and writes nothing; each prints one line naming the block, the delta, the reason and
# the last valid point with the command that replays it, which works (-n here; the write
# is in replay_older.sh). Damage to the oldest block leaves no older state.
# Usage: replay_damage.sh REPLAY MKFS WRITER INSPECT [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/replay_lib.sh" "$@"

crashed_image img
json_of img >listing.json
read -r committed newest oldest < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["committed_delta"], d["log"]["blocks"][-1]["block"], d["log"]["blocks"][0]["block"])
' listing.json)
cp img clean-crash.img

# Garbage in the records of the newest log block (the committed delta's).
printf 'this is not a log record' | dd of=img bs=1 seek=$((newest * 4096 + 64)) conv=notrunc status=none
damaged=$(sum img)
want="img: cannot replay delta $committed: block $newest: "

rp --print img
expect_rc 4 "--print of a damaged log"
# The last valid point: the newest older state whose log applies and whose metadata
# verifies (here the fsyncs after the committed delta reused blocks of the one before).
previous=$(sed -n 's/.*last valid point: delta \([0-9]*\),.*/\1/p' "$ERR")
check "a last valid point older than the committed delta" test "${previous:-0}" -gt 0 -a "${previous:-0}" -lt "$committed"
suggest="last valid point: delta $previous, replay it with tux3-replay --until-delta $previous --force img"
err_one_line "$want" "--print names the delta and the block"
check "--print: the reason is the checksum" grep -q "bad checksum" "$ERR"
check "--print: the last valid point and its command" grep -qF "$suggest" "$ERR"
out_has "damage: delta $committed, block $newest: " "--print lists the damage"
out_has "superblock slot 0: delta" "--print still lists the superblocks"
check "--print still lists the streams" grep -qE '^stream [0-9]+: head block ' "$OUT"

cp img follow.img
rp -n --until-delta "$previous" follow.img
check "the last valid point replays (-n): exit 1 or 4, never 'cannot replay'" \
  test "$RC" -eq 1 -o \( "$RC" -eq 4 -a -z "$(grep 'cannot replay' "$ERR")" \)

rp --print --json img
expect_rc 4 "--print --json of a damaged log"
err_one_line "$want" "--print --json: the same line"
check "--print --json: the damage" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
dmg = d["damage"]
assert dmg["delta"] == int(sys.argv[2]) and dmg["block"] == int(sys.argv[3]), dmg
assert dmg["last_valid_delta"] == int(sys.argv[4]) and "checksum" in dmg["reason"], dmg
assert d["log"]["deltas"] == [] and d["streams"], d
' "$OUT" "$committed" "$newest" "$previous"

for mode in "" -n -v; do
  # shellcheck disable=SC2086
  rp $mode img
  rp_error 4 "$want" "replay $mode of a damaged log"
  check "replay $mode: the suggestion" grep -qF "$suggest" "$ERR"
done
rp -j img
expect_rc 4 "replay -j of a damaged log"
err_one_line "$want" "replay -j: the same line"
check "replay -j: the report carries the damage; nothing written" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["damage"]["block"] == int(sys.argv[2]) and not d["wrote"] and not d["needed"], d
' "$OUT" "$newest"
check "nothing was written to the damaged volume" test "$(sum img)" = "$damaged"

# The suggestion, as printed, with -n, on a crash without fsyncs after its last delta
# (replay_older.sh follows it with fsyncs too): the last valid point replays; its data
# may have been reused after it (the committed delta's log, which says what, is lost),
# so it is reported with that problem.
logged_image log.img
read -r log_committed log_newest < <(json_of log.img | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["committed_delta"], d["log"]["blocks"][-1]["block"])')
printf 'this is not a log record' | dd of=log.img bs=1 seek=$((log_newest * 4096 + 64)) conv=notrunc status=none
log_damaged=$(sum log.img)
rp log.img
rp_error 4 "log.img: cannot replay delta $log_committed: block $log_newest: " "a damaged log without fsyncs"
read -ra suggested < <(sed -n 's/.*replay it with tux3-replay \(.*\)$/\1/p' "$ERR")
check "the suggestion is --until-delta $((log_committed - 1)) --force log.img" \
  test "${suggested[*]}" = "--until-delta $((log_committed - 1)) --force log.img"
rp -n "${suggested[@]}"
expect_rc 4 "the suggested command with -n"
out_has "target: delta $((log_committed - 1)), an older state: discards committed delta $log_committed" \
  "the suggestion's target"
out_has "problem: the log of delta $log_committed cannot be read" "the suggestion's problem"
err_one_line "would write the state of delta $((log_committed - 1)), which is not intact" \
  "the suggestion with -n: one line"
check "the suggestion with -n wrote nothing" test "$(sum log.img)" = "$log_damaged"

# A valid checksum over a ROOTS record that disagrees with the superblock.
cp clean-crash.img roots.img
python3 - roots.img "$newest" <<'PY'
import struct, sys
path, block = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    f.seek(block * 4096)
    b = bytearray(f.read(4096))
    used = struct.unpack_from(">H", b, 48)[0]
    roots = 56 + used - 50
    assert b[roots] == 0x0e, b[roots]
    free = struct.unpack_from(">Q", b, roots + 30)[0]
    struct.pack_into(">Q", b, roots + 30, free - 1)
    f.seek(block * 4096)
    f.write(b)
PY
image_py seal roots.img "$newest"
roots=$(sum roots.img)
rp roots.img
rp_error 4 "roots.img: cannot replay delta $committed: block $newest: " "a ROOTS record that disagrees"
check "... the suggestion" grep -qF "last valid point: delta $previous" "$ERR"
rp --print roots.img
expect_rc 4 "--print of a ROOTS record that disagrees"
check "nothing was written to roots.img" test "$(sum roots.img)" = "$roots"

# The oldest block: every state of the log needs it, and so does the other slot's.
cp clean-crash.img oldest.img
printf 'garbage' | dd of=oldest.img bs=1 seek=$((oldest * 4096 + 60)) conv=notrunc status=none
before=$(sum oldest.img)
rp oldest.img
rp_error 4 "block $oldest: " "damage to the oldest log block"
check "... no older state" grep -q "no older state can be replayed$" "$ERR"
rp -p -j oldest.img
expect_rc 4 "--print of damage to the oldest block"
check "--print: the blocks read before the damage, no last valid point" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["damage"]["last_valid_delta"] is None and d["damage"]["block"] == int(sys.argv[2]), d
assert d["log"]["blocks"] and d["log"]["blocks"][0]["block"] != int(sys.argv[2]), d["log"]
' "$OUT" "$oldest"
check "nothing was written to oldest.img" test "$(sum oldest.img)" = "$before"
check "a damaged chain is not called intact" python3 -c '
import json, sys
assert json.load(open(sys.argv[1]))["damage"]["log_intact"] is False
' "$OUT"

# A sound log whose edits meet a damaged block (the bitmap, from the fsck corpus): replay
# writes nothing and points at fsck.tux3, which keeps every delta, before the rollback.
zstd -q -dc "$(dirname "${BASH_SOURCE[0]}")/../images/bitmap-bad-csum/image.zst" > intact.img
before=$(sum intact.img)
rp intact.img
expect_rc 4 "replay of a sound log over a damaged bitmap block"
check "... it points at fsck.tux3 first" \
  grep -qF "the log itself is intact: fsck.tux3 -fy intact.img repairs the damaged blocks without losing a delta (or roll back: tux3-replay --until-delta" "$ERR"
rp -n -j intact.img
check "... --json: log_intact" python3 -c '
import json, sys
assert json.load(open(sys.argv[1]))["damage"]["log_intact"] is True
' "$OUT"
check "nothing was written to intact.img" test "$(sum intact.img)" = "$before"

finish
