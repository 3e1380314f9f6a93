"""Precise changes to a tux3 image, resealing checksums unless told not to.

Every function takes a Volume (volume.py) and changes its Image in memory; the caller
saves. Structures are re-encoded whole (leaves keep their slot table and packed values
valid), so a change is exactly the damage asked for and nothing else.
"""
import struct

from . import fmt
from .fmt import FormatError
from .volume import NodeError


class CorruptError(Exception):
    """The change asked for cannot be made (the thing is missing or would not fit)."""


# ------------------------------------------------------------ blocks and headers

def read_block(vol, b):
    return bytearray(vol.block(b))


def write_block(vol, b, buf, reseal=True):
    if reseal:
        fmt.seal(buf)
    vol.img.write(b * vol.bs, bytes(buf))


def parse_value(field, text):
    """A field value from the command line: integers (0x.. allowed), uuids, magic names."""
    if field == "uuid":
        return fmt.parse_uuid(text)
    if field == "magic" and text in fmt.MAGICS:
        return fmt.MAGICS[text]
    if field == "label":
        return text.encode().ljust(64, b"\0")
    return int(text, 0)


HEADER_FIELDS = {"magic": (0, ">I"), "checksum": (4, ">I"), "location": (8, ">Q"),
                 "uuid": (16, "16s"), "delta": (32, ">Q")}


def set_header(vol, b, field, value, reseal=True):
    buf = read_block(vol, b)
    off, f = HEADER_FIELDS[field]
    struct.pack_into(f, buf, off, value)
    write_block(vol, b, buf, reseal=reseal and field != "checksum")


def poke(vol, offset, data):
    """Overwrite bytes at a byte offset of the image; nothing is resealed."""
    vol.img.write(offset, data)


def seal_block(vol, b):
    write_block(vol, b, read_block(vol, b))


# ------------------------------------------------------------ superblock and ROOTS

def set_slot_field(vol, slot, field, value, reseal=True):
    off = fmt.SLOT_OFFSETS[slot]
    buf = bytearray(vol.img.read(off, fmt.SLOT_SIZE))
    fmt.set_superblock_field(buf, field, value)
    if reseal and field != "checksum":
        fmt.seal(buf)
    vol.img.write(off, bytes(buf))
    if slot == vol.slot:
        vol.sb.update({k: v for k, v in fmt.decode_superblock(buf).items() if k != "streams"})


def set_log_record(vol, block, index, code=None, fields=None, reseal=True):
    """Change one record of a log block in place: its code byte and/or fields."""
    buf = read_block(vol, block)
    d = fmt.decode_log_block(buf)
    if index >= len(d["records"]):
        raise CorruptError(f"log block {block} has {len(d['records'])} records, no {index}")
    off, old_code, size, old_fields = d["records"][index]
    new_fields = dict(old_fields, **(fields or {}))
    rec = fmt.encode_record(old_code, new_fields)
    if code is not None:
        rec = bytes([code]) + rec[1:]
    buf[off:off + size] = rec
    write_block(vol, block, buf, reseal)


def set_roots(vol, field, value):
    """Set a field of the newest ROOTS record (the one the superblock must equal)."""
    found = vol.newest_roots()
    if not found:
        raise CorruptError("the log holds no ROOTS record")
    block, index, _ = found
    set_log_record(vol, block, index, fields={field: value})


def set_counter(vol, field, value):
    """Set free_blocks or inode_count consistently: committed slot and newest ROOTS."""
    set_slot_field(vol, vol.slot, field, value)
    if vol.log:
        set_roots(vol, field, value)


# ------------------------------------------------------------ leaves

def rewrite_leaf(vol, b, items, reseal=True):
    buf = read_block(vol, b)
    try:
        fmt.encode_leaf(buf, items)
    except FormatError as e:
        raise CorruptError(f"leaf {b}: {e}")
    write_block(vol, b, buf, reseal)


def leaf_items(vol, b):
    items, _ = fmt.decode_leaf(vol.block(b))
    return list(items)


def set_item(vol, b, index, key=None, value=None, sort=False, reseal=True):
    items = leaf_items(vol, b)
    k, v = items[index]
    items[index] = (k if key is None else key, v if value is None else value)
    if sort:
        items.sort(key=lambda kv: kv[0])
    rewrite_leaf(vol, b, items, reseal)


def add_item(vol, b, key, value, reseal=True, sort=True):
    items = leaf_items(vol, b)
    if any(k == key for k, _ in items) and sort:
        raise CorruptError(f"leaf {b} already holds key {key}")
    items.append((key, value))
    if sort:
        items.sort(key=lambda kv: kv[0])
    rewrite_leaf(vol, b, items, reseal)


def del_item(vol, b, index, reseal=True):
    items = leaf_items(vol, b)
    del items[index]
    rewrite_leaf(vol, b, items, reseal)


def swap_bnode_keys(vol, b, i, j, reseal=True):
    buf = read_block(vol, b)
    entries, _ = fmt.decode_bnode(buf)
    entries = list(entries)
    (ki, ci), (kj, cj) = entries[i], entries[j]
    entries[i], entries[j] = (kj, ci), (ki, cj)
    fmt.encode_bnode(buf, entries)
    write_block(vol, b, buf, reseal)


# ------------------------------------------------------------ inodes

def inode_location(vol, inum):
    found = vol.find_inode(inum)
    if not found:
        raise CorruptError(f"inode {inum} not found")
    return found


def update_inode(vol, inum, change, reseal=True):
    """change(rec) edits the decoded record; the leaf is re-encoded."""
    rec, leaf, index = inode_location(vol, inum)
    if rec["error"]:
        raise CorruptError(f"inode {inum} cannot be decoded: {rec['error']}")
    change(rec)
    set_item(vol, leaf, index, value=fmt.encode_inode(rec), reseal=reseal)


def set_inode_field(vol, inum, field, value):
    if field not in fmt.CORE_FIELDS:
        raise CorruptError(f"no inode field {field}")
    update_inode(vol, inum, lambda r: r.__setitem__(field, value))


def set_attr(vol, inum, index, tag=None, body=None):
    """Change attribute index of an inode: its tag and/or body (no re-sorting)."""
    def change(rec):
        t, b = rec["attrs"][index]
        rec["attrs"][index] = (t if tag is None else tag, b if body is None else body)
    update_inode(vol, inum, change)


def set_xattr(vol, inum, full_name, ns=None, name=None, value=None):
    """Change the name space, stored name or value of the xattr called full_name."""
    rec = vol.inode(inum)
    for i, (tag, body) in enumerate(rec["attrs"]):
        if tag != fmt.ATTR_XATTR:
            continue
        old_ns, old_name, old_value = fmt.decode_xattr(body)
        if fmt.xattr_full_name(old_ns, old_name) == full_name:
            body = fmt.encode_xattr(old_ns if ns is None else ns, old_name if name is None else name,
                                    old_value if value is None else value)
            set_attr(vol, inum, i, body=body)
            return i
    raise CorruptError(f"inode {inum} has no xattr {full_name!r}")


def swap_attrs(vol, inum, i, j):
    def change(rec):
        a = rec["attrs"]
        a[i], a[j] = a[j], a[i]
    update_inode(vol, inum, change)


def set_parent(vol, inum, parent):
    def change(rec):
        for i, (t, _) in enumerate(rec["attrs"]):
            if t == fmt.ATTR_PARENT:
                rec["attrs"][i] = (t, struct.pack(">Q", parent))
                return
        raise CorruptError(f"inode {inum} has no PARENT")
    update_inode(vol, inum, change)


def add_inode(vol, inum, value):
    """Insert an inode record (bytes) into the leaf whose range holds inum."""
    root, depth = vol.itree()
    leaf, _ = vol.lookup(root, depth, fmt.ITREE_OWNER, "T3IL", inum)
    add_item(vol, leaf["block"], inum, value)
    return leaf["block"]


def adjust_nlink(vol, inum, by):
    update_inode(vol, inum, lambda r: r.__setitem__("nlink", r["nlink"] + by))


# ------------------------------------------------------------ extents

def set_extent(vol, inum, index, **fields):
    """Change extent index (in mapping order) of a file, wherever it is stored."""
    ext = vol.extents(inum)
    if index >= len(ext):
        raise CorruptError(f"inode {inum} has {len(ext)} extents, no {index}")
    e = dict(ext[index])
    e.update({k: v for k, v in fields.items() if v is not None})
    kind, a, b = e["where"]
    if kind == "attr":
        def change(rec):
            entries = fmt.decode_extents_attr(rec["attrs"][a][1])
            entries[b] = (e["logical"], e["physical"], e["count"], e["flags"])
            rec["attrs"][a] = (fmt.ATTR_EXTENTS, fmt.encode_extents_attr(entries))
        update_inode(vol, inum, change)
    else:
        set_item(vol, a, b, key=e["logical"],
                 value=fmt.encode_xleaf_value(e["physical"], e["count"], e["flags"]))
    return e


def add_extent(vol, inum, logical, physical, count, flags=0):
    rec = vol.inode(inum)
    if rec["root_block"]:
        leaf, _ = vol.lookup(rec["root_block"], rec["root_depth"], inum, "T3XL", logical)
        add_item(vol, leaf["block"], logical, fmt.encode_xleaf_value(physical, count, flags))
        return
    def change(r):
        for i, (t, body) in enumerate(r["attrs"]):
            if t == fmt.ATTR_EXTENTS:
                entries = fmt.decode_extents_attr(body) + [(logical, physical, count, flags)]
                entries.sort()
                r["attrs"][i] = (t, fmt.encode_extents_attr(entries))
                return
        r["attrs"].append((fmt.ATTR_EXTENTS, fmt.encode_extents_attr([(logical, physical, count, flags)])))
        r["attrs"].sort(key=lambda a: a[0])
    update_inode(vol, inum, change)


# ------------------------------------------------------------ directories

def free_collision(vol, dir_inum, name):
    h = vol.name_key(name)
    used = {e["key"] for e in vol.dirents(dir_inum)}
    for c in range(256):
        if h | c not in used:
            return h | c
    raise CorruptError("no free collision index")


def add_dirent(vol, dir_inum, name, inum, typ, key=None, adjust_size=True):
    rec = vol.inode(dir_inum)
    if key is None:
        key = free_collision(vol, dir_inum, name)
    if not rec["root_block"]:
        raise CorruptError(f"directory {dir_inum} has no index (add an entry with the writer first)")
    leaf, _ = vol.lookup(rec["root_block"], rec["root_depth"], dir_inum, "T3DL", key)
    add_item(vol, leaf["block"], key, fmt.encode_dirent(inum, typ, name))
    if adjust_size:
        set_inode_field(vol, dir_inum, "size", vol.inode(dir_inum)["size"] + 1)
    return key


def del_dirent(vol, dir_inum, name, adjust_size=True):
    e = vol.find_dirent(dir_inum, name)
    del_item(vol, e["leaf"], e["index"])
    if adjust_size:
        set_inode_field(vol, dir_inum, "size", vol.inode(dir_inum)["size"] - 1)
    return e


def set_dirent(vol, dir_inum, name, new_name=None, inum=None, typ=None, rehash=True, key=None):
    """Change an entry's name, inode or type; with rehash a new name gets its key."""
    e = vol.find_dirent(dir_inum, name)
    nm = e["name"] if new_name is None else new_name
    value = fmt.encode_dirent(e["inum"] if inum is None else inum, e["type"] if typ is None else typ, nm)
    new_key = key
    if new_key is None and rehash and new_name is not None:
        new_key = free_collision(vol, dir_inum, nm)
    if new_key is None:
        set_item(vol, e["leaf"], e["index"], value=value)
        return e["key"]
    # a new key must stay inside the leaf's range: only when the leaf is the whole tree
    # or the key lands in the same leaf
    rec = vol.inode(dir_inum)
    leaf, _ = vol.lookup(rec["root_block"], rec["root_depth"], dir_inum, "T3DL", new_key)
    if leaf["block"] != e["leaf"]:
        raise CorruptError(f"new key {new_key:#x} belongs in leaf {leaf['block']}, not {e['leaf']}")
    set_item(vol, e["leaf"], e["index"], key=new_key, value=value, sort=True)
    return new_key


# ------------------------------------------------------------ bitmap

def set_bits(vol, block, count, value, adjust_free=False):
    """Set (value 1) or clear the on-disk bitmap bits of blocks [block, block+count).

    Blocks the log names are refused: the log would override the change. With
    adjust_free, free_blocks (slot and ROOTS) follows the change.
    """
    mentioned = vol.log_mentions()
    bits = vol.bitmap()
    changed = 0
    for n in range(block, block + count):
        if n in mentioned:
            raise CorruptError(f"block {n} is named by the log; its bit would be overridden")
        loc = vol.bit_location(n)
        if loc["bitmap_block"] is None:
            raise CorruptError(f"the bitmap block covering {n} is a hole")
        b = loc["bitmap_block"]
        buf = read_block(vol, b)
        old = buf[loc["byte"]] >> loc["bit"] & 1
        if value:
            buf[loc["byte"]] |= 1 << loc["bit"]
        else:
            buf[loc["byte"]] &= ~(1 << loc["bit"]) & 0xFF
        write_block(vol, b, buf)
        if n < vol.vol_blocks and old != value:
            changed += 1 if value else -1
            bits[n] = value
    if adjust_free and changed:
        set_counter(vol, "free_blocks", vol.sb["free_blocks"] - changed)
    return changed


def free_blocks_list(vol, count, start=None):
    """The first count blocks that are free, unnamed by the log and not stream blocks."""
    bits = vol.bitmap()
    avoid = vol.log_mentions()
    for s in vol.streams():
        avoid.add(s["head"]["block"])
        for blk in s["blocks"]:
            avoid.add(blk["block"])
            avoid.add(blk["next"])
            for _, ph, cnt, _ in blk["extents"]:
                avoid.update(range(ph, ph + cnt))
    out = []
    for n in range(start if start is not None else vol.R, vol.vol_blocks):
        if not bits[n] and n not in avoid:
            out.append(n)
            if len(out) == count:
                return out
    raise CorruptError("not enough free blocks")


# ------------------------------------------------------------ orphans

def add_orphan(vol, inum):
    """Add inum to the orphan tree, making a one-leaf tree (allocated) if it is empty."""
    if vol.sb["otree_root"]:
        leaf, _ = vol.lookup(vol.sb["otree_root"], vol.sb["otree_depth"], fmt.OTREE_OWNER, "T3OL", inum)
        add_item(vol, leaf["block"], inum, b"")
        return leaf["block"]
    (b,) = free_blocks_list(vol, 1)
    buf = fmt.new_node(vol.bs, "T3OL", b, vol.uuid, vol.delta, fmt.OTREE_OWNER, 0)
    fmt.encode_leaf(buf, [(inum, b"")])
    write_block(vol, b, buf)
    set_bits(vol, b, 1, 1, adjust_free=True)
    set_slot_field(vol, vol.slot, "otree_root", b)
    if vol.log:
        set_roots(vol, "otree_root", b)
    return b


# ------------------------------------------------------------ streams

def set_stream_extent(vol, block, index, physical=None, logical=None, count=None, recompute_crc=True):
    buf = read_block(vol, block)
    s = fmt.decode_stream_block(buf)
    lg, ph, cnt, fl = s["extents"][index]
    lg = lg if logical is None else logical
    ph = ph if physical is None else physical
    cnt = cnt if count is None else count
    struct.pack_into(">QQII", buf, 112 + 24 * index, lg, ph, cnt, fl)
    if recompute_crc and s["flags"] & fmt.HAS_DATA_CRC:
        s = fmt.decode_stream_block(buf)
        struct.pack_into(">I", buf, 108, vol.stream_data_crc(s))
    write_block(vol, block, buf)


def set_stream_field(vol, block, field, value, reseal=True):
    buf = read_block(vol, block)
    off = fmt.STREAM_FIELD_OFFSETS[field]
    f = {"stream": ">H", "flags": ">H", "extent_count": ">I", "mtime_nsec": ">I", "ctime_nsec": ">I",
         "mode": ">I", "data_crc": ">I", "mtime_sec": ">q", "ctime_sec": ">q"}.get(field, ">Q")
    struct.pack_into(f, buf, off, value)
    write_block(vol, block, buf, reseal)
