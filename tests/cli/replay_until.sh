#!/bin/bash
# replay_until.sh: replaying less than everything. --until-delta with -n reports the state
# of any delta of the log (an older one with the committed deltas it discards, whether it
# is intact, and its problems) and writes nothing; without --force a write that discards
# committed deltas or fsyncs is refused (16, nothing written); --until-stream and
# --no-streams leave fsyncs out and, with --force, write the committed delta without them.
# Writing an older delta is in replay_older.sh. (The older states of a crash with fsyncs
# after its last delta are mostly not intact: the fsyncs reuse what that delta freed.)
# Usage: replay_until.sh REPLAY MKFS WRITER INSPECT [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/replay_lib.sh" "$@"

crashed_image img
crashed=$(sum img)
json_of img >listing.json
read -r committed deltas < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["committed_delta"], " ".join(str(x["delta"]) for x in d["log"]["deltas"]))
' listing.json)

# -n at every delta of the log: the state is reported (intact, exit 1), or reported with
# its problems (exit 4, one line on stderr), or cannot be replayed because blocks it needs
# were reused (exit 4, one line naming the block); the image never changes.
with_problems=0
for d in $deltas; do
  rp -n --until-delta "$d" img
  if [[ $d -eq $committed ]]; then
    expect_rc 1 "-n --until-delta $d (the committed delta)"
    out_has "target: delta $d, the committed state" "-n --until-delta $d: target"
    continue
  fi
  if [[ $RC -eq 1 ]]; then
    pass
    out_has "target: delta $d, an older state: discards committed delta" "-n --until-delta $d: target"
    out_has "intact: yes" "-n --until-delta $d: exit 1 is an intact state"
  elif [[ $RC -eq 4 && -s $OUT ]]; then
    pass
    with_problems=$((with_problems + 1))
    out_has "intact: no, " "-n --until-delta $d: exit 4 with a report is a state with problems"
    check "-n --until-delta $d: the problems are listed" grep -qE '^problem: .+' "$OUT"
    err_one_line "would write the state of delta $d, which is not intact: " "-n --until-delta $d: problems"
  else
    expect_rc 4 "-n --until-delta $d: 1 or 4"
    err_one_line "cannot replay delta $d: block " "-n --until-delta $d: unreachable state"
    check "-n --until-delta $d: the suggestion is an older delta" \
      grep -qE -- "last valid point: delta [0-9]+, replay it with tux3-replay --until-delta [0-9]+ --force img$" "$ERR"
  fi
done
check "-n --until-delta wrote nothing" test "$(sum img)" = "$crashed"
# The oldest delta's data blocks were freed and reused by the deltas since.
check "some older state was reported with its problems" test "$with_problems" -ge 1

# Without the fsyncs after the last delta, the delta before it (the other slot's) is
# intact: nothing that came after it reused its blocks.
logged_image log.img
logged=$(sum log.img)
previous=$(json_of log.img | python3 -c 'import json,sys; print(json.load(sys.stdin)["committed_delta"] - 1)')
last=$((previous + 1))
rp -n -v --until-delta "$previous" log.img
expect_rc 1 "-n --until-delta $previous"
out_has "target: delta $previous, an older state: discards committed delta $last" "the older target"
out_has "intact: yes" "delta $previous is intact"
out_has "fsyncs: none (no live stream)" "an older state has no fsyncs"
out_has "orphans: 0 destroyed" "nothing was unlinked yet as of delta $previous"
out_has "written: nothing" "-n --until-delta writes nothing"
check "-v lists the deltas up to $previous only" grep -qE "^delta $previous: " <(grep -E '^delta [0-9]+' "$OUT" | tail -n1)
rp -n -j --until-delta "$previous" log.img
expect_rc 1 "-n -j --until-delta $previous"
check "-n -j --until-delta: target, discarded deltas, intact" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
c, p = int(sys.argv[2]), int(sys.argv[3])
assert d["target_delta"] == p and d["committed_delta"] == c and d["discarded_deltas"] == [c], d
assert d["intact"] and d["problems"] == [] and d["fsyncs"] == [] and d["needed"], d
assert d["log"]["deltas"][-1]["delta"] == p, d["log"]
' "$OUT" "$last" "$previous"

# Without --force nothing that discards is written.
rp --until-delta "$previous" log.img
rp_error 16 "writing this state discards committed delta $last" "--until-delta without --force"
check "the refused write wrote nothing" test "$(sum log.img)" = "$logged"
rp --no-streams img
rp_error 16 "give --force" "--no-streams without --force"
rp --until-stream 0:0 img
rp_error 16 "give --force" "--until-stream without --force"
rp -n --until-delta $((committed + 1)) img
rp_error 16 "delta $((committed + 1)) is newer than the committed delta $committed" "--until-delta past the committed delta"
rp -n --until-delta 1 img
rp_error 16 "delta 1 is not in the log" "--until-delta of a delta before the log"
check "refused writes wrote nothing" test "$(sum img)" = "$crashed"

# --until-stream: stream 0 applies up to its first fsync; the others apply all.
rp -n -j --until-stream 0:1 img
expect_rc 1 "-n --until-stream 0:1"
check "--until-stream 0:1: stream 0's later fsyncs are not applied, the rest are" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
held = [f for f in d["fsyncs"] if f["stream"] == 0 and f["last_seq"] > 1]
assert held, d["fsyncs"]
for f in d["fsyncs"]:
    if f in held:
        assert not f["applied"] and "limit" in f["not_applied"], f
    else:
        assert f["applied"], f
' "$OUT"
cp img stream.img
rp -v --until-stream 0:1 --force stream.img
expect_rc 1 "--until-stream 0:1 --force"
out_has "not applied: " "--until-stream --force: the report names what was not applied"
out_has "written: delta" "--until-stream --force wrote"
verify_clean stream.img "after --until-stream 0:1 --force"
rp stream.img
expect_ok "a replay after --until-stream --force"
out_has "clean, nothing to replay" "clean after --until-stream --force"

# --no-streams --force: the committed delta alone; the files are as that delta left them.
cp img nostream.img
rp --no-streams -f nostream.img
expect_rc 1 "--no-streams --force"
check "--no-streams: no fsync applied" grep -qE '^fsyncs: 0 applied, [1-9][0-9]* not applied' "$OUT"
verify_clean nostream.img "after --no-streams --force"
reads_back nostream.img "$NOFSYNC_CHECK" "--no-streams: the files without their fsyncs"

# --until-delta of the committed delta is a plain replay; -f changes nothing about it.
cp img same1.img
cp img same2.img
SOURCE_DATE_EPOCH=$TEST_TIME rp -q --until-delta "$committed" same1.img
expect_rc 1 "--until-delta $committed"
SOURCE_DATE_EPOCH=$TEST_TIME rp -q -f same2.img
expect_rc 1 "-f"
check "--until-delta of the committed delta writes what a plain replay writes" cmp -s same1.img same2.img
reads_back same1.img "$CRASH_CHECK" "--until-delta $committed: every change"

finish
