#!/bin/bash
# writer_errors.sh: how failures are reported.
#  - a failed command: exit 1, one line "tux3-writer: SCRIPT:LINE: COMMAND: reason" with the
#    line of the command (inside loops too); the volume is closed cleanly and holds the work
#    of every line before it;
#  - expect-error: passes only on the named errno; a success or another errno fails;
#  - check: each kind of mismatch fails with what differed;
#  - a syntax error anywhere: exit 16 with its line, and the image is not touched at all.
# Usage: writer_errors.sh WRITER_BINARY MKFS_BINARY INSPECT_BINARY [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/writer_lib.sh" "$@"

# A failure on line 6: lines 1-5 are committed, line 7 never runs.
new_image img 8m
cat >fail.tw <<'S'
mkdir /before
write /before/f 10k pattern=random
sync
write /before/g 5k
link /before/f /before/h
rename /before/missing /before/x
mkdir /after
S
tw --time "$TEST_TIME" img fail.tw
tw_error 1 "fail.tw:6: rename: /before/missing: 'missing': no such entry: No such file or directory (ENOENT)" \
  "a failed command names the script, its line, the command and the errno"
verify_clean img "after a failed command"
tree img >after.tree
check "work before the failure is there (f)" grep -q '^/before/f file 0644 0:0 2 10240 ' after.tree
check "work before the failure is there (unsynced g)" grep -q '^/before/g file 0644 0:0 1 5120 ' after.tree
check "work before the failure is there (link h)" grep -q '^/before/h file 0644 0:0 2 10240 ' after.tree
check "the line after the failure did not run" not grep -q '^/after' after.tree
tw -q img - <<<'check /before/f size=10k nlink=2 content=random
check /before/g size=5k content=seq'
tw_ok "the volume reopens and reads back the committed data"

# A failure inside nested loops reports the command's own line; the iterations before it ran.
new_image loop.img 8m
cat >loop.tw <<'S'
mkdir /l
mkdir /l/f23           # a directory in the way of the write at i1=2, i2=3
repeat 3
  repeat 4
    # a comment inside the loop
    write /l/f$i1$i 1
  end
end
S
tw loop.img loop.tw
tw_error 1 "loop.tw:6: write: /l/f23 at byte 0: write to a directory: Is a directory (EISDIR)" \
  "failure in a loop: the line of the failing command, the path with the indexes"
verify_clean loop.img "after a failure in a loop"
check "the 11 files before the failure were written" \
  test "$(tree loop.img | grep -c '^/l/f[0-9][0-9] file ')" -eq 11
check "the loop stopped at the failure" not grep -q '^/l/f30 ' <(tree loop.img)

# expect-error: the right errno passes; another errno or success fails.
new_image x.img 4m
tw -q x.img - <<'S'
expect-error ENOENT unlink /missing
expect-error ENOENT rmdir /missing/deeper
write /f 1
expect-error ENOTDIR write /f/g 1
expect-error EEXIST mkdir /f
mkdir /d
expect-error EISDIR write /d 1
expect-error ENOTEMPTY rmdir /d/..
expect-error EINVAL mkdir /..
S
tw_ok "expect-error with the right errnos"
tw x.img - <<<'expect-error EEXIST unlink /missing'
tw_error 1 "<stdin>:1: unlink: expected EEXIST, got: /missing: " "expect-error with another errno"
tw x.img - <<<'expect-error ENOENT write /g 1'
tw_error 1 "<stdin>:1: write: expected ENOENT, but the command succeeded" "expect-error on a success"
tw x.img - <<<'expect-error ENOENT check /f size=2'
tw_error 1 "<stdin>:1: check: expected ENOENT, got: /f: size is 1, expected 2" \
  "expect-error does not catch a check mismatch"

# check: each kind of mismatch.
tw -q x.img - <<'S'
write /c 1000 pattern=seq
symlink target /s
S
for case in \
  "size=999|size is 1000, expected 999" \
  "nlink=2|nlink is 1, expected 2" \
  "mode=0600|mode is 0644, expected 0600" \
  "type=dir|type is file, expected dir" \
  "owner=1:0|uid is 0, expected 1" \
  "owner=:7|gid is 0, expected 7" \
  "content=zero|byte 1 is 0x01, pattern zero has 0x00" \
  "content=seq offset=1000|" \
  "content=seq offset=1001|size is 1000, expected at least 1001" \
  "content=seq length=1001|size is 1000, expected at least 1001" \
  "content=random|byte 0 is 0x00, pattern random has"; do
  cond=${case%%|*} want=${case#*|}
  tw -q x.img - <<<"check /c $cond"
  if [[ -z $want ]]; then
    tw_ok "check /c $cond"
  else
    tw_error 1 "<stdin>:1: check: /c: $want" "check /c $cond"
  fi
done
tw -q x.img - <<<'check /s target=other'
tw_error 1 "check: /s: target is 'target', expected 'other'" "check target="
tw -q x.img - <<<'check /c target=other'
tw_error 1 "check: /c: " "check target= on a file"
verify_clean x.img "after the expect-error and check runs"

# Syntax errors: exit 16, the line number, and the image is untouched (not even opened for
# writing: cmp-identical), also when the error is on the last line of a long script.
new_image syn.img 4m
cp syn.img syn.orig
syntax() {  # syntax LINE MESSAGE SCRIPT-TEXT
  local line=$1 want=$2
  printf '%s' "$3" >syn.tw
  tw syn.img syn.tw
  tw_error 16 "syn.tw:$line: $want" "syntax error: $(tail -n1 syn.tw)"
  check "syntax error leaves the image unchanged: $(tail -n1 syn.tw)" cmp -s syn.img syn.orig
}
ok='mkdir /a
write /a/f 1m
'
syntax 3 "unknown command 'frobnicate'" "${ok}frobnicate /x"
syntax 3 "write: too few arguments" "${ok}write /a/g"
syntax 3 "write: size '12q': not a size" "${ok}write /a/g 12q"
syntax 3 "write: pattern 'noise': expected zero, seq, random or text" "${ok}write /a/g 1 pattern=noise"
syntax 3 "write: unknown option 'colour'" "${ok}write /a/g 1 colour=red"
syntax 3 "write: 'extra': expected an option KEY=VALUE" "${ok}write /a/g 1 extra"
syntax 3 "write: bs '0': must be 1 byte to 64m" "${ok}write /a/g 1 bs=0"
syntax 3 "append: unknown option 'offset'" "${ok}append /a/g 1 offset=5"
syntax 3 "mkdir: path 'relative': must be absolute" "${ok}mkdir relative"
syntax 3 "mkdir: mode '0800': not an octal mode" "${ok}mkdir /b 0800"
syntax 3 "mkdir: too many arguments" "${ok}mkdir /b 0755 0700"
syntax 3 "unlink: path '/': the root directory has no name here" "${ok}unlink /"
syntax 3 "rename: 'sideways': expected noreplace or exchange" "${ok}rename /a /b sideways"
syntax 3 "mknod: a device needs MAJOR and MINOR" "${ok}mknod /n c"
syntax 3 "mknod: a fifo or socket takes no numbers" "${ok}mknod /n p 1 2"
syntax 3 "mknod: type 'x': expected c, b, p or s" "${ok}mknod /n x"
syntax 3 "chown: owner '5': expected UID:GID" "${ok}chown /a 5"
syntax 3 "touch: time '12.x': expected SECONDS" "${ok}touch /a 12.x"
syntax 3 "setxattr: 'maybe': expected create or replace" "${ok}setxattr /a user.x v maybe"
syntax 3 "check: type 'pipe': expected file, dir" "${ok}check /a type=pipe"
syntax 3 "check: key= needs content=" "${ok}check /a key=/b"
syntax 3 "sync: too many arguments" "${ok}sync now"
syntax 3 "repeat: count 'many': not a whole number" "${ok}repeat many"
syntax 3 "end without repeat" "${ok}end"
syntax 4 "end takes no arguments" "${ok}repeat 2
end 2"
syntax 3 "repeat without end" "${ok}repeat 2
  write /a/x\$i 1
repeat 3
end"
syntax 3 "\$i outside any repeat" "${ok}write /a/f\$i 1"
syntax 4 "\$i2: no repeat at that level here" "${ok}repeat 2
write /a/f\$i2 1
end"
syntax 3 "'\$' must start \$i" "${ok}write /a/\$x 1"
syntax 5 "'\${' without its '}'" "${ok}repeat 2
end
write /a/\${i 1"
syntax 3 "unterminated '\"'" "${ok}write \"/a/f 1"
syntax 3 "unknown escape '\\q'" "${ok}write \"/a/\\q\" 1"
syntax 3 "'\\x' needs two hex digits" "${ok}setxattr /a user.x \"\\x4\""
syntax 4 "the command name cannot contain a variable" "${ok}repeat 1
\$i /a
end"
syntax 3 "expect-error: 'ENOPE' is not an errno name" "${ok}expect-error ENOPE unlink /a"
syntax 3 "usage: expect-error ERRNO COMMAND" "${ok}expect-error ENOENT"
syntax 3 "expect-error: COMMAND must be a plain command" "${ok}expect-error ENOENT repeat 2"
syntax 3 "unlink: too few arguments" "${ok}expect-error ENOENT unlink"
printf 'mkdir /a\nmkdir /b\000c\n' >syn.tw
tw syn.img syn.tw
tw_error 16 "syn.tw:2: NUL byte in the line" "a NUL byte in the script"
check "the image was never changed by a syntax error" cmp -s syn.img syn.orig

finish
