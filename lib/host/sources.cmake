# SPDX-License-Identifier: BSD-3-Clause
target_sources(vcrypto PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/log.c
  ${CMAKE_CURRENT_LIST_DIR}/walk.c
  ${CMAKE_CURRENT_LIST_DIR}/parse.c
  ${CMAKE_CURRENT_LIST_DIR}/engine.c
  ${CMAKE_CURRENT_LIST_DIR}/port.c
  ${CMAKE_CURRENT_LIST_DIR}/poller.c
  ${CMAKE_CURRENT_LIST_DIR}/qos.c
  ${CMAKE_CURRENT_LIST_DIR}/telemetry.c)
# rte_vdev_init()/rte_vdev_uninit() live in the vdev bus driver, and
# rte_cryptodev_scheduler_workers_get() (device quirks of a scheduler's
# workers) in the scheduler driver; Debian's libdpdk.pc lists neither.
target_link_libraries(vcrypto PRIVATE rte_bus_vdev rte_crypto_scheduler)
# Developer option: record what real front ends send as fuzz seeds (lib/host/record.h).
if(VCRYPTO_RECORD_SEEDS)
  message(WARNING "VCRYPTO_RECORD_SEEDS=ON: the host library writes requests and session "
    "keys to $VCRYPTO_RECORD_DIR; never ship this build")
  target_sources(vcrypto PRIVATE ${CMAKE_CURRENT_LIST_DIR}/record.c)
  target_compile_definitions(vcrypto PRIVATE VCRYPTO_RECORD_SEEDS)
endif()
