# SPDX-License-Identifier: BSD-3-Clause
# Test support shared by the guest and host tests: the OpenSSL oracle.
add_library(vcrypto_test_oracle STATIC ${CMAKE_CURRENT_LIST_DIR}/oracle.c)
target_include_directories(vcrypto_test_oracle PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(vcrypto_test_oracle PUBLIC vcrypto::vcrypto-guest PkgConfig::LIBCRYPTO
  PRIVATE vcrypto_warnings)
