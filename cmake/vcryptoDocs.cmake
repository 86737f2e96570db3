# SPDX-License-Identifier: BSD-3-Clause
#
# `docs` target: the API reference (HTML) from the public headers and
# docs/*.md, with Doxygen; warnings are errors. Output: <build>/docs/html.
if(NOT VCRYPTO_BUILD_DOCS)
  return()
endif()
find_package(Doxygen 1.9 QUIET)
if(NOT DOXYGEN_FOUND)
  message(STATUS "Doxygen not found: no 'docs' target")
  return()
endif()

set(VCRYPTO_DOXYGEN_INPUT
  "\"${PROJECT_SOURCE_DIR}/include/vcrypto\" \"${PROJECT_BINARY_DIR}/include/vcrypto/version.h\"")
file(GLOB VCRYPTO_DOC_PAGES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
foreach(page IN LISTS VCRYPTO_DOC_PAGES)
  string(APPEND VCRYPTO_DOXYGEN_INPUT " \"${page}\"")
endforeach()
if(EXISTS ${PROJECT_SOURCE_DIR}/docs/index.md)
  set(VCRYPTO_DOXYGEN_MAINPAGE "${PROJECT_SOURCE_DIR}/docs/index.md")
else()
  set(VCRYPTO_DOXYGEN_MAINPAGE "")
endif()
if(VCRYPTO_BUILD_HOST)
  set(VCRYPTO_DOXYGEN_EXCLUDE "")
else()
  set(VCRYPTO_DOXYGEN_EXCLUDE "\"${PROJECT_SOURCE_DIR}/include/vcrypto/host.h\"")
endif()
set(VCRYPTO_DOXYGEN_OUTPUT ${PROJECT_BINARY_DIR}/docs)
configure_file(${PROJECT_SOURCE_DIR}/docs/Doxyfile.in ${PROJECT_BINARY_DIR}/docs/Doxyfile @ONLY)

file(GLOB VCRYPTO_DOC_DEPENDS CONFIGURE_DEPENDS
  ${PROJECT_SOURCE_DIR}/include/vcrypto/*.h ${PROJECT_SOURCE_DIR}/docs/*.md
  ${PROJECT_SOURCE_DIR}/docs/*.svg ${PROJECT_SOURCE_DIR}/docs/*.png)
add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/docs/html/index.html
  COMMAND ${CMAKE_COMMAND} -E remove_directory ${PROJECT_BINARY_DIR}/docs/html
  COMMAND Doxygen::doxygen ${PROJECT_BINARY_DIR}/docs/Doxyfile
  DEPENDS ${VCRYPTO_DOC_DEPENDS} ${PROJECT_BINARY_DIR}/docs/Doxyfile
    ${PROJECT_BINARY_DIR}/include/vcrypto/version.h
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
  COMMENT "Doxygen: API reference in ${PROJECT_BINARY_DIR}/docs/html"
  VERBATIM)
add_custom_target(docs DEPENDS ${PROJECT_BINARY_DIR}/docs/html/index.html)
