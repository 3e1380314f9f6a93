#!/usr/bin/env bash
# dirent-bad-hash: the entry /etc/conf.d/net is renamed 'nat' but keeps the key of 'net': its key does not match its name's hash
# The entry's name changes from net to nat; the key is not recomputed.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
t3 dirent-set /etc/conf.d net --new-name nat --no-rehash >/dev/null
expect dirent /etc/conf.d nat hash_ok=False
