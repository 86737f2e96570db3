# SPDX-License-Identifier: BSD-3-Clause
#
# Host library served to the guest library in one process (host poller
# thread + guest), over a real vhost-user socket and memfd memory, with
# crypto_openssl. Results checked against OpenSSL.

if(NOT TARGET vcrypto_test_dpdk_env)
  add_library(vcrypto_test_dpdk_env STATIC ${PROJECT_SOURCE_DIR}/tests/support/dpdk_env.c)
  target_include_directories(vcrypto_test_dpdk_env PUBLIC ${PROJECT_SOURCE_DIR}/tests/support)
  target_compile_definitions(vcrypto_test_dpdk_env PRIVATE _GNU_SOURCE ALLOW_EXPERIMENTAL_API)
  target_link_libraries(vcrypto_test_dpdk_env PUBLIC vcrypto::vcrypto PkgConfig::DPDK
    PRIVATE vcrypto_warnings)
endif()

add_executable(test_host_guest ${CMAKE_CURRENT_LIST_DIR}/test_host_guest.c)
target_compile_definitions(test_host_guest PRIVATE _GNU_SOURCE)
target_compile_definitions(test_host_guest PRIVATE ALLOW_EXPERIMENTAL_API)
target_link_libraries(test_host_guest PRIVATE vcrypto::vcrypto vcrypto::vcrypto-guest
  vcrypto_test_dpdk_env vcrypto_test_oracle PkgConfig::DPDK rte_bus_vdev PkgConfig::CHECK
  vcrypto_warnings)
add_test(NAME host_guest COMMAND test_host_guest)
set_tests_properties(host_guest PROPERTIES LABELS integration SKIP_RETURN_CODE 77 TIMEOUT 300)

# A raw vhost-user front end written in the test: malformed requests,
# hostile rings, session messages, memory-table changes, client mode.
add_executable(test_host_raw ${CMAKE_CURRENT_LIST_DIR}/test_host_raw.c)
target_include_directories(test_host_raw PRIVATE ${PROJECT_SOURCE_DIR}/lib)
target_compile_definitions(test_host_raw PRIVATE _GNU_SOURCE)
target_link_libraries(test_host_raw PRIVATE vcrypto::vcrypto vcrypto::vcrypto-guest
  vcrypto_test_dpdk_env vcrypto_test_oracle PkgConfig::CHECK vcrypto_warnings)
add_test(NAME host_raw COMMAND test_host_raw)
set_tests_properties(host_raw PROPERTIES LABELS integration SKIP_RETURN_CODE 77 TIMEOUT 300)

# Quality of service: rate limits, run-time limits, weighted sharing of a
# queue pair, an engine on crypto_scheduler, DPDK telemetry commands.
add_executable(test_qos ${CMAKE_CURRENT_LIST_DIR}/test_qos.c)
target_compile_definitions(test_qos PRIVATE _GNU_SOURCE ALLOW_EXPERIMENTAL_API)
target_link_libraries(test_qos PRIVATE vcrypto::vcrypto vcrypto::vcrypto-guest
  vcrypto_test_dpdk_env vcrypto_test_oracle PkgConfig::DPDK rte_bus_vdev PkgConfig::CHECK
  vcrypto_warnings)
add_test(NAME host_qos COMMAND test_qos)
set_tests_properties(host_qos PROPERTIES LABELS integration SKIP_RETURN_CODE 77 TIMEOUT 300)

# Cryptodev faults injected by wrapping crypto_openssl's fast-path functions
# (rte_crypto_fp_ops): refused enqueues, failed ops, stalls, a port destroyed
# while stuck, dry op/mbuf/session pools; and crypto_aesni_mb's CPU crypto
# errors (the test interposes rte_cryptodev_sym_cpu_crypto_process()).
add_executable(test_faults ${CMAKE_CURRENT_LIST_DIR}/test_faults.c)
target_compile_definitions(test_faults PRIVATE _GNU_SOURCE ALLOW_EXPERIMENTAL_API)
target_link_libraries(test_faults PRIVATE vcrypto::vcrypto vcrypto::vcrypto-guest
  vcrypto_test_dpdk_env vcrypto_test_oracle PkgConfig::DPDK PkgConfig::CHECK vcrypto_warnings)
add_test(NAME host_faults COMMAND test_faults)
set_tests_properties(host_faults PROPERTIES LABELS integration SKIP_RETURN_CODE 77 TIMEOUT 300)
