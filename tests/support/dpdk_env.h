/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Test support for the host side: EAL initialisation with a unique
 * --file-prefix, and a vcrypto host (engine + port + poller thread) started
 * in-process. Test-only code.
 */
#ifndef VCRYPTO_TEST_DPDK_ENV_H
#define VCRYPTO_TEST_DPDK_ENV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include <vcrypto/host.h>

/*
 * Initialise DPDK's EAL once per process: --no-huge -m <mem_mb> --no-pci
 * --file-prefix vc<pid>, three lcores mapped on the machine's
 * CPUs (so vcrypto_poller_launch() can be tested on lcores 1 and 2), and
 * the vdevs in @vdevs (NULL-terminated list, may be NULL). Returns 0, or -1
 * if the EAL cannot start here (tests then exit 77). Later calls return the
 * first result.
 */
int vc_test_eal_init(const char *const *vdevs, unsigned int mem_mb);

/* A unique socket path under /tmp (@tag distinguishes sockets of one test). */
const char *vc_test_sock_path(char *buf, size_t len, const char *tag);

/* A host in this process: engine, one port, one poller polled by a thread. */
struct vc_test_host {
	struct vcrypto_engine *engine;
	struct vcrypto_port *port;
	struct vcrypto_poller *poller;
	pthread_t thread;
	atomic_bool stop;
	bool thread_running;
	bool own_engine;
	char path[108];
};

/*
 * Start a host: engine on @device (vdev args, e.g. "crypto_openssl_t1") unless
 * @engine is given, a port on @path serving all its queues, a poller and a
 * thread calling vcrypto_poller_poll(). Options may be NULL. Returns 0 or a
 * negative errno (everything created is undone).
 */
int vc_test_host_start(struct vc_test_host *h, const char *path, const char *device,
		       struct vcrypto_engine *engine, const struct vcrypto_engine_opts *eo,
		       const struct vcrypto_port_opts *po, const struct vcrypto_poller_opts *plo);

/* Stop the poller thread (the host objects stay). */
void vc_test_host_pause(struct vc_test_host *h);
/* Start the poller thread again. */
int vc_test_host_resume(struct vc_test_host *h);

/* Stop and destroy everything vc_test_host_start() created. */
void vc_test_host_stop(struct vc_test_host *h);

#endif /* VCRYPTO_TEST_DPDK_ENV_H */
