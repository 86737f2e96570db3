# SPDX-License-Identifier: BSD-3-Clause
#
# Unit tests of the host library. test_host_walk needs no DPDK; the others
# run a real software cryptodev (crypto_openssl) with EAL in --no-huge mode.

# Descriptor-chain walker over synthetic guest memory.
add_executable(test_host_walk ${CMAKE_CURRENT_LIST_DIR}/test_host_walk.c
  ${PROJECT_SOURCE_DIR}/lib/host/walk.c)
target_include_directories(test_host_walk PRIVATE ${PROJECT_SOURCE_DIR}/lib)
target_compile_definitions(test_host_walk PRIVATE _GNU_SOURCE)
target_link_libraries(test_host_walk PRIVATE PkgConfig::CHECK vcrypto_warnings)
add_test(NAME unit.host_walk COMMAND test_host_walk)
set_tests_properties(unit.host_walk PROPERTIES LABELS "unit" TIMEOUT 60)

# EAL helper and in-process host for the DPDK-based tests (unit and integration).
if(NOT TARGET vcrypto_test_dpdk_env)
  add_library(vcrypto_test_dpdk_env STATIC ${PROJECT_SOURCE_DIR}/tests/support/dpdk_env.c)
  target_include_directories(vcrypto_test_dpdk_env PUBLIC ${PROJECT_SOURCE_DIR}/tests/support)
  target_compile_definitions(vcrypto_test_dpdk_env PRIVATE _GNU_SOURCE ALLOW_EXPERIMENTAL_API)
  target_link_libraries(vcrypto_test_dpdk_env PUBLIC vcrypto::vcrypto PkgConfig::DPDK
    PRIVATE vcrypto_warnings)
endif()

# The host's request pipeline (fetch, parse, cryptodev, finalize) over a
# synthetic virtqueue in ordinary memory, with the library's internals
# compiled in: malformed and hostile requests that no front end would send.
add_executable(test_host_pipeline ${CMAKE_CURRENT_LIST_DIR}/test_host_pipeline.c
  ${PROJECT_SOURCE_DIR}/tests/support/dpdk_env.c
  ${PROJECT_SOURCE_DIR}/lib/host/eal.c
  ${PROJECT_SOURCE_DIR}/lib/host/walk.c
  ${PROJECT_SOURCE_DIR}/lib/host/parse.c
  ${PROJECT_SOURCE_DIR}/lib/host/engine.c
  ${PROJECT_SOURCE_DIR}/lib/host/port.c
  ${PROJECT_SOURCE_DIR}/lib/host/poller.c
  ${PROJECT_SOURCE_DIR}/lib/host/qos.c
  ${PROJECT_SOURCE_DIR}/lib/host/telemetry.c)
target_include_directories(test_host_pipeline PRIVATE ${PROJECT_SOURCE_DIR}/lib
  ${PROJECT_SOURCE_DIR}/tests/support)
target_compile_definitions(test_host_pipeline PRIVATE _GNU_SOURCE ALLOW_EXPERIMENTAL_API
  VCRYPTO_BUILDING_LIBRARY)
target_link_libraries(test_host_pipeline PRIVATE vcrypto::vcrypto-guest vcrypto_test_oracle
  PkgConfig::DPDK PkgConfig::LIBBSD rte_bus_vdev rte_crypto_scheduler PkgConfig::CHECK
  vcrypto_warnings)
add_test(NAME unit.host_pipeline COMMAND test_host_pipeline)
set_tests_properties(unit.host_pipeline PROPERTIES LABELS "unit" TIMEOUT 120
  SKIP_RETURN_CODE 77)

# Engine: creation, capabilities, sessions (public API).
add_executable(test_host_engine ${CMAKE_CURRENT_LIST_DIR}/test_host_engine.c)
target_compile_definitions(test_host_engine PRIVATE _GNU_SOURCE)
target_link_libraries(test_host_engine PRIVATE vcrypto::vcrypto vcrypto_test_dpdk_env
  PkgConfig::DPDK PkgConfig::CHECK vcrypto_warnings)
add_test(NAME unit.host_engine COMMAND test_host_engine)
set_tests_properties(unit.host_engine PROPERTIES LABELS "unit" TIMEOUT 60 SKIP_RETURN_CODE 77)

# The check of a request against its session (lib/host/parse.c): every rule.
add_executable(test_host_plan ${CMAKE_CURRENT_LIST_DIR}/test_host_plan.c
  ${PROJECT_SOURCE_DIR}/lib/host/parse.c ${PROJECT_SOURCE_DIR}/lib/host/walk.c)
target_include_directories(test_host_plan PRIVATE ${PROJECT_SOURCE_DIR}/lib
  ${PROJECT_SOURCE_DIR}/include ${PROJECT_BINARY_DIR}/include ${PROJECT_SOURCE_DIR}/tests/support)
target_compile_definitions(test_host_plan PRIVATE _GNU_SOURCE VCRYPTO_BUILDING_LIBRARY)
target_link_libraries(test_host_plan PRIVATE PkgConfig::CHECK vcrypto_warnings)
add_test(NAME unit.host_plan COMMAND test_host_plan)
set_tests_properties(unit.host_plan PROPERTIES LABELS "unit" TIMEOUT 60)
