/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * The host's burst pipeline over a synthetic split virtqueue in ordinary
 * memory (no vhost-user): this test plays the guest driver, writes
 * descriptor chains by hand, and runs vcrypto_poller_poll() against a real
 * crypto_openssl device. Results are checked against OpenSSL (oracle.c).
 * It covers what a well-behaved front end never sends: malformed requests,
 * hostile rings, bad indices.
 */

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/virtio_crypto_wire.h"
#include "dpdk_env.h"
#include "host/internal.h"
#include "oracle.h"

#define GPA0 0x40000000ull
#define MEMSZ (8u << 20)
#define QSZ 64u

static struct vcrypto_engine *eng;
static struct vcrypto_poller *pol;
static struct vcrypto_port *port;
static struct vc_vq *vq;
static uint8_t *mem;
static size_t heap;
static uint16_t avail_idx, used_seen;
static struct vc_desc *ring_desc;
static uint16_t *ring_avail;
static uint8_t *ring_used;
static int callfd = -1;

static uint64_t gpa(const void *p)
{
	return GPA0 + (uint64_t)((const uint8_t *)p - mem);
}

static void *galloc(size_t len)
{
	void *p;

	heap = (heap + 63) & ~(size_t)63;
	ck_assert_uint_le(heap + len, MEMSZ);
	p = mem + heap;
	heap += len;
	return p;
}

static void setup(void)
{
	struct vcrypto_port_opts po = VCRYPTO_OPTS_INIT(vcrypto_port_opts);
	struct vcrypto_poller_opts plo = VCRYPTO_OPTS_INIT(vcrypto_poller_opts);

	mem = aligned_alloc(4096, MEMSZ);
	ck_assert_ptr_nonnull(mem);
	memset(mem, 0, MEMSZ);
	heap = 0;
	ring_desc = galloc(16 * QSZ);
	ring_avail = galloc(6 + 2 * QSZ);
	ring_used = galloc(6 + 8 * QSZ);
	avail_idx = used_seen = 0;

	po.max_chain_descs = 512;
	ck_assert_int_eq(vc_port_alloc(eng, &po, &port), 0);
	ck_assert_int_eq(vcrypto_poller_create(eng, &plo, &pol), 0);
	vq = &port->vq[0];
	port->mt.n = 1;
	port->mt.r[0].gpa = GPA0;
	port->mt.r[0].size = MEMSZ;
	port->mt.r[0].hva = (uint64_t)(uintptr_t)mem;
	port->mem_seen = true;
	callfd = eventfd(0, EFD_NONBLOCK);
	vq->desc = (volatile struct vc_desc *)ring_desc;
	vq->avail = (volatile uint16_t *)ring_avail;
	vq->used = (volatile uint8_t *)ring_used;
	vq->size = QSZ;
	vq->callfd = callfd;
	vq->evidx_ok = true;
	vq->started = true;
	vq->ready = true;
	atomic_store(&port->state, VCRYPTO_PORT_READY);
	ck_assert_int_eq(vcrypto_poller_add_port(pol, port, 0), 0);
}

static void teardown(void)
{
	vc_port_free(port);
	vcrypto_poller_destroy(pol);
	close(callfd);
	free(mem);
}

/* ---- guest-driver side ---- */

struct part {
	const void *p;
	uint32_t len;
	bool w;
};

/* Put one request (given parts) as an indirect chain into the ring. */
static uint16_t put_indirect(const struct part *parts, unsigned int n, uint16_t head)
{
	struct vc_desc *t = galloc(16 * n);

	for (unsigned int i = 0; i < n; i++) {
		t[i].addr = gpa(parts[i].p);
		t[i].len = parts[i].len;
		t[i].flags = (uint16_t)((i + 1 < n ? VC_DESC_F_NEXT : 0) |
					(parts[i].w ? VC_DESC_F_WRITE : 0));
		t[i].next = (uint16_t)(i + 1);
	}
	ring_desc[head].addr = gpa(t);
	ring_desc[head].len = 16 * n;
	ring_desc[head].flags = VC_DESC_F_INDIRECT;
	ring_avail[2 + (avail_idx % QSZ)] = head;
	__atomic_store_n(&ring_avail[1], ++avail_idx, __ATOMIC_RELEASE);
	return head;
}

/* Poll until the used index reaches the avail index. */
static void run_until_used(void)
{
	for (int i = 0; i < 200000; i++) {
		vcrypto_poller_poll(pol);
		if (__atomic_load_n((uint16_t *)(ring_used + 2), __ATOMIC_ACQUIRE) == avail_idx)
			return;
		if (i > 1000)
			usleep(10);
	}
	ck_abort_msg("requests not completed");
}

/* The used element for the next completion. */
static void used_elem(uint32_t *id, uint32_t *len)
{
	uint32_t *e = (uint32_t *)(ring_used + 4 + 8 * (used_seen % QSZ));

	*id = e[0];
	*len = e[1];
	used_seen++;
}

static uint64_t session(const struct vc_session_desc *d)
{
	struct vc_sess *s;
	uint64_t id;

	ck_assert_int_eq(vc_sess_create(eng, d, &s), 0);
	ck_assert_int_eq(vc_port_session_add(port, s, &id), 0);
	return id;
}

static uint64_t aes_cbc_session(enum vcrypto_direction dir, const uint8_t *key)
{
	struct vc_session_desc d = {.type = VCRYPTO_SESSION_CIPHER,
				    .direction = dir,
				    .cipher_algo = VCRYPTO_CIPHER_AES_CBC,
				    .cipher_key_len = 16};

	memcpy(d.cipher_key, key, 16);
	return session(&d);
}

static struct vc_op_data_req *cipher_hdr(uint64_t sid, uint32_t opcode, uint32_t iv_len,
					 uint32_t src, uint32_t dst)
{
	struct vc_op_data_req *h = galloc(sizeof(*h));

	memset(h, 0, sizeof(*h));
	h->header.opcode = opcode;
	h->header.session_id = sid;
	h->u.sym_req.op_type = VC_SYM_OP_CIPHER;
	h->u.sym_req.u.cipher.para.iv_len = iv_len;
	h->u.sym_req.u.cipher.para.src_data_len = src;
	h->u.sym_req.u.cipher.para.dst_data_len = dst;
	return h;
}

static const uint8_t key16[16] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
				  0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};
static const uint8_t iv16[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

static void fill(uint8_t *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 31 + seed * 7 + (i >> 8));
}

/* One AES-CBC request of @len bytes; returns the status byte. */
static uint8_t cbc_request(uint64_t sid, uint32_t opcode, uint32_t len, uint8_t *dst,
			   const uint8_t *src)
{
	struct vc_op_data_req *h = cipher_hdr(sid, opcode, 16, len, len);
	uint8_t *iv = galloc(16), *st = galloc(1);
	struct part parts[] = {{h, 72, false},
			       {iv, 16, false},
			       {src, len, false},
			       {dst, len, true},
			       {st, 1, true}};
	uint32_t id, ulen;

	memcpy(iv, iv16, 16);
	*st = 0xee;
	put_indirect(parts, 5, 0);
	run_until_used();
	used_elem(&id, &ulen);
	ck_assert_uint_eq(id, 0);
	ck_assert_uint_eq(ulen, *st == 0 ? len + 1 : 1);
	return *st;
}

/* ---- tests ---- */

START_TEST(aes_cbc_sizes)
{
	static const uint32_t sizes[] = {16, 64, 4096, 65536, 256 * 1024};
	uint64_t enc = aes_cbc_session(VCRYPTO_ENCRYPT, key16);
	uint64_t dec = aes_cbc_session(VCRYPTO_DECRYPT, key16);

	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t n = sizes[i];
		uint8_t *src = galloc(n), *dst = galloc(n), *back = galloc(n), *want = malloc(n);

		fill(src, n, i);
		ck_assert_int_eq(oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key16, 16,
					       iv16, src, n, want),
				 0);
		ck_assert_uint_eq(cbc_request(enc, VC_CIPHER_ENCRYPT, n, dst, src), 0);
		ck_assert_mem_eq(dst, want, n);
		ck_assert_uint_eq(cbc_request(dec, VC_CIPHER_DECRYPT, n, back, dst), 0);
		ck_assert_mem_eq(back, src, n);
		free(want);
		heap = 16 * QSZ + 1024 + 4096; /* reuse the buffer area */
	}
}
END_TEST

/* Linux's layout: each scatterlist entry walked to the end of the list. */
START_TEST(linux_split_layout)
{
	uint64_t enc = aes_cbc_session(VCRYPTO_ENCRYPT, key16);
	uint8_t src[16], want[16];
	uint8_t *h_iv = galloc(16), *s1 = galloc(16), *d1 = galloc(16), *st = galloc(1);
	struct vc_op_data_req *h = cipher_hdr(enc, VC_CIPHER_ENCRYPT, 16, 16, 16);
	struct part parts[15];
	unsigned int k = 0;
	uint32_t id, ulen;

	fill(src, 16, 3);
	memcpy(s1, src, 16);
	memcpy(h_iv, iv16, 16);
	oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key16, 16, iv16, src, 16, want);
	parts[k++] = (struct part){h, 72, false};
	parts[k++] = (struct part){h_iv, 16, false};
	/* src entries 3,5,8: R3 R5 R8 R5 R8 R8 */
	parts[k++] = (struct part){s1, 3, false};
	parts[k++] = (struct part){s1 + 3, 5, false};
	parts[k++] = (struct part){s1 + 8, 8, false};
	parts[k++] = (struct part){s1 + 3, 5, false};
	parts[k++] = (struct part){s1 + 8, 8, false};
	parts[k++] = (struct part){s1 + 8, 8, false};
	parts[k++] = (struct part){d1, 3, true};
	parts[k++] = (struct part){d1 + 3, 5, true};
	parts[k++] = (struct part){d1 + 8, 8, true};
	parts[k++] = (struct part){d1 + 3, 5, true};
	parts[k++] = (struct part){d1 + 8, 8, true};
	parts[k++] = (struct part){d1 + 8, 8, true};
	parts[k++] = (struct part){st, 1, true};
	*st = 0xee;
	put_indirect(parts, k, 5);
	run_until_used();
	used_elem(&id, &ulen);
	ck_assert_uint_eq(id, 5);
	ck_assert_uint_eq(*st, VCRYPTO_STATUS_OK);
	ck_assert_mem_eq(d1, want, 16);
}
END_TEST

/* Direct (non-indirect) chains, several requests in one burst, out of order heads. */
START_TEST(direct_chains_burst)
{
	uint64_t enc = aes_cbc_session(VCRYPTO_ENCRYPT, key16);
	uint8_t *src[8], *dst[8], *st[8];
	uint8_t want[256];
	uint32_t id, ulen;

	for (unsigned int r = 0; r < 8; r++) {
		struct vc_op_data_req *h = cipher_hdr(enc, VC_CIPHER_ENCRYPT, 16, 256, 256);
		uint8_t *iv = galloc(16);
		uint16_t base = (uint16_t)(40 - 5 * r); /* heads 40, 35, ... */

		memcpy(iv, iv16, 16);
		src[r] = galloc(256);
		dst[r] = galloc(256);
		st[r] = galloc(1);
		fill(src[r], 256, r);
		ring_desc[base] =
			(struct vc_desc){gpa(h), 72, VC_DESC_F_NEXT, (uint16_t)(base + 1)};
		ring_desc[base + 1] =
			(struct vc_desc){gpa(iv), 16, VC_DESC_F_NEXT, (uint16_t)(base + 2)};
		ring_desc[base + 2] =
			(struct vc_desc){gpa(src[r]), 256, VC_DESC_F_NEXT, (uint16_t)(base + 3)};
		ring_desc[base + 3] = (struct vc_desc){
			gpa(dst[r]), 256, VC_DESC_F_NEXT | VC_DESC_F_WRITE, (uint16_t)(base + 4)};
		ring_desc[base + 4] = (struct vc_desc){gpa(st[r]), 1, VC_DESC_F_WRITE, 0};
		ring_avail[2 + (avail_idx % QSZ)] = base;
		avail_idx++;
	}
	__atomic_store_n(&ring_avail[1], avail_idx, __ATOMIC_RELEASE);
	run_until_used();
	for (unsigned int r = 0; r < 8; r++) {
		used_elem(&id, &ulen);
		ck_assert_uint_eq(ulen, 257);
		oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key16, 16, iv16, src[r], 256,
			      want);
		ck_assert_uint_eq(*st[r], 0);
		ck_assert_mem_eq(dst[r], want, 256);
	}
	/*
	 * avail_event one behind what was consumed: by the EVENT_IDX rule
	 * (new - event - 1 < new - old) the guest never needs to kick a poller.
	 */
	ck_assert_uint_eq(*(uint16_t *)(ring_used + 4 + 8 * QSZ), (uint16_t)(avail_idx - 1));
	/* The call eventfd was signalled. */
	{
		eventfd_t v = 0;

		ck_assert_int_eq(eventfd_read(callfd, &v), 0);
		ck_assert_uint_ge(v, 1);
	}
}
END_TEST

/* Bad requests: each completes with its status; the next good one works. */
START_TEST(bad_requests)
{
	uint64_t enc = aes_cbc_session(VCRYPTO_ENCRYPT, key16);
	uint64_t closed = aes_cbc_session(VCRYPTO_ENCRYPT, key16);
	uint8_t *src = galloc(64), *dst = galloc(64), want[64];
	struct vcrypto_port_stats ps = {.sz = sizeof(ps)};
	struct {
		const char *what;
		uint64_t sid;
		uint32_t opcode, op_type, iv_len, src_len, dst_len, chain_src;
		uint8_t want;
	} cases[] = {
		{"unknown session", 0x123456789ull, VC_CIPHER_ENCRYPT, 1, 16, 64, 64, 64,
		 VCRYPTO_STATUS_INVSESS},
		{"closed session", closed, VC_CIPHER_ENCRYPT, 1, 16, 64, 64, 64,
		 VCRYPTO_STATUS_INVSESS},
		{"unknown opcode", enc, 0x0777, 1, 16, 64, 64, 64, VCRYPTO_STATUS_NOTSUPP},
		{"op_type 7", enc, VC_CIPHER_ENCRYPT, 7, 16, 64, 64, 64, VCRYPTO_STATUS_NOTSUPP},
		{"op_type NONE", enc, VC_CIPHER_ENCRYPT, 0, 16, 64, 64, 64, VCRYPTO_STATUS_BADMSG},
		{"hash opcode on cipher session", enc, VC_HASH, 1, 16, 64, 64, 64,
		 VCRYPTO_STATUS_BADMSG},
		{"decrypt on encrypt session", enc, VC_CIPHER_DECRYPT, 1, 16, 64, 64, 64,
		 VCRYPTO_STATUS_BADMSG},
		{"not a block multiple", enc, VC_CIPHER_ENCRYPT, 1, 16, 60, 60, 64,
		 VCRYPTO_STATUS_BADMSG},
		{"dst != src", enc, VC_CIPHER_ENCRYPT, 1, 16, 64, 48, 64, VCRYPTO_STATUS_BADMSG},
		{"iv_len 8", enc, VC_CIPHER_ENCRYPT, 1, 8, 64, 64, 64, VCRYPTO_STATUS_BADMSG},
		{"iv_len huge", enc, VC_CIPHER_ENCRYPT, 1, 0xfffffff0u, 64, 64, 64,
		 VCRYPTO_STATUS_BADMSG},
		{"src longer than chain", enc, VC_CIPHER_ENCRYPT, 1, 16, 128, 128, 64,
		 VCRYPTO_STATUS_BADMSG},
		{"src_len 0", enc, VC_CIPHER_ENCRYPT, 1, 16, 0, 0, 64, VCRYPTO_STATUS_BADMSG},
		{"src_len 4 GiB", enc, VC_CIPHER_ENCRYPT, 1, 16, 0xfffffff0u, 0xfffffff0u, 64,
		 VCRYPTO_STATUS_BADMSG},
	};

	ck_assert_int_eq(vc_port_session_close(port, closed), 0);
	fill(src, 64, 9);
	oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key16, 16, iv16, src, 64, want);
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vc_op_data_req *h = cipher_hdr(cases[i].sid, cases[i].opcode,
						      cases[i].iv_len, cases[i].src_len,
						      cases[i].dst_len);
		uint8_t *iv = galloc(16), *st = galloc(1);
		struct part parts[] = {{h, 72, false},
				       {iv, 16, false},
				       {src, cases[i].chain_src, false},
				       {dst, 64, true},
				       {st, 1, true}};
		uint32_t id, ulen;

		h->u.sym_req.op_type = cases[i].op_type;
		memcpy(iv, iv16, 16);
		*st = 0xee;
		put_indirect(parts, 5, (uint16_t)i);
		run_until_used();
		used_elem(&id, &ulen);
		ck_assert_msg(*st == cases[i].want, "%s: status %u, want %u", cases[i].what, *st,
			      cases[i].want);
		ck_assert_uint_eq(id, i);
		ck_assert_uint_eq(ulen, 1);
		/* A good request right after. */
		memset(dst, 0, 64);
		ck_assert_uint_eq(cbc_request(enc, VC_CIPHER_ENCRYPT, 64, dst, src), 0);
		ck_assert_mem_eq(dst, want, 64);
	}
	vcrypto_port_stats_get(port, &ps);
	ck_assert_uint_eq(ps.err_invsess, 2);
	ck_assert_uint_eq(ps.err_notsupp, 2);
	ck_assert_uint_eq(ps.err_badmsg, sizeof(cases) / sizeof(cases[0]) - 4);
	ck_assert_uint_eq(ps.requests_ok, sizeof(cases) / sizeof(cases[0]));
	ck_assert_uint_eq(ps.err_ring, 0);
}
END_TEST

/* Ring-level abuse: no crash, no stall; the used entry still comes back. */
START_TEST(hostile_rings)
{
	uint64_t enc = aes_cbc_session(VCRYPTO_ENCRYPT, key16);
	uint8_t *src = galloc(64), *dst = galloc(64), *st = galloc(1), want[64];
	struct vcrypto_port_stats ps = {.sz = sizeof(ps)};
	uint32_t id, ulen;

	fill(src, 64, 1);
	oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key16, 16, iv16, src, 64, want);

	/* 1. Head index out of range. */
	ring_avail[2 + (avail_idx % QSZ)] = 1000;
	__atomic_store_n(&ring_avail[1], ++avail_idx, __ATOMIC_RELEASE);
	run_until_used();
	used_elem(&id, &ulen);
	ck_assert_uint_eq(id, 1000);
	ck_assert_uint_eq(ulen, 0);

	/* 2. Descriptor loop. */
	ring_desc[3] = (struct vc_desc){gpa(src), 64, VC_DESC_F_NEXT, 4};
	ring_desc[4] = (struct vc_desc){gpa(dst), 64, VC_DESC_F_NEXT | VC_DESC_F_WRITE, 3};
	ring_avail[2 + (avail_idx % QSZ)] = 3;
	__atomic_store_n(&ring_avail[1], ++avail_idx, __ATOMIC_RELEASE);
	run_until_used();
	used_elem(&id, &ulen);
	ck_assert_uint_eq(id, 3);
	ck_assert_uint_eq(ulen, 0);

	/* 3. Data buffer outside guest memory: BADMSG in the status byte. */
	{
		struct vc_op_data_req *h = cipher_hdr(enc, VC_CIPHER_ENCRYPT, 16, 64, 64);
		uint8_t *iv = galloc(16);
		struct vc_desc *t = galloc(5 * 16);

		memcpy(iv, iv16, 16);
		t[0] = (struct vc_desc){gpa(h), 72, VC_DESC_F_NEXT, 1};
		t[1] = (struct vc_desc){gpa(iv), 16, VC_DESC_F_NEXT, 2};
		t[2] = (struct vc_desc){0x1000, 64, VC_DESC_F_NEXT, 3}; /* not guest memory */
		t[3] = (struct vc_desc){gpa(dst), 64, VC_DESC_F_NEXT | VC_DESC_F_WRITE, 4};
		t[4] = (struct vc_desc){gpa(st), 1, VC_DESC_F_WRITE, 0};
		ring_desc[7] = (struct vc_desc){gpa(t), 5 * 16, VC_DESC_F_INDIRECT, 0};
		*st = 0xee;
		ring_avail[2 + (avail_idx % QSZ)] = 7;
		__atomic_store_n(&ring_avail[1], ++avail_idx, __ATOMIC_RELEASE);
		run_until_used();
		used_elem(&id, &ulen);
		ck_assert_uint_eq(id, 7);
		ck_assert_uint_eq(*st, VCRYPTO_STATUS_BADMSG);
		/* Buffer straddling the end of guest memory. */
		t[2] = (struct vc_desc){GPA0 + MEMSZ - 32, 64, VC_DESC_F_NEXT, 3};
		*st = 0xee;
		ring_avail[2 + (avail_idx % QSZ)] = 7;
		__atomic_store_n(&ring_avail[1], ++avail_idx, __ATOMIC_RELEASE);
		run_until_used();
		used_elem(&id, &ulen);
		ck_assert_uint_eq(*st, VCRYPTO_STATUS_BADMSG);
		/* Indirect table outside memory: no status, used len 0. */
		ring_desc[7] = (struct vc_desc){GPA0 + MEMSZ, 5 * 16, VC_DESC_F_INDIRECT, 0};
		ring_avail[2 + (avail_idx % QSZ)] = 7;
		__atomic_store_n(&ring_avail[1], ++avail_idx, __ATOMIC_RELEASE);
		run_until_used();
		used_elem(&id, &ulen);
		ck_assert_uint_eq(ulen, 0);
		/* Header split over two descriptors, 40 + 32 bytes: fine. */
		t[0] = (struct vc_desc){gpa(h), 40, VC_DESC_F_NEXT, 5};
		ring_desc[7] = (struct vc_desc){gpa(t), 7 * 16, VC_DESC_F_INDIRECT, 0};
		t[5] = (struct vc_desc){gpa(h) + 40, 32, VC_DESC_F_NEXT, 1};
		t[6] = (struct vc_desc){0, 0, 0, 0};
		t[2] = (struct vc_desc){gpa(src), 64, VC_DESC_F_NEXT, 3};
		*st = 0xee;
		memset(dst, 0, 64);
		ring_avail[2 + (avail_idx % QSZ)] = 7;
		__atomic_store_n(&ring_avail[1], ++avail_idx, __ATOMIC_RELEASE);
		run_until_used();
		used_elem(&id, &ulen);
		ck_assert_uint_eq(*st, VCRYPTO_STATUS_OK);
		ck_assert_mem_eq(dst, want, 64);
	}

	/* 4. A good request still works. */
	ck_assert_uint_eq(cbc_request(enc, VC_CIPHER_ENCRYPT, 64, dst, src), 0);
	ck_assert_mem_eq(dst, want, 64);
	vcrypto_port_stats_get(port, &ps);
	ck_assert_uint_eq(ps.err_ring, 3);

	/* 5. avail index jumps by more than the queue size: queue stopped. */
	avail_idx = (uint16_t)(avail_idx + QSZ + 5);
	__atomic_store_n(&ring_avail[1], avail_idx, __ATOMIC_RELEASE);
	for (int i = 0; i < 100; i++)
		vcrypto_poller_poll(pol);
	vcrypto_port_stats_get(port, &ps);
	ck_assert_uint_eq(ps.err_ring, 4);
	ck_assert(!vq->ready);
}
END_TEST

START_TEST(zero_copy_same_results)
{
	uint64_t enc = aes_cbc_session(VCRYPTO_ENCRYPT, key16);
	struct vcrypto_port_stats ps = {.sz = sizeof(ps)};
	uint32_t n = 4096;
	uint8_t *src = galloc(n), *dst = galloc(n), *want = malloc(n);

	fill(src, n, 4);
	oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key16, 16, iv16, src, n, want);
	ck_assert_int_eq(vcrypto_port_set_zero_copy(port, VCRYPTO_ZERO_COPY_ON), 0);
	ck_assert_uint_eq(cbc_request(enc, VC_CIPHER_ENCRYPT, n, dst, src), 0);
	ck_assert_mem_eq(dst, want, n);
	/* In place (dst == src). */
	ck_assert_uint_eq(cbc_request(enc, VC_CIPHER_ENCRYPT, n, src, src), 0);
	ck_assert_mem_eq(src, want, n);
	vcrypto_port_stats_get(port, &ps);
	ck_assert_uint_eq(ps.zero_copy_requests, 2);
	ck_assert_int_eq(vcrypto_port_set_zero_copy(port, VCRYPTO_ZERO_COPY_OFF), 0);
	fill(src, n, 4);
	memset(dst, 0, n);
	ck_assert_uint_eq(cbc_request(enc, VC_CIPHER_ENCRYPT, n, dst, src), 0);
	ck_assert_mem_eq(dst, want, n);
	vcrypto_port_stats_get(port, &ps);
	ck_assert_uint_eq(ps.zero_copy_requests, 2);
	ck_assert_int_eq(vcrypto_port_set_zero_copy(port, 7), -EINVAL);
	free(want);
}
END_TEST

START_TEST(aead_gcm)
{
	struct vc_session_desc d = {.type = VCRYPTO_SESSION_AEAD,
				    .direction = VCRYPTO_ENCRYPT,
				    .aead_algo = VCRYPTO_AEAD_AES_GCM,
				    .cipher_key_len = 16,
				    .digest_len = 16,
				    .aad_len = 20};
	uint8_t iv[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, aad[20];
	uint32_t n = 1000;
	uint8_t *want = malloc(n + 16);
	uint64_t enc, dec;

	memcpy(d.cipher_key, key16, 16);
	enc = session(&d);
	d.direction = VCRYPTO_DECRYPT;
	dec = session(&d);
	fill(aad, 20, 5);
	for (int zc = 0; zc < 2; zc++) {
		uint8_t *src = galloc(n), *dst = galloc(n + 16), *pt = galloc(n);
		struct vc_op_data_req *h;
		uint8_t *g_iv = galloc(12), *g_aad = galloc(20), *st = galloc(1);
		uint32_t id, ulen;

		vcrypto_port_set_zero_copy(port, zc ? VCRYPTO_ZERO_COPY_ON : VCRYPTO_ZERO_COPY_OFF);
		fill(src, n, 6);
		memcpy(g_iv, iv, 12);
		memcpy(g_aad, aad, 20);
		ck_assert_int_eq(oracle_aead(VCRYPTO_AEAD_AES_GCM, VCRYPTO_ENCRYPT, key16, 16, iv,
					     12, aad, 20, src, n, 16, want),
				 0);
		h = galloc(72);
		memset(h, 0, 72);
		h->header.opcode = VC_AEAD_ENCRYPT;
		h->header.session_id = enc;
		h->u.aead_req.para = (struct vc_aead_para){12, 20, n, n + 16};
		{
			struct part parts[] = {{h, 72, false},	    {g_iv, 12, false},
					       {g_aad, 20, false},  {src, n, false},
					       {dst, n + 16, true}, {st, 1, true}};

			put_indirect(parts, 6, 9);
		}
		run_until_used();
		used_elem(&id, &ulen);
		ck_assert_uint_eq(*st, 0);
		ck_assert_mem_eq(dst, want, n + 16);

		/* Decrypt, then with a corrupted tag. */
		for (int bad = 0; bad < 2; bad++) {
			h = galloc(72);
			memset(h, 0, 72);
			h->header.opcode = VC_AEAD_DECRYPT;
			h->header.session_id = dec;
			h->u.aead_req.para = (struct vc_aead_para){12, 20, n + 16, n};
			if (bad)
				dst[n + 3] ^= 1;
			memset(pt, 0, n);
			{
				struct part parts[] = {{h, 72, false},	   {g_iv, 12, false},
						       {g_aad, 20, false}, {dst, n + 16, false},
						       {pt, n, true},	   {st, 1, true}};

				put_indirect(parts, 6, 9);
			}
			run_until_used();
			used_elem(&id, &ulen);
			if (bad) {
				ck_assert_uint_eq(*st, VCRYPTO_STATUS_BADMSG);
			} else {
				ck_assert_uint_eq(*st, 0);
				ck_assert_mem_eq(pt, src, n);
			}
		}
	}
	free(want);
}
END_TEST

START_TEST(hash_mac_chain)
{
	struct vc_session_desc hd = {
		.type = VCRYPTO_SESSION_HASH, .hash_algo = VCRYPTO_HASH_SHA_256, .digest_len = 32};
	struct vc_session_desc md = {.type = VCRYPTO_SESSION_MAC,
				     .mac_algo = VCRYPTO_MAC_HMAC_SHA1,
				     .auth_key_len = 20,
				     .digest_len = 20};
	struct vc_session_desc cd = {.type = VCRYPTO_SESSION_CHAIN,
				     .direction = VCRYPTO_ENCRYPT,
				     .chain_order = VCRYPTO_CHAIN_CIPHER_THEN_HASH,
				     .cipher_algo = VCRYPTO_CIPHER_AES_CBC,
				     .cipher_key_len = 16,
				     .mac_algo = VCRYPTO_MAC_HMAC_SHA_256,
				     .auth_key_len = 32,
				     .digest_len = 32};
	uint32_t n = 3000;
	uint8_t *src = galloc(n), *dig = galloc(64), *st = galloc(1), *dst = galloc(n);
	uint8_t want[64], wct[3008];
	uint32_t id, ulen;
	uint64_t sh, sm, sc;

	memset(md.auth_key, 0x0b, 20);
	memcpy(cd.cipher_key, key16, 16);
	memset(cd.auth_key, 0x33, 32);
	sh = session(&hd);
	sm = session(&md);
	sc = session(&cd);
	fill(src, n, 8);

	for (int k = 0; k < 2; k++) {
		struct vc_op_data_req *h = galloc(72);

		memset(h, 0, 72);
		h->header.opcode = k ? VC_MAC : VC_HASH;
		h->header.session_id = k ? sm : sh;
		h->u.hash_req.para = (struct vc_hash_para){n, k ? 20u : 32u};
		{
			struct part parts[] = {{h, 72, false},
					       {src, n, false},
					       {dig, k ? 20 : 32, true},
					       {st, 1, true}};

			put_indirect(parts, 4, 2);
		}
		run_until_used();
		used_elem(&id, &ulen);
		ck_assert_uint_eq(*st, 0);
		if (k)
			oracle_mac(VCRYPTO_MAC_HMAC_SHA1, md.auth_key, 20, src, n, want);
		else
			oracle_hash(VCRYPTO_HASH_SHA_256, src, n, want);
		ck_assert_mem_eq(dig, want, k ? 20 : 32);
	}
	/* Chain: cipher 2992 bytes at offset 8, then HMAC over all of dst. */
	{
		struct vc_op_data_req *h = galloc(72);
		uint8_t *g_iv = galloc(16);

		memcpy(g_iv, iv16, 16);
		memset(h, 0, 72);
		h->header.opcode = VC_CIPHER_ENCRYPT;
		h->header.session_id = sc;
		h->u.sym_req.op_type = VC_SYM_OP_CHAIN;
		h->u.sym_req.u.chain = (struct vc_chain_para){
			.iv_len = 16,
			.src_data_len = n,
			.dst_data_len = n,
			.cipher_start_src_offset = 8,
			.len_to_cipher = n - 8,
			.hash_start_src_offset = 0,
			.len_to_hash = n,
			.hash_result_len = 32,
		};
		{
			struct part parts[] = {{h, 72, false}, {g_iv, 16, false}, {src, n, false},
					       {dst, n, true}, {dig, 32, true},	  {st, 1, true}};

			put_indirect(parts, 6, 2);
		}
		run_until_used();
		used_elem(&id, &ulen);
		ck_assert_uint_eq(*st, 0);
		memcpy(wct, src, 8);
		oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key16, 16, iv16, src + 8,
			      n - 8, wct + 8);
		ck_assert_mem_eq(dst, wct, n);
		oracle_mac(VCRYPTO_MAC_HMAC_SHA_256, cd.auth_key, 32, wct, n, want);
		ck_assert_mem_eq(dig, want, 32);
		ck_assert_uint_eq(ulen, n + 32 + 1);
	}
}
END_TEST

/* Close a session with requests in flight: they finish, later ones get INVSESS. */
START_TEST(close_in_flight)
{
	uint64_t enc = aes_cbc_session(VCRYPTO_ENCRYPT, key16);
	uint8_t *src = galloc(4096), *dst[4], *st[4], want[4096];
	uint32_t depth = eng->qp_depth;
	struct vcrypto_poller_stats ps = {.sz = sizeof(ps)};

	fill(src, 4096, 2);
	oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key16, 16, iv16, src, 4096, want);
	/* Hold fetched requests before the device: they are in flight for the guest. */
	eng->qp_depth = 0;
	for (int r = 0; r < 4; r++) {
		struct vc_op_data_req *h = cipher_hdr(enc, VC_CIPHER_ENCRYPT, 16, 4096, 4096);
		uint8_t *iv = galloc(16);

		memcpy(iv, iv16, 16);
		dst[r] = galloc(4096);
		st[r] = galloc(1);
		*st[r] = 0xee;
		{
			struct part parts[] = {{h, 72, false},
					       {iv, 16, false},
					       {src, 4096, false},
					       {dst[r], 4096, true},
					       {st[r], 1, true}};

			put_indirect(parts, 5, (uint16_t)(10 + r));
		}
		if (r == 1) {
			/* Two fetched and held, then the session closes. */
			vcrypto_poller_poll(pol);
			vcrypto_poller_stats_get(pol, &ps);
			ck_assert_uint_eq(ps.backlog, 2);
			ck_assert_int_eq(vc_port_session_close(port, enc), 0);
			/* The cryptodev session lives on while requests use it. */
			ck_assert_uint_eq(atomic_load(&eng->sessions), 1);
		}
	}
	vcrypto_poller_poll(pol); /* the two later ones: INVSESS at once */
	eng->qp_depth = depth;
	run_until_used();
	ck_assert_uint_eq(*st[0], 0);
	ck_assert_uint_eq(*st[1], 0);
	ck_assert_mem_eq(dst[0], want, 4096);
	ck_assert_mem_eq(dst[1], want, 4096);
	ck_assert_uint_eq(*st[2], VCRYPTO_STATUS_INVSESS);
	ck_assert_uint_eq(*st[3], VCRYPTO_STATUS_INVSESS);
	ck_assert_uint_eq(atomic_load(&eng->sessions), 0);
}
END_TEST

int main(void)
{
	static const char *const vdevs[] = {NULL};
	struct vcrypto_engine_opts eo = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);
	Suite *s = suite_create("host_pipeline");
	TCase *tc = tcase_create("pipeline");
	SRunner *sr;
	int failed;

	if (vc_test_eal_init(vdevs, 512))
		return 77;
	eo.nb_ops = 1024;
	eo.nb_queue_pairs = 1;
	if (vcrypto_engine_create("crypto_openssl_pipe", &eo, &eng)) {
		fprintf(stderr, "no crypto_openssl: skipped\n");
		return 77;
	}
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, aes_cbc_sizes);
	tcase_add_test(tc, linux_split_layout);
	tcase_add_test(tc, direct_chains_burst);
	tcase_add_test(tc, bad_requests);
	tcase_add_test(tc, hostile_rings);
	tcase_add_test(tc, zero_copy_same_results);
	tcase_add_test(tc, aead_gcm);
	tcase_add_test(tc, hash_mac_chain);
	tcase_add_test(tc, close_in_flight);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	vcrypto_engine_destroy(eng);
	return failed ? 1 : 0;
}
