# tux3-image tool tests (included by tests/cli/CMakeLists.txt).
#
# Each is `bash image_<name>.sh IMAGE_TOOL MKFS WRITER REPLAY FSCK INSPECT SCRATCH_DIR`;
# helpers are in image_lib.sh (on top of replay_lib.sh and lib.sh). Volumes are made by
# mkfs.tux3 (--root-dir from a small host tree) and tux3-writer scripts ending with
# `crash`; the results compared are fsck.tux3 -fn, tux3-replay -n/-p/--until-delta and
# tux3-inspect, run on the original and on the restored copy under the same file name.
# Run them with: ctest -R cli_image --output-on-failure
set(TUX3_IMAGE_TESTS
  usage      # --help/--version, usage errors (16, one line), missing/not tux3/existing OUT (8)
  roundtrip  # dump -> restore of a crashed and a populated volume: the same fsck, replay,
             # replay --until-delta, inspect results; --data: cmp-identical; - and pipes
  scramble   # --scramble: fsck -fn clean, no name left, same shape, keyed and reproducible
  info       # info text and --json (schema, counts), from a file and from standard input
  bad        # truncated, flipped (stream and header), foreign, empty, newer: 8, one line,
             # no target left behind
  restore    # a new, empty or (-f) existing file; a directory, a missing directory
  loop       # a loop device (root): dump from it; restore the stored blocks only, --zero,
             # a device held by another process (-f), a mounted one
  progress   # the bar on a terminal (stderr), none with -q or without a terminal
)

foreach(name IN LISTS TUX3_IMAGE_TESTS)
  add_test(NAME cli_image_${name}
           COMMAND ${BASH_PROGRAM} ${CMAKE_CURRENT_LIST_DIR}/image_${name}.sh
                   $<TARGET_FILE:tux3-image> $<TARGET_FILE:mkfs.tux3>
                   $<TARGET_FILE:tux3-writer> $<TARGET_FILE:tux3-replay>
                   $<TARGET_FILE:fsck.tux3> $<TARGET_FILE:tux3-inspect>
                   ${CMAKE_CURRENT_BINARY_DIR}/scratch-image-${name})
  set_tests_properties(cli_image_${name} PROPERTIES
    LABELS cli
    SKIP_RETURN_CODE 77
    TIMEOUT 120)
endforeach()
