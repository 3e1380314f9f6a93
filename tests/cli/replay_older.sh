#!/bin/bash
# replay_older.sh: writing an older state. --until-delta N --force writes the state of
# delta N as a new clean state after the committed delta (exit 1 when intact, 4 when it
# may have lost data): it verifies clean, holds what delta N held, and replays to itself.
# The last valid point a damaged log suggests is written the same way, and is a state
# that replays (also when fsyncs after the last delta reused blocks that delta freed).
# Asking a fresh volume for mkfs's delta 0, whose log is empty, is a usage error.
# Usage: replay_older.sh REPLAY MKFS WRITER INSPECT [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/replay_lib.sh" "$@"

# The delta before the last one, intact.
logged_image log.img
committed=$(json_of log.img | python3 -c 'import json,sys; print(json.load(sys.stdin)["committed_delta"])')
previous=$((committed - 1))
cp log.img copy.img
rp --until-delta "$previous" --force log.img
expect_rc 1 "--until-delta $previous --force"
check "--until-delta --force: nothing on stderr" test ! -s "$ERR"
out_has "target: delta $previous, an older state: discards committed delta $committed" "the target"
out_has "intact: yes" "intact"
written_delta=$(sed -n 's/^written: delta \([0-9]*\), clean$/\1/p' "$OUT")
check "--until-delta --force: written after the committed delta" test "${written_delta:-0}" -gt "$committed"
verify_clean log.img "after --until-delta $previous --force"
reads_back log.img "$OLDER_CHECK" "the files as of delta $previous"
written=$(sum log.img)
rp log.img
expect_ok "a replay after writing an older state"
out_has "clean, nothing to replay" "clean after writing an older state"
check "... and wrote nothing" test "$(sum log.img)" = "$written"

# The suggestion after damage to the newest log block, followed as printed.
newest=$(json_of copy.img | python3 -c 'import json,sys; print(json.load(sys.stdin)["log"]["blocks"][-1]["block"])')
printf 'this is not a log record' | dd of=copy.img bs=1 seek=$((newest * 4096 + 64)) conv=notrunc status=none
rp copy.img
rp_error 4 "copy.img: cannot replay delta $committed: block $newest: " "the damaged log"
read -ra suggested < <(sed -n 's/.*replay it with tux3-replay \(.*\)$/\1/p' "$ERR")
rp "${suggested[@]}"
expect_rc 4 "the suggestion, written: exit 4 (data may have been reused)"
err_one_line "wrote the state of delta $previous, which is not intact" "the suggestion: one line"
out_has "written: delta" "the suggestion wrote"
verify_clean copy.img "after following the suggestion"
reads_back copy.img "$OLDER_CHECK" "the files as of the last valid point"
rp copy.img
expect_ok "a replay after following the suggestion"

# With fsyncs after the last delta, which reuse blocks it freed, the last valid point
# suggested must still be a state that replays.
crashed_image img
newest=$(json_of img | python3 -c 'import json,sys; print(json.load(sys.stdin)["log"]["blocks"][-1]["block"])')
printf 'this is not a log record' | dd of=img bs=1 seek=$((newest * 4096 + 64)) conv=notrunc status=none
rp -n img
expect_rc 4 "a damaged log with fsyncs"
if grep -q "replay it with tux3-replay " "$ERR"; then
  read -ra suggested < <(sed -n 's/.*replay it with tux3-replay \(.*\)$/\1/p' "$ERR")
  rp -n "${suggested[@]}"
  CHECKS=$((CHECKS + 1))
  if grep -q "cannot replay delta" "$ERR"; then
    fail "the suggested last valid point cannot be replayed either"
    _show
  fi
fi

# A fresh volume: delta 0 (the other slot, mkfs's) has no log to replay.
new_image fresh.img 16m
rp -n --until-delta 0 fresh.img
rp_error 16 "delta 0 is not in the log" "fresh volume: --until-delta 0"

finish
