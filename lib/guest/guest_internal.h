/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/* Internal state of the guest front end (libvcrypto-guest). */
#ifndef VCRYPTO_GUEST_INTERNAL_H
#define VCRYPTO_GUEST_INTERNAL_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <vcrypto/guest.h>

#include "common/lines.h"
#include "common/log.h"
#include "common/session_msg.h"
#include "guest/alloc.h"

/* ---- virtio split ring (VIRTIO 1.2, 2.7) ---- */
#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
#define VRING_DESC_F_INDIRECT 4
#define VRING_USED_F_NO_NOTIFY 1
#define VRING_AVAIL_F_NO_INTERRUPT 1

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[]; /* [size], then used_event */
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[]; /* [size], then avail_event */
};

/* ---- feature bits ---- */
#define VIRTIO_F_ANY_LAYOUT 27
#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX 29
#define VHOST_USER_F_PROTOCOL_FEATURES 30
#define VIRTIO_F_VERSION_1 32

#define VHOST_USER_PROTOCOL_F_MQ 0
#define VHOST_USER_PROTOCOL_F_REPLY_ACK 3
#define VHOST_USER_PROTOCOL_F_CRYPTO_SESSION 7

/* ---- per-request area in the shared region ---- */
#define VC_SLOT_SIZE 512
#define VC_SLOT_OFF_TABLE 0 /* indirect table, up to VC_MAX_REQ_DESC entries */
#define VC_SLOT_OFF_HDR 128 /* 72-byte request header, then IV, AAD and status (build()) */
#define VC_SLOT_OFF_IV 200  /* up to 32 bytes */
#define VC_MAX_REQ_DESC 7   /* hdr, iv, aad, src, dst, digest, status */
#define VC_STATUS_UNSET 0xff

/* Guest physical address of the start of our one region. */
#define VC_GPA_BASE 0x40000000ull

/* Per-request bookkeeping, private memory, indexed by the head descriptor. */
struct vc_slot {
	uint64_t user_data;
	uint16_t ndesc;	     /* direct mode: descriptors in the chain */
	uint16_t last;	     /* direct mode: last descriptor of the chain */
	uint16_t status_off; /* of the status byte in the slot's area */
	uint8_t in_use;
};

/* One data virtqueue. Touched by one data-plane thread at a time. */
struct vc_vq {
	uint16_t size, mask;
	bool direct;		 /* VCRYPTO_GUEST_F_DIRECT_DESC */
	bool per_part;		 /* a descriptor per part (build()): flag, or no ANY_LAYOUT */
	bool busy_poll;		 /* VCRYPTO_GUEST_F_BUSY_POLL */
	uint16_t used_event_set; /* busy poll: last_used when used_event was last moved */
	bool event_idx;		 /* VIRTIO_RING_F_EVENT_IDX negotiated */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t *used_event;		/* &avail->ring[size] */
	volatile uint16_t *avail_event; /* &used->ring[size] */
	uint64_t desc_gpa, avail_gpa, used_gpa;
	uint8_t *slot_va; /* size * VC_SLOT_SIZE bytes */
	uint64_t slot_gpa;

	uint16_t avail_idx; /* next avail index (shadow of avail->idx) */
	uint16_t last_used; /* used entries consumed */
	uint16_t inflight;  /* requests submitted, not yet completed */
	uint16_t free_head; /* direct mode: free descriptor list */
	uint16_t nfree;
	uint16_t *next_free; /* direct mode: [size] */
	struct vc_slot *slots;
	bool armed; /* notifications enabled (idle) */
	uint32_t idle_polls;

	/* Requests that a reconnect cut off, reported as -ENOTCONN by poll. */
	uint64_t *failed;
	uint32_t nfailed, failed_pos;

	int kick_fd, call_fd;
	struct vc_ratelimit log_rl; /* host misbehaviour messages */
} __attribute__((aligned(64)));

/* Session table entry; lookups are lock-free (data plane), inserts locked. */
enum {
	VC_SESS_EMPTY = 0,
	VC_SESS_OPEN = 1,
	VC_SESS_CLOSED = 2,
	VC_SESS_BUSY = 3
};

struct vc_sess {
	_Atomic uint8_t state;
	_Atomic uint64_t id;
	uint8_t type; /* enum vcrypto_session_type */
	uint8_t direction;
	int8_t iv_len; /* -1: AES-CCM 7..13 */
	uint32_t algo; /* header algo field */
	uint32_t digest_len;
	uint32_t aad_len;
	uint32_t block;
};

#define VC_SESS_TABLE 4096

struct vcrypto_guest {
	pthread_mutex_t lock; /* control plane */
	char *path;
	struct vcrypto_guest_opts opts;
	int sock;
	_Atomic int connected; /* 1 while the socket is believed up */
	uint64_t features;     /* negotiated virtio features */
	uint64_t protocol_features;
	int reply_timeout_ms;

	int memfd;
	uint8_t *mem; /* the whole shared region */
	uint64_t mem_len;
	uint8_t *heap; /* buffer heap part */
	uint64_t heap_off, heap_len;
	struct vc_alloc alloc;

	uint16_t nq;
	struct vc_vq *vq;

	struct vc_sess *sess; /* [VC_SESS_TABLE] */
	bool detached;	      /* unit tests: no socket */
};

/* vhost_user.c */
int vc_vu_connect(struct vcrypto_guest *g);
int vc_vu_setup(struct vcrypto_guest *g);
int vc_vu_session_create(struct vcrypto_guest *g, const struct vc_session_desc *d, uint64_t *id);
int vc_vu_session_close(struct vcrypto_guest *g, uint64_t id);
bool vc_vu_peer_gone(struct vcrypto_guest *g);

/* vq.c */
int vc_vq_init(struct vcrypto_guest *g, struct vc_vq *vq, uint64_t off, uint16_t size);
void vc_vq_fini(struct vc_vq *vq);
void vc_vq_reset(struct vc_vq *vq);
uint64_t vc_vq_region_bytes(uint16_t size);

/* guest.c */
struct vc_sess *vc_sess_lookup(struct vcrypto_guest *g, uint64_t id);
int vc_sess_insert(struct vcrypto_guest *g, uint64_t id, const struct vc_session_desc *d);
void vc_guest_mark_down(struct vcrypto_guest *g);
/* Unit tests: a connection without a socket (rings and heap only). */
int vc_guest_create_detached(const struct vcrypto_guest_opts *opts, struct vcrypto_guest **out);

/*
 * -errno after a failed system call, for a result callers read as failed if
 * non-zero: -EIO should the call have left errno 0.
 */
static inline int vc_neg_errno(void)
{
	int e = errno;

	return e > 0 ? -e : -EIO;
}

static inline uint64_t vc_gpa(const struct vcrypto_guest *g, const void *p)
{
	return VC_GPA_BASE + (uint64_t)((const uint8_t *)p - g->mem);
}

#endif /* VCRYPTO_GUEST_INTERNAL_H */
