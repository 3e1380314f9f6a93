"""Codecs for every tux3 on-disk structure (man/tux3-format.5), as plain functions.

Decoders take bytes and return dicts (or lists of tuples); encoders write into a
bytearray. Nothing here reads an image: see volume.py.
"""
import struct

from .hashes import crc32c, xxh64

SLOT_OFFSETS = (4096, 8192)
SLOT_SIZE = 4096
NONE = 0
KEY_MAX = (1 << 64) - 1

MAGICS = {
    "tux3": 0x74757833, "T3BN": 0x5433424E, "T3IL": 0x5433494C, "T3XL": 0x5433584C,
    "T3DL": 0x5433444C, "T3OL": 0x54334F4C, "T3BM": 0x5433424D, "T3LG": 0x54334C47,
    "T3FS": 0x54334653,
}
MAGIC_NAMES = {v: k for k, v in MAGICS.items()}

ITREE_OWNER = 0x8000000000000001
OTREE_OWNER = 0x8000000000000002

HASH_SEED_SEED = 0x7475783368617368  # "tux3hash"

STATE_CLEAN, STATE_ERRORS = 1, 2
INCOMPAT_STREAMS = 1

# File types: mode bits -> (name, entry type code)
S_IFMT = 0o170000
TYPES = {
    0o100000: ("file", 1), 0o040000: ("dir", 2), 0o020000: ("chr", 3), 0o060000: ("blk", 4),
    0o010000: ("fifo", 5), 0o140000: ("sock", 6), 0o120000: ("symlink", 7),
}
TYPE_CODES = {code: fmt for fmt, (_, code) in TYPES.items()}
TYPE_NAMES = {name: code for _, (name, code) in TYPES.items()}

# Inode attributes
ATTR_RDEV, ATTR_PARENT, ATTR_SYMLINK, ATTR_XATTR, ATTR_EXTENTS = 1, 2, 3, 4, 5
ATTR_NAMES = {1: "RDEV", 2: "PARENT", 3: "SYMLINK", 4: "XATTR", 5: "EXTENTS"}
XATTR_PREFIX = {1: b"user.", 2: b"trusted.", 3: b"security.", 4: b"system.posix_acl_access",
                5: b"system.posix_acl_default", 6: b"system."}

EXTENT_UNWRITTEN = 1

# Log records: code -> (name, struct format of the fields, field names)
RECORDS = {
    0x01: ("ALLOC", ">QI", ("block", "count")),
    0x02: ("FREE", ">QI", ("block", "count")),
    0x03: ("LEAF_REDIRECT", ">QQ", ("old", "new")),
    0x04: ("BNODE_NEW", ">QQH", ("block", "owner", "level")),
    0x05: ("BNODE_REDIRECT", ">QQ", ("old", "new")),
    0x06: ("BNODE_ADD", ">QQQ", ("bnode", "key", "child")),
    0x07: ("BNODE_UPDATE", ">QQQ", ("bnode", "key", "child")),
    0x08: ("BNODE_DEL", ">QQH", ("bnode", "key", "count")),
    0x09: ("BNODE_FREE", ">Q", ("block",)),
    0x0a: ("UNIFY", ">", ()),
    0x0b: ("DELTA", ">Q", ("delta",)),
    0x0c: ("STREAM_RESERVE", ">HQ", ("stream", "block")),
    0x0d: ("STREAM_RETIRE", ">HQ", ("stream", "seq")),
    0x0e: ("ROOTS", ">QHQHQQqI", ("itree_root", "itree_depth", "otree_root", "otree_depth",
                                  "inode_count", "free_blocks", "commit_sec", "commit_nsec")),
}
RECORD_CODES = {name: code for code, (name, _, _) in RECORDS.items()}


def record_size(code):
    return 2 + struct.calcsize(RECORDS[code][1])


STREAM_FLAGS = {0: "HAS_SIZE", 1: "HAS_MTIME", 2: "HAS_CTIME", 3: "HAS_MODE", 4: "HAS_DATA_CRC",
                15: "CONTINUED"}
HAS_SIZE, HAS_MTIME, HAS_CTIME, HAS_MODE, HAS_DATA_CRC, CONTINUED = 1, 2, 4, 8, 16, 0x8000


class FormatError(Exception):
    """A structure that cannot be decoded."""


def reserved_blocks(block_size):
    """R: the number of blocks covering the boot area and both slots."""
    return -(-12288 // block_size)


def max_leaf_value(block_size):
    return (block_size - 56) // 2 - 10


def bits_per_bitmap_block(block_size):
    return (block_size - 56) * 8


def hash_seed_of(uuid):
    return xxh64(uuid, HASH_SEED_SEED)


def name_hash(name, seed):
    """The key of a directory entry with collision index 0."""
    return (xxh64(name, seed) >> 9) << 8


# ---------------------------------------------------------------- common header

HEADER = struct.Struct(">II Q 16s Q")  # magic, checksum, location, uuid, delta


def decode_header(buf):
    magic, checksum, location, uuid, delta = HEADER.unpack_from(buf, 0)
    return {"magic": magic, "magic_name": MAGIC_NAMES.get(magic), "checksum": checksum,
            "location": location, "uuid": uuid, "delta": delta}


def compute_checksum(buf):
    return crc32c(bytes(buf[8:]), crc32c(bytes(buf[:4]) + b"\0\0\0\0"))


def checksum_ok(buf):
    return struct.unpack_from(">I", buf, 4)[0] == compute_checksum(buf)


def seal(buf):
    """Store the checksum of buf (a bytearray holding a whole block or slot)."""
    struct.pack_into(">I", buf, 4, compute_checksum(buf))


def encode_header(buf, magic, location, uuid, delta):
    HEADER.pack_into(buf, 0, magic, 0, location, uuid, delta)


def format_uuid(u):
    h = u.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def parse_uuid(text):
    h = text.replace("-", "")
    if len(h) != 32:
        raise ValueError(f"bad uuid {text!r}")
    return bytes.fromhex(h)


# ---------------------------------------------------------------- superblock

# name -> (offset, struct format); the header fields first.
SB_FIELDS = {
    "magic": (0, ">I"), "checksum": (4, ">I"), "location": (8, ">Q"), "uuid": (16, "16s"),
    "delta": (32, ">Q"), "version": (40, ">H"), "blockbits": (42, ">H"), "state": (44, ">H"),
    "stream_count": (46, ">H"), "feature_compat": (48, ">Q"), "feature_ro_compat": (56, ">Q"),
    "feature_incompat": (64, ">Q"), "vol_blocks": (72, ">Q"), "free_blocks": (80, ">Q"),
    "inode_count": (88, ">Q"), "next_inum": (96, ">Q"), "next_block": (104, ">Q"),
    "itree_root": (112, ">Q"), "otree_root": (120, ">Q"), "itree_depth": (128, ">H"),
    "otree_depth": (130, ">H"), "log_count": (132, ">I"), "log_head": (136, ">Q"),
    "unify_delta": (144, ">Q"), "create_sec": (152, ">q"), "create_nsec": (160, ">I"),
    "commit_nsec": (164, ">I"), "commit_sec": (168, ">q"), "hash_seed": (176, ">Q"),
    "io_min": (184, ">I"), "io_opt": (188, ">I"), "fsync_mode": (192, ">B"),
    "label": (256, "64s"),
}
SB_RESERVED = ((193, 256), (320, 512), (1280, 4096))
STREAM_TABLE = 512
STREAM_ENTRY = struct.Struct(">QQQ")


def decode_superblock(buf):
    sb = {}
    for name, (off, f) in SB_FIELDS.items():
        sb[name] = struct.unpack_from(f, buf, off)[0]
    sb["streams"] = [dict(zip(("block", "seq", "delta"), STREAM_ENTRY.unpack_from(buf, STREAM_TABLE + 24 * i)))
                     for i in range(32)]
    return sb


def set_superblock_field(buf, name, value):
    """Write one field of a slot (or one stream table field, 'stream.I.FIELD')."""
    if name.startswith("stream."):
        _, i, field = name.split(".")
        off = STREAM_TABLE + 24 * int(i) + {"block": 0, "seq": 8, "delta": 16}[field]
        struct.pack_into(">Q", buf, off, value)
        return
    off, f = SB_FIELDS[name]
    struct.pack_into(f, buf, off, value)


def validate_slot(buf, slot):
    """Why a slot is not valid (None if it is), in the order the format gives.

    Returns (error, kind): kind is 'empty' (never written), 'unsupported' (version or
    incompatible feature, checksum right) or 'corrupt'.
    """
    if len(buf) != SLOT_SIZE:
        return "slot is not 4096 bytes", "corrupt"
    if not any(buf):
        return "never written (all zero)", "empty"
    if buf[:4] != b"tux3":
        return "bad magic", "corrupt"
    if not checksum_ok(buf):
        return "bad checksum", "corrupt"
    sb = decode_superblock(buf)
    if sb["location"] != SLOT_OFFSETS[slot]:
        return f"location {sb['location']} is not {SLOT_OFFSETS[slot]}", "corrupt"
    if sb["delta"] & 1 != slot:
        return f"delta {sb['delta']} does not belong in slot {slot}", "corrupt"
    label = sb["label"]
    nul = label.find(b"\0")
    if nul < 0 or any(label[nul:]):
        return "label not NUL-terminated and zero-padded", "corrupt"
    for lo, hi in SB_RESERVED:
        if any(buf[lo:hi]):
            return f"reserved bytes {lo}..{hi - 1} not zero", "corrupt"
    if sb["version"] != 1:
        return f"unsupported version {sb['version']}", "unsupported"
    if sb["feature_incompat"] & ~INCOMPAT_STREAMS:
        return f"unknown incompatible features {sb['feature_incompat']:#x}", "unsupported"
    if sb["state"] & ~(STATE_CLEAN | STATE_ERRORS):
        return f"unknown state bits {sb['state']:#x}", "corrupt"
    err = superblock_constraints(sb)
    if err:
        return err, "corrupt"
    return None, None


def superblock_constraints(sb):
    bits = sb["blockbits"]
    if not 9 <= bits <= 16:
        return f"blockbits {bits} out of range"
    bs = 1 << bits
    r = reserved_blocks(bs)
    vb = sb["vol_blocks"]
    if not 64 <= vb <= 1 << 48:
        return f"vol_blocks {vb} out of range"

    def inside(b):
        return r <= b < vb

    checks = [
        (sb["stream_count"] <= 32, "stream_count above 32"),
        (sb["free_blocks"] <= vb - r, "free_blocks above vol_blocks - R"),
        (16 <= sb["next_inum"] < 1 << 48, "next_inum out of range"),
        (sb["next_block"] < vb, "next_block beyond the volume"),
        (inside(sb["itree_root"]), "itree_root outside the data area"),
        (sb["otree_root"] == 0 or inside(sb["otree_root"]), "otree_root outside the data area"),
        (sb["itree_depth"] <= 8, "itree_depth above 8"),
        (sb["otree_depth"] <= 8, "otree_depth above 8"),
        (sb["otree_root"] != 0 or sb["otree_depth"] == 0, "empty orphan tree with a depth"),
        ((sb["log_count"] == 0) == (sb["log_head"] == 0), "log_count and log_head disagree"),
        (sb["log_head"] == 0 or inside(sb["log_head"]), "log_head outside the data area"),
        (sb["unify_delta"] <= sb["delta"], "unify_delta above delta"),
        (sb["create_nsec"] < 10**9, "create_nsec not below 10^9"),
        (sb["commit_nsec"] < 10**9, "commit_nsec not below 10^9"),
        (sb["fsync_mode"] in (0, 1), "fsync_mode invalid"),
    ]
    for ok, why in checks:
        if not ok:
            return why
    for i, e in enumerate(sb["streams"]):
        if i >= sb["stream_count"] and (e["block"] or e["seq"] or e["delta"]):
            return f"stream table entry {i} beyond stream_count not zero"
        if e["block"]:
            if not sb["feature_incompat"] & INCOMPAT_STREAMS:
                return f"stream {i} live without INCOMPAT_STREAMS"
            if not inside(e["block"]):
                return f"stream {i} block outside the data area"
    return None


# ---------------------------------------------------------------- btree nodes

NODE = struct.Struct(">QHHI")  # owner, level, count, reserved (at 40)


def decode_node_header(buf):
    owner, level, count, reserved = NODE.unpack_from(buf, 40)
    return {"owner": owner, "level": level, "count": count, "reserved": reserved}


def bnode_capacity(block_size):
    return (block_size - 56) // 16


def decode_bnode(buf):
    """Entries [(key, child)] of a bnode and whether its tail is zero."""
    h = decode_node_header(buf)
    count = min(h["count"], bnode_capacity(len(buf)))
    entries = [struct.unpack_from(">QQ", buf, 56 + 16 * i) for i in range(count)]
    tail_zero = not any(buf[56 + 16 * count:])
    return entries, tail_zero


def encode_bnode(buf, entries):
    if len(entries) > bnode_capacity(len(buf)):
        raise FormatError("too many bnode entries")
    struct.pack_into(">H", buf, 50, len(entries))
    buf[56:] = bytes(len(buf) - 56)
    for i, (k, c) in enumerate(entries):
        struct.pack_into(">QQ", buf, 56 + 16 * i, k, c)


def decode_leaf(buf):
    """Items [(key, value)] of a leaf, with the layout problems found (a list)."""
    bs = len(buf)
    h = decode_node_header(buf)
    count = h["count"]
    problems = []
    if 56 + 10 * count > bs:
        raise FormatError(f"slot table of {count} items does not fit")
    items, end = [], bs
    for i in range(count):
        key, length = struct.unpack_from(">QH", buf, 56 + 10 * i)
        start = end - length
        if start < 56 + 10 * count:
            raise FormatError(f"item {i} value overlaps the slot table")
        items.append((key, bytes(buf[start:end])))
        end = start
        if length > max_leaf_value(bs):
            problems.append(f"item {i} value longer than max_leaf_value")
    if any(buf[56 + 10 * count:end]):
        problems.append("bytes between the slot table and the values not zero")
    return items, problems


def leaf_value_offsets(buf):
    """[(offset, length)] of each value in a leaf."""
    count = decode_node_header(buf)["count"]
    out, end = [], len(buf)
    for i in range(count):
        length = struct.unpack_from(">H", buf, 56 + 10 * i + 8)[0]
        out.append((end - length, length))
        end -= length
    return out


def encode_leaf(buf, items, check_size=True):
    """Rewrite the items of a leaf block in place (header and owner kept)."""
    bs = len(buf)
    need = 56 + sum(10 + len(v) for _, v in items)
    if need > bs:
        raise FormatError(f"leaf needs {need} bytes, block holds {bs}")
    if check_size:
        for k, v in items:
            if len(v) > max_leaf_value(bs):
                raise FormatError(f"value of key {k} longer than max_leaf_value")
    struct.pack_into(">H", buf, 50, len(items))
    buf[56:] = bytes(bs - 56)
    end = bs
    for i, (k, v) in enumerate(items):
        struct.pack_into(">QH", buf, 56 + 10 * i, k, len(v))
        buf[end - len(v):end] = v
        end -= len(v)


def new_node(block_size, magic, location, uuid, delta, owner, level):
    buf = bytearray(block_size)
    encode_header(buf, MAGICS[magic], location, uuid, delta)
    NODE.pack_into(buf, 40, owner, level, 0, 0)
    return buf


# ---------------------------------------------------------------- inode records

CORE = struct.Struct(">IIII QQ qI qI qI qI II QHH")
CORE_FIELDS = ("mode", "uid", "gid", "nlink", "size", "blocks", "atime_sec", "atime_nsec",
               "mtime_sec", "mtime_nsec", "ctime_sec", "ctime_nsec", "btime_sec", "btime_nsec",
               "flags", "generation", "root_block", "root_depth", "reserved")
assert CORE.size == 100


def split_attrs(body):
    """[(tag, body)] of an attribute area; raises FormatError when it is not whole."""
    attrs, p = [], 0
    while p < len(body):
        if p + 3 > len(body):
            raise FormatError(f"trailing {len(body) - p} bytes do not form an attribute")
        tag, length = struct.unpack_from(">BH", body, p)
        if p + 3 + length > len(body):
            raise FormatError(f"attribute at {p} (tag {tag}) runs past the record")
        attrs.append((tag, bytes(body[p + 3:p + 3 + length])))
        p += 3 + length
    return attrs


def decode_inode(value):
    """An inode record: the core fields, 'attrs' [(tag, body)] and 'error' (or None)."""
    if len(value) < 100:
        raise FormatError(f"inode record of {len(value)} bytes is shorter than its core")
    rec = dict(zip(CORE_FIELDS, CORE.unpack_from(value, 0)))
    rec["error"] = None
    try:
        rec["attrs"] = split_attrs(value[100:])
    except FormatError as e:
        rec["attrs"], rec["error"] = [], str(e)
    return rec


def encode_inode(rec):
    out = bytearray(CORE.pack(*(rec[f] for f in CORE_FIELDS)))
    for tag, body in rec["attrs"]:
        out += struct.pack(">BH", tag, len(body)) + body
    return bytes(out)


def inode_type(mode):
    return TYPES.get(mode & S_IFMT, ("invalid", 0))[0]


def attr_values(rec, tag):
    return [b for t, b in rec["attrs"] if t == tag]


def decode_xattr(body):
    """(name space, stored name, value) of an XATTR body."""
    if len(body) < 2 or len(body) < 2 + body[1]:
        raise FormatError("XATTR body too short")
    ns, n = body[0], body[1]
    return ns, bytes(body[2:2 + n]), bytes(body[2 + n:])


def encode_xattr(ns, name, value):
    return bytes([ns, len(name)]) + name + value


def xattr_full_name(ns, name):
    prefix = XATTR_PREFIX.get(ns)
    if prefix is None:
        return b"ns%d." % ns + name
    return prefix if ns in (4, 5) else prefix + name


def decode_extents_attr(body):
    if len(body) % 24:
        raise FormatError("EXTENTS body is not a multiple of 24 bytes")
    return [struct.unpack_from(">QQII", body, 24 * i) for i in range(len(body) // 24)]


def encode_extents_attr(extents):
    return b"".join(struct.pack(">QQII", *e) for e in extents)


# ---------------------------------------------------------------- extents, dirents

def decode_xleaf_value(value):
    if len(value) != 16:
        raise FormatError(f"extent value of {len(value)} bytes")
    return struct.unpack(">QII", value)  # physical, count, flags


def encode_xleaf_value(physical, count, flags=0):
    return struct.pack(">QII", physical, count, flags)


def decode_dirent(value):
    if len(value) < 9:
        raise FormatError(f"entry value of {len(value)} bytes")
    inum, typ = struct.unpack_from(">QB", value, 0)
    return inum, typ, bytes(value[9:])


def encode_dirent(inum, typ, name):
    return struct.pack(">QB", inum, typ) + name


# ---------------------------------------------------------------- bitmap, log, streams

def decode_bitmap_header(buf):
    base, reserved = struct.unpack_from(">QQ", buf, 40)
    return {"base": base, "reserved": reserved}


def decode_log_block(buf):
    """prev, used, the reserved words and the records [(offset, code, size, fields)]."""
    prev, used, r1, r2 = struct.unpack_from(">QHHI", buf, 40)
    records, problems = [], []
    p, end = 56, 56 + used
    if end > len(buf):
        problems.append(f"used {used} runs past the block")
        end = len(buf)
    while p < end:
        if p + 2 > end:
            problems.append(f"record at {p} truncated")
            break
        code, size = buf[p], buf[p + 1]
        if code not in RECORDS:
            problems.append(f"unknown record code {code:#04x} at {p}")
            break
        name, f, names = RECORDS[code]
        if size != record_size(code):
            problems.append(f"{name} at {p} has size {size}, not {record_size(code)}")
            break
        if p + size > end:
            problems.append(f"{name} at {p} runs past used")
            break
        fields = dict(zip(names, struct.unpack_from(f, buf, p + 2))) if names else {}
        records.append((p, code, size, fields))
        p += size
    if r1 or r2:
        problems.append("reserved header fields not zero")
    if any(buf[56 + used:]):
        problems.append("bytes after the records not zero")
    return {"prev": prev, "used": used, "records": records, "problems": problems}


def encode_record(code, fields):
    name, f, names = RECORDS[code]
    body = struct.pack(f, *(fields[n] for n in names)) if names else b""
    return bytes([code, 2 + len(body)]) + body


STREAM = struct.Struct(">HHI QQQQ qII q II")
STREAM_FIELDS = ("stream", "flags", "extent_count", "seq", "next", "inum", "size", "mtime_sec",
                 "mtime_nsec", "ctime_nsec", "ctime_sec", "mode", "data_crc")
STREAM_FIELD_OFFSETS = {"stream": 40, "flags": 42, "extent_count": 44, "seq": 48, "next": 56,
                        "inum": 64, "size": 72, "mtime_sec": 80, "mtime_nsec": 88,
                        "ctime_nsec": 92, "ctime_sec": 96, "mode": 104, "data_crc": 108}
assert 40 + STREAM.size == 112


def decode_stream_block(buf):
    s = dict(zip(STREAM_FIELDS, STREAM.unpack_from(buf, 40)))
    n = min(s["extent_count"], (len(buf) - 112) // 24)
    s["extents"] = [struct.unpack_from(">QQII", buf, 112 + 24 * i) for i in range(n)]
    s["tail_zero"] = not any(buf[112 + 24 * n:])
    return s


def stream_flag_names(flags):
    return [n for bit, n in STREAM_FLAGS.items() if flags & (1 << bit)]
