#!/bin/bash
# writer_fsync.sh: fsync in tux3-writer: --fsync-mode and --fsync-streams, the fsync and
# fdatasync commands, write/append sync=, crash (no commit, no close: what was synced or
# fsynced is there when the volume reopens, what came after is not), the fsyncloop
# workload, the fsync statistics (text and --json), and bad arguments (exit 16, one line).
# Only what holds whichever path the engine's fsync takes is checked: contents, sizes,
# exit codes and which statistics are printed, never how many fsyncs went through streams.
# Usage: writer_fsync.sh WRITER_BINARY MKFS_BINARY INSPECT_BINARY [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/writer_lib.sh" "$@"

tw --help
tw_ok "--help"
out_has "--fsync-mode" "--help lists --fsync-mode"
out_has "--fsync-streams" "--help lists --fsync-streams"

# Options: good values run, bad ones are usage errors before the image is opened.
new_image img 32m
for opt in "--fsync-mode stream" "--fsync-mode delta" "--fsync-streams 1" "--fsync-streams 32"; do
  # shellcheck disable=SC2086
  tw -q $opt img - <<<'write /opt 4k sync=fsync'
  tw_ok "$opt"
done
for bad in "--fsync-mode bogus" "--fsync-mode STREAM" "--fsync-streams 0" \
           "--fsync-streams 33" "--fsync-streams x" "--fsync-streams -1"; do
  # shellcheck disable=SC2086
  tw $bad img - <<<'sync'
  tw_error 16 "${bad%% *}" "bad option: $bad"
done
tw img - --fsync-mode <<<'sync'
tw_error 16 "fsync-mode" "--fsync-mode without a value"

# Script errors: exit 16 with the line, nothing runs.
while IFS='|' read -r line want; do
  tw img - <<<"$line"
  tw_error 16 "<stdin>:1: $want" "syntax: $line"
done <<'CASES'
fsync|fsync: too few arguments
fsync a|fsync: path 'a': must be absolute
fsync /a /b|fsync: too many arguments
fdatasync|fdatasync: too few arguments
crash now|crash: too many arguments
write /f 1k sync=yes|write: sync 'yes': expected fsync or fdatasync
append /f 1k sync=|append: sync '': expected fsync or fdatasync
truncate /f 1k sync=fsync|truncate: too many arguments
fsyncloop /f|fsyncloop: too few arguments
fsyncloop /f 1m jobs=0 writers=0|fsyncloop: jobs=0 and writers=0: nothing to run
fsyncloop /f 1k bs=4k|fsyncloop: SIZE is smaller than bs
fsyncloop /f 1m mode=hot|fsyncloop: mode 'hot': expected append or overwrite
fsyncloop /f 1m jobs=65|fsyncloop: jobs '65': not a whole number from 0 to 64
fsyncloop /f 1m writers=x|fsyncloop: writers 'x'
fsyncloop /f 1m seconds=0|fsyncloop: seconds must be 0.001 to 3600
fsyncloop /f 1m threads=2|fsyncloop: unknown option 'threads'
rewrite /f 1m jobs=2|rewrite: unknown option 'jobs'
CASES

# fsync of something missing is a command failure (exit 1) with its errno.
tw img - <<<'fsync /missing'
tw_error 1 "<stdin>:1: fsync: /missing:" "fsync of a missing path"
check "... names ENOENT" grep -q '(ENOENT)$' "$ERR"
tw -q img - <<<'expect-error ENOENT fdatasync /missing/x'
tw_ok "expect-error ENOENT fdatasync"

# crash, in each mode: synced and fsynced work survives, what came after does not.
for mode in stream delta; do
  new_image "$mode.img" 32m
  tw --fsync-mode "$mode" "$mode.img" - <<'S'
mkdir /d
write /d/a 64k pattern=random seed=5 bs=4k sync=fsync
sync
append /d/a 12k pattern=random seed=5 bs=4k sync=fdatasync
write /d/b 40k pattern=text
fsync /d/b
fsync /d
write /d/b 8k pattern=text offset=40k
fdatasync /d/b
write /c 10k
sync
write /c 4k offset=10k
fsync /c
chmod /c 600
fsync /c
fsync /
write /lost 1m
repeat 3
  ls /d
  crash
end
write /never 1
S
  tw_ok "$mode: a script that ends in crash exits 0"
  check "$mode: output before crash is flushed" test "$(grep -c '^/d:$' "$OUT")" -eq 1
  out_lacks "ops:" "$mode: crash prints no statistics"
  tw -q "$mode.img" - <<'S'
check /d/a size=76k content=random:5
check /d/b size=48k content=text
check /c size=14k mode=0600 content=seq
expect-error ENOENT check /lost
expect-error ENOENT check /never
S
  tw_ok "$mode: after crash the volume reopens with every synced and fsynced change"
  verify_clean "$mode.img" "$mode: after crash, reopen and close"
done

# A crash right after fsyncloop: every completed append was fsynced.
new_image loopc.img 32m
tw loopc.img - <<'S'
fsyncloop /s 16k jobs=2 seconds=30
crash
S
tw_ok "fsyncloop then crash"
check "append mode stops at SIZE, not at the time limit" grep -q '^fsyncloop: 8 fsyncs in ' "$OUT"
tw -q loopc.img - <<'S'
check /s.0 size=16k type=file
check /s.1 size=16k type=file
S
tw_ok "the fsyncloop's appends survive the crash"

# fsyncloop: the report line, its files, both modes, writers, jobs=0.
new_image fl.img 64m
tw --fsync-streams 2 fl.img - <<'S'
fsyncloop /f 1m seconds=0.3 jobs=3 writers=1
fsyncloop /o 256k seconds=0.2 mode=overwrite
fsyncloop /w 256k seconds=0.2 jobs=0 writers=2 bs=8k
check /f.0 type=file
check /f.2 type=file
check /f.w.0 type=file
check /o.0 size=256k
check /w.w.1 size=256k
expect-error ENOENT check /w.0
S
tw_ok "fsyncloop in both modes, with writers, jobs=0"
re='^fsyncloop: [0-9]+ fsyncs in [0-9]+\.[0-9]{3} s: [0-9]+\.[0-9] fsyncs/s; latency p50 [0-9]+\.[0-9] us, p99 [0-9]+\.[0-9] us, max [0-9]+\.[0-9] us; writers [0-9]+\.[0-9] MiB/s$'
check "three report lines in the documented form" test "$(grep -cE "$re" "$OUT")" -eq 3
check "jobs=0 runs no fsync" grep -qE '^fsyncloop: 0 fsyncs in ' "$OUT"
check "jobs=3 ran fsyncs" grep -qE '^fsyncloop: [1-9][0-9]* fsyncs in .*writers [0-9.]+ MiB/s$' "$OUT"
verify_clean fl.img "after fsyncloop"

# Statistics: the fsync lines in text, the keys in --json (with the fsyncloop reports).
new_image st.img 16m
tw st.img - <<<'write /f 8k sync=fsync'
tw_ok "statistics after fsyncs"
for name in "fsync calls" "fsync stream" "fsync clean" "fsync waited delta" "fsync delta mode" \
            "fsync fallback new" "fsync fallback dir" "fsync fallback meta" \
            "fsync fallback unreserved" "fsync fallback nospace" "fsync stream waits" \
            "stream blocks" "stream data blocks" "stream bytes" "stream flushes" \
            "stream records replayed"; do
  check "text statistics have '$name'" grep -qE "^$name: [0-9]+$" "$OUT"
done
check "the latency histogram is RANGE:COUNT words" \
  grep -qE '^fsync latency us:( [0-9]+(-[0-9]+|\+):[0-9]+)*$' "$OUT"
tw --json st.img - <<<'fsyncloop /j 64k seconds=0.1 writers=1'
tw_ok "--json with fsyncloop"
check "--json: the report line comes first" grep -qE '^fsyncloop: ' <(head -n1 "$OUT")
tail -n1 "$OUT" >stats.json
check "--json: the statistics parse, with every fsync key and the fsyncloop report" python3 - stats.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for key in ("fsync_calls fsync_stream fsync_clean fsync_waited_delta fsync_delta_mode "
            "fsync_fallback_new fsync_fallback_dir fsync_fallback_meta "
            "fsync_fallback_unreserved fsync_fallback_nospace fsync_stream_waits stream_blocks "
            "stream_data_blocks stream_bytes stream_flushes stream_records_replayed").split():
    assert isinstance(d[key], int), key
hist = d["fsync_latency_us"]
assert isinstance(hist, dict) and all(isinstance(v, int) and v > 0 for v in hist.values()), hist
loops = d["fsyncloop"]
assert len(loops) == 1, loops
for key in "fsyncs seconds fsyncs_per_second p50_us p99_us max_us writer_bytes writer_mib_per_second".split():
    assert isinstance(loops[0][key], (int, float)), key
assert loops[0]["fsyncs"] >= 1 and loops[0]["writer_bytes"] > 0, loops
PY
tw --json st.img - <<<'sync'
check "--json without fsyncloop has no fsyncloop key" \
  python3 -c "import json,sys; assert 'fsyncloop' not in json.load(open(sys.argv[1]))" "$OUT"

# --progress: a line after each command, as it returns; open/close hold a file open, so an
# unlinked one is an orphan that survives a crash until the next open destroys it.
new_image orph.img 8m
printf 'write /o 4k\nopen /o\nunlink /o\nsync\nls /\ncrash\n' >orph.tw
tw --progress -q orph.img orph.tw
tw_ok "--progress with open, unlink and crash"
check "one done line for each command but the crash" \
  test "$(grep -c '^done ' "$OUT")" -eq 5
out_has "done 2 open" "the open is reported with its line"
out_has "done 4 sync" "the sync is reported"
tw orph.img - <<<'ls /'
tw_ok "reopen after the crash"
out_has "orphans destroyed at open: 1" "the orphan the crash left is destroyed at open"
tw orph.img - <<<'close /nothing'
tw_error 1 "close: /nothing: not open" "close of a path never opened"
printf 'write /p 1k\nopen /p\nunlink /p\n' | "$WRITER" orph.img - >/dev/null 2>&1
tw orph.img - <<<'ls /'
out_has "orphans destroyed at open: 0" "handles left open at the end are closed with the script"
verify_clean orph.img "after orphans"

finish
