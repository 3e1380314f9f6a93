"""Command line of tux3img.py: show, locate, check and corrupt tux3 images.

Every locate/show command prints one JSON object; --get KEY prints one value of it
(dotted path: extents.0.physical) and --expect KEY=VALUE fails (exit 1) unless the value
matches, so generator scripts stop loudly when an image is not what they expect.
Every change command rewrites the structure it changes and reseals its checksum unless
--no-seal is given.
"""
import argparse
import json
import struct
import sys

from . import check as checkmod
from . import corrupt as cx
from . import fmt
from .volume import Volume, VolumeError, NodeError, Image


def jsonable(x):
    if isinstance(x, (bytes, bytearray)):
        try:
            s = bytes(x).decode("utf-8")
            if s.isprintable():
                return s
        except UnicodeDecodeError:
            pass
        return "hex:" + bytes(x).hex()
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    return x


def num(text):
    return int(text, 0)


def name_arg(text):
    """A name from the command line; hex:... gives raw bytes."""
    return bytes.fromhex(text[4:]) if text.startswith("hex:") else text.encode()


def inum_arg(vol, text):
    """An inode number, or a path in the volume (starting with /)."""
    return vol.resolve(text) if text.startswith("/") else int(text, 0)


def type_arg(text):
    return fmt.TYPE_NAMES[text] if text in fmt.TYPE_NAMES else int(text, 0)


# ---------------------------------------------------------------- show

def describe_sb(sb, slot):
    out = dict(sb)
    out["uuid"] = fmt.format_uuid(sb["uuid"])
    out["label"] = sb["label"].split(b"\0")[0]
    out["streams"] = [dict(e, stream=i) for i, e in enumerate(sb["streams"]) if e["block"]]
    out["slot"] = slot
    return out


def describe_inode(vol, inum, rec):
    out = {k: rec[k] for k in fmt.CORE_FIELDS}
    out["inum"] = inum
    out["type"] = fmt.inode_type(rec["mode"])
    out["mode_octal"] = f"{rec['mode']:o}"
    out["error"] = rec["error"]
    attrs = []
    for tag, body in rec["attrs"]:
        a = {"tag": tag, "name": fmt.ATTR_NAMES.get(tag, "unknown"), "length": len(body)}
        try:
            if tag in (fmt.ATTR_PARENT, fmt.ATTR_RDEV) and len(body) == 8:
                a["value"] = struct.unpack(">Q", body)[0]
            elif tag == fmt.ATTR_SYMLINK:
                a["value"] = body
            elif tag == fmt.ATTR_XATTR:
                ns, name, value = fmt.decode_xattr(body)
                a.update(ns=ns, stored_name=name, full_name=fmt.xattr_full_name(ns, name), value=value)
            elif tag == fmt.ATTR_EXTENTS:
                a["extents"] = [dict(zip(("logical", "physical", "count", "flags"), e))
                                for e in fmt.decode_extents_attr(body)]
            else:
                a["body"] = "hex:" + body.hex()
        except fmt.FormatError as e:
            a["error"] = str(e)
        attrs.append(a)
    out["attrs"] = attrs
    return out


def describe_block(vol, b):
    buf = vol.block(b)
    h = fmt.decode_header(buf)
    out = {"block": b, "magic": h["magic_name"] or f"{h['magic']:#010x}", "checksum": h["checksum"],
           "checksum_ok": fmt.checksum_ok(buf), "location": h["location"],
           "uuid": fmt.format_uuid(h["uuid"]), "delta": h["delta"]}
    m = h["magic_name"]
    if m in ("T3BN", "T3IL", "T3XL", "T3DL", "T3OL"):
        out.update(fmt.decode_node_header(buf))
        if m == "T3BN":
            out["entries"] = [{"key": k, "child": c} for k, c in fmt.decode_bnode(buf)[0]]
        else:
            try:
                items, problems = fmt.decode_leaf(buf)
            except fmt.FormatError as e:
                out["error"] = str(e)
                return out
            out["problems"] = problems
            rows = []
            for i, (k, v) in enumerate(items):
                row = {"index": i, "key": k, "length": len(v)}
                try:
                    if m == "T3IL":
                        rec = fmt.decode_inode(v)
                        row.update(type=fmt.inode_type(rec["mode"]), nlink=rec["nlink"], size=rec["size"],
                                   error=rec["error"])
                    elif m == "T3XL":
                        row.update(zip(("physical", "count", "flags"), fmt.decode_xleaf_value(v)))
                    elif m == "T3DL":
                        inum, typ, name = fmt.decode_dirent(v)
                        row.update(inum=inum, type=typ, name=name,
                                   hash_ok=(k & ~0xFF) == vol.name_key(name))
                except fmt.FormatError as e:
                    row["error"] = str(e)
                rows.append(row)
            out["items"] = rows
    elif m == "T3BM":
        out.update(fmt.decode_bitmap_header(buf))
        out["bits_set"] = sum(bin(x).count("1") for x in buf[56:])
    elif m == "T3LG":
        d = fmt.decode_log_block(buf)
        out.update(prev=d["prev"], used=d["used"], problems=d["problems"],
                   records=[{"index": i, "offset": off, "name": fmt.RECORDS[code][0], "fields": f}
                            for i, (off, code, _, f) in enumerate(d["records"])])
    elif m == "T3FS":
        s = fmt.decode_stream_block(buf)
        s["flag_names"] = fmt.stream_flag_names(s["flags"])
        s["extents"] = [dict(zip(("logical", "physical", "count", "flags"), e)) for e in s["extents"]]
        out.update(s)
    return out


def cmd_show(vol, a):
    what = a.what
    if what == "sb":
        slots = [a.arg] if a.arg is not None else [str(vol.slot), str(1 - vol.slot)]
        out = {"committed_slot": vol.slot, "slots": []}
        for s in slots:
            info = vol.slots[int(s)]
            d = describe_sb(info["sb"], int(s))
            d.update(valid=info["valid"], error=info["error"])
            out["slots"].append(d)
        return out
    if what == "block":
        return describe_block(vol, num(a.arg))
    if what == "inode":
        inum = inum_arg(vol, a.arg)
        rec, leaf, index = cx.inode_location(vol, inum)
        d = describe_inode(vol, inum, rec)
        d.update(leaf=leaf, index=index)
        return d
    if what == "dir":
        inum = inum_arg(vol, a.arg)
        return {"inum": inum, "entries": [dict(e, hash_ok=(e["key"] & ~0xFF) == vol.name_key(e["name"]))
                                          for e in vol.dirents(inum)]}
    if what == "log":
        return {"head": vol.sb["log_head"], "count": vol.sb["log_count"], "damage": vol.log_damage,
                "blocks": [describe_block(vol, blk["block"]) for blk in vol.log],
                "problems": vol.problems}
    if what == "streams":
        out = []
        for s in vol.streams():
            out.append({"stream": s["stream"], "head": s["head"], "end": s["end"],
                        "blocks": [describe_block(vol, blk["block"]) for blk in s["blocks"]]})
        return {"streams": out}
    if what == "orphans":
        return {"orphans": [{"inum": i, "leaf": b, "index": x} for i, b, x in vol.orphans()]}
    if what == "bitmap":
        bits = vol.bitmap()
        alloc = [n for n in range(vol.vol_blocks) if bits[n]]
        return {"map": vol.bitmap_map(), "allocated": len(alloc), "free": vol.vol_blocks - len(alloc),
                "allocated_ranges": checkmod.ranges(alloc), "beyond_end": vol.bits_beyond_end}
    if what == "tree":
        return {"lines": checkmod.tree_lines(vol)}
    raise SystemExit(f"tux3img: show: unknown object {what}")


# ---------------------------------------------------------------- locate

def cmd_locate(vol, a):
    what, args = a.what, a.args
    if what == "inode":
        inum = inum_arg(vol, args[0])
        rec, leaf, index = cx.inode_location(vol, inum)
        root, depth = vol.itree()
        _, path = vol.lookup(root, depth, fmt.ITREE_OWNER, "T3IL", inum)
        off, length = fmt.leaf_value_offsets(vol.block(leaf))[index]
        return {"inum": inum, "leaf": leaf, "index": index, "offset": leaf * vol.bs + off,
                "length": length, "path": path, "type": fmt.inode_type(rec["mode"])}
    if what == "path":
        inum = vol.resolve(args[0])
        rec = vol.inode(inum)
        return {"inum": inum, "type": fmt.inode_type(rec["mode"]), "nlink": rec["nlink"],
                "size": rec["size"]}
    if what == "dirent":
        d = inum_arg(vol, args[0])
        e = vol.find_dirent(d, name_arg(args[1]))
        return dict(e, dir=d, hash_ok=(e["key"] & ~0xFF) == vol.name_key(e["name"]))
    if what == "extents":
        inum = inum_arg(vol, args[0])
        rec = vol.inode(inum)
        out = {"inum": inum, "root": rec["root_block"], "depth": rec["root_depth"],
               "where": "tree" if rec["root_block"] else
               ("attr" if fmt.attr_values(rec, fmt.ATTR_EXTENTS) else "none"),
               "extents": vol.extents(inum, rec)}
        if rec["root_block"]:
            leaves = []
            magic = "T3DL" if fmt.inode_type(rec["mode"]) == "dir" else "T3XL"
            for leaf, _ in vol.walk(rec["root_block"], rec["root_depth"], inum, magic):
                leaves.append(leaf["block"])
            out["leaves"] = leaves
            out["nodes"] = vol.tree_nodes(rec["root_block"], rec["root_depth"], inum, magic)
        return out
    if what == "bitmap-block":
        n = num(args[0])
        loc = vol.bit_location(n)
        bits = vol.bitmap()
        loc["allocated"] = bool(bits[n]) if n < vol.vol_blocks else None
        return dict(loc, block=n)
    if what == "free-block":
        count = num(args[0]) if args else 1
        start = num(args[1]) if len(args) > 1 else None
        blocks = cx.free_blocks_list(vol, count, start)
        return {"blocks": blocks, "first": blocks[0]}
    if what == "itree":
        root, depth = vol.itree()
        leaves = []
        for leaf, path in vol.walk(root, depth, fmt.ITREE_OWNER, "T3IL"):
            leaves.append({"block": leaf["block"], "keys": [k for k, _ in leaf["items"]]})
        bnodes = [b for b in vol.tree_nodes(root, depth, fmt.ITREE_OWNER, "T3IL")
                  if b not in {l["block"] for l in leaves}]
        return {"root": root, "depth": depth, "bnodes": bnodes, "leaves": leaves}
    if what == "log":
        roots = vol.newest_roots()
        return {"head": vol.sb["log_head"], "count": vol.sb["log_count"],
                "blocks": [{"block": b["block"], "delta": b["delta"], "records": len(b["records"])}
                           for b in vol.log],
                "oldest": vol.log[0]["block"] if vol.log else None,
                "newest": vol.log[-1]["block"] if vol.log else None,
                "roots": {"block": roots[0], "index": roots[1], "fields": roots[2]} if roots else None,
                "damage": vol.log_damage}
    if what == "log-record":
        # log-record NAME [N]: the Nth (default 0) record of that kind, oldest first
        name, nth = args[0], num(args[1]) if len(args) > 1 else 0
        found = [(blk["block"], i, off, f) for blk in vol.log
                 for i, (off, code, _, f) in enumerate(blk["records"]) if fmt.RECORDS[code][0] == name]
        if nth >= len(found):
            raise KeyError(f"no {name} record number {nth} in the log")
        b, i, off, f = found[nth]
        return {"block": b, "index": i, "offset": b * vol.bs + off, "fields": f, "count": len(found)}
    if what == "streams":
        out = []
        for s in vol.streams():
            out.append({"stream": s["stream"], "head": s["head"]["block"],
                        "blocks": [{"block": blk["block"], "seq": blk["seq"], "inum": blk["inum"],
                                    "flags": fmt.stream_flag_names(blk["flags"]),
                                    "extents": [dict(zip(("logical", "physical", "count", "flags"), e))
                                                for e in blk["extents"]]} for blk in s["blocks"]],
                        "end": s["end"]})
        return {"streams": out, "count": len(out)}
    if what == "orphans":
        return {"orphans": [{"inum": i, "leaf": b, "index": x} for i, b, x in vol.orphans()],
                "root": vol.sb["otree_root"]}
    if what == "xattr":
        inum = inum_arg(vol, args[0])
        rec = vol.inode(inum)
        want = name_arg(args[1])
        for i, (tag, body) in enumerate(rec["attrs"]):
            if tag == fmt.ATTR_XATTR:
                ns, name, value = fmt.decode_xattr(body)
                if fmt.xattr_full_name(ns, name) == want:
                    return {"inum": inum, "attr_index": i, "ns": ns, "name": name, "value": value}
        raise KeyError(f"inode {inum} has no xattr {want!r}")
    if what == "attr":
        inum = inum_arg(vol, args[0])
        rec = vol.inode(inum)
        tag = num(args[1]) if args[1][0].isdigit() else {v: k for k, v in fmt.ATTR_NAMES.items()}[args[1]]
        idx = [i for i, (t, _) in enumerate(rec["attrs"]) if t == tag]
        if not idx:
            raise KeyError(f"inode {inum} has no attribute {args[1]}")
        return {"inum": inum, "attr_index": idx[0], "indexes": idx}
    raise SystemExit(f"tux3img: locate: unknown object {what}")


# ---------------------------------------------------------------- changes

def kv_fields(pairs):
    out = {}
    for p in pairs or []:
        k, v = p.split("=", 1)
        out[k] = int(v, 0)
    return out


def cmd_change(vol, a):
    c = a.cmd
    seal = not getattr(a, "no_seal", False)
    if c == "normalize":
        for s in (0, 1):
            if vol.slots[s]["valid"]:
                cx.set_slot_field(vol, s, "io_min", a.io_min)
                cx.set_slot_field(vol, s, "io_opt", a.io_opt)
        return {}
    if c == "sb-set":
        slot = {"committed": vol.slot, "other": 1 - vol.slot}.get(a.slot, None)
        slot = int(a.slot) if slot is None else slot
        cx.set_slot_field(vol, slot, a.field, cx.parse_value(a.field, a.value), reseal=seal)
        if a.roots:
            cx.set_roots(vol, a.field, int(a.value, 0))
        return {"slot": slot}
    if c == "roots-set":
        cx.set_roots(vol, a.field, int(a.value, 0))
        return {}
    if c == "counter":
        value = vol.sb[a.field] + int(a.delta) if a.delta[0] in "+-" else int(a.delta, 0)
        cx.set_counter(vol, a.field, value)
        return {a.field: value}
    if c == "header-set":
        cx.set_header(vol, a.block, a.field, cx.parse_value(a.field, a.value), reseal=seal)
        return {}
    if c == "poke":
        data = bytes.fromhex(a.hex) if a.hex != "zero" else bytes(a.length)
        off = a.offset if a.block is None else a.block * vol.bs + a.offset
        cx.poke(vol, off, data * (a.repeat or 1))
        return {"offset": off}
    if c == "seal":
        cx.seal_block(vol, a.block)
        return {}
    if c == "inode-set":
        inum = inum_arg(vol, a.inum)
        cx.set_inode_field(vol, inum, a.field, int(a.value, 0))
        return {"inum": inum}
    if c == "inode-adjust":
        inum = inum_arg(vol, a.inum)
        rec = vol.inode(inum)
        cx.set_inode_field(vol, inum, a.field, rec[a.field] + int(a.by))
        return {"inum": inum, a.field: rec[a.field] + int(a.by)}
    if c == "attr-set":
        inum = inum_arg(vol, a.inum)
        body = None if a.body is None else bytes.fromhex(a.body)
        cx.set_attr(vol, inum, a.index, tag=a.tag, body=body)
        return {"inum": inum}
    if c == "xattr-set":
        inum = inum_arg(vol, a.inum)
        i = cx.set_xattr(vol, inum, name_arg(a.name), ns=a.ns,
                         name=None if a.stored_name is None else name_arg(a.stored_name),
                         value=None if a.value is None else name_arg(a.value))
        return {"inum": inum, "attr_index": i}
    if c == "attr-swap":
        inum = inum_arg(vol, a.inum)
        cx.swap_attrs(vol, inum, a.i, a.j)
        return {"inum": inum}
    if c == "parent-set":
        inum = inum_arg(vol, a.inum)
        cx.set_parent(vol, inum, inum_arg(vol, a.parent))
        return {"inum": inum}
    if c == "inode-add":
        if a.copy_of:
            src = vol.inode(inum_arg(vol, a.copy_of))
            rec = dict(src)
        else:
            rec = {f: 0 for f in fmt.CORE_FIELDS}
            rec["attrs"] = []
        rec.update(kv_fields(a.set))
        leaf = cx.add_inode(vol, a.inum, fmt.encode_inode(rec))
        if a.count:
            cx.set_counter(vol, "inode_count", vol.sb["inode_count"] + 1)
        return {"inum": a.inum, "leaf": leaf}
    if c == "item-set":
        value = None if a.value is None else bytes.fromhex(a.value)
        cx.set_item(vol, a.block, a.index, key=a.key, value=value, reseal=seal)
        return {}
    if c == "item-add":
        cx.add_item(vol, a.block, a.key, bytes.fromhex(a.value), reseal=seal, sort=not a.unsorted)
        return {}
    if c == "item-del":
        cx.del_item(vol, a.block, a.index, reseal=seal)
        return {}
    if c == "bnode-swap":
        cx.swap_bnode_keys(vol, a.block, a.i, a.j, reseal=seal)
        return {}
    if c == "extent-set":
        inum = inum_arg(vol, a.inum)
        e = cx.set_extent(vol, inum, a.index, logical=a.logical, physical=a.physical, count=a.count,
                          flags=a.flags)
        return {"inum": inum, "extent": e}
    if c == "extent-add":
        inum = inum_arg(vol, a.inum)
        cx.add_extent(vol, inum, a.logical, a.physical, a.count, a.flags)
        return {"inum": inum}
    if c == "dirent-add":
        d = inum_arg(vol, a.dir)
        key = cx.add_dirent(vol, d, name_arg(a.name), inum_arg(vol, a.inum), type_arg(a.type), key=a.key,
                            adjust_size=not a.keep_size)
        return {"dir": d, "key": key}
    if c == "dirent-del":
        d = inum_arg(vol, a.dir)
        e = cx.del_dirent(vol, d, name_arg(a.name), adjust_size=not a.keep_size)
        return {"dir": d, "removed": e}
    if c == "dirent-set":
        d = inum_arg(vol, a.dir)
        key = cx.set_dirent(vol, d, name_arg(a.name),
                            new_name=None if a.new_name is None else name_arg(a.new_name),
                            inum=None if a.inum is None else inum_arg(vol, a.inum),
                            typ=None if a.type is None else type_arg(a.type),
                            rehash=not a.no_rehash, key=a.key)
        return {"dir": d, "key": key}
    if c == "bitmap-set":
        changed = cx.set_bits(vol, a.block, a.count, a.value, adjust_free=a.adjust_free)
        return {"changed": changed}
    if c == "log-record-set":
        cx.set_log_record(vol, a.block, a.index, code=a.code, fields=kv_fields(a.field), reseal=seal)
        return {}
    if c == "orphan-add":
        b = cx.add_orphan(vol, inum_arg(vol, a.inum))
        return {"leaf": b}
    if c == "stream-extent-set":
        cx.set_stream_extent(vol, a.block, a.index, physical=a.physical, logical=a.logical, count=a.count,
                             recompute_crc=not a.keep_crc)
        return {}
    if c == "stream-set":
        cx.set_stream_field(vol, a.block, a.field, int(a.value, 0), reseal=seal)
        return {}
    raise SystemExit(f"tux3img: unknown command {c}")


# ---------------------------------------------------------------- main

def get_path(obj, path):
    for part in path.split("."):
        if isinstance(obj, list):
            obj = obj[int(part)]
        else:
            obj = obj[part]
    return obj


def build_parser():
    p = argparse.ArgumentParser(prog="tux3img.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    def image_cmd(name, help_text):
        s = sub.add_parser(name, help=help_text)
        s.add_argument("image")
        return s

    def out_opts(s):
        s.add_argument("--get", help="print only this value (dotted path)")
        s.add_argument("--expect", action="append", help="KEY=VALUE: fail unless it holds")

    s = image_cmd("show", "decode and print a structure as JSON")
    s.add_argument("what", choices=["sb", "block", "inode", "dir", "log", "streams", "orphans", "bitmap", "tree"])
    s.add_argument("arg", nargs="?")
    out_opts(s)
    s = image_cmd("locate", "find a structure; JSON")
    s.add_argument("what", choices=["inode", "path", "dirent", "extents", "bitmap-block", "free-block", "itree",
                                    "log", "log-record", "streams", "orphans", "xattr", "attr"])
    s.add_argument("args", nargs="*")
    out_opts(s)
    s = image_cmd("check", "independent consistency check; exit 1 on problems")
    s.add_argument("--quiet-info", action="store_true", help="omit info: lines")
    s = image_cmd("tree", "list the tree as tux3-inspect IMAGE tree does")
    s = sub.add_parser("selftest", help="check this reader against tux3-inspect on a fresh image")
    s.add_argument("build_dir")
    s.add_argument("--keep", help="keep the work directory here")

    def change(name, help_text, seal_opt=True):
        s = image_cmd(name, help_text)
        if seal_opt:
            s.add_argument("--no-seal", action="store_true", help="do not recompute the checksum")
        return s

    s = change("normalize", "set io_min/io_opt of both valid slots (mkfs takes them from the host)", False)
    s.add_argument("--io-min", type=num, default=4096)
    s.add_argument("--io-opt", type=num, default=0)
    s = change("sb-set", "set a superblock field (FIELD or stream.I.block|seq|delta)")
    s.add_argument("field")
    s.add_argument("value")
    s.add_argument("--slot", default="committed", help="committed, other, 0 or 1")
    s.add_argument("--roots", action="store_true", help="also set it in the newest ROOTS record")
    s = change("roots-set", "set a field of the newest ROOTS record", False)
    s.add_argument("field")
    s.add_argument("value")
    s = change("counter", "set free_blocks or inode_count in the slot and ROOTS alike (+N/-N relative)", False)
    s.add_argument("field", choices=["free_blocks", "inode_count"])
    s.add_argument("delta")
    s = change("header-set", "set a common header field of a block (magic, location, uuid, delta, checksum)")
    s.add_argument("block", type=num)
    s.add_argument("field", choices=list(cx.HEADER_FIELDS))
    s.add_argument("value")
    s = change("poke", "overwrite bytes, never resealed (HEX or 'zero' with --length)", False)
    s.add_argument("offset", type=num, help="byte offset in the image, or in --block")
    s.add_argument("hex")
    s.add_argument("--block", type=num)
    s.add_argument("--length", type=num, default=1)
    s.add_argument("--repeat", type=num)
    s = change("seal", "recompute a block's checksum", False)
    s.add_argument("block", type=num)
    s = change("inode-set", "set a core field of an inode record")
    s.add_argument("inum")
    s.add_argument("field", choices=list(fmt.CORE_FIELDS))
    s.add_argument("value")
    s = change("inode-adjust", "add to a core field of an inode record")
    s.add_argument("inum")
    s.add_argument("field", choices=list(fmt.CORE_FIELDS))
    s.add_argument("by")
    s = change("attr-set", "change an attribute's tag and/or body (hex) in place")
    s.add_argument("inum")
    s.add_argument("index", type=num)
    s.add_argument("--tag", type=num)
    s.add_argument("--body")
    s = change("xattr-set", "change an xattr (by full name): its name space, stored name or value")
    s.add_argument("inum")
    s.add_argument("name")
    s.add_argument("--ns", type=num)
    s.add_argument("--stored-name")
    s.add_argument("--value")
    s = change("attr-swap", "swap two attributes of an inode record")
    s.add_argument("inum")
    s.add_argument("i", type=num)
    s.add_argument("j", type=num)
    s = change("parent-set", "set a directory's PARENT")
    s.add_argument("inum")
    s.add_argument("parent")
    s = change("inode-add", "insert an inode record")
    s.add_argument("inum", type=num)
    s.add_argument("--copy-of", help="start from this inode's record")
    s.add_argument("--set", action="append", help="FIELD=VALUE of the core")
    s.add_argument("--count", action="store_true", help="also raise inode_count (slot and ROOTS)")
    s = change("item-set", "change a leaf item's key and/or value (hex)")
    s.add_argument("block", type=num)
    s.add_argument("index", type=num)
    s.add_argument("--key", type=num)
    s.add_argument("--value")
    s = change("item-add", "insert a leaf item")
    s.add_argument("block", type=num)
    s.add_argument("key", type=num)
    s.add_argument("value")
    s.add_argument("--unsorted", action="store_true", help="append at the end, out of key order")
    s = change("item-del", "remove a leaf item")
    s.add_argument("block", type=num)
    s.add_argument("index", type=num)
    s = change("bnode-swap", "swap the keys of two bnode entries (children stay)")
    s.add_argument("block", type=num)
    s.add_argument("i", type=num)
    s.add_argument("j", type=num)
    s = change("extent-set", "change one extent of a file (attribute or tree)")
    s.add_argument("inum")
    s.add_argument("index", type=num)
    for f in ("logical", "physical", "count", "flags"):
        s.add_argument("--" + f, type=num)
    s = change("extent-add", "add an extent to a file")
    s.add_argument("inum")
    s.add_argument("logical", type=num)
    s.add_argument("physical", type=num)
    s.add_argument("count", type=num)
    s.add_argument("--flags", type=num, default=0)
    s = change("dirent-add", "add a directory entry (key from the name's hash unless --key)")
    s.add_argument("dir")
    s.add_argument("name")
    s.add_argument("inum")
    s.add_argument("type")
    s.add_argument("--key", type=num)
    s.add_argument("--keep-size", action="store_true", help="leave the directory's size (entry count)")
    s = change("dirent-del", "remove a directory entry")
    s.add_argument("dir")
    s.add_argument("name")
    s.add_argument("--keep-size", action="store_true")
    s = change("dirent-set", "change an entry's name, inode or type")
    s.add_argument("dir")
    s.add_argument("name")
    s.add_argument("--new-name")
    s.add_argument("--inum")
    s.add_argument("--type")
    s.add_argument("--key", type=num)
    s.add_argument("--no-rehash", action="store_true", help="keep the old key for a new name")
    s = change("bitmap-set", "set or clear the bits of blocks on disk")
    s.add_argument("block", type=num)
    s.add_argument("value", type=int, choices=[0, 1])
    s.add_argument("--count", type=num, default=1)
    s.add_argument("--adjust-free", action="store_true", help="keep free_blocks consistent")
    s = change("log-record-set", "change a log record's code and/or fields")
    s.add_argument("block", type=num)
    s.add_argument("index", type=num)
    s.add_argument("--code", type=num)
    s.add_argument("--field", action="append", help="NAME=VALUE")
    s = change("orphan-add", "add an inode to the orphan tree (a new leaf if empty)", False)
    s.add_argument("inum")
    s = change("stream-extent-set", "change an extent of a stream block (data_crc recomputed)", False)
    s.add_argument("block", type=num)
    s.add_argument("index", type=num)
    for f in ("logical", "physical", "count"):
        s.add_argument("--" + f, type=num)
    s.add_argument("--keep-crc", action="store_true")
    s = change("stream-set", "set a field of a stream block")
    s.add_argument("block", type=num)
    s.add_argument("field", choices=list(fmt.STREAM_FIELD_OFFSETS))
    s.add_argument("value")
    return p


def main(argv=None):
    a = build_parser().parse_args(argv)
    try:
        if a.cmd == "selftest":
            from . import selftest
            return selftest.run(a.build_dir, a.keep)
        vol = Volume(Image(a.image))
        if a.cmd in ("show", "locate"):
            out = jsonable((cmd_show if a.cmd == "show" else cmd_locate)(vol, a))
            for e in a.expect or []:
                k, want = e.split("=", 1)
                got = get_path(out, k)
                if str(got) != want:
                    print(f"tux3img: {a.cmd} {a.what}: {k} is {got}, expected {want}", file=sys.stderr)
                    return 1
            if a.get:
                val = get_path(out, a.get)
                print(json.dumps(val) if isinstance(val, (dict, list)) else val)
            else:
                print(json.dumps(out, indent=1))
            return 0
        if a.cmd == "check":
            problems = checkmod.check(vol)
            if a.quiet_info:
                problems = [x for x in problems if not x.startswith("info:")]
            for x in problems:
                print(x)
            return 1 if any(not x.startswith("info:") for x in problems) else 0
        if a.cmd == "tree":
            for line in checkmod.tree_lines(vol):
                print(line)
            return 0
        out = cmd_change(vol, a)
        vol.img.save()
        if out:
            print(json.dumps(jsonable(out)))
        return 0
    except (VolumeError, NodeError, KeyError, IndexError, ValueError, cx.CorruptError, fmt.FormatError) as e:
        print(f"tux3img: {a.cmd}: {e}", file=sys.stderr)
        return 1
