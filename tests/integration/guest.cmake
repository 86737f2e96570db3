# SPDX-License-Identifier: BSD-3-Clause
# Guest front end against DPDK 22.11's own vhost-crypto back end (ref_host.c).
add_library(vcrypto_test_ref_host STATIC ${CMAKE_CURRENT_LIST_DIR}/ref_host.c)
target_include_directories(vcrypto_test_ref_host PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_compile_definitions(vcrypto_test_ref_host PRIVATE ALLOW_EXPERIMENTAL_API _GNU_SOURCE)
target_link_libraries(vcrypto_test_ref_host PUBLIC PkgConfig::DPDK PRIVATE vcrypto_warnings)
# DPDK headers are not -Wextra clean.
target_compile_options(vcrypto_test_ref_host PRIVATE -Wno-pedantic)

add_executable(test_guest_refhost ${CMAKE_CURRENT_LIST_DIR}/test_guest_refhost.c)
target_link_libraries(test_guest_refhost PRIVATE vcrypto::vcrypto-guest vcrypto_test_oracle
  vcrypto_test_ref_host PkgConfig::CHECK vcrypto_warnings)
add_test(NAME guest_refhost COMMAND test_guest_refhost)
set_tests_properties(guest_refhost PROPERTIES LABELS integration SKIP_RETURN_CODE 77 TIMEOUT 120)
# (full malloc stacks, so that the suppression can see DPDK's frames)
set_property(TEST guest_refhost PROPERTY ENVIRONMENT
  "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/guest_refhost.lsan.supp"
  "ASAN_OPTIONS=fast_unwind_on_malloc=0")
