# fsck.tux3 tool tests (included by tests/cli/CMakeLists.txt).
#
# Each is `bash fsck_<name>.sh FSCK MKFS WRITER REPLAY INSPECT SCRATCH_DIR`; helpers are in
# fsck_lib.sh (on top of replay_lib.sh and lib.sh). Images are made by mkfs.tux3 and
# tux3-writer scripts (closed cleanly, or ending with `crash`) and damaged by
# fsck_image.py, which reads and reseals inode records on its own; fsck_pty.py answers
# questions on a pseudo-terminal. Run them with: ctest -R cli_fsck --output-on-failure
set(TUX3_FSCK_TESTS
  usage     # --help/-V/--list-problems; usage errors (16, one line, image untouched);
            # missing, not tux3 (8); no mode and no terminal (8, at once); ignored flags
  clean     # a clean volume: skipped without -f (0, "clean"), every mode; -f checks it (0)
  crash     # a crashed volume: -n 0 (needs replay, nothing written); -p/-y replay (0); clean
  repair    # preen-safe damage: -n 4 writes nothing; -y 1 (golden text); a second -n 0
  preen     # -p/-a fix preen-safe damage (1); refuse when one needs a person (4, unwritten)
  log       # a damaged log: -n/-p 4 and nothing written; -y rolls back (1); then clean
  ask       # questions on a terminal: y/n (5), a (1), q/EOF/^C (32, nothing written)
  progress  # -C FD lines (PASS CUR MAX DEVICE), a closed reader, -C 0 bar on a terminal
  json      # --json: parses, carries the exit code, problems, outcomes; errors too
  locked    # a locked image (flock) or mounted device refused for writing (8); -n reads
  problems  # --list-problems against the man page's PROBLEMS table
)

foreach(name IN LISTS TUX3_FSCK_TESTS)
  add_test(NAME cli_fsck_${name}
           COMMAND ${BASH_PROGRAM} ${CMAKE_CURRENT_LIST_DIR}/fsck_${name}.sh
                   $<TARGET_FILE:fsck.tux3> $<TARGET_FILE:mkfs.tux3>
                   $<TARGET_FILE:tux3-writer> $<TARGET_FILE:tux3-replay>
                   $<TARGET_FILE:tux3-inspect> ${CMAKE_CURRENT_BINARY_DIR}/scratch-fsck-${name})
  set_tests_properties(cli_fsck_${name} PROPERTIES
    LABELS cli
    SKIP_RETURN_CODE 77
    TIMEOUT 120)
endforeach()
