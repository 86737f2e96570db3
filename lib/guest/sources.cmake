# SPDX-License-Identifier: BSD-3-Clause
target_sources(vcrypto-guest PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/alloc.c
  ${CMAKE_CURRENT_LIST_DIR}/guest.c
  ${CMAKE_CURRENT_LIST_DIR}/vhost_user.c
  ${CMAKE_CURRENT_LIST_DIR}/vq.c
)
find_package(Threads REQUIRED)
target_link_libraries(vcrypto-guest PRIVATE Threads::Threads)
