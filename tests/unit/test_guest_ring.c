/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Ring encoding, completion handling, op validation and the buffer
 * allocator of the guest, on a connection without a socket: requests are
 * built into the ring and checked byte by byte against the VIRTIO 1.2
 * layouts; the test plays the device by writing the used ring.
 */

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/virtio_crypto_wire.h"
#include "guest/alloc.h"
#include "guest/guest_internal.h"

static uint32_t rd32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static struct vcrypto_guest *mk(uint16_t qsize, uint32_t flags)
{
	struct vcrypto_guest_opts o = VCRYPTO_OPTS_INIT(vcrypto_guest_opts);
	struct vcrypto_guest *g = NULL;

	o.queue_size = qsize;
	o.flags = flags;
	o.mem_size = 1 << 20;
	ck_assert_int_eq(vc_guest_create_detached(&o, &g), 0);
	return g;
}

static void add_session(struct vcrypto_guest *g, uint64_t id,
			const struct vcrypto_session_params *p)
{
	struct vc_session_desc d;

	ck_assert_int_eq(vcrypto__session_from_params(p, &d), 0);
	ck_assert_int_eq(vc_sess_insert(g, id, &d), 0);
}

static uint8_t key[32] = {1, 2, 3};

static void sessions(struct vcrypto_guest *g)
{
	struct vcrypto_session_params p;

	p = (struct vcrypto_session_params){.sz = sizeof(p),
					    .type = VCRYPTO_SESSION_CIPHER,
					    .direction = VCRYPTO_ENCRYPT,
					    .cipher_algo = VCRYPTO_CIPHER_AES_CBC,
					    .cipher_key = key,
					    .cipher_key_len = 16};
	add_session(g, 5, &p);
	p = (struct vcrypto_session_params){.sz = sizeof(p),
					    .type = VCRYPTO_SESSION_CHAIN,
					    .direction = VCRYPTO_DECRYPT,
					    .cipher_algo = VCRYPTO_CIPHER_AES_CBC,
					    .cipher_key = key,
					    .cipher_key_len = 16,
					    .mac_algo = VCRYPTO_MAC_HMAC_SHA1,
					    .auth_key = key,
					    .auth_key_len = 20,
					    .digest_len = 12};
	add_session(g, 6, &p);
	p = (struct vcrypto_session_params){
		.sz = sizeof(p), .type = VCRYPTO_SESSION_HASH, .hash_algo = VCRYPTO_HASH_SHA_256};
	add_session(g, 7, &p);
	p = (struct vcrypto_session_params){.sz = sizeof(p),
					    .type = VCRYPTO_SESSION_AEAD,
					    .direction = VCRYPTO_ENCRYPT,
					    .aead_algo = VCRYPTO_AEAD_AES_GCM,
					    .cipher_key = key,
					    .cipher_key_len = 16,
					    .aad_len = 20};
	add_session(g, 8, &p);
}

static void check_desc(const struct vring_desc *d, uint64_t addr, uint32_t len, uint16_t flags)
{
	ck_assert_uint_eq(d->addr, addr);
	ck_assert_uint_eq(d->len, len);
	ck_assert_uint_eq(d->flags, flags);
}

static uint64_t kicks(struct vc_vq *vq)
{
	uint64_t v = 0;

	if (read(vq->kick_fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

/* Play the device: complete head @p id with @p status. */
static void complete(struct vc_vq *vq, uint16_t id, uint8_t status)
{
	uint16_t u = vq->used->idx;

	vq->slot_va[(size_t)id * VC_SLOT_SIZE + vq->slots[id].status_off] = status;
	vq->used->ring[u & vq->mask].id = id;
	vq->used->ring[u & vq->mask].len = 1;
	__atomic_store_n(&vq->used->idx, (uint16_t)(u + 1), __ATOMIC_RELEASE);
}

/* Status byte of a request whose IV and AAD take @p ivaad bytes: right after them. */
#define ST_OFF(ivaad) (VC_SLOT_OFF_IV + (ivaad))

/* _i = 0: the header and IV in one descriptor (the default); 1: VCRYPTO_GUEST_F_DESC_PER_PART. */
START_TEST(cipher_indirect_layout)
{
	const bool per_part = _i;
	struct vcrypto_guest *g = mk(8, per_part ? VCRYPTO_GUEST_F_DESC_PER_PART : 0);
	struct vc_vq *vq = &g->vq[0];
	uint8_t iv[16] = {0xaa}, *src, *dst;
	struct vcrypto_guest_op op = {0};
	struct vcrypto_guest_completion c[4];
	const struct vring_desc *t;
	const uint8_t *h;
	uint64_t slot;
	unsigned int k = 0;

	sessions(g);
	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, 64, (void **)&src), 0);
	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, 64, (void **)&dst), 0);
	op = (struct vcrypto_guest_op){.session_id = 5,
				       .user_data = 0xfeed,
				       .iv = iv,
				       .iv_len = 16,
				       .src = src,
				       .dst = dst,
				       .src_len = 48,
				       .dst_len = 48};
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, &op, 1), 1);
	slot = vq->slot_gpa;
	ck_assert_uint_eq(vq->avail->idx, 1);
	ck_assert_uint_eq(vq->avail->ring[0], 0);
	check_desc(&vq->desc[0], slot + VC_SLOT_OFF_TABLE, (per_part ? 5 : 4) * 16,
		   VRING_DESC_F_INDIRECT);
	t = (const struct vring_desc *)(vq->slot_va + VC_SLOT_OFF_TABLE);
	if (per_part) {
		check_desc(&t[k++], slot + VC_SLOT_OFF_HDR, 72, VRING_DESC_F_NEXT);
		check_desc(&t[k++], slot + VC_SLOT_OFF_IV, 16, VRING_DESC_F_NEXT);
	} else {
		check_desc(&t[k++], slot + VC_SLOT_OFF_HDR, 72 + 16, VRING_DESC_F_NEXT);
	}
	ck_assert_uint_eq(t[0].next, 1);
	check_desc(&t[k++], VC_GPA_BASE + (uint64_t)(src - g->mem), 48, VRING_DESC_F_NEXT);
	check_desc(&t[k], VC_GPA_BASE + (uint64_t)(dst - g->mem), 48,
		   VRING_DESC_F_NEXT | VRING_DESC_F_WRITE);
	ck_assert_uint_eq(t[k].next, k + 1);
	check_desc(&t[++k], slot + ST_OFF(16), 1, VRING_DESC_F_WRITE);
	/* the IV was copied */
	ck_assert_uint_eq(vq->slot_va[VC_SLOT_OFF_IV], 0xaa);
	/* header: virtio_crypto_op_header + sym cipher para + op_type */
	h = vq->slot_va + VC_SLOT_OFF_HDR;
	ck_assert_uint_eq(rd32(h + 0), VC_CIPHER_ENCRYPT);
	ck_assert_uint_eq(rd32(h + 4), VCRYPTO_CIPHER_AES_CBC);
	ck_assert_uint_eq(rd64(h + 8), 5);
	ck_assert_uint_eq(rd32(h + 16), 0);
	ck_assert_uint_eq(rd32(h + 24), 16); /* iv_len */
	ck_assert_uint_eq(rd32(h + 28), 48); /* src_data_len */
	ck_assert_uint_eq(rd32(h + 32), 48); /* dst_data_len */
	ck_assert_uint_eq(rd32(h + 64), VC_SYM_OP_CIPHER);
	ck_assert_uint_eq(vq->slot_va[ST_OFF(16)], VC_STATUS_UNSET);
	/* EVENT_IDX: avail_event 0 was crossed, so one kick */
	ck_assert_uint_eq(kicks(vq), 1);
	/* nothing completed yet */
	ck_assert_int_eq(vcrypto_guest_poll(g, 0, c, 4), 0);
	ck_assert_uint_eq(*vq->used_event, 0); /* armed for the next completion */
	complete(vq, 0, VCRYPTO_STATUS_OK);
	ck_assert_int_eq(vcrypto_guest_poll(g, 0, c, 4), 1);
	ck_assert_uint_eq(c[0].user_data, 0xfeed);
	ck_assert_int_eq(c[0].status, 0);
	ck_assert_int_eq(vcrypto_guest_poll(g, 0, c, 4), 0);
	ck_assert_uint_eq(*vq->used_event, 1);
	/* second request uses head 1 (avail slot i carries head i) */
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, &op, 1), 1);
	ck_assert_uint_eq(vq->avail->ring[1], 1);
	/* avail_event still 0: no kick needed for idx 1 -> 2 */
	ck_assert_uint_eq(kicks(vq), 0);
	vcrypto_guest_destroy(g);
}
END_TEST

START_TEST(chain_hash_aead_layout)
{
	struct vcrypto_guest *g = mk(8, 0);
	struct vc_vq *vq = &g->vq[0];
	uint8_t iv[16] = {0}, aad[20] = {0x33}, *src, *dst, *dig;
	struct vcrypto_guest_op op;
	const struct vring_desc *t;
	const uint8_t *h;
	uint64_t slot;

	sessions(g);
	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, 256, (void **)&src), 0);
	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, 256, (void **)&dst), 0);
	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, 64, (void **)&dig), 0);
	/* chain: R hdr+iv src, W dst digest status */
	op = (struct vcrypto_guest_op){.session_id = 6,
				       .iv = iv,
				       .iv_len = 16,
				       .src = src,
				       .dst = dst,
				       .digest = dig,
				       .src_len = 64,
				       .dst_len = 64,
				       .cipher_offset = 16,
				       .hash_offset = 8,
				       .hash_len = 32};
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, &op, 1), 1);
	slot = vq->slot_gpa;
	check_desc(&vq->desc[0], slot + VC_SLOT_OFF_TABLE, 5 * 16, VRING_DESC_F_INDIRECT);
	t = (const struct vring_desc *)(vq->slot_va + VC_SLOT_OFF_TABLE);
	check_desc(&t[0], slot + VC_SLOT_OFF_HDR, 72 + 16, VRING_DESC_F_NEXT);
	check_desc(&t[3], VC_GPA_BASE + (uint64_t)(dig - g->mem), 12,
		   VRING_DESC_F_NEXT | VRING_DESC_F_WRITE);
	check_desc(&t[4], slot + ST_OFF(16), 1, VRING_DESC_F_WRITE);
	h = vq->slot_va + VC_SLOT_OFF_HDR;
	ck_assert_uint_eq(rd32(h + 0), VC_CIPHER_DECRYPT);
	ck_assert_uint_eq(rd32(h + 8) | (uint64_t)rd32(h + 12) << 32, 6); /* session_id */
	ck_assert_uint_eq(rd32(h + 16) | rd32(h + 20), 0);		  /* flag, padding */
	ck_assert_uint_eq(rd32(h + 24), 16);				  /* iv_len */
	ck_assert_uint_eq(rd32(h + 28), 64);				  /* src */
	ck_assert_uint_eq(rd32(h + 32), 64);				  /* dst */
	ck_assert_uint_eq(rd32(h + 36), 16); /* cipher_start_src_offset */
	ck_assert_uint_eq(rd32(h + 40), 48); /* len_to_cipher */
	ck_assert_uint_eq(rd32(h + 44), 8);  /* hash_start_src_offset */
	ck_assert_uint_eq(rd32(h + 48), 32); /* len_to_hash */
	ck_assert_uint_eq(rd32(h + 52), 0);  /* aad_len */
	ck_assert_uint_eq(rd32(h + 56), 12); /* hash_result_len */
	ck_assert_uint_eq(rd32(h + 60), 0);  /* reserved */
	ck_assert_uint_eq(rd32(h + 64), VC_SYM_OP_CHAIN);
	ck_assert_uint_eq(rd32(h + 68), 0);

	/* hash: R hdr src, W digest status */
	op = (struct vcrypto_guest_op){.session_id = 7, .src = src, .digest = dig, .src_len = 100};
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, &op, 1), 1);
	slot = vq->slot_gpa + VC_SLOT_SIZE;
	check_desc(&vq->desc[1], slot + VC_SLOT_OFF_TABLE, 4 * 16, VRING_DESC_F_INDIRECT);
	t = (const struct vring_desc *)(vq->slot_va + VC_SLOT_SIZE + VC_SLOT_OFF_TABLE);
	check_desc(&t[0], slot + VC_SLOT_OFF_HDR, 72, VRING_DESC_F_NEXT);
	check_desc(&t[1], VC_GPA_BASE + (uint64_t)(src - g->mem), 100, VRING_DESC_F_NEXT);
	check_desc(&t[2], VC_GPA_BASE + (uint64_t)(dig - g->mem), 32,
		   VRING_DESC_F_NEXT | VRING_DESC_F_WRITE);
	check_desc(&t[3], slot + ST_OFF(0), 1, VRING_DESC_F_WRITE);
	h = vq->slot_va + VC_SLOT_SIZE + VC_SLOT_OFF_HDR;
	ck_assert_uint_eq(rd32(h + 0), VC_HASH);
	ck_assert_uint_eq(rd32(h + 4), VCRYPTO_HASH_SHA_256);
	ck_assert_uint_eq(rd32(h + 24), 100);
	ck_assert_uint_eq(rd32(h + 28), 32);

	/* AEAD: R hdr+iv+aad src, W dst(+tag) status */
	op = (struct vcrypto_guest_op){.session_id = 8,
				       .iv = iv,
				       .iv_len = 12,
				       .aad = aad,
				       .aad_len = 20,
				       .src = src,
				       .dst = dst,
				       .src_len = 40,
				       .dst_len = 56};
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, &op, 1), 1);
	slot = vq->slot_gpa + 2 * VC_SLOT_SIZE;
	check_desc(&vq->desc[2], slot + VC_SLOT_OFF_TABLE, 4 * 16, VRING_DESC_F_INDIRECT);
	t = (const struct vring_desc *)(vq->slot_va + 2 * VC_SLOT_SIZE + VC_SLOT_OFF_TABLE);
	check_desc(&t[0], slot + VC_SLOT_OFF_HDR, 72 + 12 + 20, VRING_DESC_F_NEXT);
	check_desc(&t[1], VC_GPA_BASE + (uint64_t)(src - g->mem), 40, VRING_DESC_F_NEXT);
	check_desc(&t[2], VC_GPA_BASE + (uint64_t)(dst - g->mem), 56,
		   VRING_DESC_F_NEXT | VRING_DESC_F_WRITE);
	check_desc(&t[3], slot + ST_OFF(12 + 20), 1, VRING_DESC_F_WRITE);
	ck_assert_uint_eq(vq->slot_va[2 * VC_SLOT_SIZE + VC_SLOT_OFF_IV + 12], 0x33); /* the AAD */
	h = vq->slot_va + 2 * VC_SLOT_SIZE + VC_SLOT_OFF_HDR;
	ck_assert_uint_eq(rd32(h + 0), VC_AEAD_ENCRYPT);
	ck_assert_uint_eq(rd32(h + 4), VCRYPTO_AEAD_AES_GCM);
	ck_assert_uint_eq(rd32(h + 24), 12);
	ck_assert_uint_eq(rd32(h + 28), 20);
	ck_assert_uint_eq(rd32(h + 32), 40);
	ck_assert_uint_eq(rd32(h + 36), 56);
	vcrypto_guest_destroy(g);
}
END_TEST

START_TEST(out_of_order_and_full)
{
	struct vcrypto_guest *g = mk(4, 0);
	struct vc_vq *vq = &g->vq[0];
	uint8_t iv[16] = {0}, *buf;
	struct vcrypto_guest_op ops[6];
	struct vcrypto_guest_completion c[8];

	sessions(g);
	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, 16, (void **)&buf), 0);
	for (int i = 0; i < 6; i++)
		ops[i] = (struct vcrypto_guest_op){.session_id = 5,
						   .user_data = 10 + i,
						   .iv = iv,
						   .iv_len = 16,
						   .src = buf,
						   .dst = buf,
						   .src_len = 16,
						   .dst_len = 16};
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, ops, 6), 4); /* ring of 4 */
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, ops + 4, 2), 0);
	complete(vq, 2, VCRYPTO_STATUS_BADMSG);
	complete(vq, 0, VCRYPTO_STATUS_OK);
	ck_assert_int_eq(vcrypto_guest_poll(g, 0, c, 1), 1); /* max respected */
	ck_assert_uint_eq(c[0].user_data, 12);
	ck_assert_int_eq(c[0].status, VCRYPTO_STATUS_BADMSG);
	ck_assert_int_eq(vcrypto_guest_poll(g, 0, c, 8), 1);
	ck_assert_uint_eq(c[0].user_data, 10);
	/*
	 * Heads 0 and 2 are free, 1 and 3 are out. Avail idx 4 takes head 0 (its
	 * own); idx 5's own head 1 is still out: it takes the free head 2, not
	 * "full" while two are out. Then the ring is full.
	 */
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, ops + 4, 2), 2);
	ck_assert_uint_eq(vq->avail->ring[0], 0);
	ck_assert_uint_eq(vq->avail->ring[1], 2);
	ck_assert_uint_eq(vq->avail->idx, 6);
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, ops, 1), 0);
	/* a bogus used id (host bug) is skipped, an unset status maps to -EIO */
	complete(vq, 1, VC_STATUS_UNSET);
	vq->used->ring[vq->used->idx & vq->mask].id = 1000;
	__atomic_store_n(&vq->used->idx, (uint16_t)(vq->used->idx + 1), __ATOMIC_RELEASE);
	ck_assert_int_eq(vcrypto_guest_poll(g, 0, c, 8), 1);
	ck_assert_uint_eq(c[0].user_data, 11);
	ck_assert_int_eq(c[0].status, -EIO);
	/* wait: a completion already in the used ring returns 1 at once */
	complete(vq, 3, 0);
	ck_assert_int_eq(vcrypto_guest_wait(g, 0, 1000), 1);
	ck_assert_int_eq(vcrypto_guest_poll(g, 0, c, 8), 1);
	ck_assert_int_eq(vcrypto_guest_wait(g, 0, 10), 0); /* timeout */
	/* disconnect: the rest complete with -ENOTCONN, once */
	vc_guest_mark_down(g);
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, ops, 1), -ENOTCONN);
	ck_assert_int_eq(vcrypto_guest_poll(g, 0, c, 8), 2);
	ck_assert_uint_eq(c[0].user_data + c[1].user_data, 14 + 15);
	ck_assert_uint_ne(c[0].user_data, c[1].user_data);
	ck_assert_int_eq(c[0].status, -ENOTCONN);
	ck_assert_int_eq(c[1].status, -ENOTCONN);
	ck_assert_int_eq(vcrypto_guest_poll(g, 0, c, 8), 0);
	vcrypto_guest_destroy(g);
}
END_TEST

START_TEST(direct_layout)
{
	struct vcrypto_guest *g =
		mk(16, VCRYPTO_GUEST_F_DIRECT_DESC | VCRYPTO_GUEST_F_NO_EVENT_IDX |
			       VCRYPTO_GUEST_F_DESC_PER_PART);
	struct vc_vq *vq = &g->vq[0];
	uint8_t iv[16] = {0}, *buf;
	struct vcrypto_guest_op op;
	struct vcrypto_guest_completion c[4];
	uint16_t d;

	sessions(g);
	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, 32, (void **)&buf), 0);
	op = (struct vcrypto_guest_op){.session_id = 5,
				       .user_data = 1,
				       .iv = iv,
				       .iv_len = 16,
				       .src = buf,
				       .dst = buf,
				       .src_len = 32,
				       .dst_len = 32};
	vq->used->flags = VRING_USED_F_NO_NOTIFY;
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, &op, 1), 1);
	ck_assert_uint_eq(kicks(vq), 0); /* host asked for no notifications */
	ck_assert_uint_eq(vq->avail->ring[0], 0);
	d = 0;
	check_desc(&vq->desc[d], vq->slot_gpa + VC_SLOT_OFF_HDR, 72, VRING_DESC_F_NEXT);
	d = vq->desc[d].next;
	check_desc(&vq->desc[d], vq->slot_gpa + VC_SLOT_OFF_IV, 16, VRING_DESC_F_NEXT);
	d = vq->desc[d].next;
	check_desc(&vq->desc[d], VC_GPA_BASE + (uint64_t)(buf - g->mem), 32, VRING_DESC_F_NEXT);
	d = vq->desc[d].next;
	check_desc(&vq->desc[d], VC_GPA_BASE + (uint64_t)(buf - g->mem), 32,
		   VRING_DESC_F_NEXT | VRING_DESC_F_WRITE);
	d = vq->desc[d].next;
	check_desc(&vq->desc[d], vq->slot_gpa + ST_OFF(16), 1, VRING_DESC_F_WRITE);
	ck_assert_uint_eq(vq->nfree, 11);
	vq->used->flags = 0;
	op.user_data = 2;
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, &op, 1), 1);
	ck_assert_uint_eq(kicks(vq), 1);
	ck_assert_uint_eq(vq->avail->ring[1], 5); /* second chain starts after the first */
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, &op, 1), 0); /* 6 free < 7 needed */
	complete(vq, 0, 0);
	complete(vq, 5, 0);
	ck_assert_int_eq(vcrypto_guest_poll(g, 0, c, 4), 2);
	ck_assert_uint_eq(c[0].user_data, 1);
	ck_assert_uint_eq(c[1].user_data, 2);
	ck_assert_uint_eq(vq->nfree, 16);
	/* without EVENT_IDX, an idle poll re-enables interrupts */
	ck_assert_uint_eq(vq->avail->flags, VRING_AVAIL_F_NO_INTERRUPT);
	ck_assert_int_eq(vcrypto_guest_poll(g, 0, c, 4), 0);
	ck_assert_uint_eq(vq->avail->flags, 0);
	for (int r = 0; r < 40; r++) { /* the free list survives many cycles */
		ck_assert_int_eq(vcrypto_guest_submit(g, 0, &op, 1), 1);
		complete(vq, vq->avail->ring[(uint16_t)(vq->avail_idx - 1) & vq->mask], 0);
		ck_assert_int_eq(vcrypto_guest_poll(g, 0, c, 4), 1);
	}
	ck_assert_uint_eq(vq->nfree, 16);
	vcrypto_guest_destroy(g);
}
END_TEST

START_TEST(op_validation)
{
	struct vcrypto_guest *g = mk(8, 0);
	uint8_t iv[16] = {0}, aad[20] = {0}, outside[64], *buf, *dig;
	struct vcrypto_guest_op op, base, aead;

	sessions(g);
	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, 256, (void **)&buf), 0);
	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, 64, (void **)&dig), 0);
	base = (struct vcrypto_guest_op){.session_id = 5,
					 .iv = iv,
					 .iv_len = 16,
					 .src = buf,
					 .dst = buf,
					 .src_len = 32,
					 .dst_len = 32};
#define EXPECT(err, ...)                                                                           \
	do {                                                                                       \
		op = base;                                                                         \
		__VA_ARGS__;                                                                       \
		ck_assert_int_eq(vcrypto_guest_submit(g, 0, &op, 1), err);                         \
	} while (0)
	EXPECT(-EINVAL, op.iv_len = 12);
	EXPECT(-EINVAL, op.iv_len = 33);
	EXPECT(-EINVAL, op.iv = NULL);
	EXPECT(-EINVAL, op.src_len = op.dst_len = 33);
	EXPECT(-EINVAL, op.src_len = op.dst_len = 0);
	EXPECT(-EINVAL, op.dst_len = 16);
	EXPECT(-EINVAL, op.aad = aad; op.aad_len = 4);
	EXPECT(-EINVAL, op.cipher_offset = 16);
	EXPECT(-EFAULT, op.src = outside);
	EXPECT(-EFAULT, op.dst = outside);
	EXPECT(-EFAULT, op.src = g->heap + g->heap_len - 16);
	EXPECT(-EFAULT, op.src = g->mem); /* the rings are not a data buffer */
	EXPECT(-EBADF, op.session_id = 99);
	ck_assert_int_eq(vcrypto_guest_submit(g, 3, &base, 1), -EINVAL);
	ck_assert_int_eq(vcrypto_guest_submit(NULL, 0, &base, 1), -EINVAL);
	/* chain */
	base = (struct vcrypto_guest_op){.session_id = 6,
					 .iv = iv,
					 .iv_len = 16,
					 .src = buf,
					 .dst = buf,
					 .digest = dig,
					 .src_len = 64,
					 .dst_len = 64};
	EXPECT(-EINVAL, op.digest = NULL);
	EXPECT(-EFAULT, op.digest = outside);
	EXPECT(-EINVAL, op.cipher_offset = 65);
	EXPECT(-EINVAL, op.cipher_offset = 8); /* 56 bytes to cipher: not a block multiple */
	EXPECT(-EINVAL, op.hash_offset = 16; op.hash_len = 49);
	EXPECT(1, op.cipher_offset = 16);
	/* hash */
	base = (struct vcrypto_guest_op){.session_id = 7, .src = buf, .digest = dig, .src_len = 3};
	EXPECT(-EINVAL, op.iv = iv; op.iv_len = 16);
	EXPECT(-EFAULT, op.digest = g->heap + g->heap_len - 16); /* 32-byte digest runs over */
	EXPECT(-EINVAL, op.digest = NULL);
	EXPECT(1, op.src_len = 0; op.src = NULL);
	/* AEAD */
	base = (struct vcrypto_guest_op){.session_id = 8,
					 .iv = iv,
					 .iv_len = 12,
					 .aad = aad,
					 .aad_len = 20,
					 .src = buf,
					 .dst = buf,
					 .src_len = 40,
					 .dst_len = 56};
	aead = base;
	EXPECT(-EINVAL, op.dst_len = 40);
	EXPECT(-EINVAL, op.aad_len = 16);
	EXPECT(-EINVAL, op.iv_len = 16);
	EXPECT(-EINVAL, op.dst = NULL);
	EXPECT(1, (void)0);
	/* AEAD decryption: the source holds the tag, the destination does not */
	{
		struct vcrypto_session_params p = {.sz = sizeof(p),
						   .type = VCRYPTO_SESSION_AEAD,
						   .direction = VCRYPTO_DECRYPT,
						   .aead_algo = VCRYPTO_AEAD_AES_GCM,
						   .cipher_key = key,
						   .cipher_key_len = 16,
						   .digest_len = 16,
						   .aad_len = 20};

		add_session(g, 9, &p);
	}
	base.session_id = 9;
	base.src_len = 56;
	base.dst_len = 40;
	/* shorter than the tag, whatever length the destination claims (8 - 16 wrapped too) */
	EXPECT(-EINVAL, op.src_len = 8; op.dst_len = 0);
	EXPECT(-EINVAL, op.src_len = 8; op.dst_len = UINT32_MAX - 7);
	EXPECT(-EINVAL, op.dst_len = 56);
	EXPECT(1, (void)0);
	/* AES-XTS: at least one block, any length past it */
	{
		struct vcrypto_session_params p = {.sz = sizeof(p),
						   .type = VCRYPTO_SESSION_CIPHER,
						   .direction = VCRYPTO_ENCRYPT,
						   .cipher_algo = VCRYPTO_CIPHER_AES_XTS,
						   .cipher_key = key,
						   .cipher_key_len = 32};

		add_session(g, 10, &p);
	}
	base = (struct vcrypto_guest_op){.session_id = 10,
					 .iv = iv,
					 .iv_len = 16,
					 .src = buf,
					 .dst = buf,
					 .src_len = 17,
					 .dst_len = 17};
	EXPECT(-EINVAL, op.src_len = op.dst_len = 15);
	EXPECT(1, (void)0);
	/* an id the host gives again replaces the session under it */
	{
		struct vcrypto_session_params p = {.sz = sizeof(p),
						   .type = VCRYPTO_SESSION_HASH,
						   .hash_algo = VCRYPTO_HASH_SHA1};

		add_session(g, 10, &p);
		ck_assert_int_eq(vc_sess_lookup(g, 10)->type, VCRYPTO_SESSION_HASH);
		EXPECT(-EINVAL, (void)0); /* a cipher request to what is now a hash session */
	}
	base = aead;
	/* closed session */
	ck_assert_int_eq(vcrypto_guest_session_close(g, 8), 0);
	EXPECT(-EBADF, (void)0);
	ck_assert_int_eq(vcrypto_guest_session_close(g, 8), -EBADF);
	/* the session table reuses closed entries */
	{
		struct vcrypto_session_params p = {.sz = sizeof(p),
						   .type = VCRYPTO_SESSION_HASH,
						   .hash_algo = VCRYPTO_HASH_SHA1};

		for (uint64_t id = 100; id < 100 + 3 * VC_SESS_TABLE; id++) {
			add_session(g, id, &p);
			ck_assert_ptr_nonnull(vc_sess_lookup(g, id));
			ck_assert_int_eq(vcrypto_guest_session_close(g, id), 0);
			ck_assert_ptr_null(vc_sess_lookup(g, id));
		}
		ck_assert_ptr_nonnull(vc_sess_lookup(g, 5));
	}
	/* a full table refuses the next session and keeps the ones it has */
	{
		struct vcrypto_session_params p = {.sz = sizeof(p),
						   .type = VCRYPTO_SESSION_HASH,
						   .hash_algo = VCRYPTO_HASH_SHA1};
		struct vc_session_desc d;
		uint64_t id = 1000;

		ck_assert_int_eq(vcrypto__session_from_params(&p, &d), 0);
		while (vc_sess_insert(g, id, &d) == 0)
			id++;
		ck_assert_int_eq(vc_sess_insert(g, id, &d), -ENOSPC);
		/* 5, 6, 7, 9 and 10 are open, 8 closed */
		ck_assert_uint_eq(id - 1000, VC_SESS_TABLE - 5);
		ck_assert_ptr_nonnull(vc_sess_lookup(g, 5));
		ck_assert_ptr_nonnull(vc_sess_lookup(g, id - 1));
	}
	vcrypto_guest_destroy(g);
}
END_TEST

START_TEST(opts_validation)
{
	struct vcrypto_guest_opts o = VCRYPTO_OPTS_INIT(vcrypto_guest_opts);
	struct vcrypto_guest *g = NULL;

	o.queue_size = 100;
	ck_assert_int_eq(vc_guest_create_detached(&o, &g), -EINVAL);
	o.queue_size = 0;
	o.flags = 1u << 7;
	ck_assert_int_eq(vc_guest_create_detached(&o, &g), -EINVAL);
	o.flags = 0;
	o.sz = 0;
	ck_assert_int_eq(vc_guest_create_detached(&o, &g), -EINVAL);
	ck_assert_ptr_null(g);
	ck_assert_int_eq(vcrypto_guest_connect(NULL, NULL, &g), -EINVAL);
	ck_assert_int_eq(vc_guest_create_detached(NULL, &g), 0);
	ck_assert_uint_eq(g->vq[0].size, 256);
	ck_assert_int_ge(vcrypto_guest_call_fd(g, 0), 0);
	ck_assert_int_eq(vcrypto_guest_call_fd(g, 1), -EINVAL);
	vcrypto_guest_destroy(g);
	vcrypto_guest_destroy(NULL);
}
END_TEST

START_TEST(allocator)
{
	struct vc_alloc a;
	uint64_t off[64], o;
	unsigned int seed = 7;

	ck_assert_int_eq(vc_alloc_init(&a, 64 * 1024), 0);
	ck_assert_int_eq(vc_alloc_get(&a, 0, &o), -EINVAL);
	ck_assert_int_eq(vc_alloc_get(&a, 64 * 1024 + 1, &o), -ENOMEM);
	ck_assert_int_eq(vc_alloc_get(&a, 1, &off[0]), 0);
	ck_assert_uint_eq(off[0], 0);
	ck_assert_uint_eq(vc_alloc_len(&a, 0), 64);
	ck_assert_int_eq(vc_alloc_get(&a, 65, &off[1]), 0);
	ck_assert_uint_eq(off[1], 64);
	ck_assert_uint_eq(vc_alloc_len(&a, 64), 128);
	ck_assert_int_eq(vc_alloc_put(&a, 32), -EINVAL);
	ck_assert_int_eq(vc_alloc_put(&a, 0), 0);
	ck_assert_int_eq(vc_alloc_put(&a, 0), -EINVAL); /* double free */
	ck_assert_int_eq(vc_alloc_get(&a, 64, &o), 0);	/* first fit reuses the hole */
	ck_assert_uint_eq(o, 0);
	ck_assert_int_eq(vc_alloc_put(&a, 0), 0);
	ck_assert_int_eq(vc_alloc_put(&a, 64), 0);
	ck_assert_uint_eq(a.n, 1); /* coalesced */
	ck_assert_uint_eq(a.in_use, 0);
	/* random alloc/free, then everything coalesces back */
	for (int round = 0; round < 200; round++) {
		int n = 0;

		for (int i = 0; i < 64; i++) {
			uint64_t len = 1 + (uint64_t)rand_r(&seed) % 2000;

			if (vc_alloc_get(&a, len, &off[n]) == 0) {
				ck_assert_uint_eq(off[n] % 64, 0);
				for (int k = 0; k < n; k++) /* no overlap */
					ck_assert(off[n] + len <= off[k] ||
						  off[k] + vc_alloc_len(&a, off[k]) <= off[n]);
				n++;
			}
		}
		for (int i = n - 1; i >= 0; i--) {
			int k = rand_r(&seed) % (i + 1);
			uint64_t t = off[k];

			off[k] = off[i];
			off[i] = t;
			ck_assert_int_eq(vc_alloc_put(&a, off[i]), 0);
		}
		ck_assert_uint_eq(a.n, 1);
		ck_assert_uint_eq(a.in_use, 0);
	}
	ck_assert_int_eq(vc_alloc_get(&a, 64 * 1024, &o), 0); /* the whole heap again */
	vc_alloc_fini(&a);
}
END_TEST

START_TEST(buf_api)
{
	struct vcrypto_guest *g = mk(8, 0);
	void *p[4], *q;
	int local;

	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, 0, &q), -EINVAL);
	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, 2u << 20, &q), -ENOMEM);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(vcrypto_guest_buf_alloc(g, 256 * 1024, &p[i]), 0);
		ck_assert_uint_eq((uintptr_t)p[i] % 64, 0);
		memset(p[i], i, 256 * 1024); /* writable */
	}
	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, 64, &q), -ENOMEM);
	vcrypto_guest_buf_free(g, p[1]);
	vcrypto_guest_buf_free(g, &local); /* ignored, logged */
	vcrypto_guest_buf_free(g, NULL);
	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, 64, &q), 0);
	ck_assert_ptr_eq(q, p[1]);
	vcrypto_guest_destroy(g);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("guest_ring");
	TCase *tc = tcase_create("ring");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, cipher_indirect_layout, 0, 2);
	tcase_add_test(tc, chain_hash_aead_layout);
	tcase_add_test(tc, out_of_order_and_full);
	tcase_add_test(tc, direct_layout);
	tcase_add_test(tc, op_validation);
	tcase_add_test(tc, opts_validation);
	tcase_add_test(tc, allocator);
	tcase_add_test(tc, buf_api);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
