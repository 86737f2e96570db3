/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/* DPDK 22.11's rte_vhost_crypto as the benchmark's reference host (see dpdk_host.h). */

#include "dpdk_host.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cryptodev.h>
#include <rte_mempool.h>
#include <rte_vhost.h>
#include <rte_vhost_crypto.h>

/* As DPDK's examples/vhost_crypto, except the burst: 32, as vcrypto's poller. */
#define DH_BURST 32
#define DH_NB_DESC 4096
#define DH_NB_OPS 8192
#define DH_CACHE 128
#define DH_IV_ROOM 32 /* VHOST_CRYPTO_MAX_IV_LEN */

struct dpdk_host {
	char path[108];
	char dev[64];
	uint8_t cid;
	bool dev_started, registered;
	struct rte_mempool *sess_pool, *cop_pool;
	atomic_int vid; /* -1: no front end */
	uint32_t inflight;
	struct rte_crypto_op *ops[DH_BURST], *deq[DH_BURST];
	bool ops_ok; /* ops[] holds DH_BURST fresh ops */
};

/* rte_vhost calls back with a vid only; the benchmark has one reference host at a time. */
static struct dpdk_host *the_host;

static int new_device(int vid)
{
	struct dpdk_host *h = the_host;
	int rc;

	if (!h)
		return -ENOENT;
	rc = rte_vhost_crypto_create(vid, h->cid, h->sess_pool, (int)rte_socket_id());
	if (rc) {
		fprintf(stderr, "dpdk_host: rte_vhost_crypto_create: %d\n", rc);
		return rc;
	}
	rc = rte_vhost_crypto_set_zero_copy(vid, RTE_VHOST_CRYPTO_ZERO_COPY_DISABLE);
	if (rc)
		fprintf(stderr, "dpdk_host: set_zero_copy: %d\n", rc);
	/* The worker polls: no kicks wanted (the public rte_vhost call a polling back end makes). */
	for (uint16_t q = 0; q < rte_vhost_get_vring_num(vid); q++)
		rte_vhost_enable_guest_notification(vid, q, 0);
	atomic_store(&h->vid, vid);
	return 0;
}

/* Dequeue what the device finished, finalize it for the guest, return the ops. */
static uint16_t complete_some(struct dpdk_host *h)
{
	int callfds[8];
	uint16_t n, ncall;

	n = rte_cryptodev_dequeue_burst(h->cid, 0, h->deq,
					h->inflight < DH_BURST ? (uint16_t)h->inflight : DH_BURST);
	n = rte_vhost_crypto_finalize_requests(h->deq, n, callfds, &ncall);
	h->inflight -= n;
	rte_mempool_put_bulk(h->cop_pool, (void **)h->deq, n);
	return n;
}

static void destroy_device(int vid)
{
	struct dpdk_host *h = the_host;

	if (!h || atomic_load(&h->vid) != vid)
		return;
	atomic_store(&h->vid, -1);
	/* The worker has stopped (dpdk_host.h): finish what the device holds. */
	while (h->inflight)
		complete_some(h);
	rte_vhost_crypto_free(vid);
}

static const struct rte_vhost_device_ops dh_ops = {
	.new_device = new_device,
	.destroy_device = destroy_device,
};

int dpdk_host_poll(struct dpdk_host *h)
{
	int vid = atomic_load_explicit(&h->vid, memory_order_acquire), callfds[8];
	uint16_t fetched = 0, enq, n = 0, ncall;
	uint32_t room;

	if (vid < 0)
		return 0;
	if (!h->ops_ok) {
		if (rte_crypto_op_bulk_alloc(h->cop_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC, h->ops,
					     DH_BURST) < DH_BURST)
			return 0;
		h->ops_ok = true;
	}
	room = DH_NB_DESC - h->inflight;
	fetched =
		rte_vhost_crypto_fetch_requests(vid, 0, h->ops, room < DH_BURST ? room : DH_BURST);
	enq = rte_cryptodev_enqueue_burst(h->cid, 0, h->ops, fetched);
	h->inflight += enq;
	if (enq < fetched) {
		/* DPDK's sample loses these; complete them failed instead. */
		for (uint16_t i = enq; i < fetched; i++)
			h->ops[i]->status = RTE_CRYPTO_OP_STATUS_ERROR;
		rte_vhost_crypto_finalize_requests(h->ops + enq, fetched - enq, callfds, &ncall);
		rte_mempool_put_bulk(h->cop_pool, (void **)(h->ops + enq), fetched - enq);
	}
	if (fetched && rte_crypto_op_bulk_alloc(h->cop_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC, h->ops,
						fetched) < fetched) {
		/* The ops not refilled go back: the whole array is taken anew next time. */
		rte_mempool_put_bulk(h->cop_pool, (void **)(h->ops + fetched), DH_BURST - fetched);
		h->ops_ok = false;
	}
	if (h->inflight)
		n = complete_some(h);
	return fetched + n;
}

void dpdk_host_destroy(struct dpdk_host *h)
{
	if (!h)
		return;
	if (h->registered) {
		/* Closes the connection: destroy_device drains and frees the device. */
		rte_vhost_driver_unregister(h->path);
		unlink(h->path);
	}
	if (h->ops_ok && h->cop_pool)
		rte_mempool_put_bulk(h->cop_pool, (void **)h->ops, DH_BURST);
	if (h->dev_started) {
		rte_cryptodev_stop(h->cid);
		rte_cryptodev_close(h->cid);
	}
	rte_mempool_free(h->cop_pool);
	rte_mempool_free(h->sess_pool);
	if (the_host == h)
		the_host = NULL;
	free(h);
}

int dpdk_host_create(const char *pmd, const char *path, struct dpdk_host **out)
{
	struct rte_cryptodev_config conf = {.socket_id = (int)rte_socket_id(), .nb_queue_pairs = 1};
	struct rte_cryptodev_qp_conf qp = {.nb_descriptors = DH_NB_DESC};
	struct dpdk_host *h;
	char name[64];
	int cid, rc = -EIO;

	if (the_host)
		return -EBUSY;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	atomic_init(&h->vid, -1);
	the_host = h;
	snprintf(h->path, sizeof(h->path), "%s", path);
	snprintf(h->dev, sizeof(h->dev), DPDK_HOST_VDEV_FMT, pmd);
	cid = rte_cryptodev_get_dev_id(h->dev);
	if (cid < 0) {
		fprintf(stderr, "dpdk_host: no cryptodev %s (EAL --vdev)\n", h->dev);
		rc = -ENODEV;
		goto fail;
	}
	h->cid = (uint8_t)cid;
	snprintf(name, sizeof(name), "dh_sess_%d", cid);
	h->sess_pool = rte_cryptodev_sym_session_pool_create(
		name, 1024, rte_cryptodev_sym_get_private_session_size(h->cid), 0, 0,
		(int)rte_socket_id());
	snprintf(name, sizeof(name), "dh_cop_%d", cid);
	h->cop_pool = rte_crypto_op_pool_create(name, RTE_CRYPTO_OP_TYPE_SYMMETRIC, DH_NB_OPS,
						DH_CACHE, DH_IV_ROOM, (int)rte_socket_id());
	if (!h->sess_pool || !h->cop_pool) {
		rc = -ENOMEM;
		goto fail;
	}
	qp.mp_session = h->sess_pool;
	if (rte_cryptodev_configure(h->cid, &conf) < 0 ||
	    rte_cryptodev_queue_pair_setup(h->cid, 0, &qp, (int)rte_socket_id()) < 0 ||
	    rte_cryptodev_start(h->cid) < 0) {
		fprintf(stderr, "dpdk_host: cannot start %s\n", h->dev);
		goto fail;
	}
	h->dev_started = true;
	unlink(path);
	if (rte_vhost_driver_register(path, 0)) {
		fprintf(stderr, "dpdk_host: cannot listen on %s\n", path);
		goto fail;
	}
	h->registered = true;
	if (rte_vhost_driver_callback_register(path, &dh_ops) ||
	    rte_vhost_crypto_driver_start(path)) {
		fprintf(stderr, "dpdk_host: cannot serve %s\n", path);
		goto fail;
	}
	*out = h;
	return 0;
fail:
	dpdk_host_destroy(h);
	return rc;
}
