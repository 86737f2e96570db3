/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

#include "dpdk_env.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_pause.h>

static int eal_result = 1; /* 1: not tried */
static pthread_mutex_t eal_lock = PTHREAD_MUTEX_INITIALIZER;
static char eal_prefix[64];

static int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* EAL's run-time directory (/var/run/dpdk/<prefix>, or under XDG_RUNTIME_DIR) goes at exit. */
static void eal_rundir_remove(void)
{
	char dir[256];
	const char *base = getuid() == 0 ? "/var/run" : getenv("XDG_RUNTIME_DIR");

	if (!base || !eal_prefix[0])
		return;
	snprintf(dir, sizeof(dir), "%s/dpdk/%s", base, eal_prefix);
	nftw(dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
}

int vc_test_eal_init(const char *const *vdevs, unsigned int mem_mb)
{
	char prefix[64], mem[16];
	char *argv[64];
	int argc = 0;

	pthread_mutex_lock(&eal_lock);
	if (eal_result != 1) {
		pthread_mutex_unlock(&eal_lock);
		return eal_result;
	}
	snprintf(prefix, sizeof(prefix), "vc%d", (int)getpid());
	snprintf(eal_prefix, sizeof(eal_prefix), "%s", prefix);
	atexit(eal_rundir_remove);
	snprintf(mem, sizeof(mem), "%u", mem_mb ? mem_mb : 512);
	argv[argc++] = "vcrypto_test";
	argv[argc++] = "--no-huge";
	argv[argc++] = "-m";
	argv[argc++] = mem;
	argv[argc++] = "--no-pci";
	argv[argc++] = "--file-prefix";
	argv[argc++] = prefix;
	argv[argc++] = "--lcores";
	argv[argc++] = "0@(0-1),1@(0-1),2@(0-1)";
	argv[argc++] = "--log-level";
	argv[argc++] = getenv("VC_TEST_DPDK_LOG") ? getenv("VC_TEST_DPDK_LOG") : "*:warning";
	for (size_t i = 0; vdevs && vdevs[i] && argc < 60; i++) {
		argv[argc++] = "--vdev";
		argv[argc++] = (char *)vdevs[i];
	}
	argv[argc] = NULL;
	eal_result = vcrypto_eal_init(argc, argv) < 0 ? -1 : 0;
	if (eal_result)
		fprintf(stderr, "EAL could not start: tests skipped\n");
	pthread_mutex_unlock(&eal_lock);
	return eal_result;
}

const char *vc_test_sock_path(char *buf, size_t len, const char *tag)
{
	static atomic_uint seq;

	snprintf(buf, len, "/tmp/vc-test-%d-%s-%u.sock", (int)getpid(), tag ? tag : "s",
		 atomic_fetch_add(&seq, 1));
	return buf;
}

static void *poll_thread(void *arg)
{
	struct vc_test_host *h = arg;
	unsigned int idle = 0;

	while (!atomic_load_explicit(&h->stop, memory_order_relaxed)) {
		if (vcrypto_poller_poll(h->poller)) {
			idle = 0;
		} else if (++idle > 1000) {
			usleep(20); /* the machine is shared: do not spin when idle */
		} else {
			rte_pause();
		}
	}
	return NULL;
}

int vc_test_host_resume(struct vc_test_host *h)
{
	if (h->thread_running)
		return 0;
	atomic_store(&h->stop, false);
	if (pthread_create(&h->thread, NULL, poll_thread, h))
		return -EAGAIN;
	h->thread_running = true;
	return 0;
}

void vc_test_host_pause(struct vc_test_host *h)
{
	if (!h->thread_running)
		return;
	atomic_store(&h->stop, true);
	pthread_join(h->thread, NULL);
	h->thread_running = false;
}

int vc_test_host_start(struct vc_test_host *h, const char *path, const char *device,
		       struct vcrypto_engine *engine, const struct vcrypto_engine_opts *eo,
		       const struct vcrypto_port_opts *po, const struct vcrypto_poller_opts *plo)
{
	struct vcrypto_port_opts pdef = VCRYPTO_OPTS_INIT(vcrypto_port_opts);
	uint16_t nq;
	int ret;

	memset(h, 0, sizeof(*h));
	snprintf(h->path, sizeof(h->path), "%s", path);
	if (engine) {
		h->engine = engine;
	} else {
		ret = vcrypto_engine_create(device, eo, &h->engine);
		if (ret)
			return ret;
		h->own_engine = true;
	}
	ret = vcrypto_port_create(path, h->engine, po, &h->port);
	if (ret)
		goto fail;
	ret = vcrypto_poller_create(h->engine, plo, &h->poller);
	if (ret)
		goto fail;
	nq = po ? po->num_queues : pdef.num_queues;
	if (!nq)
		nq = 1;
	for (uint16_t q = 0; q < nq; q++) {
		ret = vcrypto_poller_add_port(h->poller, h->port, q);
		if (ret)
			goto fail;
	}
	ret = vc_test_host_resume(h);
	if (ret)
		goto fail;
	return 0;
fail:
	vc_test_host_stop(h);
	return ret;
}

void vc_test_host_stop(struct vc_test_host *h)
{
	vc_test_host_pause(h);
	vcrypto_port_destroy(h->port);
	h->port = NULL;
	vcrypto_poller_destroy(h->poller);
	h->poller = NULL;
	if (h->own_engine)
		vcrypto_engine_destroy(h->engine);
	h->engine = NULL;
}
