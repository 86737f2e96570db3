/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * A minimal reference host for the guest's integration tests, built on
 * DPDK 22.11's own rte_vhost_crypto (the upstream data path) with the
 * crypto_openssl software cryptodev, served by a thread of the test process.
 * Known limits (INTEROP.md): AES-CBC and 3DES only, indirect descriptors,
 * in-order heads, buffers up to 2176 bytes.
 */
#ifndef VCRYPTO_TEST_REF_HOST_H
#define VCRYPTO_TEST_REF_HOST_H

#include <stdbool.h>

struct ref_host;

/*
 * Initialise EAL (once per process). Returns 0, or 77 if this environment
 * cannot run DPDK at all (the caller skips).
 */
int ref_host_eal_init(void);

/* Listen on @p path and serve it from a new thread. 0 or -errno. */
int ref_host_start(const char *path, struct ref_host **out);

/* Stop taking requests from the ring (they stay there) or resume; on return no fetch of the old state is under way. */
void ref_host_pause(struct ref_host *h, bool pause);

/* Number of vhost devices that became ready so far. */
unsigned int ref_host_ready_count(struct ref_host *h);

/* Stop the thread and close the socket and its connection (the guest sees EOF). */
void ref_host_stop(struct ref_host *h);

#endif /* VCRYPTO_TEST_REF_HOST_H */
