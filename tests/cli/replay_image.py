#!/usr/bin/env python3
"""replay_image.py: an independent reader of tux3 images for the tux3-replay tests.

It decodes just enough of the format (man/tux3-format.5) to check the tool against:
  log IMAGE          the committed log chain, oldest block first, as JSON:
                     [{"block": B, "delta": D, "prev": P, "records": ["ALLOC", ...]}, ...]
  streams IMAGE      the valid blocks of every live fsync stream, as JSON:
                     [{"stream": S, "blocks": [[block, seq, inum], ...]}, ...]
  incompat IMAGE BIT set an incompat feature bit in both superblock slots, resealed
  seal IMAGE BLOCK   recompute the checksum of a block (a no-op unless it was changed)
Superblock slot choice, the chain walk and block checksums (CRC32C) are its own code.
"""
import json
import struct
import sys

SLOTS = (4096, 8192)
RECORDS = {  # code: (name, size)
    0x01: ("ALLOC", 14), 0x02: ("FREE", 14), 0x03: ("LEAF_REDIRECT", 18),
    0x04: ("BNODE_NEW", 20), 0x05: ("BNODE_REDIRECT", 18), 0x06: ("BNODE_ADD", 26),
    0x07: ("BNODE_UPDATE", 26), 0x08: ("BNODE_DEL", 20), 0x09: ("BNODE_FREE", 10),
    0x0a: ("UNIFY", 2), 0x0b: ("DELTA", 10), 0x0c: ("STREAM_RESERVE", 12),
    0x0d: ("STREAM_RETIRE", 12), 0x0e: ("ROOTS", 50),
}

_TABLE = []
for n in range(256):
    c = n
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    _TABLE.append(c)


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def checksum_ok(block):
    return struct.unpack_from(">I", block, 4)[0] == crc32c(block[:4] + b"\0" * 4 + block[8:])


def seal(block):
    block[4:8] = b"\0" * 4
    block[4:8] = struct.pack(">I", crc32c(bytes(block)))


def superblock(img):
    """The committed slot: valid magic and checksum, the higher delta."""
    best = None
    for off in SLOTS:
        img.seek(off)
        s = img.read(4096)
        if s[:4] != b"tux3" or not checksum_ok(s):
            continue
        delta = struct.unpack_from(">Q", s, 32)[0]
        if best is None or delta > best[0]:
            best = (delta, s)
    if best is None:
        sys.exit("replay_image: no valid superblock")
    return best[1]


def read_block(img, bits, n):
    img.seek(n << bits)
    return img.read(1 << bits)


def log_chain(img):
    sb = superblock(img)
    bits = struct.unpack_from(">H", sb, 42)[0]
    count = struct.unpack_from(">I", sb, 132)[0]
    block = struct.unpack_from(">Q", sb, 136)[0]
    chain = []
    for _ in range(count):
        b = read_block(img, bits, block)
        if b[:4] != b"T3LG" or not checksum_ok(b):
            sys.exit(f"replay_image: log block {block} is not valid")
        prev, used = struct.unpack_from(">QH", b, 40)
        names, pos = [], 56
        while pos < 56 + used:
            name, size = RECORDS[b[pos]]
            assert b[pos + 1] == size, (block, pos)
            names.append(name)
            pos += size
        chain.insert(0, {"block": block, "delta": struct.unpack_from(">Q", b, 32)[0],
                         "prev": prev, "records": names})
        block = prev
    return chain


def streams(img):
    sb = superblock(img)
    bits = struct.unpack_from(">H", sb, 42)[0]
    out = []
    for i in range(32):
        block, seq, tag = struct.unpack_from(">QQQ", sb, 512 + 24 * i)
        if block == 0:
            continue
        blocks = []
        while True:
            b = read_block(img, bits, block)
            if (b[:4] != b"T3FS" or not checksum_ok(b) or
                    struct.unpack_from(">Q", b, 8)[0] != block or
                    struct.unpack_from(">Q", b, 32)[0] != tag or
                    struct.unpack_from(">H", b, 40)[0] != i or
                    struct.unpack_from(">Q", b, 48)[0] != seq):
                break
            blocks.append([block, seq, struct.unpack_from(">Q", b, 64)[0]])
            block, seq = struct.unpack_from(">Q", b, 56)[0], seq + 1
        out.append({"stream": i, "blocks": blocks})
    return out


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd in ("log", "streams"):
        with open(path, "rb") as img:
            print(json.dumps(log_chain(img) if cmd == "log" else streams(img)))
    elif cmd == "incompat":
        bit = int(sys.argv[3])
        with open(path, "r+b") as img:
            for off in SLOTS:
                img.seek(off)
                s = bytearray(img.read(4096))
                flags = struct.unpack_from(">Q", s, 64)[0] | (1 << bit)
                struct.pack_into(">Q", s, 64, flags)
                seal(s)
                img.seek(off)
                img.write(s)
    elif cmd == "seal":
        with open(path, "r+b") as img:
            bits = struct.unpack_from(">H", superblock(img), 42)[0]
            n = int(sys.argv[3])
            b = bytearray(read_block(img, bits, n))
            seal(b)
            img.seek(n << bits)
            img.write(b)
    else:
        sys.exit(f"replay_image: unknown command {cmd}")


if __name__ == "__main__":
    main()
