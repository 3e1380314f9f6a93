"""Reading a tux3 image: the committed slot, the log, the trees, inodes, files, directories,
the bitmap and the fsync streams (man/tux3-format.5).

The image is held in memory (test images are a few MiB); changes are written back by
Image.save(). Reading is lenient: damage found on the way is appended to Volume.problems
and the walk goes on where it can, so a damaged image can still be located in and shown.
"""
import struct

from . import fmt
from .fmt import FormatError
from .hashes import crc32c


class VolumeError(Exception):
    """The image cannot be read at all (no usable superblock)."""


class NodeError(Exception):
    """A block reached by a pointer is not the expected block."""


class Image:
    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            self.data = bytearray(f.read())
        self.dirty = []

    def read(self, off, n):
        return bytes(self.data[off:off + n])

    def write(self, off, data):
        if off + len(data) > len(self.data):
            raise VolumeError(f"write at {off} beyond the end of the image")
        self.data[off:off + len(data)] = data
        self.dirty.append((off, off + len(data)))

    def save(self):
        if not self.dirty:
            return
        with open(self.path, "r+b") as f:
            for lo, hi in sorted(self.dirty):
                f.seek(lo)
                f.write(self.data[lo:hi])
        self.dirty = []


class Volume:
    """The committed state of an image, as a reader following the format sees it."""

    def __init__(self, image, slot=None):
        self.img = image if isinstance(image, Image) else Image(image)
        self.problems = []
        self.slots = []
        for s, off in enumerate(fmt.SLOT_OFFSETS):
            buf = self.img.read(off, fmt.SLOT_SIZE)
            err, kind = fmt.validate_slot(buf, s)
            sb = fmt.decode_superblock(buf) if len(buf) == fmt.SLOT_SIZE else None
            self.slots.append({"slot": s, "valid": err is None, "error": err, "kind": kind, "sb": sb})
        self.slot = self._choose_slot() if slot is None else slot
        if not self.slots[self.slot]["valid"] and slot is None:
            raise VolumeError(f"slot {self.slot} is not valid")
        self.sb = self.slots[self.slot]["sb"]
        sb = self.sb
        self.bs = 1 << sb["blockbits"]
        self.R = fmt.reserved_blocks(self.bs)
        self.vol_blocks = sb["vol_blocks"]
        self.uuid = sb["uuid"]
        self.delta = sb["delta"]
        self.seed = sb["hash_seed"]
        if len(self.img.data) < self.vol_blocks * self.bs:
            self.problems.append(f"image holds {len(self.img.data)} bytes, the volume "
                                 f"{self.vol_blocks * self.bs}")
        self.log = []          # oldest first: {"block", "header", "prev", "records", "problems"}
        self.log_damage = None  # (block, reason)
        self.bnodes = {}       # reconstructed bnodes: block -> {"owner","level","entries"} or None
        self.cycle_bnodes = set()  # created or redirected to within the cycle
        self._read_log()
        self._apply_log_bnodes()
        self._bitmap = None

    # ------------------------------------------------------------ superblock

    def _choose_slot(self):
        s0, s1 = self.slots
        valid = [s for s in self.slots if s["valid"]]
        if len(valid) == 2:
            return max(valid, key=lambda s: s["sb"]["delta"])["slot"]
        if len(valid) == 1:
            other = s1 if valid[0] is s0 else s0
            if other["kind"] == "unsupported" and other["sb"]["delta"] > valid[0]["sb"]["delta"]:
                raise VolumeError(f"slot {other['slot']} was written by a newer writer: {other['error']}")
            return valid[0]["slot"]
        if all(s["kind"] == "empty" for s in self.slots):
            raise VolumeError("not a tux3 volume (both slots never written)")
        raise VolumeError("no valid superblock: " + "; ".join(
            f"slot {s['slot']}: {s['error']}" for s in self.slots))

    @property
    def other_slot(self):
        return self.slots[1 - self.slot]

    def slot_offset(self, slot=None):
        return fmt.SLOT_OFFSETS[self.slot if slot is None else slot]

    # ------------------------------------------------------------ blocks

    def block(self, b):
        return self.img.read(b * self.bs, self.bs)

    def block_offset(self, b):
        return b * self.bs

    def header_problem(self, buf, b, magic):
        """Why buf (read from block b) is not a valid block of kind magic, or None."""
        if len(buf) != self.bs:
            return "truncated read"
        h = fmt.decode_header(buf)
        if h["magic"] != fmt.MAGICS[magic]:
            name = h["magic_name"] or f"{h['magic']:#010x}"
            return f"magic is {name}, expected {magic}"
        if not fmt.checksum_ok(buf):
            return "bad checksum"
        if h["uuid"] != self.uuid:
            return "uuid of another volume"
        if h["location"] != b:
            return f"misdirected: location field {h['location']}"
        if h["delta"] > self.delta:
            return f"delta {h['delta']} newer than the committed delta {self.delta}"
        return None

    def inside(self, b):
        return self.R <= b < self.vol_blocks

    # ------------------------------------------------------------ log

    def _read_log(self):
        b, blocks = self.sb["log_head"], []
        for _ in range(self.sb["log_count"]):
            if not self.inside(b):
                self.log_damage = (b, "log block outside the data area")
                break
            buf = self.block(b)
            why = self.header_problem(buf, b, "T3LG")
            if why:
                self.log_damage = (b, why)
                break
            d = fmt.decode_log_block(buf)
            d["block"] = b
            d["delta"] = fmt.decode_header(buf)["delta"]
            if d["problems"]:
                self.log_damage = (b, d["problems"][0])
                break
            blocks.append(d)
            b = d["prev"]
        blocks.reverse()
        self.log = blocks
        if self.log_damage:
            self.problems.append(f"log block {self.log_damage[0]}: {self.log_damage[1]}")
        else:
            self._check_log_shape()

    def log_deltas(self):
        """[(delta, [log blocks], roots fields or None, unify)] oldest first."""
        out = []
        for blk in self.log:
            for _, code, _, fields in blk["records"]:
                name = fmt.RECORDS[code][0]
                if name == "UNIFY":
                    out.append([None, [], None, True])
                elif name == "DELTA":
                    if out and out[-1][0] is None:
                        out[-1][0] = fields["delta"]
                    else:
                        out.append([fields["delta"], [], None, False])
                elif name == "ROOTS" and out:
                    out[-1][2] = fields
                if out and (not out[-1][1] or out[-1][1][-1] != blk["block"]):
                    out[-1][1].append(blk["block"])
        return [tuple(x) for x in out]

    def newest_roots(self):
        """(log block, record index, fields) of the ROOTS record of the newest delta."""
        for blk in reversed(self.log):
            for i in range(len(blk["records"]) - 1, -1, -1):
                _, code, _, fields = blk["records"][i]
                if fmt.RECORDS[code][0] == "ROOTS":
                    return blk["block"], i, fields
        return None

    def _check_log_shape(self):
        if not self.log:
            return
        current, expect_delta = None, True
        for n, blk in enumerate(self.log):
            recs = blk["records"]
            for i, (_, code, _, fields) in enumerate(recs):
                name = fmt.RECORDS[code][0]
                if expect_delta:
                    if name == "UNIFY" and n == 0 and i == 0:
                        continue
                    if name != "DELTA" or fields["delta"] != blk["delta"]:
                        self.problems.append(f"log block {blk['block']}: a delta does not begin with DELTA {blk['delta']}")
                        return
                    if current is not None and fields["delta"] <= current:
                        self.problems.append(f"log block {blk['block']}: deltas do not grow")
                        return
                    current, expect_delta = fields["delta"], False
                    continue
                if name in ("UNIFY", "DELTA"):
                    self.problems.append(f"log block {blk['block']}: {name} inside delta {current}")
                    return
                if name == "ROOTS":
                    if i != len(recs) - 1:
                        self.problems.append(f"log block {blk['block']}: ROOTS is not the last record")
                        return
                    expect_delta = True
            if blk["delta"] != current:
                self.problems.append(f"log block {blk['block']}: header delta {blk['delta']} is not {current}")
                return
        if not expect_delta:
            self.problems.append("log: the newest delta has no ROOTS")
            return
        if current != self.delta:
            self.problems.append(f"log: newest delta {current} is not the committed delta {self.delta}")
        _, _, roots = self.newest_roots()
        for f in ("itree_root", "itree_depth", "otree_root", "otree_depth", "inode_count",
                  "free_blocks", "commit_sec", "commit_nsec"):
            if roots[f] != self.sb[f]:
                self.problems.append(f"log: ROOTS {f} {roots[f]} differs from the superblock's {self.sb[f]}")

    def _bnode_disk(self, b):
        buf = self.block(b)
        why = self.header_problem(buf, b, "T3BN")
        if why:
            raise NodeError(f"bnode {b}: {why}")
        h = fmt.decode_node_header(buf)
        entries, _ = fmt.decode_bnode(buf)
        return {"owner": h["owner"], "level": h["level"], "entries": list(entries)}

    def _edit(self, b):
        if b not in self.bnodes:
            self.bnodes[b] = self._bnode_disk(b)
        node = self.bnodes[b]
        if node is None:
            raise NodeError(f"bnode {b} was freed")
        return node

    def _apply_log_bnodes(self):
        try:
            for blk in self.log:
                for _, code, _, f in blk["records"]:
                    name = fmt.RECORDS[code][0]
                    if name == "BNODE_NEW":
                        self.bnodes[f["block"]] = {"owner": f["owner"], "level": f["level"], "entries": []}
                        self.cycle_bnodes.add(f["block"])
                    elif name == "BNODE_REDIRECT":
                        old = self._edit(f["old"])
                        self.bnodes[f["new"]] = {"owner": old["owner"], "level": old["level"],
                                                 "entries": list(old["entries"])}
                        self.cycle_bnodes.add(f["new"])
                    elif name == "BNODE_ADD":
                        e = self._edit(f["bnode"])["entries"]
                        e.append((f["key"], f["child"]))
                        e.sort()
                    elif name == "BNODE_UPDATE":
                        e = self._edit(f["bnode"])["entries"]
                        for i, (k, _) in enumerate(e):
                            if k == f["key"]:
                                e[i] = (k, f["child"])
                    elif name == "BNODE_DEL":
                        e = self._edit(f["bnode"])["entries"]
                        i = [k for k, _ in e].index(f["key"])
                        del e[i:i + f["count"]]
                    elif name == "BNODE_FREE":
                        self.bnodes[f["block"]] = None
        except (NodeError, ValueError) as ex:
            self.problems.append(f"log: cannot apply bnode records: {ex}")

    # ------------------------------------------------------------ btrees

    def read_node(self, b, magic, owner, level):
        """A tree node: bnode {"entries"} or leaf {"items"}; raises NodeError."""
        if not self.inside(b):
            raise NodeError(f"node pointer {b} outside the data area")
        if level > 0 and b in self.bnodes:
            node = self.bnodes[b]
            if node is None:
                raise NodeError(f"bnode {b} was freed by the log")
            if node["owner"] != owner or node["level"] != level:
                raise NodeError(f"bnode {b}: owner {node['owner']:#x} level {node['level']}, "
                                f"expected {owner:#x} level {level}")
            return {"block": b, "level": level, "entries": node["entries"], "reconstructed": True,
                    "problems": []}
        buf = self.block(b)
        why = self.header_problem(buf, b, "T3BN" if level > 0 else magic)
        if why:
            raise NodeError(f"block {b}: {why}")
        h = fmt.decode_node_header(buf)
        problems = []
        if h["owner"] != owner:
            raise NodeError(f"block {b}: owner {h['owner']:#x}, expected {owner:#x}")
        if h["level"] != level:
            raise NodeError(f"block {b}: level {h['level']}, expected {level}")
        if h["reserved"]:
            problems.append("reserved node header word not zero")
        if level > 0:
            cap = fmt.bnode_capacity(self.bs)
            if not 1 <= h["count"] <= cap:
                raise NodeError(f"bnode {b}: count {h['count']} out of range 1..{cap}")
            entries, tail_zero = fmt.decode_bnode(buf)
            if not tail_zero:
                problems.append("bytes after the last entry not zero")
            return {"block": b, "level": level, "entries": entries, "reconstructed": False,
                    "problems": problems}
        try:
            items, lp = fmt.decode_leaf(buf)
        except FormatError as e:
            raise NodeError(f"leaf {b}: {e}")
        return {"block": b, "level": 0, "items": items, "problems": problems + lp}

    def walk(self, root, depth, owner, magic, on_node=None):
        """Yield (leaf node, path) for every leaf of a tree, in key order.

        path is [(bnode block, entry index)] from the root. Damage is appended to
        self.problems (prefixed with the tree's name) and the damaged subtree skipped.
        on_node(node, low, high) is called for every node read.
        """
        if root == 0:
            return
        tree = self.tree_name(owner)

        def rec(b, level, low, high, path):
            try:
                node = self.read_node(b, magic, owner, level)
            except NodeError as e:
                self.problems.append(f"{tree}: {e}")
                return
            for p in node["problems"]:
                self.problems.append(f"{tree}: block {b}: {p}")
            if on_node:
                on_node(node, low, high)
            if level > 0:
                keys = [k for k, _ in node["entries"]]
                if keys and keys[0] != low:
                    self.problems.append(f"{tree}: bnode {b}: first key {keys[0]} is not {low}")
                if any(a >= c for a, c in zip(keys, keys[1:])):
                    self.problems.append(f"{tree}: bnode {b}: keys not strictly ascending")
                if keys and keys[-1] >= high:
                    self.problems.append(f"{tree}: bnode {b}: last key {keys[-1]} not below {high}")
                for i, (k, child) in enumerate(node["entries"]):
                    hi = node["entries"][i + 1][0] if i + 1 < len(node["entries"]) else high
                    yield from rec(child, level - 1, k, hi, path + [(b, i)])
            else:
                keys = [k for k, _ in node["items"]]
                if any(a >= c for a, c in zip(keys, keys[1:])):
                    self.problems.append(f"{tree}: leaf {b}: keys not strictly ascending")
                if any(not low <= k < high for k in keys):
                    self.problems.append(f"{tree}: leaf {b}: key outside its range [{low}, {high})")
                yield node, path

        yield from rec(root, depth, 0, fmt.KEY_MAX, [])

    def lookup(self, root, depth, owner, magic, key):
        """(leaf node, path) of the leaf whose range holds key; raises NodeError."""
        if root == 0:
            raise NodeError("empty tree")
        b, path = root, []
        for level in range(depth, 0, -1):
            node = self.read_node(b, magic, owner, level)
            idx = None
            for i, (k, _) in enumerate(node["entries"]):
                if k <= key:
                    idx = i
            if idx is None:
                raise NodeError(f"bnode {b}: no entry for key {key}")
            path.append((b, idx))
            b = node["entries"][idx][1]
        return self.read_node(b, magic, owner, 0), path

    @staticmethod
    def tree_name(owner):
        if owner == fmt.ITREE_OWNER:
            return "inode table"
        if owner == fmt.OTREE_OWNER:
            return "orphan tree"
        return f"tree of inode {owner}"

    def tree_nodes(self, root, depth, owner, magic):
        """Every node block of a tree (bnodes and leaves)."""
        blocks = []
        for _ in self.walk(root, depth, owner, magic, on_node=lambda n, lo, hi: blocks.append(n["block"])):
            pass
        return blocks

    # ------------------------------------------------------------ inodes

    def itree(self):
        return self.sb["itree_root"], self.sb["itree_depth"]

    def inode_items(self):
        """Yield (inum, record, leaf block, item index) of every inode record."""
        root, depth = self.itree()
        for leaf, _ in self.walk(root, depth, fmt.ITREE_OWNER, "T3IL"):
            for i, (key, value) in enumerate(leaf["items"]):
                try:
                    rec = fmt.decode_inode(value)
                except FormatError as e:
                    rec = {"error": str(e), "attrs": []}
                yield key, rec, leaf["block"], i

    def find_inode(self, inum):
        """(record, leaf block, item index) or None."""
        root, depth = self.itree()
        leaf, _ = self.lookup(root, depth, fmt.ITREE_OWNER, "T3IL", inum)
        for i, (key, value) in enumerate(leaf["items"]):
            if key == inum:
                return fmt.decode_inode(value), leaf["block"], i
        return None

    def inode(self, inum):
        found = self.find_inode(inum)
        if not found:
            raise KeyError(f"inode {inum} not found")
        return found[0]

    def extents(self, inum, rec=None):
        """The mapping of a file: [{"logical","physical","count","flags","where"}].

        where is ["attr", attribute index, entry index] or ["leaf", block, item index].
        """
        rec = rec or self.inode(inum)
        out = []
        for ai, (tag, body) in enumerate(rec["attrs"]):
            if tag == fmt.ATTR_EXTENTS:
                for ei, (lg, ph, cnt, fl) in enumerate(fmt.decode_extents_attr(body)):
                    out.append({"logical": lg, "physical": ph, "count": cnt, "flags": fl,
                                "where": ["attr", ai, ei]})
        if rec["root_block"]:
            for leaf, _ in self.walk(rec["root_block"], rec["root_depth"], inum, "T3XL"):
                for i, (key, value) in enumerate(leaf["items"]):
                    try:
                        ph, cnt, fl = fmt.decode_xleaf_value(value)
                    except FormatError as e:
                        self.problems.append(f"tree of inode {inum}: leaf {leaf['block']} item {i}: {e}")
                        continue
                    out.append({"logical": key, "physical": ph, "count": cnt, "flags": fl,
                                "where": ["leaf", leaf["block"], i]})
        return out

    def file_data(self, inum, rec=None):
        rec = rec or self.inode(inum)
        size = rec["size"]
        nblocks = -(-size // self.bs)
        data = bytearray(nblocks * self.bs)
        for e in self.extents(inum, rec):
            if e["flags"] & fmt.EXTENT_UNWRITTEN:
                continue
            for j in range(e["count"]):
                lg = e["logical"] + j
                if lg < nblocks:
                    data[lg * self.bs:(lg + 1) * self.bs] = self.block(e["physical"] + j)
        return bytes(data[:size])

    def symlink_target(self, inum, rec=None):
        rec = rec or self.inode(inum)
        inline = fmt.attr_values(rec, fmt.ATTR_SYMLINK)
        return inline[0] if inline else self.file_data(inum, rec)

    @staticmethod
    def parent_of(rec):
        p = fmt.attr_values(rec, fmt.ATTR_PARENT)
        return struct.unpack(">Q", p[0])[0] if p and len(p[0]) == 8 else None

    @staticmethod
    def rdev_of(rec):
        p = fmt.attr_values(rec, fmt.ATTR_RDEV)
        return struct.unpack(">Q", p[0])[0] if p and len(p[0]) == 8 else 0

    @staticmethod
    def xattrs(rec):
        """[(full name, value, name space, stored name)] in record order."""
        out = []
        for body in fmt.attr_values(rec, fmt.ATTR_XATTR):
            ns, name, value = fmt.decode_xattr(body)
            out.append((fmt.xattr_full_name(ns, name), value, ns, name))
        return out

    # ------------------------------------------------------------ directories

    def dirents(self, dir_inum, rec=None):
        """[{"key","inum","type","name","leaf","index"}] of a directory, in key order."""
        rec = rec or self.inode(dir_inum)
        out = []
        if not rec["root_block"]:
            return out
        for leaf, _ in self.walk(rec["root_block"], rec["root_depth"], dir_inum, "T3DL"):
            for i, (key, value) in enumerate(leaf["items"]):
                try:
                    inum, typ, name = fmt.decode_dirent(value)
                except FormatError as e:
                    self.problems.append(f"directory {dir_inum}: leaf {leaf['block']} item {i}: {e}")
                    continue
                out.append({"key": key, "inum": inum, "type": typ, "name": name,
                            "leaf": leaf["block"], "index": i})
        return out

    def find_dirent(self, dir_inum, name):
        matches = [e for e in self.dirents(dir_inum) if e["name"] == name]
        if not matches:
            raise KeyError(f"no entry {name!r} in directory {dir_inum}")
        return matches[0]

    def resolve(self, path):
        inum = 2
        for part in [p for p in path.encode().split(b"/") if p]:
            inum = self.find_dirent(inum, part)["inum"]
        return inum

    def name_key(self, name, collision=0):
        return fmt.name_hash(name, self.seed) | collision

    # ------------------------------------------------------------ orphans

    def orphans(self):
        """[(inum, leaf block, index)] of the orphan tree."""
        out = []
        for leaf, _ in self.walk(self.sb["otree_root"], self.sb["otree_depth"], fmt.OTREE_OWNER, "T3OL"):
            for i, (key, value) in enumerate(leaf["items"]):
                if value:
                    self.problems.append(f"orphan tree: leaf {leaf['block']} item {i}: value not empty")
                out.append((key, leaf["block"], i))
        return out

    # ------------------------------------------------------------ bitmap

    def bitmap_map(self):
        """[(logical index, physical block)] of inode 1's mapped bitmap blocks."""
        out = []
        for e in self.extents(1):
            for j in range(e["count"]):
                out.append((e["logical"] + j, e["physical"] + j))
        return sorted(out)

    def bitmap(self):
        """The allocation state of the committed delta: a bytearray, 1 = allocated, per block.

        Read from the bitmap blocks (as of the last unify), then the log applied. Also sets
        self.bits_beyond_end (blocks >= vol_blocks whose bit is set on disk).
        """
        if self._bitmap is not None:
            return self._bitmap
        per = fmt.bits_per_bitmap_block(self.bs)
        bits = bytearray(self.vol_blocks)
        self.bits_beyond_end = []
        self.bitmap_unreadable = []  # [(first block, end)] covered by a bitmap block that fails
        for logical, b in self.bitmap_map():
            if not self.inside(b):
                self.problems.append(f"bitmap: block {b} outside the data area")
                continue
            buf = self.block(b)
            why = self.header_problem(buf, b, "T3BM")
            if why:
                self.problems.append(f"bitmap block {b}: {why}")
                self.bitmap_unreadable.append((logical * per, (logical + 1) * per))
                continue
            h = fmt.decode_bitmap_header(buf)
            if h["base"] != logical * per or h["reserved"]:
                self.problems.append(f"bitmap block {b}: base {h['base']} (expected {logical * per}) "
                                     f"or reserved word wrong")
            base = logical * per
            for j in range(self.bs - 56):
                byte = buf[56 + j]
                if not byte:
                    continue
                for k in range(8):
                    if byte >> k & 1:
                        n = base + 8 * j + k
                        if n < self.vol_blocks:
                            bits[n] = 1
                        else:
                            self.bits_beyond_end.append(n)
        self._apply_log_bitmap(bits)
        self._bitmap = bits
        return bits

    def _apply_log_bitmap(self, bits):
        def setb(b, n, v):
            for x in range(b, b + n):
                if 0 <= x < len(bits):
                    bits[x] = v
        for blk in self.log:
            setb(blk["block"], 1, 1)
            for _, code, _, f in blk["records"]:
                name = fmt.RECORDS[code][0]
                if name == "ALLOC":
                    setb(f["block"], f["count"], 1)
                elif name == "FREE":
                    setb(f["block"], f["count"], 0)
                elif name == "LEAF_REDIRECT":
                    setb(f["new"], 1, 1)
                    if f["old"]:
                        setb(f["old"], 1, 0)
                elif name in ("BNODE_NEW", "STREAM_RESERVE"):
                    setb(f["block"], 1, 1)
                elif name == "BNODE_REDIRECT":
                    setb(f["new"], 1, 1)
                elif name == "BNODE_FREE" and f["block"] in self.cycle_bnodes:
                    setb(f["block"], 1, 0)

    def log_mentions(self):
        """Blocks named by any log record or holding a log block."""
        out = set()
        for blk in self.log:
            out.add(blk["block"])
            for _, code, _, f in blk["records"]:
                name = fmt.RECORDS[code][0]
                if name in ("ALLOC", "FREE"):
                    out.update(range(f["block"], f["block"] + f["count"]))
                else:
                    for k in ("block", "old", "new", "bnode", "child"):
                        if k in f:
                            out.add(f[k])
        return out

    def bit_location(self, n):
        """Where the bit of block n is: {"bitmap_block", "logical", "byte", "bit"}."""
        per = fmt.bits_per_bitmap_block(self.bs)
        logical, r = divmod(n, per)
        phys = dict(self.bitmap_map()).get(logical)
        return {"bitmap_block": phys, "logical": logical, "byte": 56 + r // 8, "bit": r % 8,
                "offset": None if phys is None else phys * self.bs + 56 + r // 8}

    # ------------------------------------------------------------ streams

    def streams(self):
        """Every live stream: its valid blocks and where and why it ends."""
        out = []
        for i, e in enumerate(self.sb["streams"]):
            if not e["block"]:
                continue
            b, seq, tag = e["block"], e["seq"], e["delta"]
            blocks, end = [], None
            for _ in range(100000):
                why = self.stream_block_problem(b, i, seq, tag)
                if why:
                    end = {"block": b, "seq": seq, "reason": why}
                    break
                s = fmt.decode_stream_block(self.block(b))
                s["block"] = b
                blocks.append(s)
                b, seq = s["next"], seq + 1
            out.append({"stream": i, "head": e, "blocks": blocks, "end": end})
        return out

    def stream_block_problem(self, b, stream, seq, tag):
        if not self.inside(b):
            return "outside the data area"
        buf = self.block(b)
        h = fmt.decode_header(buf)
        if h["magic"] != fmt.MAGICS["T3FS"]:
            return "magic is not T3FS"
        if not fmt.checksum_ok(buf):
            return "bad checksum"
        if h["uuid"] != self.uuid:
            return "uuid of another volume"
        if h["location"] != b:
            return f"misdirected: location field {h['location']}"
        s = fmt.decode_stream_block(buf)
        if s["stream"] != stream or s["seq"] != seq or h["delta"] != tag:
            return f"stream {s['stream']} seq {s['seq']} tag {h['delta']}, expected {stream} {seq} {tag}"
        if s["extent_count"] > (self.bs - 112) // 24 or not s["tail_zero"]:
            return "extent count or tail wrong"
        if s["flags"] & ~(0x1F | fmt.CONTINUED):
            return "unknown flags"
        if not self.inside(s["next"]) or s["next"] == b:
            return f"next {s['next']} invalid"
        if s["mtime_nsec"] >= 10**9 or s["ctime_nsec"] >= 10**9:
            return "nanoseconds out of range"
        if s["flags"] & fmt.HAS_DATA_CRC and self.stream_data_crc(s) != s["data_crc"]:
            return "data_crc mismatch"
        return None

    def stream_data_crc(self, s):
        acc = b"".join(struct.pack(">I", crc32c(self.block(ph + j)))
                       for _, ph, cnt, _ in s["extents"] for j in range(cnt)
                       if ph + j < self.vol_blocks)
        return crc32c(acc)
