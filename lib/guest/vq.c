/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * The split-virtqueue data path: submit, poll, wait, run.
 *
 * Hot path rules: no allocation, no locks, no system call except the kick
 * eventfd write (and, when a queue is idle with requests outstanding, a
 * non-blocking peek at the socket every VC_IDLE_CHECK polls to notice a
 * vanished host).
 */

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "common/virtio_crypto_wire.h"
#include "guest/guest_internal.h"

#define VC_IDLE_CHECK 1024
#define ALIGN4K(x) (((x) + 4095) & ~(uint64_t)4095)

static uint64_t desc_bytes(uint16_t size)
{
	return ALIGN4K(16ull * size);
}

static uint64_t avail_bytes(uint16_t size)
{
	return ALIGN4K(6ull + 2ull * size);
}

static uint64_t used_bytes(uint16_t size)
{
	return ALIGN4K(6ull + 8ull * size);
}

uint64_t vc_vq_region_bytes(uint16_t size)
{
	return desc_bytes(size) + avail_bytes(size) + used_bytes(size) +
	       ALIGN4K((uint64_t)VC_SLOT_SIZE * size);
}

void vc_vq_reset(struct vc_vq *vq)
{
	memset(vq->desc, 0, 16ull * vq->size);
	memset(vq->avail, 0, 6ull + 2ull * vq->size);
	memset(vq->used, 0, 6ull + 8ull * vq->size);
	memset(vq->slots, 0, sizeof(*vq->slots) * vq->size);
	vq->avail_idx = 0;
	vq->last_used = 0;
	vq->inflight = 0;
	vq->idle_polls = 0;
	vq->armed = true;
	if (vq->busy_poll) {
		/* No signal wanted: NO_INTERRUPT, and used_event just behind. */
		vq->avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
		*vq->used_event = (uint16_t)(vq->last_used - 1);
		vq->used_event_set = vq->last_used;
		vq->armed = false;
	}
	vq->free_head = 0;
	vq->nfree = vq->size;
	for (uint16_t i = 0; i < vq->size; i++)
		vq->next_free[i] = (uint16_t)(i + 1);
}

int vc_vq_init(struct vcrypto_guest *g, struct vc_vq *vq, uint64_t off, uint16_t size)
{
	uint8_t *base = g->mem + off;

	memset(vq, 0, sizeof(*vq));
	vq->kick_fd = vq->call_fd = -1;
	vq->size = size;
	vq->mask = (uint16_t)(size - 1);
	vq->direct = g->opts.flags & VCRYPTO_GUEST_F_DIRECT_DESC;
	vq->per_part = g->opts.flags & VCRYPTO_GUEST_F_DESC_PER_PART;
	vq->busy_poll = g->opts.flags & VCRYPTO_GUEST_F_BUSY_POLL;
	vq->desc = (struct vring_desc *)base;
	vq->avail = (struct vring_avail *)(base + desc_bytes(size));
	vq->used = (struct vring_used *)(base + desc_bytes(size) + avail_bytes(size));
	vq->slot_va = base + desc_bytes(size) + avail_bytes(size) + used_bytes(size);
	vq->used_event = &vq->avail->ring[size];
	vq->avail_event = (volatile uint16_t *)&vq->used->ring[size];
	vq->desc_gpa = vc_gpa(g, vq->desc);
	vq->avail_gpa = vc_gpa(g, vq->avail);
	vq->used_gpa = vc_gpa(g, vq->used);
	vq->slot_gpa = vc_gpa(g, vq->slot_va);
	vq->slots = vc_calloc_lines(size, sizeof(*vq->slots));
	vq->next_free = calloc(size, sizeof(*vq->next_free));
	vq->failed = calloc(size, sizeof(*vq->failed));
	if (!vq->slots || !vq->next_free || !vq->failed)
		return -ENOMEM;
	vq->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vq->call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vq->kick_fd < 0 || vq->call_fd < 0)
		return vc_neg_errno();
	vc_vq_reset(vq);
	return 0;
}

void vc_vq_fini(struct vc_vq *vq)
{
	free(vq->slots);
	free(vq->next_free);
	free(vq->failed);
	if (vq->kick_fd >= 0)
		close(vq->kick_fd);
	if (vq->call_fd >= 0)
		close(vq->call_fd);
	vq->slots = NULL;
	vq->next_free = NULL;
	vq->failed = NULL;
	vq->kick_fd = vq->call_fd = -1;
}

/* ---------------------------------------------------------------- submit */

struct part {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
};

static inline bool in_heap(const struct vcrypto_guest *g, const void *p, uint64_t len)
{
	uintptr_t a = (uintptr_t)p, h = (uintptr_t)g->heap;

	return a >= h && a - h <= g->heap_len && len <= g->heap_len - (a - h);
}

/* Check @p op against its session. 0 or a negative errno. */
static int check_op(const struct vcrypto_guest *g, const struct vc_sess *s,
		    const struct vcrypto_guest_op *op)
{
	uint32_t src = op->src_len, dst = op->dst_len;

	if (op->iv_len > VCRYPTO_MAX_IV_LEN || (op->iv_len && !op->iv))
		return -EINVAL;
	if (s->iv_len >= 0 ? op->iv_len != (uint32_t)s->iv_len : op->iv_len < 7 || op->iv_len > 13)
		return -EINVAL;
	if (op->aad_len != s->aad_len || (op->aad_len && !op->aad))
		return -EINVAL;
	if (op->src_len && (!op->src || !in_heap(g, op->src, op->src_len)))
		return op->src ? -EFAULT : -EINVAL;
	switch (s->type) {
	case VCRYPTO_SESSION_CIPHER:
	case VCRYPTO_SESSION_CHAIN: {
		uint32_t coff = op->cipher_offset, clen, hoff = op->hash_offset, hlen;

		if (!src || dst != src || !op->dst)
			return -EINVAL;
		if (s->type == VCRYPTO_SESSION_CIPHER) {
			if (coff || op->cipher_len || hoff || op->hash_len)
				return -EINVAL;
			clen = src;
		} else {
			if (coff > src || hoff > src)
				return -EINVAL;
			clen = op->cipher_len ? op->cipher_len : src - coff;
			hlen = op->hash_len ? op->hash_len : src - hoff;
			if (clen > src - coff || hlen > src - hoff)
				return -EINVAL;
			if (!op->digest)
				return -EINVAL;
			if (!in_heap(g, op->digest, s->digest_len))
				return -EFAULT;
		}
		if (clen % s->block)
			return -EINVAL;
		if (s->algo == VCRYPTO_CIPHER_AES_XTS && clen < 16)
			return -EINVAL;
		break;
	}
	case VCRYPTO_SESSION_HASH:
	case VCRYPTO_SESSION_MAC:
		if (!op->digest)
			return -EINVAL;
		if (!in_heap(g, op->digest, s->digest_len))
			return -EFAULT;
		break;
	case VCRYPTO_SESSION_AEAD:
		if (s->direction == VCRYPTO_ENCRYPT) {
			if ((uint64_t)dst != (uint64_t)src + s->digest_len)
				return -EINVAL;
		} else {
			if (src < s->digest_len || dst != src - s->digest_len)
				return -EINVAL;
		}
		if (dst && !op->dst)
			return -EINVAL;
		break;
	default:
		return -EBADF;
	}
	if (dst && s->type != VCRYPTO_SESSION_HASH && s->type != VCRYPTO_SESSION_MAC &&
	    !in_heap(g, op->dst, dst))
		return -EFAULT;
	return 0;
}

/*
 * Store @p n 64-bit words at @p dst only if they differ from what is there.
 * The host reads a slot's header, its indirect table and the ring's head
 * descriptor from its own cache as long as we leave their lines alone; a
 * store, even of the same bytes, takes the line back to this core and the
 * host then waits for it (a cross-core transfer, ~70 cycles each). A slot's
 * head descriptor and its table entries for the header, IV and status are
 * the same at every use, and so is the header of a run of like requests.
 *
 * The new contents come as whole words composed in registers (see lohi()),
 * not as a structure just written field by field: comparing such a
 * structure loads 8 or more bytes that several smaller stores still in the
 * store buffer make up, which the CPU cannot forward, and each such load
 * waits for them to reach the cache (two thirds of vcrypto_guest_submit()'s
 * time when it did: 64 B transport only, 159 guest cycles per request).
 */
static inline void store_words(void *dst, const uint64_t *w, unsigned int n)
{
	uint64_t diff = 0;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t cur;

		memcpy(&cur, (const uint8_t *)dst + 8 * (size_t)i, 8);
		diff |= cur ^ w[i];
	}
	if (diff)
		memcpy(dst, w, 8 * (size_t)n);
}

/* A little-endian word of two 32-bit fields (virtio is little-endian, as every host we run on). */
static inline uint64_t lohi(uint32_t lo, uint32_t hi)
{
	return lo | (uint64_t)hi << 32;
}

/* Where hdr_words() puts the fields, as struct vc_op_data_req has them. */
#define VC_HDR_WORDS (sizeof(struct vc_op_data_req) / 8)
#define VC_AT(field, word, hi)                                                                     \
	_Static_assert(offsetof(struct vc_op_data_req, field) == 8 * (word) + 4 * (hi), #field)
VC_AT(header.opcode, 0, 0);
VC_AT(header.algo, 0, 1);
VC_AT(header.session_id, 1, 0);
VC_AT(u.sym_req.u.cipher.para.iv_len, 3, 0);
VC_AT(u.sym_req.u.cipher.para.src_data_len, 3, 1);
VC_AT(u.sym_req.u.cipher.para.dst_data_len, 4, 0);
VC_AT(u.sym_req.u.chain.iv_len, 3, 0);
VC_AT(u.sym_req.u.chain.src_data_len, 3, 1);
VC_AT(u.sym_req.u.chain.dst_data_len, 4, 0);
VC_AT(u.sym_req.u.chain.cipher_start_src_offset, 4, 1);
VC_AT(u.sym_req.u.chain.len_to_cipher, 5, 0);
VC_AT(u.sym_req.u.chain.hash_start_src_offset, 5, 1);
VC_AT(u.sym_req.u.chain.len_to_hash, 6, 0);
VC_AT(u.sym_req.u.chain.aad_len, 6, 1);
VC_AT(u.sym_req.u.chain.hash_result_len, 7, 0);
VC_AT(u.sym_req.op_type, 8, 0);
VC_AT(u.hash_req.para.src_data_len, 3, 0);
VC_AT(u.hash_req.para.hash_result_len, 3, 1);
VC_AT(u.mac_req.para.src_data_len, 3, 0);
VC_AT(u.mac_req.para.hash_result_len, 3, 1);
VC_AT(u.aead_req.para.iv_len, 3, 0);
VC_AT(u.aead_req.para.aad_len, 3, 1);
VC_AT(u.aead_req.para.src_data_len, 4, 0);
VC_AT(u.aead_req.para.dst_data_len, 4, 1);
#undef VC_AT

/* The 72-byte request header of @p op as little-endian words (the rest zero). */
static inline void hdr_words(const struct vc_sess *s, const struct vcrypto_guest_op *op,
			     uint64_t w[VC_HDR_WORDS])
{
	const bool enc = s->direction == VCRYPTO_ENCRYPT;
	uint32_t opcode = 0;

	memset(w, 0, 8 * VC_HDR_WORDS);
	w[1] = op->session_id;
	switch (s->type) {
	case VCRYPTO_SESSION_CIPHER:
		opcode = enc ? VC_CIPHER_ENCRYPT : VC_CIPHER_DECRYPT;
		w[3] = lohi(op->iv_len, op->src_len);
		w[4] = op->dst_len;
		w[8] = VC_SYM_OP_CIPHER;
		break;
	case VCRYPTO_SESSION_CHAIN:
		opcode = enc ? VC_CIPHER_ENCRYPT : VC_CIPHER_DECRYPT;
		w[3] = lohi(op->iv_len, op->src_len);
		w[4] = lohi(op->dst_len, op->cipher_offset);
		w[5] = lohi(op->cipher_len ? op->cipher_len : op->src_len - op->cipher_offset,
			    op->hash_offset);
		w[6] = lohi(op->hash_len ? op->hash_len : op->src_len - op->hash_offset,
			    op->aad_len);
		w[7] = s->digest_len;
		w[8] = VC_SYM_OP_CHAIN;
		break;
	case VCRYPTO_SESSION_HASH:
	case VCRYPTO_SESSION_MAC:
		opcode = s->type == VCRYPTO_SESSION_HASH ? VC_HASH : VC_MAC;
		w[3] = lohi(op->src_len, s->digest_len);
		break;
	case VCRYPTO_SESSION_AEAD:
		opcode = enc ? VC_AEAD_ENCRYPT : VC_AEAD_DECRYPT;
		w[3] = lohi(op->iv_len, op->aad_len);
		w[4] = lohi(op->src_len, op->dst_len);
		break;
	}
	w[0] = lohi(opcode, s->algo);
}

/*
 * Write the 72-byte header and the parts of one request; returns the part
 * count. The header, IV and AAD follow each other in the slot's area, the
 * status byte right after them. One descriptor covers the three when the
 * host offered VIRTIO_F_ANY_LAYOUT (a host that did not may read each part
 * from its own descriptor, as DPDK 22.11's vhost-crypto does) and the
 * application did not ask for VCRYPTO_GUEST_F_DESC_PER_PART: the host then
 * walks one descriptor less, and the table of a cipher request fits in one
 * line. The IV and the status byte share the header's last line either way.
 */
static unsigned int build(const struct vcrypto_guest *g, struct vc_vq *vq, uint16_t slot,
			  const struct vc_sess *s, const struct vcrypto_guest_op *op,
			  struct part *p)
{
	uint8_t *area = vq->slot_va + (size_t)slot * VC_SLOT_SIZE;
	uint64_t gpa = vq->slot_gpa + (uint64_t)slot * VC_SLOT_SIZE;
	const uint32_t aad_off = VC_SLOT_OFF_IV + op->iv_len, st_off = aad_off + op->aad_len;
	uint64_t w[VC_HDR_WORDS];
	unsigned int n = 0;

	_Static_assert(VC_SLOT_OFF_HDR + sizeof(struct vc_op_data_req) == VC_SLOT_OFF_IV &&
			       VC_SLOT_OFF_IV + VCRYPTO_MAX_IV_LEN + VC_SESSION_MAX_AAD_LEN <
				       VC_SLOT_SIZE,
		       "slot layout");
	hdr_words(s, op, w);
	store_words(area + VC_SLOT_OFF_HDR, w, VC_HDR_WORDS);
	if (op->iv_len)
		memcpy(area + VC_SLOT_OFF_IV, op->iv, op->iv_len);
	if (op->aad_len)
		memcpy(area + aad_off, op->aad, op->aad_len);
	if (!vq->per_part) {
		p[n++] = (struct part){gpa + VC_SLOT_OFF_HDR, st_off - VC_SLOT_OFF_HDR, 0};
	} else {
		p[n++] = (struct part){gpa + VC_SLOT_OFF_HDR, sizeof(struct vc_op_data_req), 0};
		if (op->iv_len)
			p[n++] = (struct part){gpa + VC_SLOT_OFF_IV, op->iv_len, 0};
		if (op->aad_len)
			p[n++] = (struct part){gpa + aad_off, op->aad_len, 0};
	}
	if (op->src_len)
		p[n++] = (struct part){vc_gpa(g, op->src), op->src_len, 0};
	if (s->type != VCRYPTO_SESSION_HASH && s->type != VCRYPTO_SESSION_MAC && op->dst_len)
		p[n++] = (struct part){vc_gpa(g, op->dst), op->dst_len, VRING_DESC_F_WRITE};
	if (s->type == VCRYPTO_SESSION_HASH || s->type == VCRYPTO_SESSION_MAC ||
	    s->type == VCRYPTO_SESSION_CHAIN)
		p[n++] = (struct part){vc_gpa(g, op->digest), s->digest_len, VRING_DESC_F_WRITE};
	area[st_off] = VC_STATUS_UNSET;
	vq->slots[slot].status_off = (uint16_t)st_off;
	p[n++] = (struct part){gpa + st_off, 1, VRING_DESC_F_WRITE};
	return n;
}

/* Store descriptor @p d's fields where they differ from what is there (see store_words). */
static inline void desc_store(struct vring_desc *d, uint64_t addr, uint32_t len, uint16_t flags,
			      uint16_t next)
{
	const uint64_t w[2] = {addr, lohi(len, (uint32_t)flags | (uint32_t)next << 16)};

	_Static_assert(sizeof(*d) == 16 && offsetof(struct vring_desc, len) == 8 &&
			       offsetof(struct vring_desc, flags) == 12 &&
			       offsetof(struct vring_desc, next) == 14,
		       "virtq_desc");
	store_words(d, w, 2);
}

/*
 * Point the ring's descriptor @p head at the slot's indirect table and fill
 * the table with @p np parts, storing only what changed (see store_words).
 */
static void put_indirect(struct vc_vq *vq, uint16_t head, const struct part *p, unsigned int np)
{
	size_t off = (size_t)head * VC_SLOT_SIZE + VC_SLOT_OFF_TABLE;
	struct vring_desc *t = (struct vring_desc *)(vq->slot_va + off);

	for (unsigned int k = 0; k < np; k++) {
		bool last = k + 1 == np;

		desc_store(&t[k], p[k].addr, p[k].len,
			   (uint16_t)(p[k].flags | (last ? 0 : VRING_DESC_F_NEXT)),
			   (uint16_t)(last ? 0 : k + 1));
	}
	desc_store(&vq->desc[head], vq->slot_gpa + off, (uint32_t)(np * sizeof(struct vring_desc)),
		   VRING_DESC_F_INDIRECT, 0);
}

static inline void kick(struct vc_vq *vq, uint16_t old)
{
	uint16_t new_idx = vq->avail_idx;
	bool need;

	__atomic_store_n(&vq->avail->idx, new_idx, __ATOMIC_RELEASE);
	/* The host's suppression flag/event must be read after our idx store. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vq->event_idx) {
		uint16_t ev = *vq->avail_event;

		need = (uint16_t)(new_idx - ev - 1) < (uint16_t)(new_idx - old);
	} else {
		need = !(__atomic_load_n(&vq->used->flags, __ATOMIC_RELAXED) &
			 VRING_USED_F_NO_NOTIFY);
	}
	if (need) {
		uint64_t one = 1;
		ssize_t r = write(vq->kick_fd, &one, sizeof(one));

		(void)r; /* EAGAIN: the counter is saturated, the host will wake anyway */
	}
}

/*
 * Indirect mode: a free slot other than @p busy, the one of the next avail
 * entry, whose request is still out. The host completes requests out of
 * order (they take different paths there), so one slow request must not
 * make the ring look full while fewer than its size are out (a guest
 * keeping 32 out found it "full" a lap after one request was held back,
 * until that one completed). The caller made sure that a slot is free.
 */
static uint16_t free_slot(const struct vc_vq *vq, uint16_t busy)
{
	uint16_t id = busy;

	do
		id = (uint16_t)((id + 1) & vq->mask);
	while (vq->slots[id].in_use);
	return id;
}

VCRYPTO_API int vcrypto_guest_submit(struct vcrypto_guest *g, uint16_t queue,
				     const struct vcrypto_guest_op *ops, unsigned int n)
{
	struct vc_vq *vq;
	uint16_t old;
	unsigned int i;
	int err = 0;

	if (!g || queue >= g->nq || (n && !ops))
		return -EINVAL;
	if (!atomic_load_explicit(&g->connected, memory_order_relaxed))
		return -ENOTCONN;
	vq = &g->vq[queue];
	old = vq->avail_idx;
	for (i = 0; i < n; i++) {
		const struct vcrypto_guest_op *op = &ops[i];
		const struct vc_sess *s = vc_sess_lookup(g, op->session_id);
		struct part p[VC_MAX_REQ_DESC];
		unsigned int np, k;
		uint16_t head;

		if (!s) {
			err = -EBADF;
			break;
		}
		err = check_op(g, s, op);
		if (err)
			break;
		if (!vq->direct) {
			head = vq->avail_idx & vq->mask;
			if (vq->slots[head].in_use) {
				if (vq->inflight >= vq->size)
					break; /* ring full */
				head = free_slot(vq, head);
			}
			np = build(g, vq, head, s, op, p);
			put_indirect(vq, head, p, np);
		} else {
			uint16_t d, prev = 0;

			if (vq->nfree < VC_MAX_REQ_DESC)
				break; /* ring full (conservative: the worst case) */
			head = vq->free_head;
			np = build(g, vq, head, s, op, p);
			d = head;
			for (k = 0; k < np; k++) {
				if (k)
					vq->desc[prev].next = d;
				vq->desc[d].addr = p[k].addr;
				vq->desc[d].len = p[k].len;
				vq->desc[d].flags =
					(uint16_t)(p[k].flags |
						   (k + 1 < np ? VRING_DESC_F_NEXT : 0));
				vq->desc[d].next = 0;
				prev = d;
				d = vq->next_free[d];
			}
			vq->free_head = d;
			vq->nfree = (uint16_t)(vq->nfree - np);
			vq->slots[head].ndesc = (uint16_t)np;
			vq->slots[head].last = prev;
		}
		vq->slots[head].user_data = op->user_data;
		vq->slots[head].in_use = 1;
		/* With indirect tables, head i goes in avail slot i if free: the same at every lap. */
		if (vq->avail->ring[vq->avail_idx & vq->mask] != head)
			vq->avail->ring[vq->avail_idx & vq->mask] = head;
		vq->avail_idx++;
		vq->inflight++;
	}
	if (i)
		kick(vq, old);
	if (i == 0 && err)
		return err;
	return (int)i;
}

/* ------------------------------------------------------------------ poll */

static inline void release_slot(struct vc_vq *vq, uint16_t id)
{
	struct vc_slot *sl = &vq->slots[id];

	if (vq->direct) {
		/* The chain id..last was taken from the free list in order: put it back. */
		vq->next_free[sl->last] = vq->free_head;
		vq->free_head = id;
		vq->nfree = (uint16_t)(vq->nfree + sl->ndesc);
	}
	sl->in_use = 0;
	vq->inflight--;
}

static inline int32_t map_status(uint8_t st)
{
	return st <= VCRYPTO_STATUS_KEY_REJECTED ? (int32_t)st : -EIO;
}

/* Enable host notifications for the next completion. */
static inline void arm(struct vc_vq *vq)
{
	if (vq->event_idx)
		__atomic_store_n(vq->used_event, vq->last_used, __ATOMIC_RELAXED);
	else if (!vq->armed)
		__atomic_store_n(&vq->avail->flags, 0, __ATOMIC_RELAXED);
	vq->armed = true;
}

static inline void disarm(struct vc_vq *vq)
{
	if (!vq->event_idx && vq->armed)
		__atomic_store_n(&vq->avail->flags, VRING_AVAIL_F_NO_INTERRUPT, __ATOMIC_RELAXED);
	vq->armed = false;
}

/* The host is gone: complete every outstanding request with -ENOTCONN. */
static unsigned int flush_dead(struct vc_vq *vq, struct vcrypto_guest_completion *c,
			       unsigned int max)
{
	unsigned int n = 0;

	for (uint32_t i = 0; i < vq->size && n < max && vq->inflight; i++) {
		if (!vq->slots[i].in_use)
			continue;
		c[n].user_data = vq->slots[i].user_data;
		c[n].status = -ENOTCONN;
		n++;
		release_slot(vq, (uint16_t)i);
	}
	return n;
}

VCRYPTO_API int vcrypto_guest_poll(struct vcrypto_guest *g, uint16_t queue,
				   struct vcrypto_guest_completion *c, unsigned int max)
{
	struct vc_vq *vq;
	unsigned int n = 0;
	uint16_t used_idx;

	if (!g || queue >= g->nq || (max && !c))
		return -EINVAL;
	vq = &g->vq[queue];
	while (vq->failed_pos < vq->nfailed && n < max) {
		c[n].user_data = vq->failed[vq->failed_pos++];
		c[n].status = -ENOTCONN;
		n++;
	}
	if (vq->failed_pos == vq->nfailed)
		vq->failed_pos = vq->nfailed = 0;

	used_idx = __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);
	/* A host cannot complete more than the ring holds: bound the walk. */
	for (uint32_t walked = 0; n < max && vq->last_used != used_idx && walked < vq->size;
	     walked++) {
		const volatile struct vring_used_elem *e =
			&vq->used->ring[vq->last_used & vq->mask];
		uint32_t id = e->id;

		vq->last_used++;
		if (id >= vq->size || !vq->slots[id].in_use) {
			VC_LOG_RL(&vq->log_rl, WARNING,
				  "guest: host returned unknown descriptor %u", id);
			continue;
		}
		c[n].user_data = vq->slots[id].user_data;
		c[n].status = map_status(
			vq->slot_va[(size_t)id * VC_SLOT_SIZE + vq->slots[id].status_off]);
		n++;
		release_slot(vq, (uint16_t)id);
	}
	if (n) {
		vq->idle_polls = 0;
		disarm(vq);
		/*
		 * Busy polling with EVENT_IDX: keep used_event behind last_used,
		 * or the host signals once each time the used index passes it.
		 */
		if (vq->busy_poll && vq->event_idx &&
		    (uint16_t)(vq->last_used - vq->used_event_set) >= 0x4000) {
			__atomic_store_n(vq->used_event, (uint16_t)(vq->last_used - 1),
					 __ATOMIC_RELAXED);
			vq->used_event_set = vq->last_used;
		}
		return (int)n;
	}
	if (vq->inflight) {
		if (!atomic_load_explicit(&g->connected, memory_order_relaxed))
			return (int)flush_dead(vq, c, max);
		if (++vq->idle_polls >= VC_IDLE_CHECK) {
			vq->idle_polls = 0;
			if (!g->detached && vc_vu_peer_gone(g)) {
				vc_guest_mark_down(g);
				return (int)flush_dead(vq, c, max);
			}
		}
	}
	if (!vq->busy_poll)
		arm(vq);
	return 0;
}

VCRYPTO_API int vcrypto_guest_wait(struct vcrypto_guest *g, uint16_t queue, int timeout_ms)
{
	struct pollfd pfd[2];
	struct vc_vq *vq;
	int r;

	if (!g || queue >= g->nq)
		return -EINVAL;
	vq = &g->vq[queue];
	if (vq->failed_pos < vq->nfailed)
		return 1;
	if (!atomic_load_explicit(&g->connected, memory_order_relaxed))
		return vq->inflight ? 1 : -ENOTCONN;
	arm(vq);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE) != vq->last_used)
		return 1;
	pfd[0] = (struct pollfd){vq->call_fd, POLLIN, 0};
	pfd[1] = (struct pollfd){g->detached ? -1 : g->sock, POLLRDHUP, 0};
	r = poll(pfd, 2, timeout_ms);
	if (r < 0)
		return vc_neg_errno();
	if (pfd[1].revents & (POLLRDHUP | POLLHUP | POLLERR)) {
		vc_guest_mark_down(g);
		/* Outstanding requests are now ready to complete with -ENOTCONN. */
		return vq->inflight ? 1 : -ENOTCONN;
	}
	if (pfd[0].revents & POLLIN) {
		uint64_t v;
		ssize_t rr = read(vq->call_fd, &v, sizeof(v));

		(void)rr;
		return 1;
	}
	return 0;
}

VCRYPTO_API int vcrypto_guest_call_fd(const struct vcrypto_guest *g, uint16_t queue)
{
	if (!g || queue >= g->nq)
		return -EINVAL;
	if (!atomic_load_explicit(&g->connected, memory_order_relaxed))
		return -ENOTCONN;
	return g->vq[queue].call_fd;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

VCRYPTO_API int vcrypto_guest_run(struct vcrypto_guest *g, uint16_t queue,
				  const struct vcrypto_guest_op *op, int timeout_ms)
{
	struct vcrypto_guest_completion c;
	int64_t deadline = timeout_ms >= 0 ? mono_ms() + timeout_ms : INT64_MAX;
	int rc;

	if (!op)
		return -EINVAL;
	rc = vcrypto_guest_submit(g, queue, op, 1);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return -ENOSPC;
	for (unsigned int spin = 0;; spin++) {
		rc = vcrypto_guest_poll(g, queue, &c, 1);
		if (rc < 0)
			return rc;
		if (rc == 1)
			return c.status;
		if (spin < 2000)
			continue;
		{
			int64_t now = mono_ms(), left;

			if (now >= deadline)
				return -ETIMEDOUT;
			left = deadline == INT64_MAX ? 100 : deadline - now;
			rc = vcrypto_guest_wait(g, queue, (int)(left < 100 ? left : 100));
			if (rc < 0 && rc != -ENOTCONN && rc != -EINTR)
				return rc;
		}
	}
}
