#!/bin/bash
# replay_crash.sh: a volume left by a crash, with a log of several deltas, fsyncs in the
# streams on top of the last one, and orphans. -n reports what replay would apply and
# writes nothing (exit 1); replay writes a clean state (exit 1) holding every synced and
# fsynced change and no orphan; a second replay finds it clean (exit 0) and writes
# nothing; the report's counts match what --print and an independent reader see.
# Usage: replay_crash.sh REPLAY MKFS WRITER INSPECT [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/replay_lib.sh" "$@"

crashed_image img
cp img orig.img
crashed=$(sum img)
image_py streams img >streams.json
check "the crash left stream blocks to replay" python3 -c '
import json, sys
assert sum(len(s["blocks"]) for s in json.load(open(sys.argv[1]))) >= 2
' streams.json
json_of img >listing.json
check "the crash left a log of several deltas and an orphan tree" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["log"]["deltas"]) >= 3, d["log"]["deltas"]
sb = [s for s in d["superblocks"] if s["committed"]][0]
assert sb["otree"]["block"] != 0 and "clean" not in sb["state"], sb
' listing.json
committed=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["committed_delta"])' listing.json)

# -n: the report, nothing written.
rp -n img
expect_rc 1 "-n on a crashed volume"
check "-n: nothing on stderr" test ! -s "$ERR"
check "-n: the first line says dry run" grep -qx "dry run, nothing written: img" <(head -n1 "$OUT")
out_has "committed: delta $committed" "-n: the committed delta"
out_has "target: delta $committed, the committed state" "-n: the target"
out_has "orphans: 2 destroyed" "-n: both files unlinked while open are orphans"
out_has "written: nothing" "-n: nothing written"
check "-n: the log line counts deltas, blocks and records" \
  grep -qE '^log: [0-9]+ deltas \([0-9]+ to '"$committed"'\), [0-9]+ blocks?, [0-9]+ records$' "$OUT"
check "-n: every fsync applied" grep -qE '^fsyncs: [1-9][0-9]* applied, 0 not applied \(stream ' "$OUT"
check "-n: the resulting state" grep -qE '^state: [0-9]+ inodes, [0-9]+ free blocks$' "$OUT"
sed '1d;$d' "$OUT" >dry.txt
check "-n wrote nothing" test "$(sum img)" = "$crashed"

rp -n -v img
expect_rc 1 "-n -v"
check "-v: a line per delta of the log" test "$(grep -c '^delta [0-9]*' "$OUT")" -eq \
  "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["log"]["deltas"]))' listing.json)"
check "-v: a line per stream end" test "$(grep -cE '^stream [0-9]+: ends at block [0-9]+ \(seq [0-9]+\): ' "$OUT")" -eq \
  "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' streams.json)"
check "-v: a line per orphan" test "$(grep -cE '^orphan: inode [0-9]+ destroyed$' "$OUT")" -eq 2
check "-v: fsync lines" grep -qE '^fsync: stream [0-9]+ seq [0-9]+.*: applied$' "$OUT"
check "-v: records by kind" grep -qE '^records: .*ROOTS [0-9]+' "$OUT"

rp -n -j img
expect_rc 1 "-n -j"
check "-n -j: the report agrees with the independent reader" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
listing = json.load(open(sys.argv[2]))
streams = json.load(open(sys.argv[3]))
assert d["type"] == "report" and d["dry_run"] and d["needed"] and not d["clean"], d
assert not d["wrote"] and d["written_delta"] is None and d["damage"] is None, d
assert d["committed_delta"] == d["target_delta"] == listing["committed_delta"], d
assert [x["delta"] for x in d["log"]["deltas"]] == [x["delta"] for x in listing["log"]["deltas"]]
assert d["log"]["blocks"] == len(listing["log"]["blocks"]), d["log"]
assert d["log"]["records"] == sum(len(b["records"]) for b in listing["log"]["blocks"])
assert d["log"]["records"] == sum(d["log"]["records_by_kind"].values()), d["log"]
# Every valid stream block belongs to exactly one applied fsync.
blocks = sorted(b[0] for s in streams for b in s["blocks"])
assert sorted(b for f in d["fsyncs"] for b in f["blocks"]) == blocks, (d["fsyncs"], streams)
assert all(f["applied"] and f["not_applied"] is None for f in d["fsyncs"]), d["fsyncs"]
assert sorted(s["stream"] for s in d["streams"]) == [s["stream"] for s in streams]
assert len(d["orphans"]) == 2 and d["problems"] == [] and d["intact"], d
' "$OUT" listing.json streams.json
check "-n -v and -j wrote nothing" test "$(sum img)" = "$crashed"

# The replay itself.
rp img
expect_rc 1 "replay of a crashed volume"
check "replay: nothing on stderr" test ! -s "$ERR"
check "replay: the first line" grep -qx "replayed: img" <(head -n1 "$OUT")
check "replay: the last line names the delta written" \
  grep -qE '^written: delta [0-9]+, clean$' <(tail -n1 "$OUT")
check "replay reports what -n predicted" diff <(sed '1d;$d' "$OUT") dry.txt
written=$(sed -n 's/^written: delta \([0-9]*\), clean$/\1/p' "$OUT")
check "replay changed the image" test "$(sum img)" != "$crashed"
verify_clean img "after replay"
reads_back img "$CRASH_CHECK" "every synced and fsynced change, no orphan, nothing unsynced"
rp -p -j img
expect_ok "--print after replay"
check "after replay: the written delta is committed, clean, no stream, no orphan" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sb = [s for s in d["superblocks"] if s["committed"]][0]
assert sb["delta"] == int(sys.argv[2]) and "clean" in sb["state"], sb
assert sb["streams"] == [] and sb["feature_incompat"] == [] and sb["otree"]["block"] == 0, sb
assert d["streams"] == [] and d["damage"] is None, d
' "$OUT" "$written"

# Again: clean, nothing written.
replayed=$(sum img)
rp img
expect_ok "a second replay"
out_has "img: clean, nothing to replay (delta $written)" "the second replay finds it clean"
check "the second replay wrote nothing" test "$(sum img)" = "$replayed"

# The JSON report of a replay, and -q, on copies of the crashed image.
cp orig.img json.img
rp -j json.img
expect_rc 1 "replay -j"
check "replay -j: the report says what was written" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["wrote"] and not d["dry_run"] and d["written_delta"] > d["committed_delta"], d
assert all(f["applied"] for f in d["fsyncs"]) and len(d["orphans"]) == 2, d
' "$OUT"
cp orig.img quiet.img
rp -q quiet.img
expect_rc 1 "replay -q"
check "-q printed nothing" test ! -s "$OUT" -a ! -s "$ERR"
verify_clean quiet.img "after replay -q"

# A fixed clock (SOURCE_DATE_EPOCH) makes the replayed image reproducible.
cp orig.img r1.img
cp orig.img r2.img
SOURCE_DATE_EPOCH=$TEST_TIME rp -q r1.img
expect_rc 1 "replay with SOURCE_DATE_EPOCH"
SOURCE_DATE_EPOCH=$TEST_TIME rp -q r2.img
check "with SOURCE_DATE_EPOCH two replays write identical images" cmp -s r1.img r2.img

finish
