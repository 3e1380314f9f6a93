#!/usr/bin/env bash
# tux3-image info: the text (every field, the blocks by kind adding up) and --json (the
# schema of man/tux3-image.8: every key, its type, the counts agreeing with the text and
# with what restore writes), from a file and from standard input.
source "$(dirname "${BASH_SOURCE[0]}")/image_lib.sh" "$@"
export SOURCE_DATE_EPOCH=$TEST_TIME

crashed_image vol.img
"$IMAGE_TOOL" dump -q vol.img vol.t3i
"$IMAGE_TOOL" dump -q --data vol.img data.t3i

ti info vol.t3i
expect_ok "info"
for key in "dump +vol.t3i" "dump version +1" "producer +tux3-image \(tux3-tools\) " \
           "created +2023-11-14 22:13:20 UTC" "holds +metadata$" "uuid +$TEST_UUID" \
           "block size +4096" "volume +4096 blocks \(16.00 MiB\), on a device of 16777216 bytes" \
           "format version +1" "committed delta +[0-9]+" "blocks +[0-9]+ \(.*\) in [0-9]+ runs, 1 chunks" \
           "  ileaf +[1-9]" "  log +[1-9]" "  stream +[1-9]" \
           "zero blocks +[1-9][0-9]* \(held as zeros, not stored\)" "stream +[0-9]+ bytes"; do
  check "info shows '$key'" grep -qE "^$key" "$OUT"
done
total=$(sed -n 's/^blocks *\([0-9]*\) .*/\1/p' "$OUT")
kinds=$(awk '/^  [a-z]+ +[0-9]+$/ { s += $2 } END { print s }' "$OUT")
check "the kinds add up to the total ($kinds = $total)" test "$kinds" = "$total"
committed=$("$REPLAY" -p vol.img | sed -n 's/^volume: .*, committed delta \([0-9]*\)$/\1/p')
check "the committed delta is the volume's ($committed)" grep -qE "^committed delta +$committed$" "$OUT"
cp "$OUT" text.txt

ti info --json - <vol.t3i
expect_ok "info --json from standard input"
check "--json is one line" test "$(wc -l <"$OUT")" -eq 1
python3 - "$OUT" "$total" "$(file_size vol.t3i)" <<'EOF' || fail "the JSON schema (see above)"
import json, sys
d = json.load(open(sys.argv[1]))
total, size = int(sys.argv[2]), int(sys.argv[3])
def need(cond, what):
    if not cond:
        print("json:", what, file=sys.stderr)
        sys.exit(1)
keys = ["tool", "schema", "type", "dump", "version", "producer", "created", "flags", "volume",
        "chunk_bytes", "chunks", "runs", "blocks", "zero_blocks", "block_bytes", "stream_bytes"]
need(list(d) == keys, f"top-level keys {list(d)}")
need(d["tool"] == "tux3-image" and d["schema"] == 1 and d["type"] == "info", "document head")
need(d["dump"] == "standard input", "dump name")
need(d["version"] == 1 and d["created"] == 1700000000, "version, created")
need(d["flags"] == {"data": False, "scrambled": False, "replayed": False, "predicted": True},
     "flags")
v = d["volume"]
need(list(v) == ["uuid", "label", "block_size", "blocks", "device_bytes", "format_version",
                 "delta"], f"volume keys {list(v)}")
need(v["uuid"] == "6d1f0a52-8c3b-4e27-9f14-2b5a7c9e0d31" and v["block_size"] == 4096 and
     v["blocks"] == 4096 and v["device_bytes"] == 16777216 and v["format_version"] == 1,
     "volume values")
b = d["blocks"]
need(list(b) == ["total", "reserved", "bnode", "ileaf", "xleaf", "dleaf", "oleaf", "bitmap",
                 "log", "stream", "other"], f"block kinds {list(b)}")
need(all(isinstance(x, int) and x >= 0 for x in b.values()), "counts are integers")
need(b["total"] == total == sum(x for k, x in b.items() if k != "total"), "counts add up")
need(d["block_bytes"] == total * 4096, "block_bytes")
need(isinstance(d["zero_blocks"], int) and d["zero_blocks"] > 0, "zero_blocks")
need(d["stream_bytes"] == size, "stream_bytes is the file size")
need(d["runs"] >= 1 and d["chunks"] == 1 and d["chunk_bytes"] == 1048576, "runs, chunks")
EOF

ti info --json data.t3i
expect_ok "info --json of a data dump"
check "a data dump says so" grep -q '"flags":{"data":true,"scrambled":false,"replayed":false,' "$OUT"
ti info data.t3i
check "a data dump holds metadata and data" grep -qE '^holds +every block that is not zeros' "$OUT"
check "a data dump holds other (data) blocks" grep -qE '^  other +[1-9]' "$OUT"

finish
