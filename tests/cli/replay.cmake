# tux3-replay tool tests (included by tests/cli/CMakeLists.txt).
#
# Each is `bash replay_<name>.sh REPLAY MKFS WRITER INSPECT SCRATCH_DIR`; helpers are in
# replay_lib.sh (on top of lib.sh). Test images are made by mkfs.tux3 and tux3-writer
# scripts that end with `crash` (files unlinked while open are left as orphans, fsyncs in
# stream mode leave live streams); replay_image.py reads images independently of the
# library. Run them with: ctest -R cli_replay --output-on-failure
set(TUX3_REPLAY_TESTS
  usage    # --help/--version, usage errors (16), missing, not-tux3 and unknown-feature (8)
  clean    # a clean volume: 0 "clean, nothing to replay", nothing written, every mode
  crash    # -n writes nothing (1); replay (1), again (0, byte-identical); result clean
  print    # --print text and --json against an independent reader: records, streams
  until    # --until-delta / --until-stream / --no-streams: -n, refused without -f, written
  damage   # a corrupted log block: --print and replay exit 4 naming it; the suggestion works
  older    # --until-delta --force writes an older state; damage's suggestion followed; delta 0
  loop     # a loop device: same results and bytes as the file; held (O_EXCL), mounted (root)
)

foreach(name IN LISTS TUX3_REPLAY_TESTS)
  add_test(NAME cli_replay_${name}
           COMMAND ${BASH_PROGRAM} ${CMAKE_CURRENT_LIST_DIR}/replay_${name}.sh
                   $<TARGET_FILE:tux3-replay> $<TARGET_FILE:mkfs.tux3>
                   $<TARGET_FILE:tux3-writer> $<TARGET_FILE:tux3-inspect>
                   ${CMAKE_CURRENT_BINARY_DIR}/scratch-replay-${name})
  set_tests_properties(cli_replay_${name} PROPERTIES
    LABELS cli
    SKIP_RETURN_CODE 77
    TIMEOUT 120)
endforeach()
