# fuse_kill.sh: SIGKILL of the serving process during a write + fsync workload, at random
# points (TUX3_FUSE_KILLS times, default 20): after a lazy unmount, tux3-replay and
# fsck.tux3 must leave a consistent volume in which every fsync that returned holds its
# data. Half the runs use fsync_mode=delta; every third the kernel's writeback cache.
source "$(dirname "${BASH_SOURCE[0]}")/fuse_lib.sh" "$@"
need_fuse

kills=${TUX3_FUSE_KILLS:-20}
cat >worker.py <<'EOF'
# Appends 4 KiB records to three files, fsyncing after each, and prints each record once its
# fsync has returned: "FILE OFFSET SHA256". Ends at the first error (the server is gone).
import hashlib, os, random, sys
mnt, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
fds = {}
for name in ("a", "b", "c"):
    fds[name] = os.open(os.path.join(mnt, name), os.O_CREAT | os.O_WRONLY, 0o644)
offsets = {name: 0 for name in fds}
try:
    for n in range(1_000_000):
        name = rng.choice(list(fds))
        record = hashlib.sha256(f"{seed} {n}".encode()).digest() * 128
        os.pwrite(fds[name], record, offsets[name])
        # Unsynced writes in between, to other files: they may be lost, never half applied.
        os.pwrite(fds[rng.choice(list(fds))], b"x" * rng.randrange(1, 9000), 1 << 30)
        os.fsync(fds[name])
        print(name, offsets[name], hashlib.sha256(record).hexdigest(), flush=True)
        offsets[name] += len(record)
except OSError:
    pass
EOF
cat >verify.py <<'EOF'
# Every acknowledged record reads back whole.
import hashlib, os, sys
mnt, acks = sys.argv[1], sys.argv[2]
bad = checked = 0
for line in open(acks):
    parts = line.split()
    if len(parts) != 3:
        continue  # the last line may be cut by the kill
    name, offset, digest = parts[0], int(parts[1]), parts[2]
    with open(os.path.join(mnt, name), "rb") as f:
        f.seek(offset)
        data = f.read(4096)
    checked += 1
    if hashlib.sha256(data).hexdigest() != digest:
        bad += 1
        print(f"record {name}@{offset}: lost or damaged", file=sys.stderr)
print(f"{checked} acknowledged records checked, {bad} bad")
sys.exit(1 if bad else 0)
EOF

RANDOM=7
for ((run = 1; run <= kills; run++)); do
  mode=stream
  ((run % 2 == 0)) && mode=delta
  cache=no_writeback_cache
  ((run % 3 == 0)) && cache=writeback_cache
  new_image vol.img 128M
  mount_image vol.img mnt -o delta_interval=$((20 + RANDOM % 200)),fsync_mode=$mode,$cache || break
  pid=$(server_pid mnt)
  : >acks.txt  # emptied here, not by the worker's redirection, which may come late
  python3 worker.py "$PWD/mnt" "$run" >>acks.txt 2>worker.err &
  worker=$!
  # Killed once the workload runs (its first fsync has returned), at a random point after.
  # The first fsync commits a delta and flushes the image file on the host, which takes
  # seconds when the host has much dirty data: waited for up to a minute.
  for ((i = 0; i < 1200; i++)); do
    [[ -s acks.txt ]] && break
    sleep 0.05
  done
  sleep "0.$((RANDOM % 5))$((RANDOM % 10))"
  kill -9 "$pid"
  wait "$worker" 2>/dev/null || true
  umount -l mnt 2>/dev/null || true
  records=$(wc -l <acks.txt)
  CHECKS=$((CHECKS + 1))
  if [[ $records -eq 0 ]]; then
    fail "run $run ($mode): the workload acknowledged no fsync before the kill"
    sed 's/^/  worker: /' worker.err >&2
    sed 's/^/  server: /' server.log >&2
  fi
  total=$((${total:-0} + records))
  rc=0
  "$REPLAY" vol.img >replay.out 2>&1 || rc=$?
  CHECKS=$((CHECKS + 1))
  if [[ $rc -ne 0 && $rc -ne 1 ]]; then
    fail "run $run ($mode): tux3-replay exited $rc"
    sed 's/^/  /' replay.out >&2
  fi
  fsck_clean vol.img "run $run ($mode, killed after $records fsyncs): the replayed volume"
  mount_image vol.img mnt -o ro || break
  check "run $run ($mode): every acknowledged fsync holds its data" \
    python3 verify.py "$PWD/mnt" acks.txt
  unmount mnt
done
note "$kills kills, after $total acknowledged fsyncs in all"
finish
