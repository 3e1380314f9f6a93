#!/usr/bin/env bash
# xattr-out-of-order: the xattrs of /home/alice/notes are out of order: user.topic is stored before user.author
# The two user.* XATTR attributes of the record swap places; resealed.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
a=$(get xattr /home/alice/notes user.author attr_index)
b=$(get xattr /home/alice/notes user.topic attr_index)
t3 attr-swap /home/alice/notes "$a" "$b" >/dev/null
expect xattr /home/alice/notes user.topic attr_index=$a
