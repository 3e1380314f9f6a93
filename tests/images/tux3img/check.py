"""An independent consistency check of a tux3 image, written from man/tux3-format.5.

It is not fsck: it reports (never repairs), and exists so the corpus generators can
prove that each image holds the damage it is meant to hold and nothing else.
"""
import struct
from collections import Counter, defaultdict

from . import fmt
from .fmt import FormatError
from .hashes import xxh64


def check(vol):
    """A list of problem strings (empty: consistent)."""
    c = Checker(vol)
    c.run()
    return c.problems


class Checker:
    def __init__(self, vol):
        self.vol = vol
        self.problems = []
        self.owner_of = {}  # block -> what uses it

    def p(self, text):
        self.problems.append(text)

    def use(self, b, count, what):
        v = self.vol
        for x in range(b, b + count):
            if not v.inside(x):
                self.p(f"{what}: block {x} outside the data area")
                continue
            if x in self.owner_of:
                self.p(f"block {x} used twice: {self.owner_of[x]} and {what}")
            else:
                self.owner_of[x] = what

    def run(self):
        v = self.vol
        self.check_slots()
        self.p_all(v.problems)  # found while opening (log)
        self.check_streams()
        for r in range(v.R):
            self.owner_of[r] = "reserved area"
        for blk in v.log:
            self.use(blk["block"], 1, "log")
        nodes_before = len(v.problems)
        inodes = {}
        root, depth = v.itree()
        for leaf, _ in v.walk(root, depth, fmt.ITREE_OWNER, "T3IL",
                              on_node=lambda n, lo, hi: self.use(n["block"], 1, "inode table node")):
            for i, (inum, value) in enumerate(leaf["items"]):
                try:
                    rec = fmt.decode_inode(value)
                except FormatError as e:
                    self.p(f"inode {inum}: {e}")
                    continue
                if rec["error"]:
                    self.p(f"inode {inum}: record undecodable: {rec['error']}")
                    continue
                inodes[inum] = rec
        self.inodes = inodes
        self.p_all(v.problems[nodes_before:])
        if len(inodes) != v.sb["inode_count"] and not any("inode table" in x for x in self.problems):
            self.p(f"inode_count {v.sb['inode_count']} but the inode table holds {len(inodes)} records")
        for inum in sorted(inodes):
            self.check_inode(inum, inodes[inum])
        self.check_namespace()
        self.check_orphans()
        self.check_bitmap()
        self.p_all(v.problems)  # anything the reader noticed on the way and not yet reported

    def p_all(self, items):
        for x in items:
            if x not in self.problems:
                self.problems.append(x)

    # ---------------------------------------------------------------- slots, log, streams

    def check_slots(self):
        v = self.vol
        other = v.other_slot
        if not other["valid"]:
            self.p(f"superblock slot {other['slot']} not valid: {other['error']}")
            return
        a, b = v.sb, other["sb"]
        for f in ("uuid", "blockbits", "vol_blocks"):
            if a[f] != b[f]:
                self.p(f"superblock slots disagree on {f}")
        if b["hash_seed"] != a["hash_seed"]:
            self.p("superblock slots disagree on hash_seed")
        if a["hash_seed"] != fmt.hash_seed_of(a["uuid"]):
            self.p("hash_seed is not derived from the uuid (allowed, but unusual)")

    def check_streams(self):
        v = self.vol
        bits = v.bitmap() if not v.log_damage else None
        for s in v.streams():
            for blk in s["blocks"]:
                self.use(blk["block"], 1, f"stream {s['stream']}")
                for lg, ph, cnt, _ in blk["extents"]:
                    used = [b for b in range(ph, ph + cnt) if b < v.vol_blocks and bits and bits[b]]
                    if used:
                        self.p(f"stream {s['stream']} block {blk['block']} (seq {blk['seq']}, inode "
                               f"{blk['inum']}) maps logical {lg} to block {used[0]}, allocated in the "
                               f"committed delta")
            self.p(f"info: stream {s['stream']} live: {len(s['blocks'])} valid blocks, "
                   f"ends at {s['end']['block']}: {s['end']['reason']}")

    # ---------------------------------------------------------------- inodes

    def check_inode(self, inum, rec):
        v = self.vol
        t = rec["mode"] & fmt.S_IFMT
        kind = fmt.inode_type(rec["mode"])
        w = f"inode {inum}"
        if 3 <= inum <= 15:
            self.p(f"{w}: reserved inode number present")
        if inum == 0 or inum >= 1 << 48:
            self.p(f"{w}: inode number out of range")
        if kind == "invalid" or rec["mode"] & ~0o177777:
            self.p(f"{w}: invalid mode {rec['mode']:o}")
        if rec["nlink"] > 65000:
            self.p(f"{w}: nlink {rec['nlink']} above 65000")
        for f in ("atime_nsec", "mtime_nsec", "ctime_nsec", "btime_nsec"):
            if rec[f] >= 10**9:
                self.p(f"{w}: {f} not below 10^9")
        if rec["flags"] & ~7:
            self.p(f"{w}: invalid flags {rec['flags']:#x}")
        if rec["root_depth"] > 8 or (not rec["root_block"] and rec["root_depth"]) or rec["reserved"]:
            self.p(f"{w}: root depth or reserved field wrong")
        tags = [a for a, _ in rec["attrs"]]
        if any(a not in fmt.ATTR_NAMES for a in tags):
            self.p(f"{w}: unknown attribute tag")
        if tags != sorted(tags) or any(x == y and x != fmt.ATTR_XATTR for x, y in zip(tags, tags[1:])):
            self.p(f"{w}: attributes out of order or repeated")
        has = Counter(tags)
        if (has[fmt.ATTR_RDEV] > 0) != (kind in ("chr", "blk")):
            self.p(f"{w}: RDEV presence wrong for a {kind}")
        if (has[fmt.ATTR_PARENT] > 0) != (kind == "dir"):
            self.p(f"{w}: PARENT presence wrong for a {kind}")
        if has[fmt.ATTR_SYMLINK] and kind != "symlink":
            self.p(f"{w}: SYMLINK on a {kind}")
        if has[fmt.ATTR_EXTENTS] and (kind not in ("file", "symlink") or has[fmt.ATTR_SYMLINK] or rec["root_block"]):
            self.p(f"{w}: EXTENTS not allowed here")
        for tag, body in rec["attrs"]:
            if tag in (fmt.ATTR_RDEV, fmt.ATTR_PARENT) and len(body) != 8:
                self.p(f"{w}: {fmt.ATTR_NAMES[tag]} length {len(body)}")
            if tag == fmt.ATTR_PARENT and len(body) == 8 and not 1 <= struct.unpack(">Q", body)[0] < 1 << 48:
                self.p(f"{w}: PARENT out of range")
            if tag == fmt.ATTR_SYMLINK and not 1 <= len(body) <= 255:
                self.p(f"{w}: SYMLINK length {len(body)}")
        self.check_xattrs(w, rec)
        if kind == "symlink":
            if not 1 <= rec["size"] <= 4095:
                self.p(f"{w}: symlink size {rec['size']} out of range")
            inline = fmt.attr_values(rec, fmt.ATTR_SYMLINK)
            if inline and len(inline[0]) != rec["size"]:
                self.p(f"{w}: symlink size {rec['size']} but the inline target has {len(inline[0])} bytes")
            if inline and rec["root_block"]:
                self.p(f"{w}: inline symlink with an extent tree")
        if kind in ("chr", "blk", "fifo", "sock") and (rec["root_block"] or rec["size"] or rec["blocks"]):
            self.p(f"{w}: special file with data")
        if kind in ("file", "symlink") or inum == 1:
            self.check_extents(inum, rec, w)
        elif kind == "dir":
            if rec["root_block"]:
                for n in v.tree_nodes(rec["root_block"], rec["root_depth"], inum, "T3DL"):
                    self.use(n, 1, f"directory {inum} node")
        elif rec["blocks"]:
            self.p(f"{w}: blocks {rec['blocks']} on a file without extents")

    def check_xattrs(self, w, rec):
        keys = []
        for body in fmt.attr_values(rec, fmt.ATTR_XATTR):
            try:
                ns, name, _ = fmt.decode_xattr(body)
            except FormatError as e:
                self.p(f"{w}: {e}")
                continue
            if ns not in fmt.XATTR_PREFIX:
                self.p(f"{w}: xattr name space {ns} unknown")
            elif ns in (4, 5) and name:
                self.p(f"{w}: ACL xattr with a stored name")
            elif ns not in (4, 5) and (not name or b"\0" in name):
                self.p(f"{w}: xattr name empty or holding NUL")
            keys.append((ns, name))
        if any(a >= b for a, b in zip(keys, keys[1:])):
            self.p(f"{w}: xattrs out of order or duplicated")

    def check_extents(self, inum, rec, w):
        v = self.vol
        before = len(v.problems)
        if rec["root_block"]:
            for n in v.tree_nodes(rec["root_block"], rec["root_depth"], inum, "T3XL"):
                self.use(n, 1, f"extent tree of {inum}")
        try:
            ext = v.extents(inum, rec)
        except FormatError as e:
            self.p(f"{w}: {e}")
            return
        self.p_all(v.problems[before:])
        total, last_end = 0, None
        nblocks = -(-rec["size"] // v.bs)
        attr_ext = [e for e in ext if e["where"][0] == "attr"]
        if len(attr_ext) > 4:
            self.p(f"{w}: more than 4 extents in the EXTENTS attribute")
        for e in sorted(ext, key=lambda e: e["logical"]):
            total += e["count"]
            if e["count"] == 0 or e["flags"] & ~1:
                self.p(f"{w}: extent at {e['logical']}: count 0 or bad flags")
                continue
            if e["logical"] + e["count"] > 1 << 48:
                self.p(f"{w}: extent at {e['logical']} ends beyond 2^48")
            if e["physical"] < v.R or e["physical"] + e["count"] > v.vol_blocks:
                self.p(f"{w}: extent at logical {e['logical']} maps blocks {e['physical']}.."
                       f"{e['physical'] + e['count'] - 1} outside the data area")
            else:
                self.use(e["physical"], e["count"], f"data of inode {inum}")
            if last_end is not None and e["logical"] < last_end:
                self.p(f"{w}: extents overlap at logical {e['logical']}")
            last_end = e["logical"] + e["count"]
            if not e["flags"] & fmt.EXTENT_UNWRITTEN and e["logical"] + e["count"] > nblocks and inum != 1:
                self.p(f"{w}: written extent at logical {e['logical']} (count {e['count']}) past the size {rec['size']}")
        if total != rec["blocks"]:
            self.p(f"{w}: blocks {rec['blocks']} but its extents map {total}")

    # ---------------------------------------------------------------- namespace

    def check_namespace(self):
        v, inodes = self.vol, self.inodes
        named = defaultdict(list)   # inum -> [(dir, name)]
        children = defaultdict(list)
        for d in sorted(i for i, r in inodes.items() if fmt.inode_type(r["mode"]) == "dir"):
            before = len(v.problems)
            ents = v.dirents(d, inodes[d])
            self.p_all(v.problems[before:])
            names = Counter(e["name"] for e in ents)
            for n, k in names.items():
                if k > 1:
                    self.p(f"directory {d}: {k} entries named {n!r}")
            if inodes[d]["size"] != len(ents):
                self.p(f"directory {d}: size {inodes[d]['size']} but {len(ents)} entries (convention)")
            for e in ents:
                w = f"directory {d} entry {e['name']!r}"
                name = e["name"]
                if not 1 <= len(name) <= 255 or b"/" in name or b"\0" in name or name in (b".", b".."):
                    self.p(f"{w}: invalid name")
                if e["key"] >> 63 or (e["key"] & ~0xFF) != v.name_key(name):
                    self.p(f"{w}: key {e['key']:#x} does not match the name's hash {v.name_key(name):#x}")
                if e["inum"] not in inodes:
                    self.p(f"{w}: names missing inode {e['inum']}")
                    continue
                if e["inum"] in (1, 2):
                    self.p(f"{w}: names special inode {e['inum']}")
                t = fmt.TYPES.get(inodes[e["inum"]]["mode"] & fmt.S_IFMT, (None, None))[1]
                if e["type"] != t:
                    self.p(f"{w}: type {e['type']} but inode {e['inum']} has type {t}")
                named[e["inum"]].append((d, name))
                if t == 2:
                    children[d].append(e["inum"])
        orphans = {o for o, _, _ in v.orphans()} if v.sb["otree_root"] else set()
        for inum, rec in sorted(inodes.items()):
            if inum == 1:
                continue
            kind = fmt.inode_type(rec["mode"])
            refs = named.get(inum, [])
            if kind == "dir":
                parent = v.parent_of(rec)
                subdirs = len(children.get(inum, []))
                if rec["nlink"] != 2 + subdirs:
                    self.p(f"directory {inum}: nlink {rec['nlink']}, expected {2 + subdirs}")
                if inum == 2:
                    if refs:
                        self.p("root directory named by an entry")
                    if parent != 2:
                        self.p(f"root directory PARENT is {parent}")
                    continue
                if len(refs) != 1:
                    self.p(f"directory {inum}: named by {len(refs)} entries")
                if refs and parent != refs[0][0]:
                    self.p(f"directory {inum}: PARENT {parent} but named in directory {refs[0][0]}")
                if parent not in inodes or fmt.inode_type(inodes[parent]["mode"]) != "dir":
                    self.p(f"directory {inum}: PARENT {parent} is not a directory")
            else:
                if rec["nlink"] != len(refs) and not (rec["nlink"] == 0 and inum in orphans):
                    self.p(f"inode {inum}: nlink {rec['nlink']} but {len(refs)} entries name it")
                if not refs and inum not in orphans:
                    self.p(f"inode {inum}: not named by any entry")
        # reachability from the root
        seen, todo = {2}, [2]
        while todo:
            d = todo.pop()
            for c in children.get(d, []):
                if c not in seen:
                    seen.add(c)
                    todo.append(c)
        for inum, rec in sorted(inodes.items()):
            if fmt.inode_type(rec["mode"]) == "dir" and inum not in seen:
                self.p(f"directory {inum}: not reachable from the root")
        self.named = named

    def check_orphans(self):
        v = self.vol
        if not v.sb["otree_root"]:
            return
        for n in v.tree_nodes(v.sb["otree_root"], v.sb["otree_depth"], fmt.OTREE_OWNER, "T3OL"):
            self.use(n, 1, "orphan tree node")
        for inum, _, _ in v.orphans():
            rec = self.inodes.get(inum)
            if rec is None:
                self.p(f"orphan {inum}: no such inode")
            elif rec["nlink"] != 0:
                self.p(f"orphan {inum}: nlink {rec['nlink']}, not 0")
            if self.named.get(inum):
                self.p(f"orphan {inum}: named by a directory entry")
            else:
                self.p(f"info: orphan {inum} pending destruction")

    # ---------------------------------------------------------------- bitmap

    def check_bitmap(self):
        v = self.vol
        if v.log_damage:
            return  # the allocation state of the committed delta cannot be rebuilt
        before = len(v.problems)
        bits = v.bitmap()
        self.p_all(v.problems[before:])
        pending = set()  # kept allocated until the next unify (live log)
        for blk in v.log:
            for _, code, _, f in blk["records"]:
                name = fmt.RECORDS[code][0]
                if name == "BNODE_REDIRECT":
                    pending.add(f["old"])
                elif name == "BNODE_FREE" and f["block"] not in v.cycle_bnodes:
                    pending.add(f["block"])
                elif name == "STREAM_RESERVE":
                    pending.add(f["block"])
        if v.bits_beyond_end:
            self.p(f"bitmap: {len(v.bits_beyond_end)} bits set beyond the volume end "
                   f"(first {v.bits_beyond_end[0]})")
        unknown = set()
        for lo, hi in v.bitmap_unreadable:
            unknown.update(range(lo, min(hi, v.vol_blocks)))
        leaked = [n for n in range(v.vol_blocks)
                  if bits[n] and n not in self.owner_of and n not in pending and n not in unknown]
        unmarked = sorted(n for n in self.owner_of if n < v.vol_blocks and not bits[n] and n not in unknown)
        if leaked:
            self.p(f"bitmap: {len(leaked)} blocks allocated but unused: {ranges(leaked)}")
        for n in unmarked:
            self.p(f"bitmap: block {n} ({self.owner_of[n]}) in use but marked free")
        free = v.vol_blocks - sum(bits)
        if free != v.sb["free_blocks"] and not unknown:
            self.p(f"free_blocks {v.sb['free_blocks']} but the bitmap has {free} free")


def ranges(ns):
    out, start, prev = [], None, None
    for n in ns:
        if start is None:
            start = prev = n
        elif n == prev + 1:
            prev = n
        else:
            out.append(f"{start}-{prev}" if prev > start else str(start))
            start = prev = n
    if start is not None:
        out.append(f"{start}-{prev}" if prev > start else str(start))
    return ",".join(out)


# ---------------------------------------------------------------- tux3-inspect-like listing

def tree_lines(vol):
    """PATH TYPE MODE UID:GID NLINK SIZE MTIME CONTENT [xattr=...], sorted, as tux3-inspect tree."""
    lines = {}

    def walk(inum, path):
        rec = vol.inode(inum)
        t = rec["mode"] & fmt.S_IFMT
        kind = fmt.inode_type(rec["mode"])
        if kind == "file":
            content = f"{xxh64(vol.file_data(inum, rec), 0):016x}"
        elif kind == "symlink":
            content = vol.symlink_target(inum, rec).decode("utf-8", "replace")
        elif kind == "dir":
            content = ""
        else:
            rdev = vol.rdev_of(rec)
            content = f"{rdev >> 32}:{rdev & 0xffffffff}"
        p = path or b"/"
        line = (f"{p.decode('utf-8', 'replace')} {kind} {rec['mode'] & 0o7777:04o} {rec['uid']}:{rec['gid']} "
                f"{rec['nlink']} {0 if t == 0o040000 else rec['size']} {rec['mtime_sec']}.{rec['mtime_nsec']:09d} {content}")
        for name, value, _, _ in sorted(vol.xattrs(rec)):
            line += f" xattr={name.decode('utf-8', 'replace')}:{value.hex()}"
        lines[p] = line
        if kind == "dir":
            for e in vol.dirents(inum, rec):
                walk(e["inum"], path + b"/" + e["name"])

    walk(2, b"")
    return [lines[k] for k in sorted(lines)]
