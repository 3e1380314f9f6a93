#!/usr/bin/env bash
# orphan-linked: the orphan tree lists /var/log/messages, which has nlink 1 and is named by its entry (a new orphan leaf, allocated)
# A one-leaf orphan tree is made (its block allocated, otree_root in the slot and ROOTS) listing the file.
source "$(dirname "$0")/../lib.sh"
mkimg
populate
clean
inum=$(get path /var/log/messages inum)
t3 orphan-add /var/log/messages >/dev/null
expect orphans orphans.0.inum=$inum
