#!/bin/bash
# writer_data.sh: file data. The four patterns are checked against an independent
# implementation of their definitions in man/tux3-writer.1 (Python below): host files made
# by it are copied in and must pass check content=, and writes must pass check against the
# host files' bytes. Also: bs= and piecewise writes give the same bytes; offset= leaves a
# hole; append to a missing file creates it; copy replaces contents and resolves a relative
# host path against the script's directory; quoting and escapes in names and xattr values.
# Usage: writer_data.sh WRITER_BINARY MKFS_BINARY INSPECT_BINARY [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/writer_lib.sh" "$@"
command -v python3 >/dev/null || skip "python3 is needed"

# pattern NAME SEED PATH OFFSET LENGTH: the pattern's bytes, computed from the definitions.
pattern() {
  python3 - "$@" <<'PY'
import sys
name, seed, path, offset, length = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
M = (1 << 64) - 1
def mix(z):
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M
    return z ^ (z >> 31)
def splitmix(state, n):  # output n (from 0) of SplitMix64 started at `state`
    return mix((state + (n + 1) * 0x9e3779b97f4a7c15) & M)
h = 0xcbf29ce484222325
for b in path.encode():
    h = ((h ^ b) * 0x100000001b3) & M
key = seed ^ h
WORDS = ("alpha block commit delta extent fork graft hash inode journal kernel leaf mount node "
         "orphan page quota root stream tree unify volume write xattr yield zone bitmap cache "
         "dirent flush log sync").split()
def line(n):
    s = "%010d " % (n % 10**10)
    state, i = mix(key ^ mix(n + 1)), 0
    while len(s) < 63:
        s += WORDS[splitmix(state, i) % 32] + " "
        i += 1
    return (s[:63] + "\n").encode()
out = bytearray()
p = offset
while p < offset + length:
    if name == "zero":
        out.append(0); p += 1
    elif name == "seq":
        out.append(p % 251); p += 1
    elif name == "random":
        w = splitmix(key, p // 8).to_bytes(8, "little")
        take = w[p % 8: min(8, p % 8 + offset + length - p)]
        out += take; p += len(take)
    elif name == "text":
        l = line(p // 64)
        take = l[p % 64: min(64, p % 64 + offset + length - p)]
        out += take; p += len(take)
sys.stdout.buffer.write(bytes(out))
PY
}

new_image img 16m
mkdir host
for spec in "zero 0 /z 0 5000" "seq 0 /s 0 70000" "seq 0 /s-off 1000 3000" \
            "random 0 /r0 0 20000" "random 12345 /r 0 20003" "random 7 /r-off 5 123" \
            "text 0 /t0 0 1000" "text 99 /t 0 9999" "text 1 /t-off 30 300"; do
  read -r name seed path offset length <<<"$spec"
  pattern "$name" "$seed" "$path" "$offset" "$length" >"host/${path#/}"
  check "python made $length bytes for $spec" test "$(file_size "host/${path#/}")" -eq "$length"
done
check "text lines are 64 bytes, newline-terminated" \
  test "$(head -c 640 host/t | awk 'length($0) != 63' | wc -l)" -eq 0
check "text starts with the line number" test "$(head -c 11 host/t)" == "0000000000 "

# Host files copied in pass check content= (the writer reads its patterns like Python).
cat >copy.tw <<'S'
copy host/z /z
check /z size=5000 content=zero
copy host/s /s
check /s size=70000 content=seq
copy host/r0 /r0
check /r0 content=random
copy host/r /r
check /r content=random:12345
copy host/t0 /t0
check /t0 content=text
copy host/t /t
check /t content=text:99
copy host/r-off /r-off
check /r-off content=random:7 key=/r-off offset=0 length=0
S
tw -q copy.tw img  # swapped: the "script" is an image, read and refused before anything opens
tw_error 16 "img:1: NUL byte in the line" "IMAGE and SCRIPT swapped"
tw -q img copy.tw
tw_ok "host files made from the definitions pass check"

# Writes equal the definitions, byte for byte: write, then copy the Python bytes beside and
# compare the listing's content hashes.
tw -q img - <<'S'
write /w/z 5000 pattern=zero
S
tw_error 1 "<stdin>:1: write: /w/z: 'w': no such entry" "write needs its directory"
cat >w.tw <<'S'
mkdir /w
write /w/s 70000 pattern=seq bs=3k
write /w/r 20003 pattern=random seed=12345 bs=1
write /w/t 9999 pattern=text seed=99 bs=100k
copy ../host/s /w/s.py
copy ../host/r /w/r.py
copy ../host/t /w/t.py
check /w/r.py content=random:12345 key=/r
S
mkdir sub && mv w.tw sub/
tw -q img sub/w.tw
tw_ok "writes and copies (host paths relative to the script's directory)"
tree img >t1
hash() { grep "^$1 file" t1 | awk '{print $8}'; }
check "seq write = Python seq (bs=3k)" test "$(hash /w/s)" == "$(hash /w/s.py)"
check "seq is the same as /s" test "$(hash /w/s)" == "$(hash /s)"
check "random depends on the path: /w/r differs from /r" test "$(hash /w/r)" != "$(hash /r)"
check "text depends on the path" test "$(hash /w/t)" != "$(hash /t)"
cat >w2.tw <<'S'
write /w/r2 20003 pattern=random seed=12345 bs=1
check /w/r2 content=random:12345
check /w/r2 content=random:12345 key=/w/r
S
tw -q img w2.tw
tw_error 1 "w2.tw:3: check: /w/r2: byte 0 is" "key= selects the path that keyed the pattern"
pattern random 12345 /w/r 0 20003 >host/wr
pattern text 99 /w/t 0 9999 >host/wt
tw -q img - <<<'copy host/wr /w/r.py2
copy host/wt /w/t.py2'
tw_ok "copy the Python bytes for /w/r and /w/t (relative to the current directory from stdin)"
tree img >t1
check "random write (bs=1) = Python random" test "$(hash /w/r)" == "$(hash /w/r.py2)"
check "text write = Python text" test "$(hash /w/t)" == "$(hash /w/t.py2)"

# Piecewise: offsets, append, and a hole.
cat >piece.tw <<'S'
write /p 3000 pattern=text
append /p 5000 pattern=text
write /p 1000 pattern=text offset=8000
check /p size=9000 content=text
write /whole 9000 pattern=text key=/p
S
tw -q img piece.tw
tw_error 16 "piece.tw:5: write: unknown option 'key'" "write has no key= option"
sed -i '$d' piece.tw
tw -q img piece.tw
tw_ok "a file written in three pieces is one pattern"
tw -q img - <<'S'
append /new-by-append 100 pattern=seq
check /new-by-append size=100 content=seq
write /hole 10 offset=100k pattern=seq
check /hole size=102410 content=zero length=100k
check /hole content=seq offset=100k
truncate /hole 50
check /hole size=50 content=zero
expect-error ENOENT truncate /missing 1
copy host/s /hole
check /hole size=70000 content=seq
copy host/z /hole
check /hole size=5000 content=zero
expect-error ENOENT copy host/missing /x
expect-error EISDIR copy host /x
S
tw_ok "append creates, offset leaves a hole, truncate, copy replaces contents"
tw -q img - <<<'check /x'
tw_error 1 "check: /x: 'x': no such entry" "a failed copy of a missing host file creates nothing"

# Quoting and escapes.
tw -q --time "$TEST_TIME" img - <<'S'
mkdir "/q/"
write "/q/a b" 1
write /q/"c d"e 1
write /q/#not-a-comment 1
setxattr "/q/a b" user.esc "tab\there\nnl \"q\" \\ \$i \x7f"
setxattr "/q/a b" "user.with space" ""   # empty value
S
tw_ok "quoted names and escapes"
tree img >t2
check "a quoted name with a space" grep -q '^/q/a b file' t2
check "quotes inside a word" grep -q '^/q/c de file' t2
check "# inside a word is not a comment" grep -q '^/q/#not-a-comment file' t2
check "escapes in a value" grep -q "xattr=user.esc:$(printf 'tab\there\nnl "q" \\ $i \x7f' | od -An -v -tx1 | tr -d ' \n')" t2
check "an empty value, a name with a space" grep -q 'xattr=user.with space:$' t2
verify_clean img "after the data tests"

finish
