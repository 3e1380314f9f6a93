#!/usr/bin/env bash
# debugfs_batch: batch mode: -R, -f FILE, -f -, commands piped in; the exit status (0 all
# succeeded, 8 one failed, 16 one was misused; the worst of them with --keep-going); the
# batch stops at the first failure; -f echoes each command; output redirection; the
# tool's own usage errors, --help and --version.
source "$(dirname "${BASH_SOURCE[0]}")/debugfs_lib.sh" "$@"

golden_image img

df --version
expect_rc 0 "--version"
out_has "tux3-debugfs (tux3-tools)" "--version names the tool and the suite"
out_has "on-disk format 1" "--version names the format"
df --help
expect_rc 0 "--help"
out_has "Usage: tux3-debugfs [options] DEVICE|FILE|DUMP" "--help synopsis"
out_has "--keep-going" "--help lists --keep-going"

# The tool's own usage errors: exit 16, one line.
df
expect_error 16 "no DEVICE" "no device"
df img img
expect_error 16 "one DEVICE" "two devices"
df --frobnicate img
expect_error 16 "frobnicate" "an unknown option"
df -R super -f cmds img
expect_error 16 "-R and -f" "-R with -f"
df -w --no-replay img
expect_error 16 "not with -w" "-w with --no-replay"
df --delta x img
expect_error 16 "--delta 'x'" "a bad --delta"
SOURCE_DATE_EPOCH=soon df -R super img
expect_error 16 "SOURCE_DATE_EPOCH" "a bad SOURCE_DATE_EPOCH"
df -R super missing.img
expect_error 8 "missing.img" "a missing image"

# -R: each command in order; success is 0 and nothing on stderr.
df -R "cd /home" -R pwd img
expect_rc 0 "-R twice"
out_has "/home (inode 18)" "the second -R sees the first's cd"
[[ -s $ERR ]] && fail "-R: nothing on stderr expected"

# The first failing command stops the batch: 8 for a failure, 16 for a misuse.
df -R "ls /nowhere" -R pwd img
expect_rc 8 "a failing command"
out_lacks "(inode" "nothing runs after the failure"
err_has "tux3-debugfs: ls: /nowhere: no such file or directory" "the failure is named"
df -R "ls --bogus" -R pwd img
expect_rc 16 "a misused command"
out_lacks "(inode" "nothing runs after the misuse"
df -R "frob" -R pwd img
expect_rc 16 "an unknown command"
err_has "frob: unknown command" "the unknown command is named"

# --keep-going runs everything; the status is the worst.
df -k -R "ls /nowhere" -R pwd img
expect_rc 8 "--keep-going after a failure"
out_has "/ (inode 2)" "--keep-going ran the next command"
df -k -R "frob" -R "ls /nowhere" -R pwd img
expect_rc 16 "--keep-going: a misuse outranks a failure"
out_has "/ (inode 2)" "--keep-going ran every command"

# -f FILE echoes each command, as e2fsprogs' debugfs does; comments and blank lines are
# skipped silently; --no-echo and --json turn the echo off.
printf '# a comment\n\ncd /etc\npwd\n' >cmds
df -f cmds img
expect_rc 0 "-f FILE"
CHECKS=$((CHECKS + 1))
if [[ $(cat "$OUT") != $'tux3-debugfs: cd /etc\ntux3-debugfs: pwd\n/etc (inode 16)' ]]; then
  fail "-f echoes each command before its output"
  _show
fi
df --no-echo -f cmds img
CHECKS=$((CHECKS + 1))
[[ $(cat "$OUT") == "/etc (inode 16)" ]] || { fail "--no-echo"; _show; }
df_in $'cd /var\npwd' -f - img
expect_rc 0 "-f -"
out_has "tux3-debugfs: pwd" "-f - echoes too"
out_has "/var (inode 22)" "-f - runs the commands"
df_in $'cd /var\nls /nowhere\npwd' img
expect_rc 8 "commands piped in without -f: batch mode"
out_lacks "(inode" "piped commands stop at the failure too"
out_lacks "tux3-debugfs: pwd" "piped commands are not echoed"
df -f missing-script img
expect_rc 8 "-f of a missing file"
err_has "missing-script" "the missing script is named"
df --json -f cmds img
out_lacks "tux3-debugfs: pwd" "--json: no echo"
"$PY" -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$OUT" ||
  fail "--json -f: each line of the output is a JSON document"

# quit ends a batch early, successfully.
df -R pwd -R quit -R "ls /nowhere" img
expect_rc 0 "quit ends the batch"

# Output redirection: > truncates, >> appends, the file gets what stdout would.
df -R "pwd > where.txt" -R "cd /etc" -R "pwd >> where.txt" img
expect_rc 0 "redirection"
[[ -s $OUT ]] && fail "redirected output leaves stdout empty"
CHECKS=$((CHECKS + 1))
[[ $(cat where.txt) == $'/ (inode 2)\n/etc (inode 16)' ]] || fail "> then >> into where.txt"
df -R "pwd > no/such/dir/x" img
expect_rc 8 "a redirection that cannot be opened"
err_has "no/such/dir/x" "the file is named"
df -R "pwd >" img
expect_rc 16 "a redirection without a file"

# A file that holds no tux3 volume still opens, for its raw blocks.
head -c 65536 /dev/zero >zeros.img
df -R super zeros.img
expect_rc 0 "super on a file with no volume"
out_has "slot 0 (byte 4096): invalid" "super says why each slot is unusable"
err_has "only the raw blocks can be shown" "the warning says what is left"
df -R "ls /" zeros.img
expect_rc 8 "ls needs a volume"
df -R "block 3" zeros.img
expect_rc 0 "block works on raw blocks"
out_has "all zeros" "block 3 of zeros"

finish
