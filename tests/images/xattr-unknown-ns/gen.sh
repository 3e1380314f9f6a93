#!/usr/bin/env bash
# xattr-unknown-ns: /home/alice/notes has an xattr in the unknown name space 7 (it was security.label)
# The name-space byte of the security.label xattr (the last in order) becomes 7; resealed.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
t3 xattr-set /home/alice/notes security.label --ns 7 >/dev/null
expect xattr /home/alice/notes ns7.label ns=7
