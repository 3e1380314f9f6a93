#!/bin/bash
# writer_enospc.sh: a 2 MiB volume filled until writes fail with ENOSPC (expect-error), then
# emptied and written again: the volume verifies clean at each step, space comes back once
# the deletes are committed, and the data written last reads back.
# Usage: writer_enospc.sh WRITER_BINARY MKFS_BINARY INSPECT_BINARY [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/writer_lib.sh" "$@"

new_image small 2m
tw -q small - <<'S'
mkdir /fill
# The files the failing writes go to exist first: on a full volume even a create may fail.
touch /fill/big
touch /fill/one-more
repeat 10
  touch /fill/more$i
end
repeat 16
  write /fill/f$i 64k pattern=random
end
expect-error ENOSPC write /fill/big 2m
repeat 10
  expect-error ENOSPC write /fill/more$i 64k
end
S
tw_ok "fill a 2m volume until ENOSPC"
verify_clean small "full volume"

# Without expect-error such a write is a failed command: exit 1, the volume stays clean.
tw -q small - <<<'write /fill/one-more 1m'
tw_error 1 "<stdin>:1: write: /fill/one-more" "ENOSPC fails the script"
check "the message names ENOSPC" grep -q '(ENOSPC)$' "$ERR"
verify_clean small "after a failed write on a full volume"

# Delete everything; once that is committed, the space is back.
tw -q small - <<'S'
repeat 16
  check /fill/f$i size=64k content=random
  unlink /fill/f$i
end
unlink /fill/big
unlink /fill/one-more
repeat 10
  unlink /fill/more$i
end
sync
write /again 1m pattern=random seed=5
check /again size=1m content=random:5
S
tw_ok "delete, sync, write 1m again"
verify_clean small "after deleting and writing again"
tw -q small - <<'S'
check /again size=1m content=random:5
rmdir /fill
S
tw_ok "the data written after ENOSPC reads back after a reopen"

# Rewrite the 1m file in place 8 times, committing every 64k: redirect-on-write needs new
# blocks in each delta, so the blocks earlier deltas freed must come back.
tw -q --dirty-limit 64k small - <<'S'
repeat 8
  write /again 1m pattern=random seed=$i
end
check /again size=1m content=random:7
S
tw_ok "rewrite a half-volume file 8 times in 64k deltas"
verify_clean small "after rewriting in place"

# Fill again in small deltas.
tw -q --dirty-limit 64k small - <<'S'
unlink /again
sync
repeat 20
  write /g$i 64k pattern=text
end
expect-error ENOSPC write /g20 1m
S
tw_ok "refill in small deltas"
verify_clean small "after refilling in small deltas"

finish
