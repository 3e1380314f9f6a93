#!/usr/bin/env python3
"""fsck_image.py: finds and damages inode records of tux3 images for the fsck.tux3 tests.

It reads the inode table on its own (man/tux3-format.5: superblock, btree nodes, inode
records) from the committed superblock of a cleanly closed volume (whose inode table on
disk is current), and reseals what it changes with replay_image.py's CRC32C:
  inodes IMAGE                     every record as JSON lines:
                                   {"inum", "mode", "nlink", "size", "blocks", "leaf"}
  find IMAGE KEY=VALUE...          the inode number of the one record with those fields
                                   (mode in octal, e.g. mode=0120777); exit 1 unless one
  set IMAGE INUM FIELD VALUE       set mode, uid, gid, nlink, size or blocks of a record
"""
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import replay_image  # noqa: E402  (superblock choice, block reads, CRC32C sealing)

FIELDS = {"mode": (0, ">I"), "uid": (4, ">I"), "gid": (8, ">I"), "nlink": (12, ">I"),
          "size": (16, ">Q"), "blocks": (24, ">Q")}


def records(img):
    """(inum, leaf block, byte offset of the record in the image, record bytes) for every
    record of the inode table, in key order."""
    sb = replay_image.superblock(img)
    bits = struct.unpack_from(">H", sb, 42)[0]
    root, depth = struct.unpack_from(">Q", sb, 112)[0], struct.unpack_from(">H", sb, 128)[0]
    out = []

    def walk(block, level):
        b = replay_image.read_block(img, bits, block)
        count = struct.unpack_from(">H", b, 50)[0]
        if level > 0:
            for i in range(count):
                walk(struct.unpack_from(">Q", b, 56 + 16 * i + 8)[0], level - 1)
            return
        end = len(b)
        for i in range(count):
            key, length = struct.unpack_from(">QH", b, 56 + 10 * i)
            start = end - length
            out.append((key, block, (block << bits) + start, b[start:end]))
            end = start

    walk(root, depth)
    return out


def summary(inum, leaf, rec):
    d = {"inum": inum, "leaf": leaf}
    for name, (off, fmt) in FIELDS.items():
        d[name] = struct.unpack_from(fmt, rec, off)[0]
    return d


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    with open(path, "r+b") as img:
        recs = records(img)
        if cmd == "inodes":
            for inum, leaf, _, rec in recs:
                print(json.dumps(summary(inum, leaf, rec)))
        elif cmd == "find":
            want = {}
            for kv in sys.argv[3:]:
                k, v = kv.split("=", 1)
                want[k] = int(v, 8) if k == "mode" else int(v)
            found = [r for r in recs
                     if all(summary(r[0], r[1], r[3])[k] == v for k, v in want.items())]
            if len(found) != 1:
                sys.exit(f"fsck_image: {len(found)} records match {want}")
            print(found[0][0])
        elif cmd == "set":
            inum, field, value = int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
            match = [r for r in recs if r[0] == inum]
            if not match:
                sys.exit(f"fsck_image: no inode {inum}")
            _, leaf, offset, _ = match[0]
            off, fmt = FIELDS[field]
            img.seek(offset + off)
            img.write(struct.pack(fmt, value))
            bits = struct.unpack_from(">H", replay_image.superblock(img), 42)[0]
            block = bytearray(replay_image.read_block(img, bits, leaf))
            replay_image.seal(block)
            img.seek(leaf << bits)
            img.write(block)
        else:
            sys.exit(f"fsck_image: unknown command {cmd}")


if __name__ == "__main__":
    main()
