"""selftest BUILD_DIR: check this reader against the tools on images made from scratch.

1. the spec's worked examples (CRC32C check value, hash seed, the key of "hello");
2. a populated image (multi-level inode table, extent trees, a multi-leaf directory, every
   file type, hard links, short and long symlinks, xattrs of every name space, sparse files):
   the reader's listing must equal `tux3-inspect IMAGE tree`, and its check must be clean
   (and tux3-inspect verify too);
3. changes made by this tool that keep the volume valid (a new mtime, a renamed entry with
   its new key) must be seen by tux3-inspect as made, and verify clean;
4. a crashed image with a live log and a live fsync stream: the log chain and the stream
   blocks must be those `tux3-replay --print --json` lists;
5. a crashed image whose log holds bnode records (bnodes on disk lag): the listing, read
   through the bnodes rebuilt from the log, must equal tux3-inspect's, and check be clean.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

from . import check as checkmod
from . import corrupt as cx
from . import fmt
from .hashes import crc32c, xxh64
from .volume import Volume, Image

UUID = "5e1f7e57-0000-4000-8000-000000000001"
EPOCH = "1700000000"

POPULATE = r"""
mkdir -p /a/b/c
mkdir /big
repeat 60
  write /big/file-with-a-longish-name-$i 300 pattern=text
end
repeat 8
  write /frag 1k offset=${i}0k pattern=seq
end
write /a/data 20k pattern=random seed=3
write /a/sparse 1k offset=100k
append /a/sparse 2k pattern=text
write /a/b/c/deep 3000 pattern=seq
link /a/data /a/b/hard
link /a/data /hard2
symlink /a/data /a/short
symlink "SYMLINK_LONG" /a/long
mknod /a/b/fifo p
mknod /a/b/sock s
mknod /a/b/tty c 4 64
mknod /a/b/disk b 8 1
setxattr /a/data user.comment "hello world"
setxattr /a/data trusted.t "\x00\x01\x02"
setxattr /a/data security.selinux "label"
setxattr /a/b system.posix_acl_default "\x02\x00\x00\x00"
setxattr /a/b system.other ""
setxattr /a/b user.z z
chmod /a/b/c 0700
chown /a/b/c/deep 1000:100
touch /a/data 1234567890.5
rename /big/file-with-a-longish-name-7 /a/renamed
unlink /big/file-with-a-longish-name-8
truncate /a/b/c/deep 1500
unlink /frag
repeat 6
  write /frag2 1k offset=${i}0k pattern=seq
end
""".replace("SYMLINK_LONG", "L" * 600)

CRASH = r"""
write /keep 4k pattern=seq
mkdir /d
write /d/x 2k
sync
write /d/y 1k
sync
append /keep 3k pattern=text sync=fsync
append /keep 3k pattern=text sync=fsync
write /lost 1k
crash
"""


# deltas after a unify that split leaves: the log holds bnode records, the bnodes on disk lag
BNODE_LOG = r"""
mkdir /m
repeat 30
  write /m/first-$i 100 pattern=text
end
unify
repeat 40
  write /m/second-$i 100 pattern=text
  mkdir /n$i
end
sync
repeat 20
  unlink /m/first-$i
end
sync
crash
"""


class Fail(Exception):
    pass


def run(build_dir, keep=None):
    tools = {
        "mkfs": os.path.join(build_dir, "mkfs", "mkfs.tux3"),
        "writer": os.path.join(build_dir, "writer", "tux3-writer"),
        "replay": os.path.join(build_dir, "replay", "tux3-replay"),
        "inspect": os.path.join(build_dir, "tests", "tools", "tux3-inspect"),
    }
    for t in tools.values():
        if not os.access(t, os.X_OK):
            print(f"selftest: {t} not found (build first)", file=sys.stderr)
            return 2
    work = keep or tempfile.mkdtemp(prefix="tux3img-selftest.")
    os.makedirs(work, exist_ok=True)
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH)
    failures = []

    def sh(*args, ok=(0,)):
        r = subprocess.run(args, capture_output=True, text=True, env=env)
        if r.returncode not in ok:
            raise Fail(f"{' '.join(args)}: exit {r.returncode}: {r.stderr.strip()}")
        return r.stdout

    def make(name, script, size="4m"):
        img = os.path.join(work, name)
        if os.path.exists(img):
            os.unlink(img)
        sh(tools["mkfs"], "-q", "-b", "1024", "-U", UUID, "--root-owner", "0:0", img, size)
        path = os.path.join(work, name + ".tw")
        with open(path, "w") as f:
            f.write(script)
        sh(tools["writer"], "-q", "--deterministic", img, path)
        return img

    def step(name, fn):
        try:
            fn()
            print(f"ok: {name}")
        except (Fail, AssertionError, KeyError) as e:
            failures.append(name)
            print(f"FAIL: {name}: {e}")

    def examples():
        assert crc32c(b"123456789") == 0xE3069283
        seed = fmt.hash_seed_of(bytes.fromhex("0123456789abcdef0123456789abcdef"))
        assert seed == 0x27A4B0A65CCCA8E7, hex(seed)
        assert xxh64(b"hello", seed) == 0xF07156C89886B27B
        assert fmt.name_hash(b"hello", seed) == 0x7838AB644C435900

    def compare_tree(img):
        mine = checkmod.tree_lines(Volume(Image(img)))
        theirs = sh(tools["inspect"], img, "tree").splitlines()
        if mine != theirs:
            diff = [f"- {x}" for x in theirs if x not in mine] + [f"+ {x}" for x in mine if x not in theirs]
            raise Fail("listing differs from tux3-inspect tree:\n  " + "\n  ".join(diff[:20]))
        return len(mine)

    def clean(img):
        problems = checkmod.check(Volume(Image(img)))
        if problems:
            raise Fail("check found: " + "; ".join(problems[:10]))
        out = sh(tools["inspect"], img, "verify", ok=(0, 1))
        if not out.splitlines()[-1].startswith("clean"):
            raise Fail("tux3-inspect verify: " + out.strip())

    def populated():
        img = make("populated.img", POPULATE)
        n = compare_tree(img)
        clean(img)
        v = Volume(Image(img))
        assert v.sb["itree_depth"] >= 1, "the inode table should have bnodes"
        big = v.inode(v.resolve("/big"))
        assert big["root_depth"] >= 1, "/big should have a multi-leaf index"
        frag = v.inode(v.resolve("/frag2"))
        assert frag["root_block"], "/frag2 should have an extent tree"
        kinds = {fmt.inode_type(r["mode"]) for _, r, _, _ in v.inode_items()}
        assert kinds >= {"file", "dir", "symlink", "chr", "blk", "fifo", "sock"}, kinds
        print(f"   {n} paths, inode table depth {v.sb['itree_depth']}, /big depth {big['root_depth']}")

    def changes():
        img = os.path.join(work, "changed.img")
        shutil.copy(os.path.join(work, "populated.img"), img)
        v = Volume(Image(img))
        inum = v.resolve("/a/b/c/deep")
        cx.set_inode_field(v, inum, "mtime_sec", 1111111111)
        cx.set_dirent(v, v.resolve("/a"), b"renamed", new_name=b"renamed-again")
        v.img.save()
        lines = sh(tools["inspect"], img, "tree")
        assert "/a/b/c/deep file 0700" not in lines
        assert f" 1111111111.000000000 " in lines, "new mtime not seen"
        assert "/a/renamed-again file" in lines, "renamed entry not found by name"
        compare_tree(img)
        clean(img)

    def crashed():
        img = make("crash.img", CRASH)
        listing = json.loads(sh(tools["replay"], "-p", "-j", img))
        v = Volume(Image(img))
        theirs = [b["block"] for b in listing["log"]["blocks"]]
        mine = [b["block"] for b in v.log]
        assert theirs == mine, f"log blocks {mine}, tux3-replay lists {theirs}"
        assert listing["committed_delta"] == v.delta
        theirs_s = {s["stream"]: [b["block"] for b in s["blocks"]] for s in listing["streams"]}
        mine_s = {s["stream"]: [b["block"] for b in s["blocks"]] for s in v.streams()}
        assert theirs_s == mine_s, f"streams {mine_s}, tux3-replay lists {theirs_s}"
        assert any(mine_s.values()), "the crash should leave a live stream block"
        problems = [p for p in checkmod.check(v) if not p.startswith("info:")]
        assert not problems, problems
        print(f"   log blocks {mine}, streams {mine_s}")

    def bnode_log():
        img = make("bnodelog.img", BNODE_LOG)
        v = Volume(Image(img))
        kinds = {fmt.RECORDS[code][0] for blk in v.log for _, code, _, _ in blk["records"]}
        assert kinds & {"BNODE_ADD", "BNODE_UPDATE", "BNODE_NEW", "BNODE_REDIRECT", "BNODE_DEL"}, \
            f"the log should hold bnode records, has {sorted(kinds)}"
        n = compare_tree(img)
        problems = [p for p in checkmod.check(v) if not p.startswith("info:")]
        assert not problems, problems
        print(f"   {len(v.log)} log blocks, {len(v.bnodes)} bnodes rebuilt, {n} paths; records {sorted(kinds)}")

    step("spec examples", examples)
    step("populated image: listing and check", populated)
    step("changes seen by the library", changes)
    step("crashed image: log and streams", crashed)
    step("crashed image: bnodes rebuilt from the log", bnode_log)
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    print("selftest: " + ("FAILED: " + ", ".join(failures) if failures else "all passed"))
    return 1 if failures else 0

