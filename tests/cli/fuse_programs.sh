# fuse_programs.sh: real programs on the mount: cp -a of a generated tree and diff -r, a tar
# round trip, git init/add/commit/fsck, fio with crc32c verification and dbench (each when
# installed; a missing one is a note, not a failure); then the volume checks clean.
source "$(dirname "${BASH_SOURCE[0]}")/fuse_lib.sh" "$@"
GENTREE=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/bench/gentree.py
need_fuse

new_image vol.img 1G
mount_image vol.img mnt -o delta_interval=200

python3 "$GENTREE" --seed 3 --files 600 src >/dev/null
cp -a src mnt/src
check "cp -a of a 600-file tree: diff -r finds no difference" diff -r --no-dereference src mnt/src
# Modes, times and link counts of every name (directory sizes differ: tux3-fuse(8)).
meta() { (cd "$1" && find . -printf "%p %y %m %n ${2:-%T@}\n" | sort); }
meta src >src.meta
meta mnt/src >mnt.meta
check "cp -a keeps modes, times and hard links" cmp -s src.meta mnt.meta

tar -C src -cf src.tar .
mkdir mnt/untar
check "tar extracts onto the mount" tar -C mnt/untar -xf src.tar
check "the extracted tree equals the source" diff -r --no-dereference src mnt/untar
# tar keeps whole seconds only.
meta src %Ts >src.seconds
meta mnt/untar %Ts >untar.seconds
check "tar keeps modes, times and hard links" cmp -s src.seconds untar.seconds

if command -v git >/dev/null; then
  git_rc=0
  (
    cd mnt/src
    git init -q . && git add -A &&
      git -c user.name=t -c user.email=t@example.com commit -q -m tree &&
      git fsck --strict --no-progress && git status --porcelain >../../git.status
  ) >git.out 2>&1 || git_rc=$?
  CHECKS=$((CHECKS + 1))
  if [[ $git_rc -ne 0 || -s git.status ]]; then
    fail "git init, add, commit and fsck on the mount (exit $git_rc)"
    sed 's/^/  git: /' git.out git.status >&2
  fi
else
  note "git not installed: its part is skipped"
fi

if command -v fio >/dev/null; then
  check "fio: 4 KiB random writes with fsync, verified by crc32c" \
    fio --name=verify --directory=mnt --rw=randwrite --bs=4k --size=8m --fsync=8 \
      --verify=crc32c --do_verify=1 --fallocate=none --ioengine=psync --output=fio.out
else
  note "fio not installed: its part is skipped"
fi

if command -v dbench >/dev/null; then
  db_rc=0
  dbench -D mnt -t 5 4 >dbench.out 2>&1 || db_rc=$?
  CHECKS=$((CHECKS + 1))
  if [[ $db_rc -ne 0 ]] || grep -qiE "^ *(error|failed)|ERROR|unexpected" dbench.out; then
    fail "dbench: 4 clients for 5 s without errors (exit $db_rc)"
    grep -iE "error|failed|unexpected" dbench.out | head -5 | sed 's/^/  dbench: /' >&2
  fi
else
  note "dbench not installed: its part is skipped (scripts/setup-deps.sh --bench installs it)"
fi

unmount mnt
fsck_clean vol.img "the volume after the programs"
finish
