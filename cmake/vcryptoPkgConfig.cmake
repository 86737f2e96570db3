# SPDX-License-Identifier: BSD-3-Clause
#
# Run at install time (from cmake_install.cmake): writes one pkg-config file
# for the prefix being installed to and installs it (DESTDIR is honoured).
# Inputs: VCRYPTO_PC_IN, VCRYPTO_PC_OUT, VCRYPTO_INSTALL_LIBDIR,
# VCRYPTO_INSTALL_INCLUDEDIR, PROJECT_VERSION, PROJECT_DESCRIPTION, and
# CMAKE_INSTALL_PREFIX as set by `cmake --install [--prefix]`.

set(prefix "${CMAKE_INSTALL_PREFIX}")
foreach(kind LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${VCRYPTO_INSTALL_${kind}}")
    set(pc_${kind} "${VCRYPTO_INSTALL_${kind}}")
  else()
    set(pc_${kind} "\${prefix}/${VCRYPTO_INSTALL_${kind}}")
  endif()
endforeach()
set(libdir "${pc_LIBDIR}")
set(includedir "${pc_INCLUDEDIR}")
configure_file("${VCRYPTO_PC_IN}" "${VCRYPTO_PC_OUT}" @ONLY)

if(IS_ABSOLUTE "${VCRYPTO_INSTALL_LIBDIR}")
  set(pc_dest "${VCRYPTO_INSTALL_LIBDIR}/pkgconfig")
else()
  set(pc_dest "${CMAKE_INSTALL_PREFIX}/${VCRYPTO_INSTALL_LIBDIR}/pkgconfig")
endif()
file(INSTALL DESTINATION "${pc_dest}" TYPE FILE FILES "${VCRYPTO_PC_OUT}")
