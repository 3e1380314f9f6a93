#!/bin/bash
# fsck_json.sh: --json prints one JSON object on one line whose exit_code is the exit
# status: a clean volume skipped, damage found (-n) and fixed (-y) with every problem's
# code, id, pass, severity, preen, detail, inode, block, fix and outcome (each code one of
# --list-problems'), counts and totals; -v adds pass times; a check that cannot run gives
# the error object (and the line on stderr); a usage error gives no JSON.
# Usage: fsck_json.sh FSCK MKFS WRITER REPLAY INSPECT [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/fsck_lib.sh" "$@"

"$FSCK" --list-problems >table.tsv
# json_ok EXPR...: the last fk's stdout is one line of JSON, its exit_code is $RC, and each
# Python EXPR holds over it (d: the object; table: --list-problems by code).
json_ok() {
  python3 - "$OUT" "$RC" table.tsv "$@" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
assert text.count("\n") == 1 and text.endswith("\n"), "one line"
d = json.loads(text)
table = {r[0]: r for r in (l.rstrip("\n").split("\t") for l in open(sys.argv[3]))}
assert list(d)[:3] == ["tool", "schema", "device"], list(d)
assert d["tool"] == "fsck.tux3" and d["schema"] == 1 and d["exit_code"] == int(sys.argv[2]), d
for expr in sys.argv[4:]:
    assert eval(expr), (expr, d)
PY
}

KEYS='["tool", "schema", "device", "mode", "force", "exit_code", "error", "skipped", "replayed", "aborted", "cancelled", "modified", "committed_delta", "written_delta", "passes", "counts", "problems", "totals", "state_bytes"]'
PROBLEM_KEYS='["code", "number", "id", "pass", "severity", "preen", "detail", "inode", "block", "fix", "outcome"]'
# problems_ok: every problem has the keys, and agrees with the table.
PROBLEMS_OK='all(list(p) == '"$PROBLEM_KEYS"' and table[p["code"]][1:6] == [p["id"], str(p["pass"]), p["severity"], "yes" if p["preen"] else "no", table[p["code"]][5]] and (p["fix"] or "") == table[p["code"]][6] and p["number"] == int(p["code"][1:], 16) for p in d["problems"])'

base_image img
fk -n --json img
expect_ok "--json on a clean volume"
check "--json, clean: skipped" json_ok "list(d) == $KEYS" 'd["skipped"] and d["mode"] == "read-only" and not d["force"]' \
  'd["passes"] == [] and d["problems"] == [] and d["counts"]["inodes"] == 10' \
  'd["counts"]["blocks_in_use"] == 67 and d["counts"]["vol_blocks"] == 4096' \
  'd["written_delta"] is None and d["error"] is None'

damage_preen img
fk -fn --json img
expect_rc 4 "-fn --json on damage"
check "-fn --json: the problems" json_ok "list(d) == $KEYS" "$PROBLEMS_OK" \
  'not d["skipped"] and d["force"] and len(d["passes"]) == 9 and d["passes"][8] == {"pass": 8, "name": "allocation"}' \
  '[(p["code"], p["id"], p["inode"], p["block"], p["outcome"]) for p in d["problems"]] == [("P0305", "block-count", 21, None, "reported"), ("P0601", "link-count", 17, None, "reported")]' \
  'd["problems"][1]["detail"] == "inode 17: link count 3, 1 found" and d["problems"][1]["fix"] == "set it to the number found"' \
  'd["totals"] == {"errors": 2, "fixed": 0, "left": 2, "notes": 0} and not d["modified"]' \
  'd["counts"] == {"inodes": 10, "directories": 3, "regular_files": 4, "symlinks": 1, "others": 1, "tree_nodes": d["counts"]["tree_nodes"], "data_blocks": d["counts"]["data_blocks"], "blocks_in_use": 67, "free_blocks": 4029, "vol_blocks": 4096}' \
  'd["state_bytes"] > 0'
check "-fn --json: nothing on stderr" test ! -s "$ERR"
fk -fnv --json img
expect_rc 4 "-fnv --json"
check "-fnv --json: pass times" json_ok 'all(isinstance(p["seconds"], float) for p in d["passes"] if p["pass"] != 7)'
fk -fy --json img
expect_rc 1 "-fy --json"
check "-fy --json: fixed" json_ok "$PROBLEMS_OK" 'd["mode"] == "repair" and d["modified"] and d["written_delta"] > d["committed_delta"]' \
  '[p["outcome"] for p in d["problems"]] == ["fixed", "fixed"] and d["totals"]["fixed"] == 2'
fk -fp --json img
expect_ok "-fp --json after the repair"
check "-fp --json: clean" json_ok 'd["mode"] == "preen" and d["problems"] == [] and not d["modified"]'

crashed_image crash.img
fk -y --json crash.img
expect_ok "-y --json on a crashed volume"
check "-y --json: replayed" json_ok "$PROBLEMS_OK" 'd["replayed"] and d["modified"] and d["totals"]["errors"] == 0' \
  '[p["outcome"] for p in d["problems"] if p["id"] == "needs-replay"] == ["fixed"]'

fk -n --json missing.img
expect_rc 8 "--json on a missing file"
check "--json, missing: the error object" json_ok \
  'list(d) == ["tool", "schema", "device", "exit_code", "error"] and d["device"] == "missing.img"' \
  'd["error"].startswith("missing.img: ")'
err_one_line_fsck() { [[ $(wc -l <"$ERR") -eq 1 && $(head -n1 "$ERR") == "fsck.tux3: missing.img: "* ]]; }
check "--json, missing: the line on stderr too" err_one_line_fsck
fk --json img
expect_rc 8 "--json without a mode or a terminal"
check "--json, no terminal: the error object" json_ok 'd["exit_code"] == 8 and "no terminal" in d["error"]'
fk --json -n -y img
fk_error 16 "contradict" "--json with a usage error: no JSON"

finish
