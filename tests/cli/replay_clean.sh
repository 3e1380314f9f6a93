#!/bin/bash
# replay_clean.sh: clean volumes (fresh from mkfs.tux3, and closed by tux3-writer): every
# mode exits 0 and says "clean, nothing to replay", nothing is written (the image's
# checksum is unchanged), --print shows an empty or unified log and no live stream, and
# asking for a delta the log does not hold is a usage error (16).
# Usage: replay_clean.sh REPLAY MKFS WRITER INSPECT [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/replay_lib.sh" "$@"

new_image fresh.img 16m
tw closed.img 2>/dev/null || true
new_image closed.img 16m
tw closed.img <<'S'
mkdir /d
write /d/f 100k pattern=text
sync
write /d/g 10k
S
check "tux3-writer closed the volume" test "$RC" -eq 0

for img in fresh.img closed.img; do
  before=$(sum "$img")
  rp "$img"
  expect_ok "$img: replay"
  check "$img: replay says clean" grep -qE "^$img: clean, nothing to replay \(delta [0-9]+\)$" "$OUT"
  check "$img: one line" test "$(wc -l <"$OUT")" -eq 1
  rp -n "$img"
  expect_ok "$img: -n"
  out_has "clean, nothing to replay" "$img: -n says clean"
  rp -v --no-streams "$img"
  expect_ok "$img: -v --no-streams"
  out_has "clean, nothing to replay" "$img: --no-streams says clean"
  rp -q "$img"
  expect_ok "$img: -q"
  check "$img: -q prints nothing" test ! -s "$OUT"
  rp -j "$img"
  expect_ok "$img: -j"
  check "$img: the JSON report says clean and nothing written" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["tool"] == "tux3-replay" and d["schema"] == 1 and d["type"] == "report", d
assert d["device"] == sys.argv[2], d
assert d["clean"] is True and d["needed"] is False and d["wrote"] is False, d
assert d["written_delta"] is None and d["damage"] is None and d["intact"] is True, d
assert d["target_delta"] == d["committed_delta"] and d["orphans"] == [] and d["fsyncs"] == [], d
assert d["inodes"] >= 2 and d["free_blocks"] > 0, d
' "$OUT" "$img"
  rp -p "$img"
  expect_ok "$img: --print"
  out_has "superblock slot 0: delta" "$img: --print shows slot 0"
  out_has "superblock slot 1: delta" "$img: --print shows slot 1"
  out_has "state clean," "$img: --print shows the clean state"
  out_has "streams: none live" "$img: --print: no live stream"
  rp -p -j "$img"
  expect_ok "$img: --print --json"
  check "$img: the JSON listing: two valid slots, the committed one clean, no stream" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["type"] == "listing" and d["damage"] is None, d
slots = d["superblocks"]
assert [s["slot"] for s in slots] == [0, 1] and all(s["valid"] for s in slots), slots
committed = [s for s in slots if s["committed"]]
assert len(committed) == 1 and committed[0]["delta"] == max(s["delta"] for s in slots), slots
assert committed[0]["delta"] == d["committed_delta"] and "clean" in committed[0]["state"], slots
assert d["streams"] == [] and committed[0]["streams"] == [], d
assert d["log"]["count"] == len(d["log"]["blocks"]), d["log"]
' "$OUT"
  check "$img: nothing was written" test "$(sum "$img")" = "$before"
done

# A fresh volume has no log; a closed one has a unify's.
rp -p -j fresh.img
check "fresh.img: empty log" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["log"]["count"] == 0 and d["log"]["blocks"] == [] and d["log"]["deltas"] == [], d["log"]
' "$OUT"
rp -p -j closed.img
check "closed.img: a log of one unify delta" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
deltas = d["log"]["deltas"]
assert len(deltas) == 1 and deltas[0]["unify"] and deltas[0]["delta"] == d["committed_delta"], deltas
' "$OUT"

# Deltas a clean volume's log does not hold: past the committed one, and older ones that
# neither slot's log holds. The other slot's older state of a closed volume can be looked
# at (-n), as after a crash. (A fresh volume's delta 0 is in replay_older.sh.)
for img in fresh.img closed.img; do
  committed=$(json_of "$img" | python3 -c 'import json,sys; print(json.load(sys.stdin)["committed_delta"])')
  before=$(sum "$img")
  rp -n --until-delta $((committed + 1)) "$img"
  rp_error 16 "is newer than the committed delta $committed" "$img: --until-delta past the committed delta"
  rp --until-delta "$committed" "$img"
  expect_ok "$img: --until-delta of the committed delta is a plain replay"
  out_has "clean, nothing to replay" "$img: --until-delta $committed says clean"
  check "$img: still nothing written" test "$(sum "$img")" = "$before"
done
rp -n --until-delta 0 closed.img
rp_error 16 "delta 0 is not in the log" "closed.img: --until-delta 0, not in the log"
rp -n --until-delta 2 closed.img
expect_rc 1 "closed.img: -n --until-delta 2, the other slot's state"
out_has "target: delta 2, an older state: discards committed delta 3" "closed.img: the older target"
out_has "intact: yes" "closed.img: delta 2 is intact"
rp --until-delta 2 closed.img
rp_error 16 "writing this state discards committed delta 3" "closed.img: delta 2 without --force"

finish
