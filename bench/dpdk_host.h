/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * The benchmark's reference host: DPDK 22.11's own vhost-crypto data path
 * (rte_vhost_crypto), the baseline the benchmark issue names, driven the way
 * DPDK's examples/vhost_crypto worker drives it with --guest-polling: fetch
 * a burst, enqueue it, dequeue, finalize, no call eventfd. It has its own
 * cryptodev (a vdev of the same PMD) and serves one front end on one socket.
 *
 * Known limits of that data path (INTEROP.md): AES-CBC (alone or chained
 * with HMAC) and 3DES only, indirect descriptors, in-order heads, data up to
 * 2176 bytes (cipher) or 4096 (chains); a request outside them jams its
 * queue. Copy mode only: its zero copy needs RTE_VHOST_USER_ASYNC_COPY and
 * treats a split destination as contiguous.
 */
#ifndef VCRYPTO_BENCH_DPDK_HOST_H
#define VCRYPTO_BENCH_DPDK_HOST_H

#include <stdint.h>

/* Largest request data the benchmark sends to it (DPDK: 2176 for cipher only). */
#define DPDK_HOST_MAX_DATA 2048

/* The reference host's own cryptodev, a vdev of the benchmark's PMD (printf format). */
#define DPDK_HOST_VDEV_FMT "crypto_%s_vbd"

struct dpdk_host;

/*
 * Set up cryptodev crypto_@p pmd_vbd (created by EAL: --vdev
 * DPDK_HOST_VDEV_FMT), its queue pair and pools, and listen on @p path.
 * 0 or -errno.
 */
int dpdk_host_create(const char *pmd, const char *path, struct dpdk_host **out);

/*
 * One iteration of the worker loop, from one thread at a time. Returns the
 * number of requests fetched plus completed (0: nothing to do).
 */
int dpdk_host_poll(struct dpdk_host *h);

/*
 * Close the socket and free everything. The caller must have stopped
 * calling dpdk_host_poll() (rte_vhost's thread then drains the device).
 */
void dpdk_host_destroy(struct dpdk_host *h);

#endif /* VCRYPTO_BENCH_DPDK_HOST_H */
