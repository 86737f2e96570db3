/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Ports: one vhost-user socket each, on DPDK's rte_vhost (protocol, guest
 * memory, vrings) but with vcrypto's own request path. Session messages and
 * ring readiness are handled in rte_vhost's extern message hooks.
 */

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_vhost.h>
#include <rte_version.h>

#include "common/opts.h"
#include "host/internal.h"
#include "host/record.h"

/*
 * rte_vhost hands the extern hooks a pointer to its internal message context
 * (lib/vhost/vhost_user.h, struct vhu_msg_context): a packed 12-byte header,
 * the payload union (632 bytes in 22.11: VhostUserCryptoSessionParam is the
 * largest member), then the fds. That layout is not public; it is mirrored
 * here for exactly the versions it was checked against.
 */
#if RTE_VERSION < RTE_VERSION_NUM(22, 11, 0, 0) || RTE_VERSION >= RTE_VERSION_NUM(22, 12, 0, 0)
#error "vcrypto mirrors rte_vhost 22.11's struct vhu_msg_context; check lib/vhost/vhost_user.h of this DPDK and update struct vc_vhu_msg in lib/host/port.c"
#endif

#define VC_VHU_PAYLOAD 632
struct vc_vhu_msg {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
	uint8_t payload[VC_VHU_PAYLOAD];
	int fds[8]; /* VHOST_MEMORY_MAX_NREGIONS */
	int fd_num;
} __attribute__((packed));
_Static_assert(sizeof(struct vc_vhu_msg) == 12 + 632 + 9 * 4, "vhost-user message mirror");

#define VHU_FLAG_NEED_REPLY 0x8u
/*
 * rte_vhost 22.11's call fd before any SET_VRING_CALL (and after
 * GET_VRING_BASE); -1 means the front end asked for no call fd (a polling
 * driver: QEMU sends it when the guest masks the queue's interrupt).
 */
#define VC_VHOST_FD_UNINIT (-2)

/* vhost-user requests the hooks care about */
enum {
	VHU_GET_FEATURES = 1,
	VHU_SET_FEATURES = 2,
	VHU_SET_OWNER = 3,
	VHU_RESET_OWNER = 4,
	VHU_SET_MEM_TABLE = 5,
	VHU_SET_VRING_NUM = 8,
	VHU_SET_VRING_BASE = 10,
	VHU_GET_VRING_BASE = 11,
	VHU_GET_PROTOCOL_FEATURES = 15,
	VHU_SET_PROTOCOL_FEATURES = 16,
	VHU_GET_QUEUE_NUM = 17,
	VHU_GET_CONFIG = 24,
	VHU_GET_INFLIGHT_FD = 31,
	VHU_GET_STATUS = 40,
};

#define VC_VIRTIO_F_ANY_LAYOUT 27
#define VC_VIRTIO_F_VERSION_1 32
#define VC_VIRTIO_RING_F_INDIRECT_DESC 28
#define VC_VIRTIO_RING_F_EVENT_IDX 29
#define VC_VHOST_USER_F_PROTOCOL_FEATURES 30

#define VC_DRAIN_TIMEOUT_NS 2000000000ull

/*
 * Process-wide registry: rte_vhost's callbacks receive only a vid, so the
 * port is found through this table (the one piece of global state besides
 * the log sink, guarded by g_lock).
 */
#define VC_MAX_VID 1024
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vcrypto_port *g_vid[VC_MAX_VID];
static struct vcrypto_port **g_ports;
static size_t g_nports;

uint64_t vc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * The port of a connection. *held is set when @p vid is a connection that
 * new_connection() holds back because the port's previous one is still
 * registered (see there).
 */
static struct vcrypto_port *port_of_vid(int vid, bool *held)
{
	struct vcrypto_port *p = NULL;

	*held = false;
	if (vid < 0 || vid >= VC_MAX_VID)
		return NULL;
	pthread_mutex_lock(&g_lock);
	p = g_vid[vid];
	if (p && p->vid != vid)
		*held = true;
	pthread_mutex_unlock(&g_lock);
	return p;
}

static struct vcrypto_port *port_by_vid(int vid)
{
	bool held;
	struct vcrypto_port *p = port_of_vid(vid, &held);

	return held ? NULL : p;
}

/* ---- sessions ---- */

static int smap_alloc(struct vcrypto_port *port, struct vc_sess *s, uint64_t *id)
{
	uint32_t idx = port->smap_free_head;
	struct vc_smap *m;

	if (idx == UINT32_MAX || port->sess_active >= port->o.max_sessions)
		return -ENOSPC;
	m = &port->smap[idx];
	port->smap_free_head = m->next_free;
	if (port->smap_free_head == UINT32_MAX)
		port->smap_free_tail = UINT32_MAX;
	m->gen = (m->gen + 1) & 0x7fffffffu;
	if (!m->gen)
		m->gen = 1;
	m->s = s;
	m->next_free = UINT32_MAX;
	port->sess_active++;
	*id = (uint64_t)m->gen << 32 | idx;
	return 0;
}

/* Remove a mapping (under port->lock); returns the session to put. */
static struct vc_sess *smap_remove(struct vcrypto_port *port, uint32_t idx)
{
	struct vc_smap *m = &port->smap[idx];
	struct vc_sess *s = m->s;

	m->s = NULL;
	/* FIFO reuse: an index comes back only after every other free one. */
	m->next_free = UINT32_MAX;
	if (port->smap_free_tail == UINT32_MAX)
		port->smap_free_head = idx;
	else
		port->smap[port->smap_free_tail].next_free = idx;
	port->smap_free_tail = idx;
	port->sess_active--;
	return s;
}

struct vc_sess *vc_port_session(struct vcrypto_port *port, uint64_t id)
{
	uint32_t idx = (uint32_t)id, gen = (uint32_t)(id >> 32);
	struct vc_smap *m;

	if (idx >= port->o.max_sessions)
		return NULL;
	m = &port->smap[idx];
	if (!m->s || m->gen != gen)
		return NULL;
	return m->s;
}

static int status_of_err(int err)
{
	switch (err) {
	case -ENOTSUP:
		return VCRYPTO_STATUS_NOTSUPP;
	case -ENOSPC:
		return VCRYPTO_STATUS_NOSPC;
	case -EKEYREJECTED:
		return VCRYPTO_STATUS_KEY_REJECTED;
	case -EINVAL:
		return VCRYPTO_STATUS_BADMSG;
	default:
		return VCRYPTO_STATUS_ERR;
	}
}

static int handle_create(struct vcrypto_port *port, struct vc_vhu_msg *m)
{
	enum vcrypto_session_layout used = port->o.session_layout;
	struct vc_session_desc d;
	struct vc_sess *s = NULL;
	uint32_t size = m->size > VC_VHU_PAYLOAD ? VC_VHU_PAYLOAD : m->size;
	int64_t reply;
	uint64_t id = 0;
	size_t off;
	int ret;

	ret = vcrypto__session_decode(port->o.session_layout, m->payload, size, &d, &used);
	if (ret == 0) {
		ret = vc_sess_create(port->engine, &d, &s);
		explicit_bzero(&d, sizeof(d));
	}
	if (ret == 0) {
		rte_spinlock_lock(&port->lock);
		ret = smap_alloc(port, s, &id);
		rte_spinlock_unlock(&port->lock);
		if (ret)
			vc_sess_put(s);
	}
	if (VC_RECORDING && ret == 0)
		vc_record_session(port, id, (int)used, m->payload, size);
	/* The payload carried the keys: wipe them before it goes back. */
	explicit_bzero(m->payload, sizeof(m->payload));
	if (ret) {
		reply = -(int64_t)status_of_err(ret);
		port->sess_failed++;
		VC_LOG_RL(&port->rl, WARNING, "%s: session creation refused: %s", port->name,
			  vcrypto_strerror(ret));
	} else {
		reply = (int64_t)id;
		port->sess_created++;
	}
	if (used == VCRYPTO_SESSION_LAYOUT_DEFAULT)
		used = VCRYPTO_SESSION_LAYOUT_DPDK_22_11;
	off = vcrypto__session_id_offset(used);
	if (off + 8 > VC_VHU_PAYLOAD)
		off = 0;
	memcpy(m->payload + off, &reply, sizeof(reply));
	if (m->size < off + 8)
		m->size = (uint32_t)(off + 8);
	return RTE_VHOST_MSG_RESULT_REPLY;
}

static int handle_close(struct vcrypto_port *port, struct vc_vhu_msg *m)
{
	struct vc_sess *s = NULL;
	uint64_t id;

	if (m->size < 8)
		goto bad;
	memcpy(&id, m->payload, 8);
	rte_spinlock_lock(&port->lock);
	if (vc_port_session(port, id))
		s = smap_remove(port, (uint32_t)id);
	vc_sess_put(s); /* requests in flight hold their own references */
	rte_spinlock_unlock(&port->lock);
	if (!s)
		goto bad;
	port->sess_closed++;
	return RTE_VHOST_MSG_RESULT_OK;
bad:
	VC_LOG_RL(&port->rl, WARNING, "%s: close of unknown session", port->name);
	/* Without NEED_REPLY an error would make rte_vhost drop the connection. */
	return (m->flags & VHU_FLAG_NEED_REPLY) ? RTE_VHOST_MSG_RESULT_ERR :
						  RTE_VHOST_MSG_RESULT_OK;
}

static void sessions_close_all(struct vcrypto_port *port)
{
	for (uint32_t i = 0; i < port->o.max_sessions; i++) {
		struct vc_sess *s = NULL;

		rte_spinlock_lock(&port->lock);
		if (port->smap[i].s)
			s = smap_remove(port, i);
		vc_sess_put(s);
		rte_spinlock_unlock(&port->lock);
		if (s)
			port->sess_closed++;
	}
}

/* ---- readiness and draining ---- */

static uint32_t port_inflight(struct vcrypto_port *port)
{
	uint32_t n = 0;

	/* Orphans (see port_stop) complete when the device gives them back: never wait for them. */
	for (uint16_t q = 0; q < port->nq; q++) {
		uint32_t in = atomic_load(&port->vq[q].inflight);
		uint32_t orph = __atomic_load_n(&port->vq[q].orphans, __ATOMIC_RELAXED);

		n += in > orph ? in - orph : 0;
	}
	return n;
}

/*
 * Stop fetching and let the pollers finish what this port has in flight,
 * while guest memory is still mapped. Then mark every queue not ready.
 * If a queue does not drain in time (no poller running), its requests are
 * orphaned: their completions will be dropped.
 */
static void port_stop(struct vcrypto_port *port, bool reset_rings)
{
	uint64_t t0 = vc_now_ns();
	bool timed_out = false;

	atomic_store(&port->pause, true);
	for (;;) {
		while (port_inflight(port) && !timed_out) {
			if (vc_now_ns() - t0 > VC_DRAIN_TIMEOUT_NS) {
				VC_LOG(WARNING, "%s: %u requests did not complete in time; dropped",
				       port->name, port_inflight(port));
				timed_out = true;
				break;
			}
			usleep(20);
		}
		rte_spinlock_lock(&port->lock);
		/* A poller may have fetched just before it saw the pause. */
		if (port_inflight(port) && !timed_out) {
			rte_spinlock_unlock(&port->lock);
			continue;
		}
		for (uint16_t q = 0; q < port->nq; q++) {
			struct vc_vq *vq = &port->vq[q];

			vq->ready = false;
			if (reset_rings || timed_out) {
				vq->started = false;
				vq->gen++;
			}
			/* What is still in flight now is dropped when it completes. */
			if (timed_out)
				__atomic_store_n(&vq->orphans, atomic_load(&vq->inflight),
						 __ATOMIC_RELAXED);
		}
		rte_spinlock_unlock(&port->lock);
		break;
	}
	if (atomic_load(&port->state) == VCRYPTO_PORT_READY)
		atomic_store(&port->state, VCRYPTO_PORT_CONNECTED);
}

static bool is_pow2(uint32_t x)
{
	return x && !(x & (x - 1));
}

/* Re-read memory table and rings (vhost thread, after a message). */
static void port_refresh(struct vcrypto_port *port)
{
	struct rte_vhost_memory *mem = NULL;
	bool any = false;
	int vid = port->vid;

	rte_spinlock_lock(&port->lock);
	if (vid < 0) {
		rte_spinlock_unlock(&port->lock);
		return;
	}
	if (port->mem_seen && rte_vhost_get_mem_table(vid, &mem) == 0) {
		port->mt.n = 0;
		port->mt.gen++;
		for (uint32_t i = 0; i < mem->nregions && i < VC_MAX_REGIONS; i++) {
			struct rte_vhost_mem_region *r = &mem->regions[i];

			if (!r->host_user_addr || !r->size)
				continue;
			port->mt.r[port->mt.n].gpa = r->guest_phys_addr;
			port->mt.r[port->mt.n].size = r->size;
			port->mt.r[port->mt.n].hva = r->host_user_addr;
			port->mt.n++;
		}
		if (vc_memtab_done(&port->mt))
			VC_LOG_RL(&port->rl, WARNING,
				  "%s: memory region past guest address 2^64 - 1; cut there",
				  port->name);
		free(mem);
	}
	rte_vhost_get_negotiated_features(vid, &port->features);
	for (uint16_t q = 0; q < port->nq; q++) {
		struct vc_vq *vq = &port->vq[q];
		struct rte_vhost_vring vr;
		bool ok;

		vq->ready = false;
		memset(&vr, 0, sizeof(vr));
		ok = port->mem_seen && port->mt.n && rte_vhost_get_vhost_vring(vid, q, &vr) == 0 &&
		     vr.desc && vr.avail && vr.used && vr.callfd != VC_VHOST_FD_UNINIT &&
		     is_pow2(vr.size) && vr.size <= 32768;
		if (ok)
			ok = vc_mem_hva_ok(&port->mt, vr.desc, 16ull * vr.size) &&
			     vc_mem_hva_ok(&port->mt, vr.avail, 4 + 2ull * vr.size) &&
			     vc_mem_hva_ok(&port->mt, vr.used, 4 + 8ull * vr.size);
		if (!ok)
			continue;
		if (vq->started && vq->size != vr.size) {
			vq->started = false;
			vq->gen++;
		}
		vq->desc = (volatile struct vc_desc *)vr.desc;
		vq->avail = (volatile uint16_t *)vr.avail;
		vq->used = (volatile uint8_t *)vr.used;
		vq->size = vr.size;
		vq->callfd = vr.callfd;
		vq->evidx_ok = vc_mem_hva_ok(&port->mt, vr.avail, 6 + 2ull * vr.size) &&
			       vc_mem_hva_ok(&port->mt, vr.used, 6 + 8ull * vr.size);
		if (!vq->started) {
			uint16_t la = 0, lu = 0;

			rte_vhost_get_vring_base(vid, q, &la, &lu);
			vq->last_avail = la;
			vq->used_idx = lu;
			vq->used_published = lu;
			vq->broken = false;
			vq->started = true;
			vq->gen++;
		}
		/*
		 * Pollers never sleep on the kick eventfd: ask the front end not
		 * to kick (a system call, or a VM exit, per submission). With
		 * EVENT_IDX the poller keeps avail_event behind last_avail.
		 */
		if (vc_mem_hva_ok(&port->mt, vr.used, 2))
			*(volatile uint16_t *)vr.used = VC_VRING_USED_F_NO_NOTIFY;
		vq->ready = !vq->broken;
		any = any || vq->ready;
	}
	rte_spinlock_unlock(&port->lock);
	if (any) {
		if (!port->ready_ns)
			port->ready_ns = vc_now_ns();
		atomic_store(&port->state, VCRYPTO_PORT_READY);
	}
}

/* Publish our ring indices to rte_vhost (it answers GET_VRING_BASE). */
static void port_sync_bases(struct vcrypto_port *port)
{
	for (uint16_t q = 0; q < port->nq; q++) {
		struct vc_vq *vq = &port->vq[q];

		if (vq->started)
			rte_vhost_set_vring_base(port->vid, q, vq->last_avail, vq->used_idx);
	}
}

/* ---- rte_vhost hooks ---- */

static enum rte_vhost_msg_result pre_msg(int vid, void *msg)
{
	struct vc_vhu_msg *m = msg;
	bool held;
	struct vcrypto_port *port = port_of_vid(vid, &held);

	if (!port)
		return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
	if (held) {
		/*
		 * The previous front end is still connected: one guest device,
		 * one driver. Refusing the message makes rte_vhost close this
		 * connection; close the descriptors it carried ourselves.
		 */
		VC_LOG(WARNING, "%s: second connection refused", port->name);
		for (int i = 0; i < m->fd_num && i < 8; i++)
			if (m->fds[i] >= 0)
				close(m->fds[i]);
		m->fd_num = 0;
		return RTE_VHOST_MSG_RESULT_ERR;
	}
	if (port->msg_open) {
		/* The previous message failed in rte_vhost: no post hook came. */
		port->msg_open = false;
		port_refresh(port);
		if (!atomic_load(&port->dying))
			atomic_store(&port->pause, false);
	}
	switch (m->request) {
	case VHU_GET_QUEUE_NUM:
		/* rte_vhost 22.11 would answer its own maximum (128). */
		memset(m->payload, 0, 8);
		m->payload[0] = (uint8_t)port->nq;
		m->size = 8;
		return RTE_VHOST_MSG_RESULT_REPLY;
	case VHOST_USER_CREATE_CRYPTO_SESSION:
		return handle_create(port, m);
	case VHOST_USER_CLOSE_CRYPTO_SESSION:
		return handle_close(port, m);
	case VHU_GET_FEATURES:
	case VHU_GET_PROTOCOL_FEATURES:
	case VHU_GET_CONFIG:
	case VHU_GET_STATUS:
	case VHU_GET_INFLIGHT_FD:
	case VHU_SET_OWNER:
	case VHU_SET_PROTOCOL_FEATURES:
		return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
	default:
		break;
	}
	/* Everything else may change memory or rings: stop the data path first. */
	port->msg_open = true;
	port_stop(port, m->request == VHU_RESET_OWNER);
	port_sync_bases(port);
	rte_spinlock_lock(&port->lock);
	/*
	 * rte_vhost drops its memory table when a SET_MEM_TABLE fails (and
	 * then calls no post hook): never ask for it until one succeeded.
	 */
	if (m->request == VHU_SET_MEM_TABLE) {
		port->mem_seen = false;
		port->mt.n = 0;
		port->mt.gen++;
	}
	if (m->request == VHU_GET_VRING_BASE || m->request == VHU_SET_VRING_BASE ||
	    m->request == VHU_SET_VRING_NUM) {
		uint32_t q;

		memcpy(&q, m->payload, sizeof(q)); /* vhost_vring_state.index */
		if (q < port->nq) {
			port->vq[q].started = false;
			port->vq[q].gen++;
		}
	}
	rte_spinlock_unlock(&port->lock);
	return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
}

static enum rte_vhost_msg_result post_msg(int vid, void *msg)
{
	struct vcrypto_port *port = port_by_vid(vid);
	struct vc_vhu_msg *m = msg;

	if (!port)
		return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
	switch (m->request) {
	case VHOST_USER_CREATE_CRYPTO_SESSION:
	case VHOST_USER_CLOSE_CRYPTO_SESSION:
	case VHU_GET_FEATURES:
	case VHU_GET_PROTOCOL_FEATURES:
	case VHU_GET_QUEUE_NUM:
	case VHU_GET_CONFIG:
	case VHU_GET_STATUS:
	case VHU_GET_INFLIGHT_FD:
	case VHU_SET_OWNER:
	case VHU_SET_PROTOCOL_FEATURES:
		return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
	case VHU_SET_MEM_TABLE:
		port->mem_seen = true;
		break;
	default:
		break;
	}
	port->msg_open = false;
	port_refresh(port);
	if (!atomic_load(&port->dying))
		atomic_store(&port->pause, false);
	return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
}

static const struct rte_vhost_user_extern_ops ext_ops = {
	.pre_msg_handle = pre_msg,
	.post_msg_handle = post_msg,
};

/* Make @p vid the port's connection (the port has none). */
static void port_take_vid(struct vcrypto_port *port, int vid)
{
	rte_spinlock_lock(&port->lock);
	port->vid = vid;
	port->mem_seen = false;
	port->mt.n = 0;
	port->mt.gen++;
	port->features = 0;
	port->ready_ns = 0;
	port->ok_requests = 0;
	port->zc_auto_on = false;
	for (uint16_t q = 0; q < port->nq; q++) {
		port->vq[q].ready = false;
		port->vq[q].started = false;
		port->vq[q].broken = false;
		port->vq[q].gen++;
	}
	rte_spinlock_unlock(&port->lock);
	port->connects++;
	atomic_store(&port->state, VCRYPTO_PORT_CONNECTED);
	VC_LOG(NOTICE, "%s: front end connected", port->name);
}

/*
 * rte_vhost's thread can accept a new connection before it notices that the
 * previous front end hung up (both show in one poll round; the listening
 * socket is served first). Refusing it then would fail a guest that merely
 * reconnected quickly, so such a connection is held: it takes over when the
 * previous one is destroyed, and is refused if it sends a message while the
 * previous one is still connected (a second driver for one device).
 */
static int new_connection(int vid)
{
	char path[PATH_MAX];
	struct vcrypto_port *port = NULL;
	bool held = false;

	if (vid < 0 || vid >= VC_MAX_VID)
		return -1;
	if (rte_vhost_get_ifname(vid, path, sizeof(path)) < 0)
		return -1;
	pthread_mutex_lock(&g_lock);
	for (size_t i = 0; i < g_nports; i++) {
		if (!strcmp(g_ports[i]->path, path)) {
			port = g_ports[i];
			break;
		}
	}
	if (!port || atomic_load(&port->dying) || (port->vid >= 0 && port->held_vid >= 0)) {
		pthread_mutex_unlock(&g_lock);
		if (port)
			VC_LOG(WARNING, "%s: second connection refused", port->name);
		return -1;
	}
	g_vid[vid] = port;
	if (port->vid >= 0) {
		port->held_vid = vid;
		held = true;
	}
	pthread_mutex_unlock(&g_lock);

	if (rte_vhost_extern_callback_register(vid, &ext_ops, NULL) < 0) {
		VC_LOG(ERR, "%s: cannot register message hooks", port->name);
		pthread_mutex_lock(&g_lock);
		g_vid[vid] = NULL;
		if (held)
			port->held_vid = -1;
		pthread_mutex_unlock(&g_lock);
		return -1;
	}
	if (held) {
		VC_LOG(INFO, "%s: new connection waits for the previous one to close", port->name);
		return 0;
	}
	pthread_mutex_lock(&g_lock);
	port->vid = vid;
	pthread_mutex_unlock(&g_lock);
	port_take_vid(port, vid);
	return 0;
}

static void port_disconnect(struct vcrypto_port *port)
{
	port_stop(port, true);
	sessions_close_all(port);
	rte_spinlock_lock(&port->lock);
	pthread_mutex_lock(&g_lock);
	if (port->vid >= 0 && port->vid < VC_MAX_VID)
		g_vid[port->vid] = NULL;
	pthread_mutex_unlock(&g_lock);
	port->vid = -1;
	port->mem_seen = false;
	port->mt.n = 0;
	port->mt.gen++;
	rte_spinlock_unlock(&port->lock);
}

static void destroy_connection(int vid)
{
	bool held;
	struct vcrypto_port *port = port_of_vid(vid, &held);
	int next;

	if (!port)
		return;
	if (held) {
		pthread_mutex_lock(&g_lock);
		g_vid[vid] = NULL;
		if (port->held_vid == vid)
			port->held_vid = -1;
		pthread_mutex_unlock(&g_lock);
		return;
	}
	port_disconnect(port);
	if (!atomic_load(&port->dying)) {
		atomic_store(&port->pause, false);
		atomic_store(&port->state, VCRYPTO_PORT_WAITING);
	}
	VC_LOG(NOTICE, "%s: front end disconnected", port->name);
	pthread_mutex_lock(&g_lock);
	next = port->held_vid;
	port->held_vid = -1;
	if (next >= 0 && !atomic_load(&port->dying))
		port->vid = next;
	else
		next = -1;
	pthread_mutex_unlock(&g_lock);
	if (next >= 0)
		port_take_vid(port, next);
}

/* Front ends that enable rings or set DRIVER_OK: nothing more to do. */
static int new_device(int vid)
{
	struct vcrypto_port *port = port_by_vid(vid);

	if (port)
		port_refresh(port);
	return 0;
}

static void destroy_device(int vid)
{
	(void)vid;
}

static int vring_state_changed(int vid, uint16_t queue_id, int enable)
{
	(void)vid;
	(void)queue_id;
	(void)enable;
	return 0;
}

static const struct rte_vhost_device_ops dev_ops = {
	.new_device = new_device,
	.destroy_device = destroy_device,
	.vring_state_changed = vring_state_changed,
	.new_connection = new_connection,
	.destroy_connection = destroy_connection,
};

/* ---- port lifecycle ---- */

static int resolve_group(const char *g, gid_t *gid)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(g, &end, 10);
	if (*g && !*end && !errno) {
		*gid = (gid_t)n;
		return 0;
	}
	{
		struct group gr, *res = NULL;
		long sz = sysconf(_SC_GETGR_R_SIZE_MAX);
		char *buf;
		int ret;

		if (sz < 16384)
			sz = 16384;
		buf = malloc((size_t)sz);
		if (!buf)
			return -ENOMEM;
		ret = getgrnam_r(g, &gr, buf, (size_t)sz, &res);
		if (ret == 0 && res)
			*gid = gr.gr_gid;
		free(buf);
		if (ret || !res)
			return -EINVAL;
	}
	return 0;
}

static void vq_free(struct vc_vq *vq)
{
	free(vq->slots);
	free(vq->free_slots);
	free(vq->scratch);
	free(vq->ind);
}

static void port_free(struct vcrypto_port *port)
{
	if (!port)
		return;
	if (port->vq)
		for (uint16_t q = 0; q < port->nq; q++)
			vq_free(&port->vq[q]);
	free(port->vq);
	free(port->smap);
	free(port->name);
	free(port->path);
	vc_qos_fini(&port->qos);
	free(port);
}

static int vq_init(struct vcrypto_port *port, uint16_t q)
{
	struct vc_vq *vq = &port->vq[q];

	vq->port = port;
	vq->idx = q;
	vq->callfd = -1;
	vq->max_inflight = port->o.max_inflight;
	vq->slots = vc_calloc_lines(vq->max_inflight, sizeof(*vq->slots));
	vq->free_slots = vc_calloc_lines(vq->max_inflight, sizeof(*vq->free_slots));
	vq->scratch_cap = port->o.max_chain_descs * 2 + 16;
	vq->scratch = vc_calloc_lines(vq->scratch_cap, sizeof(*vq->scratch));
	vq->ind = calloc(port->o.max_chain_descs, sizeof(*vq->ind));
	if (!vq->slots || !vq->free_slots || !vq->scratch || !vq->ind)
		return -ENOMEM;
	for (uint32_t i = 0; i < vq->max_inflight; i++)
		vq->free_slots[i] = vq->max_inflight - 1 - i;
	vq->nfree = vq->max_inflight;
	atomic_init(&vq->inflight, 0);
	return 0;
}

static int port_new(const char *path, struct vcrypto_engine *engine,
		    const struct vcrypto_port_opts *opts, gid_t *gidp, struct vcrypto_port **out)
{
	struct vcrypto_port_opts o;
	struct vcrypto_port *port;
	gid_t gid = (gid_t)-1;
	int ret;

	if (!path || !*path || !engine || !out || strlen(path) >= 108)
		return -EINVAL;
	ret = vcrypto__opts_copy(&o, sizeof(o), opts);
	if (ret)
		return ret;
	if ((unsigned int)o.mode > VCRYPTO_PORT_CLIENT ||
	    (unsigned int)o.zero_copy > VCRYPTO_ZERO_COPY_AUTO ||
	    (unsigned int)o.session_layout > VCRYPTO_SESSION_LAYOUT_QEMU_8 ||
	    o.socket_perms > 07777)
		return -EINVAL;
	if (!o.socket_perms)
		o.socket_perms = 0600;
	if (!o.num_queues)
		o.num_queues = 1;
	if (o.num_queues > VC_MAX_QUEUES)
		return -EINVAL;
	if (!o.zc_after_requests)
		o.zc_after_requests = 1024;
	if (!o.zc_after_ms)
		o.zc_after_ms = 2000;
	if (!o.max_sessions)
		o.max_sessions = 256;
	if (o.max_sessions > (1u << 24))
		return -EINVAL;
	if (!o.max_inflight)
		o.max_inflight = 1024;
	if (o.max_inflight > 32768)
		return -EINVAL;
	if (!o.max_request_len)
		o.max_request_len = 256 * 1024;
	if (!o.max_chain_descs)
		o.max_chain_descs = 4096;
	if (o.max_chain_descs > 65536)
		return -EINVAL;
	if (o.weight > VC_QOS_MAX_WEIGHT)
		return -EINVAL;
	if (o.socket_group && o.mode == VCRYPTO_PORT_SERVER) {
		ret = resolve_group(o.socket_group, &gid);
		if (ret)
			return ret == -ENOMEM ? ret : -EINVAL;
	}
	*gidp = gid;

	port = calloc(1, sizeof(*port));
	if (!port)
		return -ENOMEM;
	port->o = o;
	port->o.name = NULL;
	port->o.socket_group = NULL;
	port->engine = engine;
	port->vid = -1;
	port->held_vid = -1;
	port->nq = o.num_queues;
	rte_spinlock_init(&port->lock);
	vc_qos_init(&port->qos, &o);
	atomic_init(&port->state, VCRYPTO_PORT_WAITING);
	atomic_init(&port->zc_policy, (int)o.zero_copy);
	port->path = strdup(path);
	port->name = strdup(o.name ? o.name : path);
	port->vq = vc_calloc_lines(port->nq, sizeof(*port->vq));
	port->smap = calloc(o.max_sessions, sizeof(*port->smap));
	if (!port->path || !port->name || !port->vq || !port->smap) {
		port_free(port);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < o.max_sessions; i++)
		port->smap[i].next_free = i + 1 < o.max_sessions ? i + 1 : UINT32_MAX;
	port->smap_free_head = 0;
	port->smap_free_tail = o.max_sessions - 1;
	for (uint16_t q = 0; q < port->nq; q++) {
		if (vq_init(port, q)) {
			port_free(port);
			return -ENOMEM;
		}
	}
	*out = port;
	return 0;
}

int vc_port_alloc(struct vcrypto_engine *engine, const struct vcrypto_port_opts *opts,
		  struct vcrypto_port **out)
{
	gid_t gid;
	int ret = port_new("detached", engine, opts, &gid, out);

	if (!ret)
		vc_engine_get(engine);
	return ret;
}

void vc_port_free(struct vcrypto_port *port)
{
	if (!port)
		return;
	atomic_store(&port->dying, true);
	vc_port_detach_all(port);
	sessions_close_all(port);
	vc_engine_put(port->engine);
	port_free(port);
}

int vc_port_session_add(struct vcrypto_port *port, struct vc_sess *s, uint64_t *id)
{
	int ret;

	rte_spinlock_lock(&port->lock);
	ret = smap_alloc(port, s, id);
	rte_spinlock_unlock(&port->lock);
	return ret;
}

int vc_port_session_close(struct vcrypto_port *port, uint64_t id)
{
	struct vc_sess *s = NULL;

	rte_spinlock_lock(&port->lock);
	if (vc_port_session(port, id))
		s = smap_remove(port, (uint32_t)id);
	vc_sess_put(s);
	rte_spinlock_unlock(&port->lock);
	if (!s)
		return -ENOENT;
	port->sess_closed++;
	return 0;
}

VCRYPTO_API int vcrypto_port_create(const char *path, struct vcrypto_engine *engine,
				    const struct vcrypto_port_opts *opts, struct vcrypto_port **out)
{
	struct vcrypto_port *port;
	struct vcrypto_port **np;
	uint64_t flags = 0, features, pfeat;
	struct stat st;
	gid_t gid = (gid_t)-1;
	int ret;

	ret = port_new(path, engine, opts, &gid, &port);
	if (ret)
		return ret;

	pthread_mutex_lock(&g_lock);
	for (size_t i = 0; i < g_nports; i++) {
		if (!strcmp(g_ports[i]->path, path)) {
			pthread_mutex_unlock(&g_lock);
			port_free(port);
			return -EEXIST;
		}
	}
	np = realloc(g_ports, (g_nports + 1) * sizeof(*g_ports));
	if (!np) {
		pthread_mutex_unlock(&g_lock);
		port_free(port);
		return -ENOMEM;
	}
	g_ports = np;
	g_ports[g_nports++] = port;
	pthread_mutex_unlock(&g_lock);

	if (port->o.mode == VCRYPTO_PORT_SERVER) {
		if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
			unlink(path);
	} else {
		flags |= RTE_VHOST_USER_CLIENT; /* reconnects by default */
	}
	/*
	 * ANY_LAYOUT (a legacy bit, implied by VERSION_1 but not honoured by
	 * DPDK's own vhost-crypto): requests are read as byte streams, however
	 * their parts are cut into descriptors, and libvcrypto-guest then gives
	 * a request's header, IV and AAD one descriptor. QEMU 7.2 does not pass
	 * it to its guest.
	 */
	features = 1ull << VC_VIRTIO_F_VERSION_1 | 1ull << VC_VIRTIO_RING_F_INDIRECT_DESC |
		   1ull << VC_VHOST_USER_F_PROTOCOL_FEATURES | 1ull << VC_VIRTIO_RING_F_EVENT_IDX |
		   1ull << VC_VIRTIO_F_ANY_LAYOUT;
	pfeat = 1ull << VHOST_USER_PROTOCOL_F_CRYPTO_SESSION |
		1ull << VHOST_USER_PROTOCOL_F_REPLY_ACK;
	if (port->nq > 1)
		pfeat |= 1ull << VHOST_USER_PROTOCOL_F_MQ;

	if (rte_vhost_driver_register(path, flags) < 0) {
		ret = -EIO;
		goto fail;
	}
	port->registered = true;
	if (rte_vhost_driver_set_features(path, features) < 0 ||
	    rte_vhost_driver_set_protocol_features(path, pfeat) < 0 ||
	    rte_vhost_driver_callback_register(path, &dev_ops) < 0) {
		ret = -EIO;
		goto fail;
	}
	if (rte_vhost_driver_start(path) < 0) {
		ret = -EIO;
		goto fail;
	}
	if (port->o.mode == VCRYPTO_PORT_SERVER) {
		if (chmod(path, (mode_t)port->o.socket_perms) < 0 ||
		    (gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) < 0)) {
			ret = -EPERM;
			goto fail;
		}
	}
	vc_engine_get(engine);
	VC_LOG(INFO, "%s: port on %s (%s)", port->name, path,
	       port->o.mode == VCRYPTO_PORT_SERVER ? "server" : "client");
	*out = port;
	return 0;
fail:
	if (port->registered)
		rte_vhost_driver_unregister(path);
	pthread_mutex_lock(&g_lock);
	for (size_t i = 0; i < g_nports; i++) {
		if (g_ports[i] == port) {
			g_ports[i] = g_ports[--g_nports];
			break;
		}
	}
	pthread_mutex_unlock(&g_lock);
	port_free(port);
	return ret;
}

VCRYPTO_API void vcrypto_port_destroy(struct vcrypto_port *port)
{
	if (!port)
		return;
	atomic_store(&port->dying, true);
	atomic_store(&port->pause, true);
	/* Finish what is in flight while the guest's memory is still mapped. */
	if (vc_port_detach_all(port)) {
		/*
		 * Requests still in the device refer to this port: keep its memory,
		 * and make sure their results are dropped when the device gives them
		 * back (the guest's memory is unmapped below).
		 */
		VC_LOG(ERR, "%s: requests stuck in the cryptodev; port memory leaked", port->name);
		rte_spinlock_lock(&port->lock);
		for (uint16_t q = 0; q < port->nq; q++) {
			port->vq[q].ready = false;
			port->vq[q].started = false;
			port->vq[q].gen++;
		}
		port->mt.n = 0;
		port->mt.gen++;
		rte_spinlock_unlock(&port->lock);
		/* Requests in flight keep their sessions until the device returns them. */
		sessions_close_all(port);
		if (port->registered)
			rte_vhost_driver_unregister(port->path);
		return;
	}
	if (port->vid >= 0)
		port_disconnect(port);
	atomic_store(&port->state, VCRYPTO_PORT_STOPPED);
	/* No callback runs after this returns (rte_vhost waits for them). */
	if (port->registered)
		rte_vhost_driver_unregister(port->path);
	pthread_mutex_lock(&g_lock);
	for (size_t i = 0; i < VC_MAX_VID; i++)
		if (g_vid[i] == port)
			g_vid[i] = NULL;
	for (size_t i = 0; i < g_nports; i++) {
		if (g_ports[i] == port) {
			g_ports[i] = g_ports[--g_nports];
			break;
		}
	}
	if (!g_nports) {
		free(g_ports);
		g_ports = NULL;
	}
	pthread_mutex_unlock(&g_lock);
	sessions_close_all(port);
	vc_engine_put(port->engine);
	port_free(port);
}

VCRYPTO_API const char *vcrypto_port_name(const struct vcrypto_port *port)
{
	return port ? port->name : NULL;
}

VCRYPTO_API int vcrypto_port_set_zero_copy(struct vcrypto_port *port, enum vcrypto_zero_copy zc)
{
	if (!port || (unsigned int)zc > VCRYPTO_ZERO_COPY_AUTO)
		return -EINVAL;
	atomic_store(&port->zc_policy, (int)zc);
	return 0;
}

VCRYPTO_API int vcrypto_port_stats_get(const struct vcrypto_port *port,
				       struct vcrypto_port_stats *stats)
{
	struct vcrypto_port_stats s;
	size_t n;

	if (!port || !stats || stats->sz < sizeof(size_t))
		return -EINVAL;
	memset(&s, 0, sizeof(s));
	s.sz = sizeof(s);
	s.state = (enum vcrypto_port_state)atomic_load(&((struct vcrypto_port *)port)->state);
	for (uint16_t q = 0; q < port->nq; q++) {
		const struct vc_vq_stats *v = &port->vq[q].st;

		s.requests += VC_STAT_GET(v->requests);
		s.requests_ok += VC_STAT_GET(v->requests_ok);
		s.bytes += VC_STAT_GET(v->bytes);
		s.err_badmsg += VC_STAT_GET(v->err_badmsg);
		s.err_notsupp += VC_STAT_GET(v->err_notsupp);
		s.err_invsess += VC_STAT_GET(v->err_invsess);
		s.err_other += VC_STAT_GET(v->err_other);
		s.err_ring += VC_STAT_GET(v->err_ring);
		s.zero_copy_requests += VC_STAT_GET(v->zero_copy);
		s.notifications += VC_STAT_GET(v->notifications);
		s.general_walks += VC_STAT_GET(v->general_walks);
		uint32_t in = atomic_load(&((struct vcrypto_port *)port)->vq[q].inflight);
		uint32_t bl = VC_STAT_GET(port->vq[q].backlog);

		s.inflight += in > bl ? in - bl : 0;
		s.backlog += bl;
	}
	s.sessions_created = VC_STAT_GET(port->sess_created);
	s.sessions_closed = VC_STAT_GET(port->sess_closed);
	s.sessions_failed = VC_STAT_GET(port->sess_failed);
	s.sessions_active = VC_STAT_GET(port->sess_active);
	s.connects = VC_STAT_GET(port->connects);
	s.throttled_rounds = VC_STAT_GET(port->qos.throttled_rounds);
	s.throttled_ns = (uint64_t)((double)VC_STAT_GET(port->qos.throttled_cycles) * 1e9 /
				    (double)rte_get_tsc_hz());
	n = stats->sz < sizeof(s) ? stats->sz : sizeof(s);
	memcpy((uint8_t *)stats + sizeof(size_t), (uint8_t *)&s + sizeof(size_t),
	       n - sizeof(size_t));
	return 0;
}

void vc_port_foreach(void (*fn)(struct vcrypto_port *port, void *arg), void *arg)
{
	pthread_mutex_lock(&g_lock);
	for (size_t i = 0; i < g_nports; i++)
		fn(g_ports[i], arg);
	pthread_mutex_unlock(&g_lock);
}
