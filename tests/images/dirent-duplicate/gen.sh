#!/usr/bin/env bash
# dirent-duplicate: /var/log holds two entries named old.4 (the one that was old.3 renamed, with collision index 1)
# The entry old.3 is renamed old.4; its key is hash(old.4) with the next collision index.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
t3 dirent-set /var/log old.3 --new-name old.4 >/dev/null
[[ $(tux3img show "$OUT" dir /var/log --get entries | grep -o '"name": "old.4"' | wc -l) -eq 2 ]] \
  || die "expected two entries old.4"
