# fuse_diff.sh: the differential test (fuse_diff.py): a seeded sequence of file operations
# on the mount and on tmpfs must give the same results and trees; after unmounting, the
# volume checks clean and, remounted, still matches the reference tree. Seed 2 runs with the
# kernel's writeback cache, seed 3 with it and no caching of names and attributes.
# TUX3_FUSE_DIFF_OPS sets the number of operations per seed (default 2000).
source "$(dirname "${BASH_SOURCE[0]}")/fuse_lib.sh" "$@"
DIFF_PY=$(dirname "${BASH_SOURCE[0]}")/fuse_diff.py
need_fuse

mkdir -p ref
mount -t tmpfs -o size=256m tmpfs ref || skip "cannot mount a tmpfs for the reference"
on_exit "umount -l '$PWD/ref'"
options=([1]=delta_interval=50 [2]=delta_interval=50,writeback_cache
         [3]=delta_interval=50,writeback_cache,timeout=0)
for seed in 1 2 3; do
  rm -rf ref/s
  mkdir ref/s
  new_image vol$seed.img 256M
  mount_image vol$seed.img mnt -o "${options[seed]}"
  py 'import os,sys; os.chmod(sys.argv[1], 0o755)' "$PWD/mnt"
  check "seed $seed: the operations and the trees match" \
    python3 "$DIFF_PY" "$PWD/mnt" "$PWD/ref/s" --seed "$seed"
  unmount mnt
  fsck_clean vol$seed.img "seed $seed: the volume after unmounting"
  mount_image vol$seed.img mnt -o ro
  check "seed $seed: remounted, the tree still matches" \
    python3 "$DIFF_PY" "$PWD/mnt" "$PWD/ref/s" --compare-only
  unmount mnt
done
finish
