# tux3-debugfs tool tests (included by tests/cli/CMakeLists.txt).
#
# golden: every command's output on two fixed images (debugfs_golden/*.txt; rewrite them
# with TUX3_REGEN_GOLDEN=1); json: the JSON schema; batch: exit statuses and batch mode;
# rdump: faithful and hardened copies to the host; write: -w through the engine, raw field
# edits; dump: a tux3-image dump opened directly; corpus: every read command on each image
# of the fsck corpus, never a crash; pty: the interactive shell (completion, history).
# Run them with: ctest -R cli_debugfs --output-on-failure
find_program(PYTHON3_PROGRAM python3 REQUIRED)
# The interpreter itself, found once: a wrapper such as a pyenv shim costs a second a call.
execute_process(COMMAND ${PYTHON3_PROGRAM} -c "import sys; print(sys.executable)"
                OUTPUT_VARIABLE TUX3_DEBUGFS_PYTHON OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE TUX3_DEBUGFS_PYTHON_RC)
if(NOT TUX3_DEBUGFS_PYTHON_RC EQUAL 0 OR NOT TUX3_DEBUGFS_PYTHON)
  set(TUX3_DEBUGFS_PYTHON ${PYTHON3_PROGRAM})
endif()
set(TUX3_DEBUGFS_TOOLS $<TARGET_FILE:tux3-debugfs> $<TARGET_FILE:mkfs.tux3>
    $<TARGET_FILE:tux3-writer>)
if(TARGET tux3-image)
  set(TUX3_DEBUGFS_IMAGE_TOOL $<TARGET_FILE:tux3-image>)
else()
  set(TUX3_DEBUGFS_IMAGE_TOOL "")
endif()

add_test(NAME cli_debugfs_golden
         COMMAND ${TUX3_DEBUGFS_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/debugfs_golden.py
                 $<TARGET_FILE:mkfs.tux3> $<TARGET_FILE:tux3-writer> $<TARGET_FILE:tux3-debugfs>
                 ${CMAKE_CURRENT_BINARY_DIR}/scratch-debugfs-golden)
add_test(NAME cli_debugfs_json
         COMMAND ${TUX3_DEBUGFS_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/debugfs_json.py
                 ${TUX3_DEBUGFS_TOOLS} ${CMAKE_CURRENT_BINARY_DIR}/scratch-debugfs-json)
add_test(NAME cli_debugfs_corpus
         COMMAND ${TUX3_DEBUGFS_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/debugfs_corpus.py
                 $<TARGET_FILE:tux3-debugfs> ${PROJECT_SOURCE_DIR}/tests/images
                 ${CMAKE_CURRENT_BINARY_DIR}/scratch-debugfs-corpus)
add_test(NAME cli_debugfs_pty
         COMMAND ${TUX3_DEBUGFS_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/debugfs_pty.py
                 ${TUX3_DEBUGFS_TOOLS} ${CMAKE_CURRENT_BINARY_DIR}/scratch-debugfs-pty)

set(TUX3_DEBUGFS_TESTS
  batch     # -R, -f, -f -, piped; exit 0/8/16, stop at the first failure, -k, echo, '>'
  rdump     # dump/rdump copy faithfully; hostile names, twins, cycles, symlinks in the way
  write     # -w: a delta per command, fsck clean; set_super and corrupt, resealed or not
  dump      # a tux3-image dump opens directly and reads as the volume; -w refused
)
foreach(name IN LISTS TUX3_DEBUGFS_TESTS)
  add_test(NAME cli_debugfs_${name}
           COMMAND ${BASH_PROGRAM} ${CMAKE_CURRENT_LIST_DIR}/debugfs_${name}.sh
                   ${TUX3_DEBUGFS_TOOLS} $<TARGET_FILE:fsck.tux3>
                   ${CMAKE_CURRENT_BINARY_DIR}/scratch-debugfs-${name} ${TUX3_DEBUGFS_IMAGE_TOOL})
endforeach()
foreach(name IN LISTS TUX3_DEBUGFS_TESTS ITEMS golden json corpus pty)
  set_tests_properties(cli_debugfs_${name} PROPERTIES
    LABELS cli
    SKIP_RETURN_CODE 77
    ENVIRONMENT TUX3_PYTHON=${TUX3_DEBUGFS_PYTHON}
    TIMEOUT 120)
endforeach()
