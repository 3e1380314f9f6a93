# fuse_helper.sh: tux3-fuse called as mount.tux3, the way mount(8) calls its helpers
# (mount.tux3 SPEC DIR [-sfnv] [-o OPTIONS]; exit 1 for a bad invocation, 32 when the
# mount fails); and `mount -t tux3` itself when /sbin/mount.tux3 is installed.
source "$(dirname "${BASH_SOURCE[0]}")/fuse_lib.sh" "$@"
ln -s "$FUSE" mount.tux3
helper() {
  LAST="mount.tux3 $*"
  RC=0
  ./mount.tux3 "$@" >"$OUT" 2>"$ERR" || RC=$?
}
TOOL_NAME=mount.tux3
helper
expect_error 1 "expected SPEC and DIR" "no arguments"
helper img dir -o frobnicate
expect_error 1 "unknown option" "an unknown option"
helper img dir -f
expect_ok "-f (fake) does nothing"
helper --help
expect_ok "--help"
out_has "Usage: mount.tux3" "--help"

need_fuse
mkdir -p mnt
TOOL_NAME=tux3-fuse
helper missing.img "$PWD/mnt"
expect_error 32 "missing.img" "a missing image fails the mount (32)"

new_image vol.img 64M
helper "$PWD/vol.img" "$PWD/mnt" -n -v -o rw,relatime,nofail,x-systemd.device-timeout=5,noatime
expect_ok "mount.tux3 with mount(8)'s usual options"
check "it is mounted" mountpoint -q mnt
on_exit "umount -l '$PWD/mnt'"
check "mounted as fuse.tux3" sh -c "grep -q ' $PWD/mnt fuse.tux3 ' /proc/self/mounts"
echo data >mnt/file
unmount mnt
helper "$PWD/vol.img" "$PWD/mnt" -s -o ro,frobnicate
expect_ok "-s ignores an unknown option"
check "the data is there, read-only" test "$(cat mnt/file)" = data
check "read-only" sh -c "! touch mnt/other 2>/dev/null"
unmount mnt
fsck_clean vol.img "the volume after the helper's mounts"

if [[ -x /sbin/mount.tux3 || -x /usr/sbin/mount.tux3 ]]; then
  check "mount -t tux3" mount -t tux3 "$PWD/vol.img" "$PWD/mnt"
  check "mount -t tux3 mounted it" test "$(cat mnt/file)" = data
  unmount mnt
else
  note "no /sbin/mount.tux3 installed: mount -t tux3 itself is not tried"
fi
finish
