# tux3-image's unit tests: the dump stream, the dump of a volume and its restore, the
# device a dump is opened as, and the scrambler (tests/unit/metadump_*_test.cc).
file(GLOB TUX3_IMAGE_UNIT_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/metadump_*_test.cc)
add_executable(tuxdisk_image_tests ${TUX3_IMAGE_UNIT_TESTS})
target_include_directories(tuxdisk_image_tests PRIVATE ${PROJECT_SOURCE_DIR}/libtuxdisk/src
  ${CMAKE_CURRENT_LIST_DIR} ${ZSTD_INCLUDE_DIR})
target_link_libraries(tuxdisk_image_tests PRIVATE tuxdisk GTest::gtest_main)
gtest_discover_tests(tuxdisk_image_tests DISCOVERY_TIMEOUT 60)
