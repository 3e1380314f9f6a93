# mkfs.tux3 --root-dir tests (tests/cli/mkfs_rootdir*.sh; helpers in mkfs_rootdir_lib.sh).
# Each runs as `bash mkfs_rootdir_<name>.sh MKFS_BINARY INSPECT_BINARY SCRATCH_DIR`; exit 77
# is a skip. Run them with: ctest -R cli_mkfs_rootdir --output-on-failure
set(TUX3_ROOTDIR_TESTS
  ""         # every kind of entry copied and listed back, sparse files, clamping, dry run
  _repro     # -U + SOURCE_DATE_EPOCH: byte-identical images, across deltas and tree copies
  _errors    # missing/non-directory DIR, unreadable entries, ENOSPC: exit 2, image removed
)
foreach(suffix IN LISTS TUX3_ROOTDIR_TESTS)
  if(suffix STREQUAL "")
    set(name cli_mkfs_rootdir)
  else()
    set(name cli_mkfs_rootdir${suffix})
  endif()
  add_test(NAME ${name}
           COMMAND ${BASH_PROGRAM} ${CMAKE_CURRENT_SOURCE_DIR}/mkfs_rootdir${suffix}.sh
                   $<TARGET_FILE:mkfs.tux3> $<TARGET_FILE:tux3-inspect>
                   ${CMAKE_CURRENT_BINARY_DIR}/scratch-rootdir${suffix})
  set_tests_properties(${name} PROPERTIES
    LABELS cli
    SKIP_RETURN_CODE 77
    TIMEOUT 120)
endforeach()
