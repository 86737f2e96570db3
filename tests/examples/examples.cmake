# SPDX-License-Identifier: BSD-3-Clause
# Tests of the example programs (examples/hostd, examples/container-guest,
# examples/vswitch-embed). Label "examples": no daemon; label "e2e": starts
# vcrypto-hostd or vswitch-embed with a crypto_openssl vdev.
set(VCRYPTO_EX_TESTS ${CMAKE_CURRENT_SOURCE_DIR}/examples)

add_executable(test_hostd_config ${VCRYPTO_EX_TESTS}/test_hostd_config.c)
target_compile_definitions(test_hostd_config PRIVATE _GNU_SOURCE
  HOSTD_EXAMPLE_CONF="${PROJECT_SOURCE_DIR}/examples/hostd/vcrypto-hostd.conf")
target_link_libraries(test_hostd_config PRIVATE vcrypto_hostd_config PkgConfig::CHECK
  vcrypto_warnings)
add_test(NAME examples_hostd_config COMMAND test_hostd_config)
set_tests_properties(examples_hostd_config PROPERTIES LABELS "examples" TIMEOUT 60)

# Command-line behaviour of the programs that needs no daemon.
add_test(NAME examples_cli
  COMMAND bash ${VCRYPTO_EX_TESTS}/cli.sh $<TARGET_FILE:vcrypto-hostd>
          $<TARGET_FILE:vcrypto-guest-cli> ${PROJECT_SOURCE_DIR}/examples/hostd/vcrypto-hostd.conf)
set_tests_properties(examples_cli PROPERTIES LABELS "examples" TIMEOUT 60)

# OpenSSL libcrypto oracle for vcrypto-guest's AES-GCM record format.
add_executable(gcm_records ${VCRYPTO_EX_TESTS}/gcm_records.c)
target_link_libraries(gcm_records PRIVATE PkgConfig::LIBCRYPTO vcrypto_warnings)

foreach(t roundtrip sigterm control vswitch)
  add_test(NAME e2e_examples_${t}
    COMMAND bash ${VCRYPTO_EX_TESTS}/e2e_${t}.sh $<TARGET_FILE:vcrypto-hostd>
            $<TARGET_FILE:vcrypto-guest-cli> $<TARGET_FILE:vswitch-embed>
            $<TARGET_FILE:gcm_records>)
  set_tests_properties(e2e_examples_${t} PROPERTIES LABELS "e2e" TIMEOUT 120
    SKIP_RETURN_CODE 77 RUN_SERIAL TRUE)
endforeach()
