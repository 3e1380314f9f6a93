#!/bin/bash
# replay_print.sh: --print of a crashed volume, in text and JSON, checked against an
# independent reader of the image (replay_image.py): both superblock slots, every log
# block with its delta and prev, every record with its kind's name and field names, every
# valid stream block with its fields, and where each stream ends. --print writes nothing.
# Usage: replay_print.sh REPLAY MKFS WRITER INSPECT [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/replay_lib.sh" "$@"

crashed_image img
crashed=$(sum img)
image_py log img >log.json
image_py streams img >streams.json
check "the image holds at least 6 record kinds and 2 streams" python3 -c '
import json, sys
kinds = {r for b in json.load(open(sys.argv[1])) for r in b["records"]}
assert {"UNIFY", "DELTA", "ALLOC", "FREE", "LEAF_REDIRECT", "STREAM_RESERVE", "ROOTS"} <= kinds, kinds
assert len(json.load(open(sys.argv[2]))) == 2
' log.json streams.json

# The field names of each kind, from tux3-format(5).
cat >fields.json <<'J'
{"ALLOC": ["block", "count"], "FREE": ["block", "count"], "LEAF_REDIRECT": ["old", "new"],
 "BNODE_NEW": ["block", "owner", "level"], "BNODE_REDIRECT": ["old", "new"],
 "BNODE_ADD": ["bnode", "key", "child"], "BNODE_UPDATE": ["bnode", "key", "child"],
 "BNODE_DEL": ["bnode", "key", "count"], "BNODE_FREE": ["block"], "UNIFY": [],
 "DELTA": ["delta"], "STREAM_RESERVE": ["stream", "block"], "STREAM_RETIRE": ["stream", "seq"],
 "ROOTS": ["itree_root", "itree_depth", "otree_root", "otree_depth", "inode_count",
           "free_blocks", "commit_sec", "commit_nsec"]}
J

rp --print img
expect_ok "--print"
cp "$OUT" listing.txt
check "--print: both slots" test "$(grep -cE '^superblock slot [01]: delta [0-9]+' listing.txt)" -eq 2
check "--print: one committed slot" test "$(grep -cE '^superblock slot [01]: delta [0-9]+, committed$' listing.txt)" -eq 1
check "--print: the text shows every block and record the image holds, with field names" \
  python3 - listing.txt log.json fields.json <<'PY'
import json, re, sys
text = open(sys.argv[1]).read().splitlines()
chain = json.load(open(sys.argv[2]))
fields = json.load(open(sys.argv[3]))
for b in chain:
    head = "  block %d: delta %d, prev %d, %d record%s" % (
        b["block"], b["delta"], b["prev"], len(b["records"]), "" if len(b["records"]) == 1 else "s")
    assert head in text, head
    at = text.index(head)
    got = [l.strip() for l in text[at + 1 : at + 1 + len(b["records"])]]
    for line, name in zip(got, b["records"]):
        words = line.split()
        assert words[0] == name, (line, name)
        assert [w.split("=")[0] for w in words[1:]] == fields[name], line
        assert all(re.fullmatch(r"-?[0-9]+", w.split("=")[1]) for w in words[1:]), line
for d in sorted({b["delta"] for b in chain}):
    assert any(l.startswith("delta %d" % d) for l in text), d
PY
check "--print: the text shows every stream block and each stream's end" \
  python3 - listing.txt streams.json <<'PY'
import json, sys
text = open(sys.argv[1]).read()
for s in json.load(open(sys.argv[2])):
    assert "\nstream %d: head block %d, seq 1," % (s["stream"], s["blocks"][0][0]) in text, s
    for block, seq, inum in s["blocks"]:
        line = "\n  block %d: seq %d, inode %d, flags " % (block, seq, inum)
        assert line in text, line
PY
check "--print: stream blocks show size, times, mode, data_crc, extents and next" \
  grep -qE '^  block [0-9]+: seq [0-9]+, inode [0-9]+, flags HAS_SIZE\|[A-Z_|]+, size [0-9]+, mtime [0-9]+\.[0-9]{9}, ctime [0-9]+\.[0-9]{9}, mode 0100644, data_crc 0x[0-9a-f]{8}, [0-9]+ extents?, next [0-9]+$' listing.txt
check "--print: extents" grep -qE '^    extent logical [0-9]+, physical [0-9]+, count [0-9]+, flags none$' listing.txt
check "--print: each stream's end and why" \
  test "$(grep -cE '^  end: block [0-9]+ \(seq [0-9]+\): .+' listing.txt)" -eq 2
check "--print wrote nothing" test "$(sum img)" = "$crashed"

rp --print --json img
expect_ok "--print --json"
check "--print --json agrees with the independent reader" \
  python3 - "$OUT" log.json streams.json fields.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
chain = json.load(open(sys.argv[2]))
streams = json.load(open(sys.argv[3]))
fields = json.load(open(sys.argv[4]))
assert d["tool"] == "tux3-replay" and d["schema"] == 1 and d["type"] == "listing", d
assert d["device"] == "img" and d["damage"] is None, d
slots = d["superblocks"]
committed = [s for s in slots if s["committed"]]
assert len(slots) == 2 and len(committed) == 1 and all(s["valid"] and s["error"] is None for s in slots)
sb = committed[0]
assert sb["delta"] == d["committed_delta"] == max(s["delta"] for s in slots)
assert d["log"]["head"] == sb["log_head"] == chain[-1]["block"] and d["log"]["count"] == len(chain)
got = [{"block": b["block"], "delta": b["delta"], "prev": b["prev"],
        "records": [r["name"] for r in b["records"]]} for b in d["log"]["blocks"]]
assert got == chain, (got, chain)
codes = {"ALLOC": 1, "FREE": 2, "LEAF_REDIRECT": 3, "BNODE_NEW": 4, "BNODE_REDIRECT": 5,
         "BNODE_ADD": 6, "BNODE_UPDATE": 7, "BNODE_DEL": 8, "BNODE_FREE": 9, "UNIFY": 10,
         "DELTA": 11, "STREAM_RESERVE": 12, "STREAM_RETIRE": 13, "ROOTS": 14}
for b in d["log"]["blocks"]:
    for r in b["records"]:
        assert list(r["fields"]) == fields[r["name"]] and r["code"] == codes[r["name"]], r
        assert all(isinstance(v, int) for v in r["fields"].values()), r
# Deltas: oldest first, the first of the cycle a unify, their blocks those of the chain.
deltas = d["log"]["deltas"]
assert [x["delta"] for x in deltas] == sorted({b["delta"] for b in chain})
assert deltas[0]["unify"] and not any(x["unify"] for x in deltas[1:]), deltas
assert [blk for x in deltas for blk in x["blocks"]] == [b["block"] for b in chain]
by_block = {b["block"]: b for b in d["log"]["blocks"]}
for x in deltas:
    first, final = by_block[x["blocks"][0]]["records"], by_block[x["blocks"][-1]]["records"]
    opening = first[1] if x["unify"] else first[0]
    assert (first[0]["name"] == "UNIFY") == x["unify"] and opening["name"] == "DELTA", first
    assert opening["fields"]["delta"] == x["delta"], (opening, x)
    assert final[-1]["name"] == "ROOTS" and x["records"] == sum(len(by_block[k]["records"]) for k in x["blocks"])
last = deltas[-1]["roots"]
assert last["itree"] == sb["itree"] and last["otree"] == sb["otree"], (last, sb)
assert last["inode_count"] == sb["inode_count"] and last["free_blocks"] == sb["free_blocks"]
assert last["commit_time"] == sb["commit_time"], (last, sb)
# Streams: the reader's blocks, with their fields; the heads those of the superblock.
assert [s["stream"] for s in d["streams"]] == [s["stream"] for s in streams]
heads = {h["stream"]: h for h in sb["streams"]}
for mine, theirs in zip(d["streams"], streams):
    assert [[b["block"], b["seq"], b["inode"]] for b in mine["blocks"]] == theirs["blocks"]
    h = heads[mine["stream"]]
    assert mine["head"] == {"block": h["block"], "seq": h["seq"], "delta": h["delta"]}, mine
    for a, b in zip(mine["blocks"], mine["blocks"][1:] + [None]):
        assert "HAS_SIZE" in a["flags"] and a["extents"] and a["size"] > 0, a
        assert a["next"] == (b["block"] if b else mine["end"]["block"]), (a, b, mine["end"])
        assert set(a["mtime"]) == {"sec", "nsec"} and a["mode"] == 0o100644, a
    assert mine["end"]["seq"] == mine["blocks"][-1]["seq"] + 1 and mine["end"]["reason"], mine
PY

rp --print -q img
expect_ok "--print -q"
check "--print -q prints nothing" test ! -s "$OUT"
rp --print -n -v img
expect_ok "--print -n -v: -n and -v change nothing"
check "--print -n -v prints the same listing" cmp -s "$OUT" listing.txt
check "--print --json and -q wrote nothing" test "$(sum img)" = "$crashed"

finish
