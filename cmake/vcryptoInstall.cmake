# SPDX-License-Identifier: BSD-3-Clause
#
# Install rules for everything but the libraries themselves (lib/CMakeLists.txt):
# public headers, pkg-config files and the CMake package.
#
#   <prefix>/include/vcrypto/{vcrypto,version,crypto,guest,host}.h
#   <libdir>/pkgconfig/{vcrypto,vcrypto-guest}.pc
#   <libdir>/cmake/vcrypto/vcrypto{Config,ConfigVersion,Targets*}.cmake
#
# Everything here is in the install component "Development".

include(CMakePackageConfigHelpers)

# Headers. host.h only comes with the host library.
set(VCRYPTO_PUBLIC_HEADERS
  ${PROJECT_SOURCE_DIR}/include/vcrypto/vcrypto.h
  ${PROJECT_SOURCE_DIR}/include/vcrypto/crypto.h
  ${PROJECT_SOURCE_DIR}/include/vcrypto/guest.h
  ${PROJECT_BINARY_DIR}/include/vcrypto/version.h)
if(VCRYPTO_BUILD_HOST)
  list(APPEND VCRYPTO_PUBLIC_HEADERS ${PROJECT_SOURCE_DIR}/include/vcrypto/host.h)
endif()
install(FILES ${VCRYPTO_PUBLIC_HEADERS}
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/vcrypto COMPONENT Development)

# pkg-config files. They are generated at install time, so that
# `cmake --install <build> --prefix <dir>` gives files that point into <dir>.
set(VCRYPTO_PC_FILES vcrypto-guest)
if(VCRYPTO_BUILD_HOST)
  list(APPEND VCRYPTO_PC_FILES vcrypto)
endif()
foreach(pc IN LISTS VCRYPTO_PC_FILES)
  install(CODE "
    set(VCRYPTO_PC_IN \"${PROJECT_SOURCE_DIR}/${pc}.pc.in\")
    set(VCRYPTO_PC_OUT \"${PROJECT_BINARY_DIR}/pkgconfig/${pc}.pc\")
    set(VCRYPTO_INSTALL_LIBDIR \"${CMAKE_INSTALL_LIBDIR}\")
    set(VCRYPTO_INSTALL_INCLUDEDIR \"${CMAKE_INSTALL_INCLUDEDIR}\")
    set(PROJECT_VERSION \"${PROJECT_VERSION}\")
    set(PROJECT_DESCRIPTION \"${PROJECT_DESCRIPTION}\")
    include(\"${PROJECT_SOURCE_DIR}/cmake/vcryptoPkgConfig.cmake\")
    " COMPONENT Development)
endforeach()

# CMake package: find_package(vcrypto) gives vcrypto::vcrypto-guest and, if
# the host library was built, vcrypto::vcrypto.
set(VCRYPTO_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/vcrypto)
install(EXPORT vcryptoTargets NAMESPACE vcrypto:: DESTINATION ${VCRYPTO_CMAKE_DIR}
  COMPONENT Development)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/vcryptoConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/vcryptoConfig.cmake
  INSTALL_DESTINATION ${VCRYPTO_CMAKE_DIR})
# Same major version = same SONAME = compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/vcryptoConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/vcryptoConfig.cmake
  ${PROJECT_BINARY_DIR}/cmake/vcryptoConfigVersion.cmake
  DESTINATION ${VCRYPTO_CMAKE_DIR} COMPONENT Development)
