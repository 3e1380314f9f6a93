#!/usr/bin/env bash
# itree-bnode-keys-order: the inode table's root bnode has two keys out of order (entries 3 and 4 swapped, children kept)
# The keys of entries 3 and 4 of the inode table's root bnode are swapped; resealed.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
expect itree depth=1
root=$(get itree root)
t3 bnode-swap "$root" 3 4 >/dev/null
