#!/bin/bash
# writer_loops.sh: repeat/end with $i: 1000 files from one loop (the script on standard
# input), nested loops with $i1/$i2/${i}, a loop count from an outer index, repeat 0, and
# $$ for a literal dollar sign.
# Usage: writer_loops.sh WRITER_BINARY MKFS_BINARY INSPECT_BINARY [SCRATCH_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/writer_lib.sh" "$@"

new_image img 32m
tw --time "$TEST_TIME" img - <<'S'
mkdir /many
repeat 1000
  write /many/f$i 4k pattern=random
end
S
tw_ok "1000 files from a loop, script on stdin"
out_has "ops: 1001" "1001 commands ran"
out_has "data blocks: 1000" "1000 blocks of data"
verify_clean img "after 1000 files"
tree img >t1
check "1000 files in /many" test "$(grep -c '^/many/f[0-9]* file 0644 0:0 1 4096 ' t1)" -eq 1000
check "f0 and f999 exist" grep -q '^/many/f999 file' t1
check "random content differs by path" \
  test "$(grep '^/many/f' t1 | awk '{print $8}' | sort -u | wc -l)" -eq 1000
tw -q img - <<'S'
repeat 1000
  check /many/f$i size=4k content=random
end
S
tw_ok "every file reads back as its own random pattern"

# Nested loops: $i is the innermost index, $i1 the outermost; ${i} ends a name; an outer
# index as an inner count (a triangle); repeat 0 runs nothing; $$ is a dollar sign.
tw -q --time "$TEST_TIME" img - <<'S'
mkdir /n
repeat 3
  mkdir /n/a$i
  repeat 2
    mkdir /n/a$i1/b$i
    repeat 2
      write /n/a$i1/b$i2/c${i}x 1
      setxattr /n/a$i1/b$i2/c${i}x user.idx "$i1.$i2.$i3=$i"
    end
  end
end
mkdir /tri
repeat 4
  repeat $i
    write /tri/$i1-$i 1
  end
end
repeat 0
  write /never 1
end
write /cost$$ 1
S
tw_ok "nested loops"
tree img >t2
check "3 x 2 x 2 files" test "$(grep -c '^/n/a[0-9]/b[0-9]/c[0-9]x file' t2)" -eq 12
check "the innermost xattr names every level" \
  grep -q '^/n/a2/b1/c0x file .* xattr=user.idx:322e312e303d30$' t2  # "2.1.0=0"
check "a triangle: 0+1+2+3 files" test "$(grep -c '^/tri/[0-9]-[0-9] file' t2)" -eq 6
check "the triangle's last file" grep -q '^/tri/3-2 file' t2
check "repeat 0 ran nothing" not grep -q '^/never' t2
check "\$\$ is a dollar sign" grep -q '^/cost\$ file' t2
verify_clean img "after nested loops"

finish
