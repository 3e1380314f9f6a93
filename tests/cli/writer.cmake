# tux3-writer tool tests (included by tests/cli/CMakeLists.txt).
#
# Each is `bash writer_<name>.sh WRITER MKFS INSPECT SCRATCH_DIR`; helpers are in
# writer_lib.sh (on top of lib.sh), example scripts and golden listings in scripts/.
# Run them with: ctest -R cli_writer --output-on-failure
set(TUX3_WRITER_TESTS
  basic    # --help/--version, statistics (text, --json, -q), stdin, options, exit 16 and 2
  tree     # scripts/tree.tw: one of everything, verify clean, == scripts/tree.expected, repro
  errors   # failed command: line number, exit 1, clean volume with the work before; syntax: 16
  loops    # 1000 files from repeat/$i, nested loops, $i1/$i2/${i}, counts from variables
  data     # patterns against an independent implementation, copy, holes, quoting, escapes
  enospc   # fill a 2 MiB volume to ENOSPC, delete, write again, rewrite in place
  loop     # the engine on a loop device: same tree as on a file, reopen, exclusive (root only)
  fsync    # --fsync-mode/--fsync-streams, fsync/fdatasync/sync=, crash then reopen, fsyncloop
)

foreach(name IN LISTS TUX3_WRITER_TESTS)
  add_test(NAME cli_writer_${name}
           COMMAND ${BASH_PROGRAM} ${CMAKE_CURRENT_SOURCE_DIR}/writer_${name}.sh
                   $<TARGET_FILE:tux3-writer> $<TARGET_FILE:mkfs.tux3> $<TARGET_FILE:tux3-inspect>
                   ${CMAKE_CURRENT_BINARY_DIR}/scratch-writer-${name})
  set_tests_properties(cli_writer_${name} PROPERTIES
    LABELS cli
    SKIP_RETURN_CODE 77
    TIMEOUT 60)
endforeach()
