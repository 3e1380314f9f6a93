#!/usr/bin/env bash
# dir-cycle: /home/alice and /home/alice/docs form a cycle: docs holds an entry 'alice' for it, alice's PARENT is docs, /home no longer names alice
# The entry alice moves from /home into /home/alice/docs, and alice's PARENT becomes docs:
# neither is reachable from the root. Sizes and link counts follow the entries.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
alice=$(get path /home/alice inum)
docs=$(get path /home/alice/docs inum)
t3 dirent-del /home alice >/dev/null
t3 inode-adjust /home nlink -1 >/dev/null
t3 dirent-add "$docs" alice "$alice" dir >/dev/null
t3 inode-adjust "$docs" nlink 1 >/dev/null
t3 parent-set "$alice" "$docs" >/dev/null
expect dirent "$docs" alice inum=$alice
