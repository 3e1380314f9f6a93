# tux3-debugfs's own unit tests (included by tests/CMakeLists.txt): the pieces of the tool
# that hold logic of their own, tested without a volume or on a small memory volume.
add_executable(tux3_debugfs_tests
  ${CMAKE_CURRENT_LIST_DIR}/debugfs_tokenize_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/debugfs_mapping_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/debugfs_fields_test.cc
)
target_link_libraries(tux3_debugfs_tests PRIVATE tux3debugfs GTest::gtest_main)
gtest_discover_tests(tux3_debugfs_tests TEST_PREFIX debugfs. DISCOVERY_TIMEOUT 60)
