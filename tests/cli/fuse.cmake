# tux3-fuse tool tests (included by tests/cli/CMakeLists.txt).
#
# Each is `bash fuse_<name>.sh FUSE MKFS FSCK REPLAY SCRATCH_DIR`; helpers are in
# fuse_lib.sh (on top of lib.sh). They mount, so they need root and /dev/fuse: elsewhere
# each prints SKIP and exits 77 (after the checks that need no mount). They run one at a
# time (RESOURCE_LOCK): mounts and their serving processes are shared state of the machine.
# Run them with: ctest -R cli_fuse --output-on-failure
set(TUX3_FUSE_TESTS
  basic    # usage (16), refusals (8), the usual operations and errno values, remount ro
  diff     # seeded operations on the mount and on tmpfs: same results, same trees, remounted
  helper   # as mount.tux3: mount(8)'s argv and exit codes (1, 32), -f, -s, its usual options
  programs # cp -a + diff -r, tar round trip, git commit + fsck, fio verify, dbench; fsck clean
  kill     # SIGKILL of the server during write + fsync (20 times): replay, fsck, every fsync kept
)

foreach(name IN LISTS TUX3_FUSE_TESTS)
  add_test(NAME cli_fuse_${name}
           COMMAND ${BASH_PROGRAM} ${CMAKE_CURRENT_LIST_DIR}/fuse_${name}.sh
                   $<TARGET_FILE:tux3-fuse> $<TARGET_FILE:mkfs.tux3>
                   $<TARGET_FILE:fsck.tux3> $<TARGET_FILE:tux3-replay>
                   ${CMAKE_CURRENT_BINARY_DIR}/scratch-fuse-${name})
  set_tests_properties(cli_fuse_${name} PROPERTIES
    LABELS cli
    SKIP_RETURN_CODE 77
    RESOURCE_LOCK fuse
    TIMEOUT 300)
endforeach()
