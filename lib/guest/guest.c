/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/* Public guest API: connection lifecycle, sessions, buffers. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/opts.h"
#include "guest/guest_internal.h"

#define DEFAULT_QUEUE_SIZE 256
#define DEFAULT_MEM_SIZE (64ull << 20)
#define MAX_QUEUES 64
#define MAX_MEM_SIZE (1ull << 40)
#define REPLY_TIMEOUT_MS 5000
#define KNOWN_FLAGS                                                                                \
	(VCRYPTO_GUEST_F_DIRECT_DESC | VCRYPTO_GUEST_F_NO_EVENT_IDX | VCRYPTO_GUEST_F_BUSY_POLL |  \
	 VCRYPTO_GUEST_F_DESC_PER_PART)

/* ------------------------------------------------------------- sessions */

static inline uint32_t sess_hash(uint64_t id)
{
	return (uint32_t)((id * 0x9E3779B97F4A7C15ull) >> 52) & (VC_SESS_TABLE - 1);
}

struct vc_sess *vc_sess_lookup(struct vcrypto_guest *g, uint64_t id)
{
	uint32_t h = sess_hash(id);

	for (uint32_t i = 0; i < VC_SESS_TABLE; i++) {
		struct vc_sess *e = &g->sess[(h + i) & (VC_SESS_TABLE - 1)];
		uint8_t st = atomic_load_explicit(&e->state, memory_order_acquire);

		if (st == VC_SESS_EMPTY)
			return NULL;
		if (st == VC_SESS_OPEN && atomic_load_explicit(&e->id, memory_order_relaxed) == id)
			return e;
	}
	return NULL;
}

int vc_sess_insert(struct vcrypto_guest *g, uint64_t id, const struct vc_session_desc *d)
{
	uint32_t h = sess_hash(id);
	struct vc_sess *slot = NULL;

	for (uint32_t i = 0; i < VC_SESS_TABLE; i++) {
		struct vc_sess *e = &g->sess[(h + i) & (VC_SESS_TABLE - 1)];
		uint8_t st = atomic_load_explicit(&e->state, memory_order_relaxed);

		if (st == VC_SESS_OPEN &&
		    atomic_load_explicit(&e->id, memory_order_relaxed) == id) {
			/* The host reused an id we believe open: replace it. */
			atomic_store_explicit(&e->state, VC_SESS_CLOSED, memory_order_release);
			st = VC_SESS_CLOSED;
		}
		if (!slot && (st == VC_SESS_EMPTY || st == VC_SESS_CLOSED))
			slot = e;
		if (st == VC_SESS_EMPTY)
			break;
	}
	if (!slot)
		return -ENOSPC;
	atomic_store_explicit(&slot->state, VC_SESS_BUSY, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&slot->id, id, memory_order_relaxed);
	slot->type = (uint8_t)d->type;
	slot->direction = (uint8_t)d->direction;
	slot->iv_len = (int8_t)vcrypto__session_iv_len(d);
	slot->digest_len = d->digest_len;
	slot->aad_len = d->aad_len;
	slot->block = vcrypto__session_block_len(d);
	switch (d->type) {
	case VCRYPTO_SESSION_HASH:
		slot->algo = d->hash_algo;
		break;
	case VCRYPTO_SESSION_MAC:
		slot->algo = d->mac_algo;
		break;
	case VCRYPTO_SESSION_AEAD:
		slot->algo = d->aead_algo;
		break;
	default:
		slot->algo = d->cipher_algo;
		break;
	}
	atomic_store_explicit(&slot->state, VC_SESS_OPEN, memory_order_release);
	return 0;
}

static void sess_clear(struct vcrypto_guest *g)
{
	for (uint32_t i = 0; i < VC_SESS_TABLE; i++)
		atomic_store_explicit(&g->sess[i].state, VC_SESS_EMPTY, memory_order_relaxed);
}

/* ---------------------------------------------------------- connection */

void vc_guest_mark_down(struct vcrypto_guest *g)
{
	if (atomic_exchange(&g->connected, 0))
		VC_LOG(NOTICE, "guest: host %s disconnected", g->path ? g->path : "(none)");
}

static int parse_opts(const struct vcrypto_guest_opts *in, struct vcrypto_guest_opts *o)
{
	if (vcrypto__opts_copy(o, sizeof(*o), in))
		return -EINVAL;
	o->sz = sizeof(*o);
	if (!o->num_queues)
		o->num_queues = 1;
	if (!o->queue_size)
		o->queue_size = DEFAULT_QUEUE_SIZE;
	if (!o->mem_size)
		o->mem_size = DEFAULT_MEM_SIZE;
	if (o->session_layout == VCRYPTO_SESSION_LAYOUT_DEFAULT)
		o->session_layout = VCRYPTO_SESSION_LAYOUT_DPDK_22_11;
	if (o->num_queues > MAX_QUEUES || o->queue_size > 32768 ||
	    (o->queue_size & (o->queue_size - 1)) || o->flags & ~(uint32_t)KNOWN_FLAGS ||
	    o->mem_size > MAX_MEM_SIZE || o->connect_timeout_ms < 0 ||
	    o->session_layout > VCRYPTO_SESSION_LAYOUT_QEMU_8)
		return -EINVAL;
	/* Direct chains take up to VC_MAX_REQ_DESC descriptors each. */
	if ((o->flags & VCRYPTO_GUEST_F_DIRECT_DESC) && o->queue_size < VC_MAX_REQ_DESC)
		return -EINVAL;
	return 0;
}

static void guest_free(struct vcrypto_guest *g)
{
	if (g->sock >= 0)
		close(g->sock);
	if (g->vq)
		for (uint16_t i = 0; i < g->nq; i++)
			vc_vq_fini(&g->vq[i]);
	free(g->vq);
	if (g->mem && g->mem != MAP_FAILED)
		munmap(g->mem, g->mem_len);
	if (g->memfd >= 0)
		close(g->memfd);
	vc_alloc_fini(&g->alloc);
	free(g->sess);
	free(g->path);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

static int guest_alloc(const struct vcrypto_guest_opts *opts, struct vcrypto_guest **out)
{
	struct vcrypto_guest *g;
	uint64_t qbytes, off;
	int rc;

	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->sock = -1;
	g->memfd = -1;
	pthread_mutex_init(&g->lock, NULL);
	rc = parse_opts(opts, &g->opts);
	if (rc)
		goto fail;
	g->reply_timeout_ms = REPLY_TIMEOUT_MS;
	g->nq = g->opts.num_queues;
	qbytes = vc_vq_region_bytes(g->opts.queue_size);
	g->heap_off = qbytes * g->nq;
	g->heap_len = (g->opts.mem_size + 4095) & ~4095ull;
	g->mem_len = g->heap_off + g->heap_len;
	rc = -ENOMEM;
	g->sess = calloc(VC_SESS_TABLE, sizeof(*g->sess));
	g->vq = vc_calloc_lines(g->nq, sizeof(*g->vq));
	if (!g->sess || !g->vq || vc_alloc_init(&g->alloc, g->heap_len))
		goto fail;
	for (uint16_t i = 0; i < g->nq; i++)
		g->vq[i].kick_fd = g->vq[i].call_fd = -1;
	g->memfd = memfd_create("vcrypto-guest", MFD_CLOEXEC);
	if (g->memfd < 0 || ftruncate(g->memfd, (off_t)g->mem_len) < 0) {
		rc = vc_neg_errno();
		goto fail;
	}
	g->mem = mmap(NULL, g->mem_len, PROT_READ | PROT_WRITE, MAP_SHARED, g->memfd, 0);
	if (g->mem == MAP_FAILED) {
		rc = vc_neg_errno();
		g->mem = NULL;
		goto fail;
	}
	g->heap = g->mem + g->heap_off;
	for (uint16_t i = 0, off_i = 0; i < g->nq; i++, off_i++) {
		off = qbytes * off_i;
		rc = vc_vq_init(g, &g->vq[i], off, g->opts.queue_size);
		if (rc)
			goto fail;
	}
	*out = g;
	return 0;
fail:
	guest_free(g);
	return rc;
}

/* Connect the socket and set the device up; on failure the socket is closed. */
static int guest_start(struct vcrypto_guest *g)
{
	int rc = vc_vu_connect(g);

	if (rc)
		return rc;
	atomic_store(&g->connected, 1);
	rc = vc_vu_setup(g);
	if (rc) {
		atomic_store(&g->connected, 0);
		close(g->sock);
		g->sock = -1;
		return rc;
	}
	for (uint16_t i = 0; i < g->nq; i++)
		g->vq[i].event_idx = g->features & (1ull << VIRTIO_RING_F_EVENT_IDX);
	VC_LOG(INFO, "guest: connected to %s (features %#llx, protocol %#llx)", g->path,
	       (unsigned long long)g->features, (unsigned long long)g->protocol_features);
	return 0;
}

VCRYPTO_API int vcrypto_guest_connect(const char *path, const struct vcrypto_guest_opts *opts,
				      struct vcrypto_guest **out)
{
	struct vcrypto_guest *g;
	int rc;

	if (!path || !*path || !out)
		return -EINVAL;
	rc = guest_alloc(opts, &g);
	if (rc)
		return rc;
	g->path = strdup(path);
	if (!g->path) {
		guest_free(g);
		return -ENOMEM;
	}
	rc = guest_start(g);
	if (rc) {
		guest_free(g);
		return rc;
	}
	*out = g;
	return 0;
}

int vc_guest_create_detached(const struct vcrypto_guest_opts *opts, struct vcrypto_guest **out)
{
	struct vcrypto_guest *g;
	int rc = guest_alloc(opts, &g);

	if (rc)
		return rc;
	/* (set: guest_alloc() failed otherwise; clang-tidy 14 loses that in -errno) */
	g->detached = true; /* NOLINT(clang-analyzer-core.NullDereference) */
	g->features = (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_RING_F_INDIRECT_DESC);
	if (!(g->opts.flags & VCRYPTO_GUEST_F_NO_EVENT_IDX))
		g->features |= 1ull << VIRTIO_RING_F_EVENT_IDX;
	for (uint16_t i = 0; i < g->nq; i++)
		g->vq[i].event_idx = g->features & (1ull << VIRTIO_RING_F_EVENT_IDX);
	atomic_store(&g->connected, 1);
	*out = g;
	return 0;
}

VCRYPTO_API void vcrypto_guest_destroy(struct vcrypto_guest *g)
{
	if (!g)
		return;
	guest_free(g);
}

VCRYPTO_API int vcrypto_guest_reconnect(struct vcrypto_guest *g)
{
	int rc;

	if (!g || g->detached)
		return -EINVAL;
	pthread_mutex_lock(&g->lock);
	if (atomic_load(&g->connected) && !vc_vu_peer_gone(g)) {
		pthread_mutex_unlock(&g->lock);
		return -EISCONN;
	}
	vc_guest_mark_down(g);
	if (g->sock >= 0) {
		close(g->sock);
		g->sock = -1;
	}
	for (uint16_t q = 0; q < g->nq; q++) {
		struct vc_vq *vq = &g->vq[q];

		/* Keep what poll has not reported yet, then start the ring over. */
		if (vq->failed_pos) {
			memmove(vq->failed, vq->failed + vq->failed_pos,
				(vq->nfailed - vq->failed_pos) * sizeof(*vq->failed));
			vq->nfailed -= vq->failed_pos;
			vq->failed_pos = 0;
		}
		for (uint32_t i = 0; i < vq->size; i++)
			if (vq->slots[i].in_use && vq->nfailed < vq->size)
				vq->failed[vq->nfailed++] = vq->slots[i].user_data;
		vc_vq_reset(vq);
	}
	sess_clear(g);
	rc = guest_start(g);
	pthread_mutex_unlock(&g->lock);
	return rc;
}

VCRYPTO_API bool vcrypto_guest_is_connected(const struct vcrypto_guest *g)
{
	return g && atomic_load(&((struct vcrypto_guest *)g)->connected);
}

VCRYPTO_API int vcrypto_guest_session_create(struct vcrypto_guest *g,
					     const struct vcrypto_session_params *params,
					     uint64_t *session_id)
{
	struct vc_session_desc d;
	uint64_t id;
	int rc;

	if (!g || !params || !session_id)
		return -EINVAL;
	rc = vcrypto__session_from_params(params, &d);
	if (rc)
		return rc;
	if (g->opts.session_layout == VCRYPTO_SESSION_LAYOUT_QEMU_7 &&
	    d.type != VCRYPTO_SESSION_CIPHER && d.type != VCRYPTO_SESSION_CHAIN)
		return -ENOTSUP;
	pthread_mutex_lock(&g->lock);
	if (!atomic_load(&g->connected) || g->detached) {
		rc = -ENOTCONN;
		goto out;
	}
	rc = vc_vu_session_create(g, &d, &id);
	if (rc)
		goto out;
	rc = vc_sess_insert(g, id, &d);
	if (rc) {
		vc_vu_session_close(g, id);
		goto out;
	}
	*session_id = id;
out:
	pthread_mutex_unlock(&g->lock);
	memset(&d, 0, sizeof(d)); /* keys */
	return rc;
}

VCRYPTO_API int vcrypto_guest_session_close(struct vcrypto_guest *g, uint64_t session_id)
{
	struct vc_sess *s;
	int rc;

	if (!g)
		return -EINVAL;
	pthread_mutex_lock(&g->lock);
	s = vc_sess_lookup(g, session_id);
	if (!s) {
		rc = -EBADF;
	} else if (!atomic_load(&g->connected)) {
		rc = -ENOTCONN;
	} else {
		/* Refuse new submissions first; the host may still finish old ones. */
		atomic_store_explicit(&s->state, VC_SESS_CLOSED, memory_order_release);
		rc = g->detached ? 0 : vc_vu_session_close(g, session_id);
		if (rc == -EIO)
			atomic_store_explicit(&s->state, VC_SESS_OPEN, memory_order_release);
	}
	pthread_mutex_unlock(&g->lock);
	return rc;
}

/* -------------------------------------------------------------- buffers */

VCRYPTO_API int vcrypto_guest_buf_alloc(struct vcrypto_guest *g, size_t len, void **buf)
{
	uint64_t off;
	int rc;

	if (!g || !buf || !len)
		return -EINVAL;
	pthread_mutex_lock(&g->lock);
	rc = vc_alloc_get(&g->alloc, len, &off);
	pthread_mutex_unlock(&g->lock);
	if (rc)
		return rc;
	*buf = g->heap + off;
	return 0;
}

VCRYPTO_API void vcrypto_guest_buf_free(struct vcrypto_guest *g, void *buf)
{
	uint8_t *p = buf;

	if (!g || !buf)
		return;
	if (p < g->heap || p >= g->heap + g->heap_len) {
		VC_LOG(ERR, "guest: buf_free of a pointer outside the shared heap");
		return;
	}
	pthread_mutex_lock(&g->lock);
	if (vc_alloc_put(&g->alloc, (uint64_t)(p - g->heap)))
		VC_LOG(ERR, "guest: buf_free of a pointer that is not an allocated buffer");
	pthread_mutex_unlock(&g->lock);
}
