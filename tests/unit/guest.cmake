# SPDX-License-Identifier: BSD-3-Clause
# Guest library unit tests.

# Session message codec (through the exported vcrypto__* functions).
add_executable(test_guest_session_msg ${CMAKE_CURRENT_LIST_DIR}/test_guest_session_msg.c)
target_include_directories(test_guest_session_msg PRIVATE ${PROJECT_SOURCE_DIR}/lib)
target_link_libraries(test_guest_session_msg PRIVATE vcrypto::vcrypto-guest PkgConfig::CHECK
  vcrypto_warnings)
target_compile_definitions(test_guest_session_msg PRIVATE
  VCRYPTO_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data")
add_test(NAME guest_session_msg COMMAND test_guest_session_msg)

# Ring encoding, validation, allocator: the guest sources are compiled into
# the test to reach their internals (a connection without a socket).
find_package(Threads REQUIRED)
add_executable(test_guest_ring ${CMAKE_CURRENT_LIST_DIR}/test_guest_ring.c
  ${PROJECT_SOURCE_DIR}/lib/guest/alloc.c
  ${PROJECT_SOURCE_DIR}/lib/guest/guest.c
  ${PROJECT_SOURCE_DIR}/lib/guest/vhost_user.c
  ${PROJECT_SOURCE_DIR}/lib/guest/vq.c)
target_include_directories(test_guest_ring PRIVATE ${PROJECT_SOURCE_DIR}/lib)
target_compile_definitions(test_guest_ring PRIVATE _GNU_SOURCE)
target_link_libraries(test_guest_ring PRIVATE vcrypto::vcrypto-guest PkgConfig::CHECK
  Threads::Threads vcrypto_warnings)
add_test(NAME guest_ring COMMAND test_guest_ring)

# Data-path cost against a trivial in-process "device" thread (prints the rate).
add_executable(test_guest_bench ${CMAKE_CURRENT_LIST_DIR}/test_guest_bench.c
  ${PROJECT_SOURCE_DIR}/lib/guest/alloc.c
  ${PROJECT_SOURCE_DIR}/lib/guest/guest.c
  ${PROJECT_SOURCE_DIR}/lib/guest/vhost_user.c
  ${PROJECT_SOURCE_DIR}/lib/guest/vq.c)
target_include_directories(test_guest_bench PRIVATE ${PROJECT_SOURCE_DIR}/lib)
target_compile_definitions(test_guest_bench PRIVATE _GNU_SOURCE)
target_link_libraries(test_guest_bench PRIVATE vcrypto::vcrypto-guest PkgConfig::CHECK
  Threads::Threads vcrypto_warnings)
add_test(NAME guest_bench COMMAND test_guest_bench)
set_tests_properties(guest_bench PROPERTIES LABELS bench TIMEOUT 120)

# The vhost-user conversation against a scripted fake back end.
add_executable(test_guest_vhost ${CMAKE_CURRENT_LIST_DIR}/test_guest_vhost.c)
target_include_directories(test_guest_vhost PRIVATE ${PROJECT_SOURCE_DIR}/lib)
target_compile_definitions(test_guest_vhost PRIVATE _GNU_SOURCE)
target_link_libraries(test_guest_vhost PRIVATE vcrypto::vcrypto-guest PkgConfig::CHECK
  Threads::Threads vcrypto_warnings)
add_test(NAME guest_vhost COMMAND test_guest_vhost)
