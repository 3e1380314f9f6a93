#!/bin/bash
# writer_basic.sh: --help, --version, the statistics (text, --json, -q), a script on
# standard input, the options that shape a run (--uid/--gid, --seed, --time and
# SOURCE_DATE_EPOCH, --dirty-limit, --unify-every, --delta-interval), usage errors (exit 16)
# and volume/device errors (exit 2).
# Usage: writer_basic.sh WRITER_BINARY MKFS_BINARY INSPECT_BINARY [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/writer_lib.sh" "$@"

for opt in --help -h; do
  tw "$opt"
  tw_ok "$opt"
  out_has "Usage: tux3-writer [options] IMAGE SCRIPT|-" "$opt usage line"
  for o in --quiet --json --time --seed --uid --gid --dirty-limit --delta-interval \
           --unify-every --version --help; do
    out_has "$o" "$opt lists $o"
  done
done
for opt in --version -V; do
  tw "$opt"
  tw_ok "$opt"
  out_has "tux3-writer (tux3-tools) " "$opt names the tool"
  check "$opt prints one line" test "$(wc -l <"$OUT")" -eq 1
done

# Statistics: one "name: value" line each, in this order.
new_image img 16m
printf 'write /f 100k\nsync\n' >s.tw
tw img s.tw
tw_ok "a short script"
check "statistics lines in order" \
  test "$(cut -d: -f1 "$OUT" | tr '\n' ,)" == \
  "ops,elapsed,deltas,unifies,data blocks,leaves,bnodes,bitmap blocks,log blocks,log records,bytes written,flushes,forks,fork bytes,stable waits,stable wait us,throttle waits,throttle wait us,commit waits,commit wait us,marshal us,marshal max us,in-flight writes peak,in-flight bytes peak,pages evicted,inodes evicted,fsync calls,fsync stream,fsync clean,fsync waited delta,fsync delta mode,fsync fallback new,fsync fallback dir,fsync fallback meta,fsync fallback unreserved,fsync fallback nospace,fsync stream waits,stream blocks,stream data blocks,stream bytes,stream flushes,stream records replayed,orphans destroyed at open,fsync latency us,"
out_has "ops: 2" "two commands ran"
out_has "data blocks: 25" "100k of data is 25 blocks"
out_has "deltas: 2" "sync and close commit one delta each"
out_has "unifies: 1" "close unifies"
check "elapsed is in seconds" grep -qE '^elapsed: [0-9]+\.[0-9]{3} s$' "$OUT"
check "bytes written is a number" grep -qE '^bytes written: [0-9]+$' "$OUT"
verify_clean img "after a short script"

# --json: one object that parses, with the same fields.
tw --json img - <<<'write /g 8k'
tw_ok "--json"
check "--json prints one line" test "$(wc -l <"$OUT")" -eq 1
check "--json output parses" python3 -m json.tool "$OUT" /dev/null
for key in ops elapsed_seconds deltas unifies data_blocks leaves bnodes bitmap_blocks log_blocks \
           log_records bytes_written flushes; do
  check "--json has $key" python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert isinstance(d['$key'], (int, float))" "$OUT"
done
check "--json ops is 1" python3 -c "import json,sys; assert json.load(open(sys.argv[1]))['ops'] == 1" "$OUT"

# -q: nothing on success, errors still reported.
tw -q img - <<<'write /h 1k'
tw_ok "-q"
check "-q prints nothing" test ! -s "$OUT"
tw --quiet --json img - <<<'unlink /missing'
tw_error 1 "<stdin>:1: unlink: /missing:" "-q still reports a failed command"

# The script from standard input, CRLF line ends, comments and blank lines.
printf '# comment\r\n\r\n  mkdir /stdin   # trailing comment\r\nwrite /stdin/f 10 # x\r\n' >crlf.tw
tw -q img - <crlf.tw
tw_ok "script on stdin with CRLF line ends"
tree img >tree.out
check "stdin script made /stdin/f" grep -q '^/stdin/f file 0644 0:0 1 10 ' tree.out

# --uid/--gid: the owner of everything created; chown still changes it.
new_image own 4m
tw -q --uid 1000 --gid 100 own - <<'S'
mkdir /d
write /d/f 1
symlink t /d/s
mknod /d/p p
chown /d/p 7:
S
tw_ok "--uid/--gid"
tree own >own.out
for p in /d /d/f /d/s; do
  check "$p is owned by 1000:100" grep -q "^$p [a-z]* [0-7]* 1000:100 " own.out
done
check "chown 7: changes only the uid" grep -q '^/d/p fifo 0644 7:100 ' own.out

# --time: every timestamp; SOURCE_DATE_EPOCH when --time is absent; --time wins.
new_image t1 4m
tw -q --time 1234567890 t1 - <<<'write /f 1'
tree t1 >t1.out
check "--time sets mtime" grep -q '^/f file .* 1234567890.000000000 ' t1.out
check "--time sets the root's mtime" grep -q '^/ dir .* 1234567890.000000000' t1.out
SOURCE_DATE_EPOCH=1111111111 tw -q t1 - <<<'write /g 1'
tree t1 >t1.out
check "SOURCE_DATE_EPOCH sets mtime" grep -q '^/g file .* 1111111111.000000000 ' t1.out
SOURCE_DATE_EPOCH=1111111111 tw -q --time 1222222222 t1 - <<<'write /h 1'
tree t1 >t1.out
check "--time wins over SOURCE_DATE_EPOCH" grep -q '^/h file .* 1222222222.000000000 ' t1.out
tw -q --time 1222222222 t1 - <<<'touch /h'
tree t1 >t1.out
check "touch without SECONDS uses the clock" grep -q '^/h file .* 1222222222.000000000 ' t1.out

# --seed: the default seed of random and text; seed= overrides it.
new_image seeds 4m
tw -q --seed 9 seeds - <<'S'
write /a 5000 pattern=random
check /a content=random:9
write /b 5000 pattern=text seed=3
check /b content=text:3
expect-error ENOENT check /nothing
S
tw_ok "--seed is the default seed"
printf 'check /a content=random\n' >c.tw
tw -q seeds c.tw
tw_error 1 "c.tw:1: check: /a: byte 0 is" "content=random without a seed uses --seed (0 here)"
tw -q --seed 9 seeds c.tw
tw_ok "content=random with --seed 9"

# --dirty-limit: a delta each time that much data is dirty; --unify-every: unify cadence.
new_image dl 64m
tw --dirty-limit 64k --unify-every 2 dl - <<<'write /f 1m bs=16k'
tw_ok "--dirty-limit 64k"
deltas=$(out_value "deltas: ")
unifies=$(out_value "unifies: ")
# The backend takes the open delta when it is free: a delta holds at most twice the limit
# (beyond that writers wait), so 1m needs 8 deltas or more.
check "--dirty-limit 64k: 1m of writes commits 8 or more deltas ($deltas)" test "$deltas" -ge 8
check "--unify-every 2: about every second delta unifies ($unifies of $deltas)" \
  test "$unifies" -ge $((deltas / 2))
verify_clean dl "after many small deltas"
tw --delta-interval 1 --dirty-limit 1g dl - <<'S'
repeat 1000
  write /t$i 4k
end
S
tw_ok "--delta-interval 1"
# 1000 creates and writes take well over a millisecond: the timer commits on the way.
check "--delta-interval 1 commits deltas during the run" test "$(out_value "deltas: ")" -ge 2
tw --dirty-limit 1g dl - <<'S'
repeat 1000
  write /u$i 4k
end
S
out_has "deltas: 1" "without a timer or limit, only close commits"

# Usage errors: exit 16, nothing on stdout, one line.
tw
tw_error 16 "no IMAGE given" "no arguments"
tw img
tw_error 16 "no SCRIPT given" "no script"
tw img s.tw extra
tw_error 16 "too many positional options" "a third operand"
tw --bogus img s.tw
tw_error 16 "unrecognised option '--bogus'" "unknown option"
for bad in "--dirty-limit 0" "--dirty-limit 12q" "--unify-every 0" "--unify-every x" \
           "--delta-interval -1" "--seed 1.5" "--uid 4294967295" "--gid x" "--time -5"; do
  # shellcheck disable=SC2086
  tw $bad img s.tw
  tw_error 16 "${bad%% *}" "bad option value: $bad"
done
SOURCE_DATE_EPOCH=yesterday tw img s.tw
tw_error 16 "SOURCE_DATE_EPOCH 'yesterday'" "bad SOURCE_DATE_EPOCH"
tw img missing.tw
tw_error 16 "missing.tw: No such file or directory" "a script that does not exist"
tw img .
tw_error 16 "" "a directory as the script"

# ls: an ls -l style listing on standard output, sorted, recursive with -R.
new_image listed 8m
tw -q listed - <<'S'
mkdir -p /a/b
write /a/f 3000
symlink f /a/s
ls -R /
S
tw_ok "ls -R"
check "ls prints the root first" grep -qx '/:' "$OUT"
check "ls shows the file with its size" grep -Eq '^-rw-r--r-- +1 +0 +0 +3000 f$' "$OUT"
check "ls shows the symlink target" grep -Eq ' s -> f$' "$OUT"
check "ls -R descends" grep -qx '/a/b:' "$OUT"

# Volume and device errors: exit 2.
tw nothere s.tw
tw_error 2 "nothere" "an image that does not exist"
head -c 1M /dev/zero >zeros
tw zeros s.tw
tw_error 2 "no tux3 superblock" "an image without a volume"
check "a failed open changes nothing" cmp -s zeros <(head -c 1M /dev/zero)
cp img locked
exec {lockfd}<locked
flock -n "$lockfd"
tw locked s.tw
tw_error 2 "locked" "an image locked by another process"
exec {lockfd}<&-

finish
