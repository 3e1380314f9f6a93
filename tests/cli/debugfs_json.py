#!/usr/bin/env python3
"""JSON schema of tux3-debugfs: every command that prints JSON, on a clean volume and on
one left by a crash (a log, an orphan, live fsync streams), gives one document per command
with the keys and types tux3-debugfs(8), JSON OUTPUT, lists.

usage: debugfs_json.py DEBUGFS MKFS WRITER SCRATCH_DIR
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "debugfs_golden"
I, S, B, L, D, N = int, str, bool, list, dict, type(None)
OPT_I, OPT_S = (int, N), (str, N)
TS = {"sec": I, "nsec": I}
ROOT = {"block": I, "depth": I}
EXTENT = {"logical": I, "physical": I, "count": I, "flags": [S]}
RECORD = {"type": S, "mode": I, "uid": I, "gid": I, "nlink": I, "size": I, "blocks": I,
          "atime": TS, "mtime": TS, "ctime": TS, "btime": TS, "flags": [S], "generation": I,
          "root": ROOT, "inline_extents": [EXTENT], "rdev": ({"major": I, "minor": I}, N),
          "parent": OPT_I, "symlink": OPT_S, "xattrs": [{"name": S, "length": I}]}
ROOTS = {"itree": ROOT, "otree": ROOT, "inode_count": I, "free_blocks": I, "commit_time": TS}
SUPER = {"delta": I, "uuid": S, "label": S, "version": I, "block_bits": I, "block_size": I,
         "state": [S], "feature_compat": I, "feature_ro_compat": I, "feature_incompat": [S],
         "vol_blocks": I, "free_blocks": I, "inode_count": I, "next_inum": I, "next_block": I,
         "itree": ROOT, "otree": ROOT, "log_head": I, "log_count": I, "unify_delta": I,
         "create_time": TS, "commit_time": TS, "hash_seed": I, "io_min": I, "io_opt": I,
         "fsync_mode": S, "stream_count": I,
         "streams": [{"stream": I, "block": I, "seq": I, "delta": I}]}
RECORD_JSON = {"code": I, "name": S, "fields": dict}
DAMAGE = ({"block": I, "reason": S}, N)
LEAF_ITEM = {"key": I, "length": I, "error": OPT_S}
SCHEMAS = {
    "super": {"dump": B,
              "slots": [{"slot": I, "offset": I, "valid": B, "in_use": B, "error": OPT_S,
                         "superblock": (SUPER, N)}],
              "geometry": {"block_size": I, "block_bits": I, "vol_blocks": I,
                           "first_data_block": I, "bits_per_bitmap_block": I,
                           "bitmap_blocks": I, "bnode_capacity": I, "max_leaf_value": I,
                           "from_superblock": B},
              "view": {"available": B, "error": OPT_S, "delta": I, "committed": B,
                       "log_replayed": B, "log_error": OPT_S, "fsyncs": I,
                       "fsyncs_applied": I, "streams_error": OPT_S}},
    "ls": {"inode": I, "problems": [S],
           "entries": [{"name": S, "inode": I, "type": S, "key": OPT_I, "error": OPT_S,
                        "mode": I, "nlink": I, "uid": I, "gid": I, "size": I, "mtime": TS}]},
    "pwd": {"path": S, "inode": I},
    "stat": {"inodes": [{"path": S, "inode": OPT_I, "error": OPT_S,
                         "location": ({"leaf": I, "slot": I, "bytes": I}, N),
                         "record": (RECORD, N),
                         "fsyncs": [{"stream": I, "first_seq": I, "last_seq": I,
                                     "blocks": [I]}]}]},
    "ncheck": {"inodes": [{"inode": I, "paths": [S]}], "problems": [S]},
    "blocks": {"inode": I, "blocks": [I]},
    "extents": {"inode": I, "root": ROOT, "problems": [S],
                "nodes": [{"block": I, "kind": S, "level": I, "entries": OPT_I, "error": OPT_S}],
                "extents": [dict(EXTENT, source=S)]},
    "bmap": {"inode": I, "logical": I, "physical": OPT_I, "unwritten": B},
    "xattrs": {"inode": I, "xattrs": [{"name": S, "length": I, "text": OPT_S, "hex": S}]},
    "icheck": {"problems": [S],
               "blocks": [{"block": I, "allocated": (B, N),
                           "owners": [{"kind": S, "inode": OPT_I, "text": S}]}]},
    "btree": {"tree": (S, I), "root": ROOT, "nodes": [{"block": I, "kind": S, "level": I}]},
    "block": {"block": I, "block_size": I, "kind": S},
    "log": {"delta": I, "log_head": I, "log_count": I, "damage": DAMAGE,
            "blocks": [{"block": I, "delta": I, "prev": I, "records": [RECORD_JSON]}]},
    "deltas": {"delta": I, "unify_delta": I, "damage": DAMAGE,
               "deltas": [{"delta": I, "unify": B, "blocks": [I], "records": I,
                           "roots": (ROOTS, N)}]},
    "streams": {"delta": I, "fsync_mode": S, "stream_count": I, "not_applied": OPT_S,
                "streams": [{"stream": I, "head": {"block": I, "seq": I, "delta": I},
                             "blocks": [{"block": I, "seq": I, "inode": I, "flags": [S],
                                         "size": I, "mtime": TS, "ctime": TS, "mode": I,
                                         "data_crc": I, "extents": [EXTENT], "next": I}],
                             "end": {"block": I, "seq": I, "reason": S,
                                     "incomplete_blocks": I}}],
                "fsyncs": [{"stream": I, "first_seq": I, "last_seq": I, "blocks": [I],
                            "inode": I, "applied": B, "not_applied": OPT_S}]},
    "freefrag": {"block_size": I, "vol_blocks": I, "free_blocks": I,
                 "superblock_free_blocks": I, "unknown_blocks": I, "free_extents": I,
                 "smallest": I, "largest": I, "problems": [S],
                 "histogram": [{"min_blocks": I, "extents": I, "blocks": I}]},
}
# Keys some objects have only sometimes (documented as such).
OPTIONAL = {"name_hex", "label_hex", "path_hex", "symlink_hex", "target", "target_hex",
            "mode", "nlink", "uid", "gid", "size", "mtime", "error", "record_hex",
            "low", "high", "from_log", "owner", "delta", "entries", "bytes_used", "items",
            "header", "verdict", "leaf", "node", "bitmap", "stream", "parts", "zero", "hex"}

errors = []


def check(value, schema, where):
    if isinstance(schema, tuple):
        if not any(matches(value, s) for s in schema):
            errors.append(f"{where}: {value!r:.80} is none of {schema}")
        return
    if isinstance(schema, list):
        if not isinstance(value, list):
            errors.append(f"{where}: expected a list, got {value!r:.80}")
            return
        for i, v in enumerate(value):
            check(v, schema[0], f"{where}[{i}]")
        return
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            errors.append(f"{where}: expected an object, got {value!r:.80}")
            return
        for key, sub in schema.items():
            if key not in value:
                if key not in OPTIONAL:
                    errors.append(f"{where}: key {key!r} missing")
                continue
            check(value[key], sub, f"{where}.{key}")
        return
    if schema is int and isinstance(value, bool):
        errors.append(f"{where}: expected an integer, got {value!r}")
    elif schema is not None and not isinstance(value, schema):
        errors.append(f"{where}: expected {schema.__name__}, got {value!r:.80}")


def matches(value, schema):
    before = len(errors)
    check(value, schema, "")
    ok = len(errors) == before
    del errors[before:]
    return ok


def documents(debugfs, image, commands):
    argv = [debugfs, "--json", "-k"]
    for c in commands:
        argv += ["-R", c]
    p = subprocess.run(argv + [str(image)], capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, TUX3_DEBUGFS_HISTORY=""))
    if p.returncode != 0:
        errors.append(f"{image.name}: exit {p.returncode}: {p.stderr.strip()}")
    docs = [json.loads(line) for line in p.stdout.splitlines()]
    if len(docs) != len(commands):
        errors.append(f"{image.name}: {len(commands)} commands printed {len(docs)} documents")
    return docs


def main():
    debugfs, mkfs, writer, scratch = sys.argv[1:5]
    scratch = Path(scratch)
    scratch.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    clean = scratch / "clean.img"
    clean.unlink(missing_ok=True)
    subprocess.run([mkfs, "-q", "-b", "1024", "-L", "json", "--root-owner", "0:0", str(clean),
                    "2m"], check=True, env=env, timeout=60)
    subprocess.run([writer, "-q", "--deterministic", "--time", "1700000000", str(clean),
                    str(GOLDEN / "tree.tw")], check=True)
    crash = scratch / "crash.img"
    shutil.copyfile(clean, crash)
    subprocess.run([writer, "-q", "--deterministic", "--time", "1700000000", "--fsync-mode",
                    "stream", str(crash), str(GOLDEN / "crash.tw")], check=True)
    commands = ["super", "ls -l /var/log", "ls -a /home", "pwd", "stat / /d/a /var/null",
                "ncheck 2 26", "blocks /home/bob/frag", "extents /home/bob/frag",
                "bmap /home/bob/sparse 0", "xattrs /home/alice/notes",
                "icheck 0 15 33 1000", "btree itree", "btree /home/bob", "block 15",
                "block 1", "block --hex 1000", "log", "deltas", "streams", "freefrag"]
    for image in (clean, crash):
        cmds = [c for c in commands if image == crash or "/d/a" not in c]
        for cmd, doc in zip(cmds, documents(debugfs, image, cmds)):
            name = cmd.split()[0]
            where = f"{image.name}: {cmd}"
            check(doc, {"tool": S, "schema": I, "command": S}, where)
            if doc.get("tool") != "tux3-debugfs" or doc.get("schema") != 1 or doc.get("command") != name:
                errors.append(f"{where}: tool, schema or command wrong: {doc.get('command')}")
            check(doc, SCHEMAS[name], where)
            extra = set(doc) - set(SCHEMAS[name]) - {"tool", "schema", "command"} - OPTIONAL
            if extra:
                errors.append(f"{where}: keys not in the schema: {sorted(extra)}")
    # Values that must hold, beyond their types.
    docs = documents(debugfs, crash, ["super", "streams", "ls /var/log"])
    if len(docs) == 3:
        view = docs[0]["view"]
        if view["fsyncs_applied"] < 1 or not view["log_replayed"]:
            errors.append(f"crash.img: super's view: {view}")
        if not docs[1]["streams"] or not any(f["applied"] for f in docs[1]["fsyncs"]):
            errors.append("crash.img: streams lists no stream or no applied fsync")
        names = {e["name"]: e for e in docs[2]["entries"]}
        odd = [e for e in docs[2]["entries"] if "name_hex" in e]
        if len(odd) != 1 or odd[0]["name_hex"] != "ff62696e":
            errors.append(f"ls: the name that is not UTF-8 has name_hex ff62696e: {odd}")
        if "ctl\x01name" not in names:
            errors.append(f"ls: a control byte is kept in the JSON string: {sorted(names)}")
    for e in errors:
        print(f"FAIL: {e}")
    if errors:
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
