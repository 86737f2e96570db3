/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

#include "ref_host.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_cryptodev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mempool.h>
#include <rte_vhost.h>
#include <rte_vhost_crypto.h>

#define BURST 32
#define NB_DESC 2048

static struct {
	bool init;
	int init_rc;
	uint8_t cid;
	struct rte_mempool *sess_pool, *cop_pool;
} eal; /* one host at a time uses the cryptodev queue pair */

struct ref_host {
	char path[108];
	pthread_t thread;
	pthread_mutex_t lock; /* worker iteration vs. device create/destroy */
	atomic_bool stop, pause;
	int vid; /* -1: no ready device */
	unsigned int inflight;
	uint16_t next_q;
	atomic_uint ready;
};

/* rte_vhost calls back with a vid only: one host per path, found here. */
static struct ref_host *hosts[8];
static pthread_mutex_t hosts_lock = PTHREAD_MUTEX_INITIALIZER;

static struct ref_host *host_of(int vid)
{
	char path[108];
	struct ref_host *h = NULL;

	if (rte_vhost_get_ifname(vid, path, sizeof(path)))
		return NULL;
	pthread_mutex_lock(&hosts_lock);
	for (unsigned int i = 0; i < 8; i++)
		if (hosts[i] && !strcmp(hosts[i]->path, path))
			h = hosts[i];
	pthread_mutex_unlock(&hosts_lock);
	return h;
}

int ref_host_eal_init(void)
{
	char prefix[64];
	char *argv[] = {"ref_host",    "--no-huge",	"-m",	"256",	  "--no-pci",
			"--no-shconf", "--file-prefix", prefix, "--vdev", "crypto_openssl",
			"--log-level", "*:error",	"-l",	"0",	  NULL};
	struct rte_cryptodev_config conf = {.socket_id = SOCKET_ID_ANY, .nb_queue_pairs = 1};
	struct rte_cryptodev_qp_conf qp = {.nb_descriptors = NB_DESC};
	int cid;

	if (eal.init)
		return eal.init_rc;
	eal.init = true;
	eal.init_rc = 77;
	snprintf(prefix, sizeof(prefix), "vc%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		fprintf(stderr, "ref_host: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 77;
	}
	cid = rte_cryptodev_get_dev_id("crypto_openssl");
	if (cid < 0) {
		fprintf(stderr, "ref_host: no crypto_openssl cryptodev\n");
		return 77;
	}
	eal.cid = (uint8_t)cid;
	eal.sess_pool = rte_cryptodev_sym_session_pool_create(
		"ref_sess", 1024, rte_cryptodev_sym_get_private_session_size(eal.cid), 0, 0,
		SOCKET_ID_ANY);
	eal.cop_pool = rte_crypto_op_pool_create("ref_cop", RTE_CRYPTO_OP_TYPE_SYMMETRIC, 8192, 128,
						 64, SOCKET_ID_ANY);
	if (!eal.sess_pool || !eal.cop_pool)
		return eal.init_rc = -ENOMEM;
	qp.mp_session = eal.sess_pool;
	if (rte_cryptodev_configure(eal.cid, &conf) < 0 ||
	    rte_cryptodev_queue_pair_setup(eal.cid, 0, &qp, SOCKET_ID_ANY) < 0 ||
	    rte_cryptodev_start(eal.cid) < 0)
		return eal.init_rc = -EIO;
	eal.init_rc = 0;
	return 0;
}

/* Complete every op the cryptodev still holds (caller holds h->lock). */
static void drain(struct ref_host *h, bool finalize)
{
	struct rte_crypto_op *ops[BURST];
	int callfds[8];
	uint16_t ncall;

	while (h->inflight) {
		uint16_t n = rte_cryptodev_dequeue_burst(eal.cid, 0, ops, BURST);

		if (finalize && n)
			n = rte_vhost_crypto_finalize_requests(ops, n, callfds, &ncall);
		h->inflight -= n;
		rte_mempool_put_bulk(eal.cop_pool, (void **)ops, n);
	}
}

static int new_device(int vid)
{
	struct ref_host *h = host_of(vid);
	int rc;

	if (!h)
		return -ENOENT;
	rc = rte_vhost_crypto_create(vid, eal.cid, eal.sess_pool, (int)rte_socket_id());
	if (rc) {
		fprintf(stderr, "ref_host: rte_vhost_crypto_create: %d\n", rc);
		return rc;
	}
	pthread_mutex_lock(&h->lock);
	h->vid = vid;
	pthread_mutex_unlock(&h->lock);
	atomic_fetch_add(&h->ready, 1);
	return 0;
}

static void destroy_device(int vid)
{
	struct ref_host *h = host_of(vid);

	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	if (h->vid == vid) {
		drain(h, true);
		h->vid = -1;
		rte_vhost_crypto_free(vid);
	}
	pthread_mutex_unlock(&h->lock);
}

static const struct rte_vhost_device_ops ops_cb = {
	.new_device = new_device,
	.destroy_device = destroy_device,
};

static void *worker(void *arg)
{
	struct ref_host *h = arg;
	struct rte_crypto_op *ops[BURST], *deq[BURST];
	int callfds[8];

	while (!atomic_load(&h->stop)) {
		uint16_t fetched = 0, enq = 0, n, ncall = 0;
		bool idle = true;

		pthread_mutex_lock(&h->lock);
		if (h->vid >= 0 && !atomic_load(&h->pause) && h->inflight + BURST <= NB_DESC) {
			if (rte_mempool_get_bulk(eal.cop_pool, (void **)ops, BURST) == 0) {
				for (unsigned int i = 0; i < BURST; i++)
					ops[i]->type = RTE_CRYPTO_OP_TYPE_SYMMETRIC;
				uint16_t nq = rte_vhost_get_vring_num(h->vid);

				/* every data queue in turn (one per iteration) */
				h->next_q = (uint16_t)(h->next_q + 1 < nq ? h->next_q + 1 : 0);
				fetched = rte_vhost_crypto_fetch_requests(h->vid, h->next_q, ops,
									  BURST);
				enq = rte_cryptodev_enqueue_burst(eal.cid, 0, ops, fetched);
				h->inflight += enq;
				if (enq < fetched) {
					/* The upstream sample loses these; fail them instead. */
					for (unsigned int i = enq; i < fetched; i++)
						ops[i]->status = RTE_CRYPTO_OP_STATUS_ERROR;
					rte_vhost_crypto_finalize_requests(ops + enq, fetched - enq,
									   callfds, &ncall);
					for (unsigned int i = 0; i < ncall; i++)
						eventfd_write(callfds[i], 1);
				}
				rte_mempool_put_bulk(eal.cop_pool, (void **)(ops + fetched),
						     BURST - fetched);
				if (enq < fetched)
					rte_mempool_put_bulk(eal.cop_pool, (void **)(ops + enq),
							     fetched - enq);
				idle = fetched == 0;
			}
		}
		if (h->inflight) {
			n = rte_cryptodev_dequeue_burst(eal.cid, 0, deq, BURST);
			if (n) {
				idle = false;
				n = rte_vhost_crypto_finalize_requests(deq, n, callfds, &ncall);
				h->inflight -= n;
				rte_mempool_put_bulk(eal.cop_pool, (void **)deq, n);
				for (unsigned int i = 0; i < ncall; i++)
					eventfd_write(callfds[i], 1);
			}
		}
		pthread_mutex_unlock(&h->lock);
		if (idle)
			usleep(20);
	}
	return NULL;
}

int ref_host_start(const char *path, struct ref_host **out)
{
	struct ref_host *h;
	unsigned int slot;
	int rc;

	rc = ref_host_eal_init();
	if (rc)
		return rc == 77 ? -ENODEV : rc;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	snprintf(h->path, sizeof(h->path), "%s", path);
	pthread_mutex_init(&h->lock, NULL);
	h->vid = -1;
	pthread_mutex_lock(&hosts_lock);
	for (slot = 0; slot < 8 && hosts[slot]; slot++)
		;
	if (slot < 8)
		hosts[slot] = h;
	pthread_mutex_unlock(&hosts_lock);
	if (slot == 8) {
		free(h);
		return -ENOSPC;
	}
	unlink(path);
	if (rte_vhost_driver_register(path, 0) ||
	    rte_vhost_driver_callback_register(path, &ops_cb) ||
	    rte_vhost_crypto_driver_start(path)) {
		fprintf(stderr, "ref_host: cannot serve %s\n", path);
		rte_vhost_driver_unregister(path);
		pthread_mutex_lock(&hosts_lock);
		hosts[slot] = NULL;
		pthread_mutex_unlock(&hosts_lock);
		free(h);
		return -EIO;
	}
	if (pthread_create(&h->thread, NULL, worker, h)) {
		rte_vhost_driver_unregister(path);
		free(h);
		return -EAGAIN;
	}
	*out = h;
	return 0;
}

void ref_host_pause(struct ref_host *h, bool pause)
{
	atomic_store(&h->pause, pause);
	/*
	 * The worker reads the flag and fetches under h->lock: once we have
	 * held it, no fetch that read the old value is still under way.
	 * Without this a request submitted right after pause(true) could
	 * still be fetched and completed (seen under ASan).
	 */
	pthread_mutex_lock(&h->lock);
	pthread_mutex_unlock(&h->lock);
}

unsigned int ref_host_ready_count(struct ref_host *h)
{
	return atomic_load(&h->ready);
}

void ref_host_stop(struct ref_host *h)
{
	if (!h)
		return;
	atomic_store(&h->stop, true);
	pthread_join(h->thread, NULL);
	/* Closes the connection; destroy_device drains and frees the device. */
	if (rte_vhost_driver_unregister(h->path))
		fprintf(stderr, "ref_host: unregister %s failed\n", h->path);
	unlink(h->path);
	pthread_mutex_lock(&hosts_lock);
	for (unsigned int i = 0; i < 8; i++)
		if (hosts[i] == h)
			hosts[i] = NULL;
	pthread_mutex_unlock(&hosts_lock);
	pthread_mutex_destroy(&h->lock);
	free(h);
}
