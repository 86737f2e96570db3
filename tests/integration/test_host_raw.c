/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * The host library against a raw vhost-user front end written here: plain
 * socket messages, a memfd region, and virtqueue descriptors laid out by
 * hand. It sends what a correct front end never would (unknown or closed
 * sessions, bad opcodes and lengths, buffers outside guest memory, loops,
 * bad indices, garbage session messages), changes the memory table while
 * requests flow, and acts as the server for the host's client mode.
 */

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <vcrypto/guest.h>
#include <vcrypto/host.h>

#include "common/session_msg.h"
#include "common/virtio_crypto_wire.h"
#include "dpdk_env.h"
#include "oracle.h"
#include "check_run.h"
#include "guest_session.h"

#define QSZ 64u
#define MEMSZ (4u << 20)
#define GPA0 0x80000000ull
#define OFF_DESC 0
#define OFF_AVAIL 4096
#define OFF_USED 8192
#define OFF_HEAP 16384

enum {
	U_GET_FEATURES = 1,
	U_SET_FEATURES = 2,
	U_SET_OWNER = 3,
	U_SET_MEM_TABLE = 5,
	U_SET_VRING_NUM = 8,
	U_SET_VRING_ADDR = 9,
	U_SET_VRING_BASE = 10,
	U_GET_VRING_BASE = 11,
	U_SET_VRING_KICK = 12,
	U_SET_VRING_CALL = 13,
	U_GET_PROTOCOL_FEATURES = 15,
	U_SET_PROTOCOL_FEATURES = 16,
};
#define U_VERSION 1u
#define U_REPLY 4u
#define U_NEED_REPLY 8u

struct vdesc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
#define F_NEXT 1
#define F_WRITE 2
#define F_INDIRECT 4

/* The raw front end. */
struct fe {
	int sock;
	int memfd;
	int memfd2; /* a second, small region added and removed to change the table */
	uint8_t *mem2;
	bool two;
	uint8_t *mem;
	size_t heap;
	int kickfd, callfd;
	uint16_t avail_idx, used_seen;
	struct vdesc *desc;
	uint16_t *avail;
	uint8_t *used;
};

static struct vc_test_host H;
static char sock_path[108];

/* ---- messages ---- */

static int msg_send(struct fe *f, uint32_t req, uint32_t flags, const void *payload, uint32_t size,
		    const int *fds, int nfds)
{
	uint8_t buf[12 + 1200];
	struct msghdr mh = {0};
	struct iovec iov;
	char cbuf[CMSG_SPACE(8 * sizeof(int))];
	uint32_t hdr[3] = {req, U_VERSION | flags, size};

	memcpy(buf, hdr, 12);
	if (size)
		memcpy(buf + 12, payload, size);
	iov.iov_base = buf;
	iov.iov_len = 12 + size;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfds) {
		struct cmsghdr *cm;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	return sendmsg(f->sock, &mh, MSG_NOSIGNAL) == 12 + (ssize_t)size ? 0 : -errno;
}

static int msg_recv(struct fe *f, uint32_t req, void *payload, uint32_t cap, uint32_t *size)
{
	uint32_t hdr[3];
	struct timeval tv = {5, 0};

	setsockopt(f->sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (recv(f->sock, hdr, 12, MSG_WAITALL) != 12)
		return -EIO;
	if (hdr[0] != req || !(hdr[1] & U_REPLY) || hdr[2] > cap)
		return -EPROTO;
	if (hdr[2] && recv(f->sock, payload, hdr[2], MSG_WAITALL) != (ssize_t)hdr[2])
		return -EIO;
	if (size)
		*size = hdr[2];
	return 0;
}

static uint64_t get_u64(struct fe *f, uint32_t req)
{
	uint64_t v = 0;
	uint32_t n;

	ck_assert_int_eq(msg_send(f, req, 0, NULL, 0, NULL, 0), 0);
	ck_assert_int_eq(msg_recv(f, req, &v, 8, &n), 0);
	return v;
}

static void set_u64(struct fe *f, uint32_t req, uint64_t v)
{
	ck_assert_int_eq(msg_send(f, req, 0, &v, 8, NULL, 0), 0);
}

static void set_mem_table(struct fe *f)
{
	struct {
		uint32_t n, pad;
		uint64_t r[2][4];
	} m = {f->two ? 2 : 1,
	       0,
	       {{GPA0, MEMSZ, (uint64_t)(uintptr_t)f->mem, 0},
		{0x10000000ull, 65536, (uint64_t)(uintptr_t)f->mem2, 0}}};
	int fds[2] = {f->memfd, f->memfd2};

	ck_assert_int_eq(msg_send(f, U_SET_MEM_TABLE, 0, &m, 8 + 32 * m.n, fds, (int)m.n), 0);
}

static void setup_ring(struct fe *f)
{
	struct {
		uint32_t idx, num;
	} st = {0, QSZ};
	struct {
		uint32_t idx, flags;
		uint64_t desc, used, avail, log;
	} addr = {0,
		  0,
		  (uint64_t)(uintptr_t)f->desc,
		  (uint64_t)(uintptr_t)f->used,
		  (uint64_t)(uintptr_t)f->avail,
		  0};
	uint64_t q = 0;

	ck_assert_int_eq(msg_send(f, U_SET_VRING_NUM, 0, &st, sizeof(st), NULL, 0), 0);
	ck_assert_int_eq(msg_send(f, U_SET_VRING_ADDR, 0, &addr, sizeof(addr), NULL, 0), 0);
	st.num = f->avail_idx;
	ck_assert_int_eq(msg_send(f, U_SET_VRING_BASE, 0, &st, sizeof(st), NULL, 0), 0);
	ck_assert_int_eq(msg_send(f, U_SET_VRING_KICK, 0, &q, 8, &f->kickfd, 1), 0);
	ck_assert_int_eq(msg_send(f, U_SET_VRING_CALL, 0, &q, 8, &f->callfd, 1), 0);
}

static void wait_ready(void)
{
	struct vcrypto_port_stats st = {.sz = sizeof(st)};

	for (int i = 0; i < 1000; i++) {
		vcrypto_port_stats_get(H.port, &st);
		if (st.state == VCRYPTO_PORT_READY)
			return;
		usleep(2000);
	}
	ck_abort_msg("port not ready");
}

/* Negotiate and set up memory and queue 0 on a connected socket. */
static void fe_handshake(struct fe *f)
{
	uint64_t feat = get_u64(f, U_GET_FEATURES), pf;

	ck_assert(feat & (1ull << 30));
	ck_assert(feat & (1ull << 28));
	/*
	 * No VHOST_F_LOG_ALL (26) nor VHOST_USER_PROTOCOL_F_LOG_SHMFD (1): the
	 * host does not log its writes to guest memory, so no front end may
	 * live-migrate with it (docs/design.md, "Live migration").
	 */
	ck_assert(!(feat & (1ull << 26)));
	set_u64(f, U_SET_FEATURES, (1ull << 32) | (1ull << 28) | (1ull << 30));
	pf = get_u64(f, U_GET_PROTOCOL_FEATURES);
	ck_assert(pf & (1ull << 7));
	ck_assert(!(pf & (1ull << 1)));
	set_u64(f, U_SET_PROTOCOL_FEATURES, (1ull << 7) | (1ull << 3));
	ck_assert_int_eq(msg_send(f, U_SET_OWNER, 0, NULL, 0, NULL, 0), 0);
	set_mem_table(f);
	setup_ring(f);
	wait_ready();
}

static void fe_init(struct fe *f)
{
	memset(f, 0, sizeof(*f));
	f->memfd = memfd_create("vc-raw", MFD_CLOEXEC);
	ck_assert_int_ge(f->memfd, 0);
	ck_assert_int_eq(ftruncate(f->memfd, MEMSZ), 0);
	f->mem = mmap(NULL, MEMSZ, PROT_READ | PROT_WRITE, MAP_SHARED, f->memfd, 0);
	ck_assert_ptr_ne(f->mem, MAP_FAILED);
	f->memfd2 = memfd_create("vc-raw2", MFD_CLOEXEC);
	ck_assert_int_eq(ftruncate(f->memfd2, 65536), 0);
	f->mem2 = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, f->memfd2, 0);
	ck_assert_ptr_ne(f->mem2, MAP_FAILED);
	f->desc = (struct vdesc *)(f->mem + OFF_DESC);
	f->avail = (uint16_t *)(f->mem + OFF_AVAIL);
	f->used = f->mem + OFF_USED;
	f->heap = OFF_HEAP;
	f->kickfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	f->callfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	f->sock = -1;
}

/* Connect to sock_path, no handshake. */
static void fe_connect_raw(struct fe *f)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	f->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memcpy(sa.sun_path, sock_path, sizeof(sa.sun_path) - 1);
	ck_assert_int_eq(connect(f->sock, (struct sockaddr *)&sa, sizeof(sa)), 0);
}

static void fe_connect(struct fe *f)
{
	fe_connect_raw(f);
	fe_handshake(f);
}

static void fe_close(struct fe *f)
{
	if (f->sock >= 0)
		close(f->sock);
	f->sock = -1;
}

static void fe_free(struct fe *f)
{
	fe_close(f);
	munmap(f->mem, MEMSZ);
	close(f->memfd);
	munmap(f->mem2, 65536);
	close(f->memfd2);
	close(f->kickfd);
	close(f->callfd);
}

/* ---- sessions over the socket ---- */

static int64_t create_raw(struct fe *f, const uint8_t *payload, uint32_t size, size_t id_off)
{
	uint8_t reply[1200];
	uint32_t got;
	int64_t v;

	ck_assert_int_eq(msg_send(f, VHOST_USER_CREATE_CRYPTO_SESSION, U_NEED_REPLY, payload, size,
				  NULL, 0),
			 0);
	ck_assert_int_eq(msg_recv(f, VHOST_USER_CREATE_CRYPTO_SESSION, reply, sizeof(reply), &got),
			 0);
	ck_assert_uint_ge(got, id_off + 8);
	memcpy(&v, reply + id_off, 8);
	/* The keys were wiped from the reply. */
	for (uint32_t i = 56; i < got && i < 632; i++)
		ck_assert_uint_eq(reply[i], 0);
	return v;
}

static int64_t create(struct fe *f, enum vcrypto_session_layout layout,
		      const struct vc_session_desc *d)
{
	uint8_t buf[1200];
	int n = vcrypto__session_encode(layout, d, buf, sizeof(buf));

	ck_assert_int_gt(n, 0);
	return create_raw(f, buf, (uint32_t)n, vcrypto__session_id_offset(layout));
}

static int close_session(struct fe *f, uint64_t id)
{
	uint64_t ack = 99;
	uint32_t got;

	ck_assert_int_eq(
		msg_send(f, VHOST_USER_CLOSE_CRYPTO_SESSION, U_NEED_REPLY, &id, 8, NULL, 0), 0);
	ck_assert_int_eq(msg_recv(f, VHOST_USER_CLOSE_CRYPTO_SESSION, &ack, 8, &got), 0);
	return (int)ack;
}

static const uint8_t key16[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t iv16[16] = {0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7,
				 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff};

static uint64_t cbc_session(struct fe *f, enum vcrypto_direction dir)
{
	struct vc_session_desc d = {.type = VCRYPTO_SESSION_CIPHER,
				    .direction = dir,
				    .cipher_algo = VCRYPTO_CIPHER_AES_CBC,
				    .cipher_key_len = 16};
	int64_t id;

	memcpy(d.cipher_key, key16, 16);
	id = create(f, VCRYPTO_SESSION_LAYOUT_DPDK_22_11, &d);
	ck_assert_int_gt(id, 0);
	return (uint64_t)id;
}

static uint64_t cbc_enc(struct fe *f)
{
	return cbc_session(f, VCRYPTO_ENCRYPT);
}

/* ---- ring ---- */

static void *galloc(struct fe *f, size_t n)
{
	void *p;

	f->heap = (f->heap + 63) & ~(size_t)63;
	if (f->heap + n > MEMSZ)
		f->heap = OFF_HEAP;
	p = f->mem + f->heap;
	f->heap += n;
	return p;
}

static uint64_t gpa(struct fe *f, const void *p)
{
	return GPA0 + (uint64_t)((const uint8_t *)p - f->mem);
}

/* Publish @p n heads with one avail index update, and kick. */
static void publish_heads(struct fe *f, const uint16_t *heads, unsigned int n)
{
	uint64_t one = 1;

	for (unsigned int i = 0; i < n; i++)
		f->avail[2 + ((f->avail_idx + i) % QSZ)] = heads[i];
	f->avail_idx = (uint16_t)(f->avail_idx + n);
	__atomic_store_n(&f->avail[1], f->avail_idx, __ATOMIC_RELEASE);
	(void)!write(f->kickfd, &one, 8);
}

static void publish(struct fe *f, uint16_t head)
{
	publish_heads(f, &head, 1);
}

/* Wait for the next used entry. Returns false on timeout. */
static bool next_used(struct fe *f, uint32_t *id, uint32_t *len)
{
	for (int i = 0; i < 5000; i++) {
		if (__atomic_load_n((uint16_t *)(f->used + 2), __ATOMIC_ACQUIRE) != f->used_seen) {
			uint32_t *e = (uint32_t *)(f->used + 4 + 8 * (f->used_seen % QSZ));

			*id = e[0];
			*len = e[1];
			f->used_seen++;
			return true;
		}
		usleep(1000);
	}
	return false;
}

struct part {
	uint64_t addr;
	uint32_t len;
	bool w;
};

/* Point descriptor @p head at a new indirect table of @p n parts, unpublished. */
static void set_indirect(struct fe *f, const struct part *p, unsigned int n, uint16_t head)
{
	struct vdesc *t = galloc(f, 16 * n);

	for (unsigned int i = 0; i < n; i++)
		t[i] = (struct vdesc){p[i].addr, p[i].len,
				      (uint16_t)((i + 1 < n ? F_NEXT : 0) | (p[i].w ? F_WRITE : 0)),
				      (uint16_t)(i + 1)};
	f->desc[head] = (struct vdesc){gpa(f, t), 16 * n, F_INDIRECT, 0};
}

static void put_indirect(struct fe *f, const struct part *p, unsigned int n, uint16_t head)
{
	set_indirect(f, p, n, head);
	publish(f, head);
}

/*
 * A cipher request's header at @p h (operation VC_SYM_OP_CIPHER), and iv16
 * at @p iv unless it is NULL.
 */
static void cipher_hdr(struct vc_op_data_req *h, uint8_t *iv, uint64_t sid, uint32_t opcode,
		       uint32_t iv_len, uint32_t src_len, uint32_t dst_len)
{
	memset(h, 0, sizeof(*h));
	h->header.opcode = opcode;
	h->header.session_id = sid;
	h->u.sym_req.op_type = VC_SYM_OP_CIPHER;
	h->u.sym_req.u.cipher.para = (struct vc_cipher_para){iv_len, src_len, dst_len, 0};
	if (iv)
		memcpy(iv, iv16, 16);
}

/* One cipher request with explicit header fields; returns the status byte (or 0x100 + used len). */
static int cipher_req(struct fe *f, uint64_t sid, uint32_t opcode, uint32_t op_type,
		      uint32_t iv_len, uint32_t src_len, uint32_t dst_len, const uint8_t *src,
		      uint32_t chain_src, uint8_t *dst, uint32_t chain_dst)
{
	struct vc_op_data_req *h = galloc(f, 72);
	uint8_t *iv = galloc(f, 16), *st = galloc(f, 1), *gs = galloc(f, chain_src);
	struct part p[5];
	uint32_t id, len;

	cipher_hdr(h, iv, sid, opcode, iv_len, src_len, dst_len);
	h->u.sym_req.op_type = op_type;
	memcpy(gs, src, chain_src);
	*st = 0xee;
	p[0] = (struct part){gpa(f, h), 72, false};
	p[1] = (struct part){gpa(f, iv), 16, false};
	p[2] = (struct part){gpa(f, gs), chain_src, false};
	p[3] = (struct part){gpa(f, dst), chain_dst, true};
	p[4] = (struct part){gpa(f, st), 1, true};
	put_indirect(f, p, 5, 0);
	ck_assert(next_used(f, &id, &len));
	ck_assert_uint_eq(id, 0);
	return *st;
}

static int good_req(struct fe *f, uint64_t sid)
{
	uint8_t src[64], want[64], *dst = galloc(f, 64);

	for (int i = 0; i < 64; i++)
		src[i] = (uint8_t)(i * 5);
	memset(dst, 0, 64);
	oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key16, 16, iv16, src, 64, want);
	if (cipher_req(f, sid, VC_CIPHER_ENCRYPT, VC_SYM_OP_CIPHER, 16, 64, 64, src, 64, dst, 64))
		return -1;
	return memcmp(dst, want, 64) ? -2 : 0;
}

/*
 * Start the host on a new vdev of driver @p drv (crypto_openssl, crypto_aesni_mb) in port mode
 * @p mode (client: only the socket path; the test listens first, then starts the host).
 * Returns the start's result: -ENODEV or -ENOTSUP if this machine has no such driver.
 */
static int host_start(enum vcrypto_port_mode mode, const char *drv)
{
	static unsigned int n;
	struct vcrypto_engine_opts eo = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);
	struct vcrypto_port_opts po = VCRYPTO_OPTS_INIT(vcrypto_port_opts);
	char dev[64];

	eo.nb_ops = 1024;
	eo.nb_queue_pairs = 1;
	po.mode = mode;
	po.max_sessions = 16;
	snprintf(dev, sizeof(dev), "%s_raw%u", drv, n++);
	vc_test_sock_path(sock_path, sizeof(sock_path), "raw");
	if (mode == VCRYPTO_PORT_CLIENT)
		return 0;
	return vc_test_host_start(&H, sock_path, dev, NULL, &eo, &po, NULL);
}

static void host_up(enum vcrypto_port_mode mode)
{
	ck_assert_int_eq(host_start(mode, "crypto_openssl"), 0);
}

static void stats(struct vcrypto_port_stats *st)
{
	st->sz = sizeof(*st);
	ck_assert_int_eq(vcrypto_port_stats_get(H.port, st), 0);
}

/* As host_up(VCRYPTO_PORT_SERVER), on crypto_aesni_mb: false if this machine has none. */
static bool aesni_host_up(void)
{
	int ret = host_start(VCRYPTO_PORT_SERVER, "crypto_aesni_mb");

	if (ret == -ENODEV || ret == -ENOTSUP)
		return false;
	ck_assert_int_eq(ret, 0);
	return true;
}

/* ---- tests ---- */

START_TEST(bad_requests_over_vhost_user)
{
	struct fe f;
	struct vcrypto_port_stats st;
	uint8_t src[128] = {0}, *dst;
	uint64_t sid, closed;
	struct {
		const char *what;
		int kind; /* 0 normal, 1 unknown session, 2 closed session */
		uint32_t opcode, op_type, iv_len, src_len, dst_len, chain_src, chain_dst;
		int want;
	} cases[] = {
		{"unknown session", 1, VC_CIPHER_ENCRYPT, 1, 16, 64, 64, 64, 64,
		 VCRYPTO_STATUS_INVSESS},
		{"closed session", 2, VC_CIPHER_ENCRYPT, 1, 16, 64, 64, 64, 64,
		 VCRYPTO_STATUS_INVSESS},
		{"unknown opcode", 0, 0x0999, 1, 16, 64, 64, 64, 64, VCRYPTO_STATUS_NOTSUPP},
		{"asym opcode", 0, 0x0400, 1, 16, 64, 64, 64, 64, VCRYPTO_STATUS_NOTSUPP},
		{"op_type 3", 0, VC_CIPHER_ENCRYPT, 3, 16, 64, 64, 64, 64, VCRYPTO_STATUS_NOTSUPP},
		{"op_type none", 0, VC_CIPHER_ENCRYPT, 0, 16, 64, 64, 64, 64,
		 VCRYPTO_STATUS_BADMSG},
		{"wrong direction", 0, VC_CIPHER_DECRYPT, 1, 16, 64, 64, 64, 64,
		 VCRYPTO_STATUS_BADMSG},
		{"AEAD opcode, cipher session", 0, VC_AEAD_ENCRYPT, 1, 16, 64, 64, 64, 64,
		 VCRYPTO_STATUS_BADMSG},
		{"partial block", 0, VC_CIPHER_ENCRYPT, 1, 16, 65, 65, 65, 65,
		 VCRYPTO_STATUS_BADMSG},
		{"dst shorter", 0, VC_CIPHER_ENCRYPT, 1, 16, 64, 32, 64, 64, VCRYPTO_STATUS_BADMSG},
		{"iv_len 0", 0, VC_CIPHER_ENCRYPT, 1, 0, 64, 64, 64, 64, VCRYPTO_STATUS_BADMSG},
		{"src beyond chain", 0, VC_CIPHER_ENCRYPT, 1, 16, 128, 128, 64, 128,
		 VCRYPTO_STATUS_BADMSG},
		{"dst beyond chain", 0, VC_CIPHER_ENCRYPT, 1, 16, 64, 64, 64, 32,
		 VCRYPTO_STATUS_BADMSG},
		{"over max_request_len", 0, VC_CIPHER_ENCRYPT, 1, 16, 1u << 20, 1u << 20, 64, 64,
		 VCRYPTO_STATUS_BADMSG},
	};

	host_up(VCRYPTO_PORT_SERVER);
	fe_init(&f);
	fe_connect(&f);
	sid = cbc_enc(&f);
	closed = cbc_enc(&f);
	ck_assert_int_eq(close_session(&f, closed), 0);
	ck_assert_int_ne(close_session(&f, closed), 0); /* twice: refused, connection stays */
	dst = galloc(&f, 128);
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t s = cases[i].kind == 1 ? 0x4242424242ull :
			     cases[i].kind == 2 ? closed :
						  sid;
		int r = cipher_req(&f, s, cases[i].opcode, cases[i].op_type, cases[i].iv_len,
				   cases[i].src_len, cases[i].dst_len, src, cases[i].chain_src, dst,
				   cases[i].chain_dst);

		ck_assert_msg(r == cases[i].want, "%s: status %d, want %d", cases[i].what, r,
			      cases[i].want);
		ck_assert_msg(good_req(&f, sid) == 0, "good request after %s", cases[i].what);
	}
	stats(&st);
	ck_assert_uint_eq(st.err_invsess, 2);
	ck_assert_uint_eq(st.err_notsupp, 3);
	ck_assert_uint_eq(st.err_badmsg, sizeof(cases) / sizeof(cases[0]) - 5);
	ck_assert_uint_eq(st.err_ring, 0);
	fe_free(&f);
	vc_test_host_stop(&H);
}
END_TEST

/*
 * An AES-CBC encryption of 80 bytes in copy mode whose destination is cut
 * into @p pieces descriptors (1 byte each but the last, a byte apart so
 * that they stay pieces) before the status byte's own: its status. The
 * result is checked against OpenSSL when the request succeeds, and the
 * destination area must be untouched when it fails (and between the
 * pieces always).
 */
static int scattered_dst_req(struct fe *f, uint64_t sid, unsigned int pieces)
{
	enum {
		LEN = 80
	};
	struct vc_op_data_req *h = galloc(f, 72);
	uint8_t *iv = galloc(f, 16), *src = galloc(f, LEN), *dst = galloc(f, 2 * LEN);
	uint8_t *st = galloc(f, 1), want[LEN], got[LEN];
	struct part p[3 + LEN + 1]; /* header, IV, source; up to LEN pieces; status */
	unsigned int n = 0;
	uint32_t id, len;

	ck_assert_uint_le(pieces, LEN);
	cipher_hdr(h, iv, sid, VC_CIPHER_ENCRYPT, 16, LEN, LEN);
	for (int i = 0; i < LEN; i++)
		src[i] = (uint8_t)(7 * i + 3);
	memset(dst, 0x5a, 2 * LEN);
	*st = 0xee;
	p[n++] = (struct part){gpa(f, h), 72, false};
	p[n++] = (struct part){gpa(f, iv), 16, false};
	p[n++] = (struct part){gpa(f, src), LEN, false};
	for (unsigned int i = 0; i < pieces; i++)
		p[n++] = (struct part){gpa(f, dst + 2 * i), i + 1 < pieces ? 1 : LEN - i, true};
	p[n++] = (struct part){gpa(f, st), 1, true};
	put_indirect(f, p, n, 0);
	ck_assert(next_used(f, &id, &len));
	ck_assert_uint_eq(id, 0);
	oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key16, 16, iv16, src, LEN, want);
	for (unsigned int i = 0; i + 1 < pieces; i++) {
		got[i] = dst[2 * i];
		ck_assert_msg(dst[2 * i + 1] == 0x5a, "%u pieces: gap %u written", pieces, i);
	}
	memcpy(got + pieces - 1, dst + 2 * (pieces - 1), LEN - (pieces - 1));
	if (*st == VCRYPTO_STATUS_OK) {
		ck_assert_msg(!memcmp(got, want, LEN), "%u pieces: wrong result", pieces);
	} else {
		for (int i = 0; i < LEN; i++)
			ck_assert_msg(got[i] == 0x5a, "%u pieces: byte %d written", pieces, i);
	}
	return *st;
}

/*
 * A copied result goes to at most 64 guest buffers (vcrypto_port_create's
 * documented limit): 64 pieces are written, 65 complete with
 * VIRTIO_CRYPTO_ERR and nothing written; the queue goes on.
 */
START_TEST(output_in_too_many_pieces)
{
	struct fe f;
	struct vcrypto_port_stats st;
	uint64_t sid;

	host_up(VCRYPTO_PORT_SERVER);
	fe_init(&f);
	fe_connect(&f);
	sid = cbc_enc(&f);
	ck_assert_int_eq(scattered_dst_req(&f, sid, 1), VCRYPTO_STATUS_OK);
	ck_assert_int_eq(scattered_dst_req(&f, sid, 64), VCRYPTO_STATUS_OK);
	ck_assert_int_eq(scattered_dst_req(&f, sid, 65), VCRYPTO_STATUS_ERR);
	ck_assert_int_eq(scattered_dst_req(&f, sid, 80), VCRYPTO_STATUS_ERR);
	ck_assert_int_eq(good_req(&f, sid), 0);
	stats(&st);
	ck_assert_uint_eq(st.err_ring, 0);
	fe_free(&f);
	vc_test_host_stop(&H);
}
END_TEST

/* File descriptors open in this process (the host's and the test's). */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n - 3; /* ".", ".." and the directory's own */
}

/*
 * A second front end on the socket of a connected guest whose first
 * message passes descriptors (a memory table): refused, the connection
 * closed, and every descriptor the host received with it closed (the
 * process has as many open as before); the first guest is served on.
 */
START_TEST(second_front_end_passes_fds)
{
	struct timeval tv = {.tv_sec = 5};
	struct fe f, f2;
	uint64_t sid;
	int before = 0, now = -1;
	char c;

	host_up(VCRYPTO_PORT_SERVER);
	fe_init(&f);
	fe_connect(&f);
	sid = cbc_enc(&f);
	fe_init(&f2);
	f2.two = true; /* two regions: two descriptors passed */
	for (int round = 0; round < 3; round++) {
		before = open_fds();
		fe_connect_raw(&f2);
		ck_assert_int_eq(setsockopt(f2.sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
		set_mem_table(&f2);
		ck_assert_int_eq(recv(f2.sock, &c, 1, 0), 0); /* hung up on */
		fe_close(&f2);
		for (int i = 0; i < 500 && (now = open_fds()) != before; i++)
			usleep(2000);
		ck_assert_msg(now == before, "round %d: %d descriptors open, %d before", round, now,
			      before);
		ck_assert_int_eq(good_req(&f, sid), 0);
	}
	fe_free(&f2);
	fe_free(&f);
	vc_test_host_stop(&H);
}
END_TEST

/* AEAD over 64 KiB (beyond what one mbuf can describe) and over the limit. */
START_TEST(aead_large)
{
	struct fe f;
	struct vc_session_desc d = {.type = VCRYPTO_SESSION_AEAD,
				    .direction = VCRYPTO_ENCRYPT,
				    .aead_algo = VCRYPTO_AEAD_AES_GCM,
				    .cipher_key_len = 16,
				    .digest_len = 16};
	static const uint32_t lens[] = {65536, 200000, 256 * 1024};
	uint8_t ivb[12] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2};
	uint8_t *want = malloc(256 * 1024 + 16);
	int64_t sid;

	host_up(VCRYPTO_PORT_SERVER);
	fe_init(&f);
	fe_connect(&f);
	memcpy(d.cipher_key, key16, 16);
	sid = create(&f, VCRYPTO_SESSION_LAYOUT_DPDK_22_11, &d);
	ck_assert_int_gt(sid, 0);
	for (unsigned int i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint32_t n = lens[i], id, len;
		struct vc_op_data_req *h = galloc(&f, 72);
		uint8_t *iv = galloc(&f, 12), *src = galloc(&f, n), *dst = galloc(&f, n + 16);
		uint8_t *st = galloc(&f, 1);

		memcpy(iv, ivb, 12);
		for (uint32_t k = 0; k < n; k++)
			src[k] = (uint8_t)(k * 13 + i);
		memset(h, 0, 72);
		h->header.opcode = VC_AEAD_ENCRYPT;
		h->header.session_id = (uint64_t)sid;
		h->u.aead_req.para = (struct vc_aead_para){12, 0, n, n + 16};
		{
			struct part p[] = {{gpa(&f, h), 72, false},
					   {gpa(&f, iv), 12, false},
					   {gpa(&f, src), n, false},
					   {gpa(&f, dst), n + 16, true},
					   {gpa(&f, st), 1, true}};

			put_indirect(&f, p, 5, 3);
		}
		ck_assert(next_used(&f, &id, &len));
		ck_assert_uint_eq(*st, VCRYPTO_STATUS_OK);
		ck_assert_int_eq(oracle_aead(VCRYPTO_AEAD_AES_GCM, VCRYPTO_ENCRYPT, key16, 16, ivb,
					     12, NULL, 0, src, n, 16, want),
				 0);
		ck_assert_msg(!memcmp(dst, want, n + 16), "GCM %u bytes", n);
		f.heap = OFF_HEAP;
	}
	free(want);
	fe_free(&f);
	vc_test_host_stop(&H);
}
END_TEST

/*
 * One in-place cipher request whose data lies in the pieces @pc (0-ended, at
 * most 4, a gap between them), checked against OpenSSL.
 */
static void chain_cipher_req(struct fe *f, uint64_t sid, enum vcrypto_cipher_algo algo,
			     const uint8_t *key, uint32_t key_len, uint32_t iv_len, bool dec,
			     const uint32_t *pc, uint8_t *in, uint8_t *want)
{
	struct vc_op_data_req *h;
	uint8_t *iv, *st, *pieces[4];
	struct part p[2 + 4 + 4 + 1];
	uint32_t n = 0, np = 0, k = 0, off = 0, id, len;

	f->heap = OFF_HEAP;
	h = galloc(f, 72);
	iv = galloc(f, 16);
	st = galloc(f, 1);
	for (; np < 4 && pc[np]; np++) {
		pieces[np] = galloc(f, pc[np]);
		(void)galloc(f, 64);
		for (uint32_t i = 0; i < pc[np]; i++)
			in[n + i] = pieces[np][i] = (uint8_t)((n + i) * 3 + algo);
		n += pc[np];
	}
	cipher_hdr(h, iv, sid, dec ? VC_CIPHER_DECRYPT : VC_CIPHER_ENCRYPT, iv_len, n, n);
	*st = 0xee;
	p[k++] = (struct part){gpa(f, h), 72, false};
	if (iv_len)
		p[k++] = (struct part){gpa(f, iv), iv_len, false};
	for (uint32_t i = 0; i < np; i++)
		p[k++] = (struct part){gpa(f, pieces[i]), pc[i], false};
	for (uint32_t i = 0; i < np; i++)
		p[k++] = (struct part){gpa(f, pieces[i]), pc[i], true};
	p[k++] = (struct part){gpa(f, st), 1, true};
	put_indirect(f, p, k, 0);
	ck_assert(next_used(f, &id, &len));
	ck_assert_msg(*st == VCRYPTO_STATUS_OK, "algo %d: status %u", algo, *st);
	ck_assert_int_eq(oracle_cipher(algo, dec ? VCRYPTO_DECRYPT : VCRYPTO_ENCRYPT, key, key_len,
				       iv16, in, n, want),
			 0);
	for (uint32_t i = 0; i < np; off += pc[i], i++)
		ck_assert_msg(!memcmp(pieces[i], want + off, pc[i]),
			      "algo %d dec %d %u bytes: piece %u differs from OpenSSL", algo, dec,
			      n, i);
}

/*
 * Start an AES-GCM request of @p n bytes (@p dir 1: decrypt, the tag after
 * the data) in guest memory: its header, IV and status byte (returned, set
 * to 0xee). Fills p[0] and p[1] (header, IV).
 */
static uint8_t *gcm_req_start(struct fe *f, int dir, int64_t id, uint32_t n, const uint8_t *iv12,
			      struct part *p)
{
	struct vc_op_data_req *h;
	uint8_t *iv, *st;

	f->heap = OFF_HEAP;
	h = galloc(f, 72);
	iv = galloc(f, 12);
	st = galloc(f, 1);
	memset(h, 0, 72);
	h->header.opcode = dir ? VC_AEAD_DECRYPT : VC_AEAD_ENCRYPT;
	h->header.session_id = (uint64_t)id;
	h->u.aead_req.para = (struct vc_aead_para){12, 0, dir ? n + 16 : n, dir ? n : n + 16};
	memcpy(iv, iv12, 12);
	*st = 0xee;
	p[0] = (struct part){gpa(f, h), 72, false};
	p[1] = (struct part){gpa(f, iv), 12, false};
	return st;
}

/*
 * Zero copy over mbuf chains: in-place AES-CBC (both ways) and AES-CBC then
 * HMAC-SHA1 whose data lies in several pieces of guest memory (a guest's
 * pages), or in one piece longer than an mbuf can say (over 65535 bytes).
 * crypto_openssl takes scatter-gather: these requests must be served zero
 * copy (the counter says so) and match OpenSSL; pieces not block-aligned
 * included. So must AES-CBC out of place into one buffer, AES-CTR and
 * 3DES-CBC in place, and AES-256-GCM out of place (pieces in, one buffer
 * out) and in place in one buffer over 65535 bytes, both ways. Out of place
 * into pieces is copied, and right too.
 */
START_TEST(zero_copy_chains)
{
	static const uint32_t cases[][5] = {{4096, 4096, 4096}, {100, 3996, 4000, 96},
					    {8, 8, 16, 32},	{65536},
					    {200000},		{40000, 40016}};
	struct vcrypto_port_stats st0, st1;
	struct fe f;
	uint8_t *want = malloc(256 * 1024), *in = malloc(256 * 1024);
	uint8_t akey[20], mac[20];
	uint64_t sid[3];
	uint32_t served = 0;

	host_up(VCRYPTO_PORT_SERVER);
	ck_assert_int_eq(vcrypto_port_set_zero_copy(H.port, VCRYPTO_ZERO_COPY_ON), 0);
	fe_init(&f);
	fe_connect(&f);
	for (int i = 0; i < 20; i++)
		akey[i] = (uint8_t)(0x40 + i);
	/* 0: encrypt, 1: decrypt, 2: encrypt then HMAC-SHA1 */
	for (int dir = 0; dir < 3; dir++) {
		struct vc_session_desc d = {
			.type = dir == 2 ? VCRYPTO_SESSION_CHAIN : VCRYPTO_SESSION_CIPHER,
			.direction = dir == 1 ? VCRYPTO_DECRYPT : VCRYPTO_ENCRYPT,
			.cipher_algo = VCRYPTO_CIPHER_AES_CBC,
			.cipher_key_len = 16,
			.mac_algo = dir == 2 ? VCRYPTO_MAC_HMAC_SHA1 : 0,
			.chain_order = dir == 2 ? VCRYPTO_CHAIN_CIPHER_THEN_HASH : 0,
			.auth_key_len = dir == 2 ? 20 : 0,
			.digest_len = dir == 2 ? 20 : 0};
		int64_t id;

		memcpy(d.cipher_key, key16, 16);
		memcpy(d.auth_key, akey, 20);
		id = create(&f, VCRYPTO_SESSION_LAYOUT_DPDK_22_11, &d);
		ck_assert_int_gt(id, 0);
		sid[dir] = (uint64_t)id;
	}
	stats(&st0);
	for (unsigned int c = 0; c < sizeof(cases) / sizeof(cases[0]) + 2; c++) {
		/*
		 * Two more: the second case's pieces out of place, into pieces
		 * (copied) and into one buffer (zero copy for plain cipher).
		 */
		const uint32_t *pc = cases[c < sizeof(cases) / sizeof(cases[0]) ? c : 1];
		bool oop = c >= sizeof(cases) / sizeof(cases[0]);
		bool one_out = c == sizeof(cases) / sizeof(cases[0]) + 1;

		for (int dir = 0; dir < 3; dir++) {
			struct vc_op_data_req *h;
			uint8_t *iv, *st, *dig, *pieces[4], *outs[4], *out1;
			struct part p[16];
			uint32_t n = 0, np = 0, k = 0, id, len, off = 0;

			f.heap = OFF_HEAP;
			h = galloc(&f, 72);
			iv = galloc(&f, 16);
			st = galloc(&f, 1);
			dig = galloc(&f, 20);
			out1 = galloc(&f, 256 * 1024);
			for (; np < 4 && pc[np]; np++) {
				pieces[np] = galloc(&f, pc[np]);
				(void)galloc(&f, 64); /* a gap: the pieces are not contiguous */
				outs[np] = !oop	   ? pieces[np] :
					   one_out ? out1 + n :
						     galloc(&f, pc[np]);
				for (uint32_t i = 0; i < pc[np]; i++)
					in[n + i] = pieces[np][i] =
						(uint8_t)((n + i) * 7 + c + dir);
				n += pc[np];
			}
			memset(h, 0, 72);
			h->header.opcode = dir == 1 ? VC_CIPHER_DECRYPT : VC_CIPHER_ENCRYPT;
			h->header.session_id = sid[dir];
			if (dir == 2) {
				h->u.sym_req.op_type = VC_SYM_OP_CHAIN;
				h->u.sym_req.u.chain =
					(struct vc_chain_para){16, n, n, 0, n, 0, n, 0, 20, 0};
			} else {
				h->u.sym_req.op_type = VC_SYM_OP_CIPHER;
				h->u.sym_req.u.cipher.para = (struct vc_cipher_para){16, n, n, 0};
			}
			memcpy(iv, iv16, 16);
			*st = 0xee;
			p[k++] = (struct part){gpa(&f, h), 72, false};
			p[k++] = (struct part){gpa(&f, iv), 16, false};
			for (uint32_t i = 0; i < np; i++)
				p[k++] = (struct part){gpa(&f, pieces[i]), pc[i], false};
			if (one_out)
				p[k++] = (struct part){gpa(&f, out1), n, true};
			for (uint32_t i = 0; i < np && !one_out; i++)
				p[k++] = (struct part){gpa(&f, outs[i]), pc[i], true};
			if (dir == 2)
				p[k++] = (struct part){gpa(&f, dig), 20, true};
			p[k++] = (struct part){gpa(&f, st), 1, true};
			put_indirect(&f, p, k, 0);
			ck_assert(next_used(&f, &id, &len));
			ck_assert_msg(*st == VCRYPTO_STATUS_OK, "case %u dir %d: status %u", c, dir,
				      *st);
			ck_assert_int_eq(oracle_cipher(VCRYPTO_CIPHER_AES_CBC,
						       dir == 1 ? VCRYPTO_DECRYPT : VCRYPTO_ENCRYPT,
						       key16, 16, iv16, in, n, want),
					 0);
			for (uint32_t i = 0; i < np; off += pc[i], i++)
				ck_assert_msg(!memcmp(outs[i], want + off, pc[i]),
					      "case %u dir %d: piece %u differs from OpenSSL", c,
					      dir, i);
			if (dir == 2) {
				ck_assert_int_eq(oracle_mac(VCRYPTO_MAC_HMAC_SHA1, akey, 20, want,
							    n, mac),
						 20);
				ck_assert_msg(!memcmp(dig, mac, 20), "case %u: HMAC differs", c);
			}
			served += !oop || (one_out && dir != 2);
		}
	}
	/* AES-256-GCM out of place: the source in pieces, one destination buffer */
	{
		struct vc_session_desc d = {.type = VCRYPTO_SESSION_AEAD,
					    .aead_algo = VCRYPTO_AEAD_AES_GCM,
					    .cipher_key_len = 32,
					    .digest_len = 16};
		uint8_t key32[32], iv12[12];
		int64_t id[2];

		for (int i = 0; i < 32; i++)
			key32[i] = (uint8_t)(0x70 + i);
		for (int i = 0; i < 12; i++)
			iv12[i] = (uint8_t)(0x30 + i);
		memcpy(d.cipher_key, key32, 32);
		for (int dir = 0; dir < 2; dir++) {
			d.direction = dir ? VCRYPTO_DECRYPT : VCRYPTO_ENCRYPT;
			id[dir] = create(&f, VCRYPTO_SESSION_LAYOUT_DPDK_22_11, &d);
			ck_assert_int_gt(id[dir], 0);
		}
		for (unsigned int c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
			uint8_t *ct = malloc(256 * 1024 + 16);
			uint32_t n = 0, np;

			for (np = 0; np < 4 && cases[c][np]; np++)
				n += cases[c][np];
			for (uint32_t i = 0; i < n; i++)
				in[i] = (uint8_t)(i * 11 + c);
			ck_assert_int_eq(oracle_aead(VCRYPTO_AEAD_AES_GCM, VCRYPTO_ENCRYPT, key32,
						     32, iv12, 12, NULL, 0, in, n, 16, ct),
					 0);
			for (int dir = 0; dir < 2; dir++) {
				const uint8_t *from = dir ? ct : in, *expect = dir ? in : ct;
				uint32_t outlen = dir ? n : n + 16, off = 0, k = 2, uid, ulen;
				struct part p[16];
				uint8_t *st = gcm_req_start(&f, dir, id[dir], n, iv12, p);
				uint8_t *dst = galloc(&f, outlen);

				for (uint32_t i = 0; i < np; off += cases[c][i], i++) {
					uint8_t *pc = galloc(&f, cases[c][i]);

					(void)galloc(&f, 64);
					memcpy(pc, from + off, cases[c][i]);
					p[k++] = (struct part){gpa(&f, pc), cases[c][i], false};
				}
				if (dir) { /* the tag, a piece of its own */
					uint8_t *tag = galloc(&f, 16);

					memcpy(tag, ct + n, 16);
					p[k++] = (struct part){gpa(&f, tag), 16, false};
				}
				p[k++] = (struct part){gpa(&f, dst), outlen, true};
				p[k++] = (struct part){gpa(&f, st), 1, true};
				put_indirect(&f, p, k, 0);
				ck_assert(next_used(&f, &uid, &ulen));
				ck_assert_msg(*st == VCRYPTO_STATUS_OK,
					      "GCM case %u dir %d: status %u", c, dir, *st);
				ck_assert_msg(!memcmp(dst, expect, outlen),
					      "GCM case %u dir %d differs from OpenSSL", c, dir);
				served++;
			}
			/* In place in one buffer (the tag after the data), over 65535 bytes. */
			for (int dir = 0; dir < 2 && np == 1 && n > 65535; dir++) {
				uint32_t outlen = dir ? n : n + 16, k = 2, uid, ulen;
				struct part p[5];
				uint8_t *st = gcm_req_start(&f, dir, id[dir], n, iv12, p);
				uint8_t *buf = galloc(&f, n + 16);

				memcpy(buf, dir ? ct : in, dir ? n + 16 : n);
				p[k++] = (struct part){gpa(&f, buf), dir ? n + 16 : n, false};
				p[k++] = (struct part){gpa(&f, buf), outlen, true};
				p[k++] = (struct part){gpa(&f, st), 1, true};
				put_indirect(&f, p, k, 0);
				ck_assert(next_used(&f, &uid, &ulen));
				ck_assert_msg(*st == VCRYPTO_STATUS_OK,
					      "GCM in place, %u bytes, dir %d: status %u", n, dir,
					      *st);
				ck_assert_msg(!memcmp(buf, dir ? in : ct, outlen),
					      "GCM in place, %u bytes, dir %d differs from OpenSSL",
					      n, dir);
				served++;
			}
			free(ct);
		}
	}
	/* the other cipher modes taken in pieces, in place, both ways */
	{
		static const struct {
			enum vcrypto_cipher_algo algo;
			uint32_t key_len, iv_len;
		} m[] = {{VCRYPTO_CIPHER_AES_CTR, 16, 16}, {VCRYPTO_CIPHER_3DES_CBC, 24, 8}};
		uint8_t key[24];

		for (int i = 0; i < 24; i++)
			key[i] = (uint8_t)(0x11 * (i + 1));
		for (unsigned int a = 0; a < sizeof(m) / sizeof(m[0]); a++) {
			for (int dec = 0; dec < 2; dec++) {
				struct vc_session_desc d = {.type = VCRYPTO_SESSION_CIPHER,
							    .direction = dec ? VCRYPTO_DECRYPT :
									       VCRYPTO_ENCRYPT,
							    .cipher_algo = m[a].algo,
							    .cipher_key_len = m[a].key_len};
				int64_t id;

				memcpy(d.cipher_key, key, m[a].key_len);
				id = create(&f, VCRYPTO_SESSION_LAYOUT_DPDK_22_11, &d);
				ck_assert_msg(id > 0, "algo %d: no session", m[a].algo);
				for (unsigned int c = 0; c < sizeof(cases) / sizeof(cases[0]);
				     c++) {
					chain_cipher_req(&f, (uint64_t)id, m[a].algo, key,
							 m[a].key_len, m[a].iv_len, dec, cases[c],
							 in, want);
					served++;
				}
				ck_assert_int_eq(close_session(&f, (uint64_t)id), 0);
			}
		}
	}
	stats(&st1);
	ck_assert_uint_eq(st1.requests_ok - st0.requests_ok, served + 4);
	ck_assert_uint_eq(st1.zero_copy_requests - st0.zero_copy_requests, served);
	free(want);
	free(in);
	fe_free(&f);
	vc_test_host_stop(&H);
}
END_TEST

START_TEST(hostile_rings_over_vhost_user)
{
	struct fe f;
	struct vcrypto_port_stats st;
	uint32_t id, len;
	uint64_t sid;

	host_up(VCRYPTO_PORT_SERVER);
	fe_init(&f);
	fe_connect(&f);
	sid = cbc_enc(&f);

	/* Head out of range. */
	publish(&f, 500);
	ck_assert(next_used(&f, &id, &len));
	ck_assert_uint_eq(id, 500);
	ck_assert_uint_eq(len, 0);
	/* Loop in the descriptor table. */
	f.desc[1] = (struct vdesc){GPA0 + OFF_HEAP, 72, F_NEXT, 2};
	f.desc[2] = (struct vdesc){GPA0 + OFF_HEAP, 16, F_NEXT | F_WRITE, 1};
	publish(&f, 1);
	ck_assert(next_used(&f, &id, &len));
	ck_assert_uint_eq(len, 0);
	/* Data outside guest memory (host memory addresses as "guest" ones). */
	{
		uint8_t *h = galloc(&f, 72), *s = galloc(&f, 1);
		struct part p[] = {{gpa(&f, h), 72, false},
				   {(uint64_t)(uintptr_t)&f, 64, false},
				   {GPA0 + MEMSZ - 8, 64, true},
				   {gpa(&f, s), 1, true}};

		*s = 0xee;
		put_indirect(&f, p, 4, 4);
		ck_assert(next_used(&f, &id, &len));
		ck_assert_uint_eq(*s, VCRYPTO_STATUS_BADMSG);
	}
	/* Indirect table with a bad length; nested indirect. */
	f.desc[6] = (struct vdesc){GPA0 + OFF_HEAP, 17, F_INDIRECT, 0};
	publish(&f, 6);
	ck_assert(next_used(&f, &id, &len));
	ck_assert_uint_eq(len, 0);
	{
		struct vdesc *t = galloc(&f, 32);

		t[0] = (struct vdesc){gpa(&f, t), 32, F_INDIRECT, 0};
		f.desc[6] = (struct vdesc){gpa(&f, t), 32, F_INDIRECT, 0};
		publish(&f, 6);
		ck_assert(next_used(&f, &id, &len));
		ck_assert_uint_eq(len, 0);
	}
	ck_assert_int_eq(good_req(&f, sid), 0);
	stats(&st);
	ck_assert_uint_eq(st.err_ring, 4);
	ck_assert_uint_eq(st.err_badmsg, 1);

	/* The avail index jumps: the queue stops... */
	f.avail_idx = (uint16_t)(f.avail_idx + 1000);
	__atomic_store_n(&f.avail[1], f.avail_idx, __ATOMIC_RELEASE);
	usleep(50000);
	stats(&st);
	ck_assert_uint_eq(st.err_ring, 5);
	/* ...until the front end resets the ring (GET_VRING_BASE, new base). */
	{
		struct {
			uint32_t idx, num;
		} vs = {0, 0};
		uint32_t got;

		ck_assert_int_eq(msg_send(&f, U_GET_VRING_BASE, 0, &vs, 8, NULL, 0), 0);
		ck_assert_int_eq(msg_recv(&f, U_GET_VRING_BASE, &vs, 8, &got), 0);
		/* The host's own index: everything before the jump was consumed. */
		ck_assert_uint_eq(vs.num, (uint16_t)(f.avail_idx - 1000));
		f.avail_idx = f.used_seen = 0;
		memset(f.used, 0, 4 + 8 * QSZ + 2);
		f.avail[1] = 0;
		f.callfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); /* the host closed the old one */
		f.kickfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		setup_ring(&f);
		wait_ready();
	}
	ck_assert_int_eq(good_req(&f, sid), 0);
	fe_free(&f);
	vc_test_host_stop(&H);
}
END_TEST

START_TEST(session_messages)
{
	struct fe f;
	struct vc_session_desc d = {.type = VCRYPTO_SESSION_CIPHER,
				    .direction = VCRYPTO_ENCRYPT,
				    .cipher_algo = VCRYPTO_CIPHER_AES_CBC,
				    .cipher_key_len = 16};
	uint8_t junk[632];
	struct vcrypto_port_stats st;
	int64_t id;

	host_up(VCRYPTO_PORT_SERVER);
	fe_init(&f);
	fe_connect(&f);
	memcpy(d.cipher_key, key16, 16);
	/* The host answers GET_QUEUE_NUM with its own queue count. */
	ck_assert_uint_eq(get_u64(&f, 17), 1);
	/*
	 * A message rte_vhost refuses (queue size not a power of two) with
	 * NEED_REPLY: a NAK, no post hook; the port must keep serving.
	 */
	{
		struct {
			uint32_t idx, num;
		} vs = {1, 63};
		uint64_t ack = 0;
		uint32_t got;

		ck_assert_int_eq(msg_send(&f, U_SET_VRING_NUM, U_NEED_REPLY, &vs, 8, NULL, 0), 0);
		ck_assert_int_eq(msg_recv(&f, U_SET_VRING_NUM, &ack, 8, &got), 0);
		ck_assert_uint_ne(ack, 0);
		ck_assert_uint_eq(get_u64(&f, U_GET_FEATURES) >> 32 & 1, 1);
	}
	/* QEMU 7.x layout (no op code), detected. */
	id = create(&f, VCRYPTO_SESSION_LAYOUT_QEMU_7, &d);
	ck_assert_int_gt(id, 0);
	ck_assert_int_eq(good_req(&f, (uint64_t)id), 0);
	/* Garbage payloads: negative ids, connection stays. */
	memset(junk, 0xff, sizeof(junk));
	ck_assert_int_lt(create_raw(&f, junk, sizeof(junk), 0), 0);
	ck_assert_int_lt(create_raw(&f, junk, 16, 0), 0);
	ck_assert_int_lt(create_raw(&f, junk, 0, 0), 0);
	/* Unsupported algorithm: -NOTSUPP. */
	d.cipher_algo = VCRYPTO_CIPHER_AES_XTS;
	d.cipher_key_len = 32;
	{
		struct vcrypto_session_params p = {.sz = sizeof(p),
						   .type = VCRYPTO_SESSION_CIPHER,
						   .direction = VCRYPTO_ENCRYPT,
						   .cipher_algo = VCRYPTO_CIPHER_AES_XTS,
						   .cipher_key_len = 32};

		if (vcrypto_engine_supports(H.engine, &p) == 0)
			ck_assert_int_eq(create(&f, VCRYPTO_SESSION_LAYOUT_DPDK_22_11, &d),
					 -VCRYPTO_STATUS_NOTSUPP);
	}
	/* max_sessions (16): the 17th is refused with -NOSPC. */
	d.cipher_algo = VCRYPTO_CIPHER_AES_CBC;
	d.cipher_key_len = 16;
	for (int i = 1; i < 16; i++)
		ck_assert_int_gt(create(&f, VCRYPTO_SESSION_LAYOUT_DPDK_22_11, &d), 0);
	ck_assert_int_eq(create(&f, VCRYPTO_SESSION_LAYOUT_DPDK_22_11, &d), -VCRYPTO_STATUS_NOSPC);
	ck_assert_int_ne(close_session(&f, 12345), 0);
	/*
	 * A close whose payload is shorter than a session id: a NAK, the
	 * session it might have named kept, and without NEED_REPLY no answer
	 * and the connection kept (rte_vhost drops it on a hook's error).
	 */
	{
		uint64_t ack = 0;
		uint32_t got;

		ck_assert_int_eq(msg_send(&f, VHOST_USER_CLOSE_CRYPTO_SESSION, U_NEED_REPLY, &id, 4,
					  NULL, 0),
				 0);
		ck_assert_int_eq(msg_recv(&f, VHOST_USER_CLOSE_CRYPTO_SESSION, &ack, 8, &got), 0);
		ck_assert_uint_ne(ack, 0);
		ck_assert_int_eq(msg_send(&f, VHOST_USER_CLOSE_CRYPTO_SESSION, 0, &id, 4, NULL, 0),
				 0);
		ck_assert_int_eq(good_req(&f, (uint64_t)id), 0);
	}
	ck_assert_int_eq(close_session(&f, (uint64_t)id), 0);
	ck_assert_int_gt(create(&f, VCRYPTO_SESSION_LAYOUT_DPDK_22_11, &d), 0);
	stats(&st);
	ck_assert_uint_eq(st.sessions_active, 16);
	ck_assert_uint_ge(st.sessions_failed, 4);
	/* Disconnect frees them all. */
	fe_close(&f);
	for (int i = 0; i < 500; i++) {
		stats(&st);
		if (st.state == VCRYPTO_PORT_WAITING)
			break;
		usleep(2000);
	}
	ck_assert_uint_eq(st.sessions_active, 0);
	fe_free(&f);
	vc_test_host_stop(&H);
}
END_TEST

/* Memory-table changes while requests flow (the poller must stop, then resume). */
START_TEST(mem_table_changes_under_load)
{
	struct fe f;
	uint64_t sid;
	uint8_t src[256], want[256];

	host_up(VCRYPTO_PORT_SERVER);
	fe_init(&f);
	fe_connect(&f);
	sid = cbc_enc(&f);
	for (int i = 0; i < 256; i++)
		src[i] = (uint8_t)i;
	oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key16, 16, iv16, src, 256, want);
	for (int round = 0; round < 200; round++) {
		uint8_t *dst[8], *sts[8];
		uint32_t id, len;

		for (int r = 0; r < 8; r++) {
			struct vc_op_data_req *h = galloc(&f, 72);
			uint8_t *iv = galloc(&f, 16), *gs = galloc(&f, 256);

			dst[r] = galloc(&f, 256);
			sts[r] = galloc(&f, 1);
			cipher_hdr(h, iv, sid, VC_CIPHER_ENCRYPT, 16, 256, 256);
			memcpy(gs, src, 256);
			*sts[r] = 0xee;
			{
				struct part p[] = {{gpa(&f, h), 72, false},
						   {gpa(&f, iv), 16, false},
						   {gpa(&f, gs), 256, false},
						   {gpa(&f, dst[r]), 256, true},
						   {gpa(&f, sts[r]), 1, true}};

				put_indirect(&f, p, 5, (uint16_t)(8 * (round % 4) + r));
			}
			if (r == 3) {
				/* A region comes or goes: the host remaps all of them. */
				f.two = !f.two;
				set_mem_table(&f);
			}
		}
		for (int r = 0; r < 8; r++) {
			ck_assert_msg(next_used(&f, &id, &len), "round %d: stalled", round);
		}
		for (int r = 0; r < 8; r++) {
			ck_assert_uint_eq(*sts[r], 0);
			ck_assert(!memcmp(dst[r], want, 256));
		}
	}
	fe_free(&f);
	vc_test_host_stop(&H);
}
END_TEST

/* The host connects (client mode) and reconnects when the front end restarts. */
START_TEST(client_mode_reconnect)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct vcrypto_engine_opts eo = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);
	struct vcrypto_port_opts po = VCRYPTO_OPTS_INIT(vcrypto_port_opts);
	struct vcrypto_port_stats st;
	struct fe f;
	int ls;

	host_up(VCRYPTO_PORT_CLIENT);
	ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memcpy(sa.sun_path, sock_path, sizeof(sa.sun_path) - 1);
	unlink(sock_path);
	ck_assert_int_eq(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(ls, 4), 0);
	eo.nb_ops = 1024;
	eo.nb_queue_pairs = 1;
	po.mode = VCRYPTO_PORT_CLIENT;
	ck_assert_int_eq(
		vc_test_host_start(&H, sock_path, "crypto_openssl_rawc", NULL, &eo, &po, NULL), 0);
	fe_init(&f);
	for (int round = 0; round < 3; round++) {
		f.sock = accept(ls, NULL, NULL);
		ck_assert_int_ge(f.sock, 0);
		f.avail_idx = f.used_seen = 0;
		memset(f.used, 0, 4 + 8 * QSZ + 2);
		f.avail[1] = 0;
		fe_handshake(&f);
		ck_assert_int_eq(good_req(&f, cbc_enc(&f)), 0);
		/* The front end restarts: the host must reconnect by itself. */
		fe_close(&f);
		close(f.callfd);
		close(f.kickfd);
		f.callfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		f.kickfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	}
	stats(&st);
	ck_assert_uint_ge(st.connects, 3);
	fe_free(&f);
	vc_test_host_stop(&H);
	close(ls);
	unlink(sock_path);
}
END_TEST

/* Host port destroyed while a front end is connected with requests in flight. */
START_TEST(port_destroy_while_connected)
{
	struct fe f;
	uint64_t sid;

	host_up(VCRYPTO_PORT_SERVER);
	fe_init(&f);
	fe_connect(&f);
	sid = cbc_enc(&f);
	for (int r = 0; r < 32; r++) {
		uint8_t *h = galloc(&f, 72), *s = galloc(&f, 4096), *d = galloc(&f, 4096);
		uint8_t *iv = galloc(&f, 16), *stb = galloc(&f, 1);
		struct vc_op_data_req *hd = (struct vc_op_data_req *)h;
		struct part p[] = {{gpa(&f, h), 72, false},
				   {gpa(&f, iv), 16, false},
				   {gpa(&f, s), 4096, false},
				   {gpa(&f, d), 4096, true},
				   {gpa(&f, stb), 1, true}};

		cipher_hdr(hd, NULL, sid, VC_CIPHER_ENCRYPT, 16, 4096, 4096);
		put_indirect(&f, p, 5, (uint16_t)r);
	}
	vc_test_host_stop(&H);
	/* The socket is gone and the connection closed. */
	{
		char c;

		ck_assert_int_le(recv(f.sock, &c, 1, 0), 0);
	}
	ck_assert_int_ne(access(sock_path, F_OK), 0);
	fe_free(&f);
}
END_TEST

/* A guest cannot reach another guest's sessions. */
START_TEST(sessions_are_per_port)
{
	struct vcrypto_port *p2 = NULL;
	struct fe a, b;
	char path_a[108];
	uint8_t src[64] = {0}, *dst;
	uint64_t sa, sb;

	host_up(VCRYPTO_PORT_SERVER);
	memcpy(path_a, sock_path, sizeof(path_a));
	vc_test_sock_path(sock_path, sizeof(sock_path), "rawb");
	ck_assert_int_eq(vcrypto_port_create(sock_path, H.engine, NULL, &p2), 0);
	ck_assert_int_eq(vcrypto_poller_add_port(H.poller, p2, 0), 0);
	fe_init(&b);
	{
		/* wait_ready() watches H.port: connect b by hand and poll p2 instead. */
		struct vcrypto_port *keep = H.port;

		fe_connect_raw(&b);
		H.port = p2;
		fe_handshake(&b);
		H.port = keep;
	}
	memcpy(sock_path, path_a, sizeof(sock_path));
	fe_init(&a);
	fe_connect(&a);
	sa = cbc_enc(&a);
	sb = cbc_enc(&b);
	/* The same first id on both ports is fine; each maps to its own session. */
	ck_assert_int_eq(good_req(&a, sa), 0);
	ck_assert_int_eq(good_req(&b, sb), 0);
	/* b closes its session; a's id (numerically equal or not) stays a's. */
	ck_assert_int_eq(close_session(&b, sb), 0);
	dst = galloc(&b, 64);
	ck_assert_int_eq(cipher_req(&b, sa, VC_CIPHER_ENCRYPT, VC_SYM_OP_CIPHER, 16, 64, 64, src,
				    64, dst, 64),
			 VCRYPTO_STATUS_INVSESS);
	ck_assert_int_eq(good_req(&a, sa), 0);
	fe_free(&a);
	fe_free(&b);
	vcrypto_port_destroy(p2);
	vc_test_host_stop(&H);
}
END_TEST

/* Memory-table and call-fd messages from another thread while traffic flows. */
struct storm {
	struct fe *f;
	atomic_bool stop;
	unsigned int msgs;
};

static void *storm_thread(void *arg)
{
	struct storm *st = arg;

	while (!atomic_load(&st->stop)) {
		uint64_t q = 0;

		st->f->two = !st->f->two;
		set_mem_table(st->f);
		if (st->msgs % 3 == 0)
			msg_send(st->f, U_SET_VRING_CALL, 0, &q, 8, &st->f->callfd, 1);
		st->msgs++;
		usleep(200);
	}
	return NULL;
}

START_TEST(mem_table_storm)
{
	struct fe f;
	struct storm st = {.f = &f};
	pthread_t thr;
	uint8_t want[512], src[512];
	uint64_t sid;
	unsigned int done = 0, sent = 0, outstanding = 0;
	uint8_t *bufs[QSZ], *sts[QSZ];
	time_t t0 = time(NULL);

	host_up(VCRYPTO_PORT_SERVER);
	fe_init(&f);
	fe_connect(&f);
	sid = cbc_enc(&f);
	for (int i = 0; i < 512; i++)
		src[i] = (uint8_t)(i * 3);
	oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key16, 16, iv16, src, 512, want);
	for (unsigned int k = 0; k < QSZ; k++) {
		struct vc_op_data_req *h = galloc(&f, 72 + 16 + 1);
		uint8_t *iv = (uint8_t *)h + 72;
		struct vdesc *t = galloc(&f, 5 * 16);
		uint8_t *d;

		bufs[k] = galloc(&f, 1024);
		d = bufs[k] + 512;
		sts[k] = iv + 16;
		cipher_hdr(h, iv, sid, VC_CIPHER_ENCRYPT, 16, 512, 512);
		memcpy(bufs[k], src, 512);
		t[0] = (struct vdesc){gpa(&f, h), 72, F_NEXT, 1};
		t[1] = (struct vdesc){gpa(&f, iv), 16, F_NEXT, 2};
		t[2] = (struct vdesc){gpa(&f, bufs[k]), 512, F_NEXT, 3};
		t[3] = (struct vdesc){gpa(&f, d), 512, F_NEXT | F_WRITE, 4};
		t[4] = (struct vdesc){gpa(&f, sts[k]), 1, F_WRITE, 0};
		f.desc[k] = (struct vdesc){gpa(&f, t), 5 * 16, F_INDIRECT, 0};
	}
	ck_assert_int_eq(pthread_create(&thr, NULL, storm_thread, &st), 0);
	while (time(NULL) - t0 < 8) {
		uint32_t id, len;

		while (outstanding < QSZ) {
			uint16_t head = (uint16_t)(f.avail_idx % QSZ);

			memset(bufs[head] + 512, 0, 512);
			*sts[head] = 0xee;
			f.avail[2 + head] = head;
			f.avail_idx++;
			sent++;
			outstanding++;
		}
		__atomic_store_n(&f.avail[1], f.avail_idx, __ATOMIC_RELEASE);
		ck_assert_msg(next_used(&f, &id, &len), "stalled at %u/%u after %u messages", done,
			      sent, st.msgs);
		ck_assert_uint_lt(id, QSZ);
		ck_assert_uint_eq(*sts[id], 0);
		ck_assert(!memcmp(bufs[id] + 512, want, 512));
		outstanding--;
		done++;
	}
	atomic_store(&st.stop, true);
	pthread_join(thr, NULL);
	fprintf(stderr, "mem_table_storm: %u requests, %u memory-table changes\n", done, st.msgs);
	ck_assert_uint_gt(st.msgs, 100);
	ck_assert_uint_gt(done, 1000);
	fe_free(&f);
	vc_test_host_stop(&H);
}
END_TEST

/*
 * What QEMU does for a guest whose DPDK virtio PMD restarts the device for
 * each program run: the rings are stopped (GET_VRING_BASE) and set up again
 * from index 0 in fresh memory, on the same connection, several times; each
 * run sends a stream of in-place requests (src and dst descriptors on the
 * same buffer) with the ring kept full.
 */
START_TEST(device_restarts_like_dpdk_pmd)
{
	struct fe f;
	uint8_t want[2048], src[2048];

	host_up(VCRYPTO_PORT_SERVER);
	fe_init(&f);
	fe_connect(&f);
	for (int i = 0; i < 2048; i++)
		src[i] = (uint8_t)(i * 7);
	oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key16, 16, iv16, src, 2048, want);
	for (int run = 0; run < 4; run++) {
		uint64_t sid = cbc_enc(&f);
		unsigned int sent = 0, done = 0, outstanding = 0;
		uint8_t *bufs[QSZ], *sts[QSZ];
		struct {
			uint32_t idx, num;
		} vs = {0, 0};
		uint32_t got;

		for (unsigned int k = 0; k < QSZ; k++) {
			struct vc_op_data_req *h = galloc(&f, 72 + 16 + 1);
			uint8_t *iv = (uint8_t *)h + 72;
			struct vdesc *t = galloc(&f, 5 * 16);

			bufs[k] = galloc(&f, 2048);
			sts[k] = iv + 16;
			cipher_hdr(h, iv, sid, VC_CIPHER_ENCRYPT, 16, 2048, 2048);
			t[0] = (struct vdesc){gpa(&f, h), 72, F_NEXT, 1};
			t[1] = (struct vdesc){gpa(&f, iv), 16, F_NEXT, 2};
			t[2] = (struct vdesc){gpa(&f, bufs[k]), 2048, F_NEXT, 3};
			t[3] = (struct vdesc){gpa(&f, bufs[k]), 2048, F_NEXT | F_WRITE, 4};
			t[4] = (struct vdesc){gpa(&f, sts[k]), 1, F_WRITE, 0};
			f.desc[k] = (struct vdesc){gpa(&f, t), 5 * 16, F_INDIRECT, 0};
		}
		while (done < 1000) {
			uint32_t id, len;

			while (sent < 1000 && outstanding < QSZ) {
				uint16_t head = (uint16_t)(f.avail_idx % QSZ);

				memcpy(bufs[head], src, 2048);
				*sts[head] = 0xee;
				f.avail[2 + (f.avail_idx % QSZ)] = head;
				f.avail_idx++;
				sent++;
				outstanding++;
				if (sent % 32 == 0 || sent == 1000)
					__atomic_store_n(&f.avail[1], f.avail_idx,
							 __ATOMIC_RELEASE);
			}
			if (done == 500 && run == 1) {
				/* QEMU: the guest masked the interrupt, no call fd from now on. */
				uint64_t nofd = 0 | (1u << 8);

				ck_assert_int_eq(
					msg_send(&f, U_SET_VRING_CALL, 0, &nofd, 8, NULL, 0), 0);
			}
			ck_assert_msg(next_used(&f, &id, &len), "run %d: stalled at %u/%u", run,
				      done, sent);
			ck_assert_uint_eq(*sts[id], 0);
			ck_assert(!memcmp(bufs[id], want, 2048));
			outstanding--;
			done++;
		}
		/* Stop: GET_VRING_BASE gives back where the host is. */
		ck_assert_int_eq(msg_send(&f, U_GET_VRING_BASE, 0, &vs, 8, NULL, 0), 0);
		ck_assert_int_eq(msg_recv(&f, U_GET_VRING_BASE, &vs, 8, &got), 0);
		ck_assert_uint_eq(vs.num, f.avail_idx);
		ck_assert_int_eq(close_session(&f, sid), 0);
		/* Next run: fresh rings from 0, features and memory table again. */
		memset(f.mem + OFF_DESC, 0, OFF_HEAP);
		f.avail_idx = f.used_seen = 0;
		set_u64(&f, U_SET_FEATURES, 1ull << 30);
		set_mem_table(&f);
		close(f.callfd);
		close(f.kickfd);
		f.callfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		f.kickfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		setup_ring(&f);
		wait_ready();
	}
	fe_free(&f);
	vc_test_host_stop(&H);
}
END_TEST

/* ---- a well-behaved guest (libvcrypto-guest) on a second port, kept busy ---- */

#define BG_SLOTS 16
#define BG_LEN 512

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct bgload {
	struct vcrypto_port *port;
	char path[108];
	struct vcrypto_guest *g;
	uint64_t sid;
	uint8_t *src[BG_SLOTS], *dst[BG_SLOTS];
	uint8_t want[BG_SLOTS][BG_LEN], iv[BG_SLOTS][16];
	pthread_t thr;
	atomic_bool stop;
	atomic_uint done, bad;
	atomic_int first_bad; /* status or errno of the first bad completion */
};

static void bg_bad(struct bgload *b, int why)
{
	int zero = 0;

	atomic_compare_exchange_strong(&b->first_bad, &zero, why ? why : -1000);
	atomic_fetch_add(&b->bad, 1);
}

static void *bg_thread(void *arg)
{
	struct bgload *b = arg;
	struct vcrypto_guest_op ops[BG_SLOTS];
	struct vcrypto_guest_completion c[BG_SLOTS];
	bool busy[BG_SLOTS] = {0};
	unsigned int nbusy = 0;
	uint64_t last = mono_ns();

	for (unsigned int i = 0; i < BG_SLOTS; i++)
		ops[i] = (struct vcrypto_guest_op){.session_id = b->sid,
						   .user_data = i,
						   .iv = b->iv[i],
						   .iv_len = 16,
						   .src = b->src[i],
						   .dst = b->dst[i],
						   .src_len = BG_LEN,
						   .dst_len = BG_LEN};
	while (!atomic_load(&b->stop) || nbusy) {
		int n;

		for (unsigned int i = 0; i < BG_SLOTS && !atomic_load(&b->stop); i++) {
			int r;

			if (busy[i])
				continue;
			memset(b->dst[i], 0, BG_LEN);
			r = vcrypto_guest_submit(b->g, 0, &ops[i], 1);
			if (r == 1) {
				busy[i] = true;
				nbusy++;
			} else if (r < 0) {
				bg_bad(b, r);
			}
		}
		n = vcrypto_guest_poll(b->g, 0, c, BG_SLOTS);
		for (int k = 0; k < n; k++) {
			uint64_t i = c[k].user_data;

			if (i >= BG_SLOTS || !busy[i]) {
				bg_bad(b, -2000);
				continue;
			}
			if (c[k].status != VCRYPTO_STATUS_OK)
				bg_bad(b, c[k].status);
			else if (memcmp(b->dst[i], b->want[i], BG_LEN))
				bg_bad(b, -3000);
			busy[i] = false;
			nbusy--;
			atomic_fetch_add(&b->done, 1);
		}
		if (n > 0) {
			last = mono_ns();
		} else {
			vcrypto_guest_wait(b->g, 0, 5);
			if (mono_ns() - last > 3000000000ull) {
				bg_bad(b, -4000); /* no progress for 3 s */
				break;
			}
		}
	}
	return NULL;
}

/* A second port on H's poller with a busy guest. */
static void bg_start(struct bgload *b)
{
	struct vcrypto_guest_opts o = VCRYPTO_OPTS_INIT(vcrypto_guest_opts);

	memset(b, 0, sizeof(*b));
	vc_test_sock_path(b->path, sizeof(b->path), "rawbg");
	ck_assert_int_eq(vcrypto_port_create(b->path, H.engine, NULL, &b->port), 0);
	ck_assert_int_eq(vcrypto_poller_add_port(H.poller, b->port, 0), 0);
	o.mem_size = 4 << 20;
	o.connect_timeout_ms = 3000;
	ck_assert_int_eq(vcrypto_guest_connect(b->path, &o, &b->g), 0);
	b->sid = vc_test_cipher_session(b->g, VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key16, 16);
	for (unsigned int i = 0; i < BG_SLOTS; i++) {
		ck_assert_int_eq(vcrypto_guest_buf_alloc(b->g, BG_LEN, (void **)&b->src[i]), 0);
		ck_assert_int_eq(vcrypto_guest_buf_alloc(b->g, BG_LEN, (void **)&b->dst[i]), 0);
		for (unsigned int k = 0; k < BG_LEN; k++)
			b->src[i][k] = (uint8_t)(k * 31 + i * 7);
		for (unsigned int k = 0; k < 16; k++)
			b->iv[i][k] = (uint8_t)(i * 16 + k);
		ck_assert_int_eq(oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key16, 16,
					       b->iv[i], b->src[i], BG_LEN, b->want[i]),
				 0);
	}
	ck_assert_int_eq(pthread_create(&b->thr, NULL, bg_thread, b), 0);
}

/* Wait until the busy guest completed @n more requests than @from. */
static unsigned int bg_progress(struct bgload *b, unsigned int from, unsigned int n)
{
	uint64_t t0 = mono_ns();

	while (atomic_load(&b->done) < from + n && mono_ns() - t0 < 5000000000ull)
		usleep(1000);
	return atomic_load(&b->done);
}

static void bg_stop(struct bgload *b)
{
	atomic_store(&b->stop, true);
	pthread_join(b->thr, NULL);
	ck_assert_msg(atomic_load(&b->bad) == 0, "busy guest: %u bad completions (first: %d)",
		      atomic_load(&b->bad), atomic_load(&b->first_bad));
	vcrypto_guest_destroy(b->g);
	vcrypto_port_destroy(b->port);
}

/* A well-behaved guest connects to H.port, gets one correct encryption, leaves. */
static void good_guest_once(void)
{
	struct vcrypto_guest_opts o = VCRYPTO_OPTS_INIT(vcrypto_guest_opts);
	struct vcrypto_guest *g = NULL;
	uint8_t *src, *dst, want[256];
	uint64_t sid;

	o.mem_size = 1 << 20;
	o.queue_size = 64;
	o.connect_timeout_ms = 3000;
	ck_assert_int_eq(vcrypto_guest_connect(sock_path, &o, &g), 0);
	sid = vc_test_cipher_session(g, VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key16, 16);
	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, 256, (void **)&src), 0);
	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, 256, (void **)&dst), 0);
	for (int i = 0; i < 256; i++)
		src[i] = (uint8_t)(i ^ 0x5a);
	ck_assert_int_eq(oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key16, 16, iv16,
				       src, 256, want),
			 0);
	{
		struct vcrypto_guest_op op = {.session_id = sid,
					      .iv = iv16,
					      .iv_len = 16,
					      .src = src,
					      .dst = dst,
					      .src_len = 256,
					      .dst_len = 256};

		ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 5000), VCRYPTO_STATUS_OK);
	}
	ck_assert(!memcmp(dst, want, 256));
	vcrypto_guest_destroy(g);
}

/*
 * Wait until H.port saw @connects connections and is back to WAITING with
 * nothing left of them (checked twice, 5 ms apart).
 */
static void wait_waiting(uint32_t connects, const char *what)
{
	struct vcrypto_port_stats st;
	int stable = 0;

	for (int i = 0; i < 2000 && stable < 2; i++) {
		stats(&st);
		if (st.connects >= connects && st.state == VCRYPTO_PORT_WAITING &&
		    st.sessions_active == 0 && st.inflight == 0 && st.backlog == 0)
			stable++;
		else
			stable = 0;
		usleep(stable ? 5000 : 1000);
	}
	ck_assert_msg(stable >= 2,
		      "%s: port not back to waiting (state %d, connects %u/%u, sessions %u, "
		      "inflight %u, backlog %u)",
		      what, st.state, st.connects, connects, st.sessions_active, st.inflight,
		      st.backlog);
}

/*
 * A front end that asks for dirty-page logging although the host does not
 * offer it (VHOST_F_LOG_ALL, bit 26: docs/design.md, "Live migration"). With
 * NEED_REPLY, SET_FEATURES is refused (a NAK) and the front end can go on
 * with the features offered; without, the host closes the connection and
 * serves the next front end.
 */
START_TEST(dirty_logging_refused)
{
	const uint64_t bad = (1ull << 32) | (1ull << 28) | (1ull << 30) | (1ull << 26);
	struct vcrypto_port_stats st;
	struct fe f;
	uint64_t ack = 0;
	uint32_t got;
	char c;

	host_up(VCRYPTO_PORT_SERVER);
	fe_init(&f);
	fe_connect_raw(&f);
	get_u64(&f, U_GET_PROTOCOL_FEATURES);
	set_u64(&f, U_SET_PROTOCOL_FEATURES, (1ull << 7) | (1ull << 3)); /* REPLY_ACK */
	ck_assert_int_eq(msg_send(&f, U_SET_FEATURES, U_NEED_REPLY, &bad, 8, NULL, 0), 0);
	ck_assert_int_eq(msg_recv(&f, U_SET_FEATURES, &ack, 8, &got), 0);
	ck_assert_uint_ne(ack, 0);
	fe_handshake(&f);
	ck_assert_int_eq(good_req(&f, cbc_enc(&f)), 0);
	fe_free(&f);

	stats(&st);
	fe_init(&f);
	fe_connect_raw(&f);
	get_u64(&f, U_GET_FEATURES);
	ck_assert_int_eq(msg_send(&f, U_SET_FEATURES, 0, &bad, 8, NULL, 0), 0);
	/* (msg_recv's 5 s receive timeout: a connection left open fails here) */
	ck_assert_int_eq(recv(f.sock, &c, 1, 0), 0);
	fe_free(&f);
	wait_waiting(st.connects + 1, "SET_FEATURES with VHOST_F_LOG_ALL");
	good_guest_once();
	vc_test_host_stop(&H);
}
END_TEST

/* ---- handshake steps of a real front end, for the disconnect matrix ---- */

enum {
	HS_GET_FEATURES,
	HS_SET_OWNER,
	HS_GET_PROTOCOL_FEATURES,
	HS_SET_PROTOCOL_FEATURES,
	HS_GET_QUEUE_NUM,
	HS_SET_FEATURES,
	HS_SET_MEM_TABLE,
	HS_SET_VRING_NUM,
	HS_SET_VRING_BASE,
	HS_SET_VRING_ADDR,
	HS_SET_VRING_KICK,
	HS_SET_VRING_CALL,
	HS_SET_VRING_ENABLE,
	HS_CREATE_SESSION,
	HS_REQUEST, /* first request published, not waited for */
	HS_CLOSE_SESSION,
	HS_STEPS
};

static const char *const hs_name[HS_STEPS] = {
	"GET_FEATURES",		 "SET_OWNER",	   "GET_PROTOCOL_FEATURES",
	"SET_PROTOCOL_FEATURES", "GET_QUEUE_NUM",  "SET_FEATURES",
	"SET_MEM_TABLE",	 "SET_VRING_NUM",  "SET_VRING_BASE",
	"SET_VRING_ADDR",	 "SET_VRING_KICK", "SET_VRING_CALL",
	"SET_VRING_ENABLE",	 "CREATE_SESSION", "REQUEST",
	"CLOSE_SESSION"};

/* How the connection ends at step k. */
enum {
	CUT_CLEAN,   /* after steps 0..k-1 */
	CUT_HEADER,  /* step k's header only, promising a payload */
	CUT_PAYLOAD, /* step k's header and half its payload */
	CUT_NOFDS,   /* step k complete but without the file descriptors it needs */
	CUT_KINDS
};
static const char *const cut_name[CUT_KINDS] = {"clean", "header only", "half payload",
						"fds missing"};

struct hmsg {
	uint32_t req, flags, size;
	uint8_t payload[700];
	int fds[2];
	int nfds;
	bool reply;
};

/* Step k's message (false for the request step, which is not a message). */
static bool hs_msg(struct fe *f, int k, uint64_t sid, struct hmsg *m)
{
	uint64_t u;
	struct {
		uint32_t idx, num;
	} st = {0, 0};

	memset(m, 0, sizeof(*m));
	switch (k) {
	case HS_GET_FEATURES:
		m->req = U_GET_FEATURES;
		m->reply = true;
		return true;
	case HS_SET_OWNER:
		m->req = U_SET_OWNER;
		return true;
	case HS_GET_PROTOCOL_FEATURES:
		m->req = U_GET_PROTOCOL_FEATURES;
		m->reply = true;
		return true;
	case HS_SET_PROTOCOL_FEATURES:
		m->req = U_SET_PROTOCOL_FEATURES;
		u = (1ull << 7) | (1ull << 3);
		break;
	case HS_GET_QUEUE_NUM:
		m->req = 17;
		m->reply = true;
		return true;
	case HS_SET_FEATURES:
		m->req = U_SET_FEATURES;
		u = (1ull << 32) | (1ull << 28) | (1ull << 30);
		break;
	case HS_SET_MEM_TABLE: {
		struct {
			uint32_t n, pad;
			uint64_t r[4];
		} mt = {1, 0, {GPA0, MEMSZ, (uint64_t)(uintptr_t)f->mem, 0}};

		m->req = U_SET_MEM_TABLE;
		m->size = sizeof(mt);
		memcpy(m->payload, &mt, sizeof(mt));
		m->fds[0] = f->memfd;
		m->nfds = 1;
		return true;
	}
	case HS_SET_VRING_NUM:
		m->req = U_SET_VRING_NUM;
		st.num = QSZ;
		m->size = sizeof(st);
		memcpy(m->payload, &st, sizeof(st));
		return true;
	case HS_SET_VRING_BASE:
		m->req = U_SET_VRING_BASE;
		m->size = sizeof(st);
		memcpy(m->payload, &st, sizeof(st));
		return true;
	case HS_SET_VRING_ADDR: {
		struct {
			uint32_t idx, flags;
			uint64_t desc, used, avail, log;
		} addr = {0,
			  0,
			  (uint64_t)(uintptr_t)f->desc,
			  (uint64_t)(uintptr_t)f->used,
			  (uint64_t)(uintptr_t)f->avail,
			  0};

		m->req = U_SET_VRING_ADDR;
		m->size = sizeof(addr);
		memcpy(m->payload, &addr, sizeof(addr));
		return true;
	}
	case HS_SET_VRING_KICK:
	case HS_SET_VRING_CALL:
		m->req = k == HS_SET_VRING_KICK ? U_SET_VRING_KICK : U_SET_VRING_CALL;
		m->fds[0] = k == HS_SET_VRING_KICK ? f->kickfd : f->callfd;
		m->nfds = 1;
		u = 0;
		break;
	case HS_SET_VRING_ENABLE:
		m->req = 18;
		st.num = 1;
		m->size = sizeof(st);
		memcpy(m->payload, &st, sizeof(st));
		return true;
	case HS_CREATE_SESSION: {
		struct vc_session_desc d = {.type = VCRYPTO_SESSION_CIPHER,
					    .direction = VCRYPTO_ENCRYPT,
					    .cipher_algo = VCRYPTO_CIPHER_AES_CBC,
					    .cipher_key_len = 16};
		int n;

		memcpy(d.cipher_key, key16, 16);
		n = vcrypto__session_encode(VCRYPTO_SESSION_LAYOUT_DPDK_22_11, &d, m->payload,
					    sizeof(m->payload));
		ck_assert_int_gt(n, 0);
		m->req = VHOST_USER_CREATE_CRYPTO_SESSION;
		m->flags = U_NEED_REPLY;
		m->size = (uint32_t)n;
		m->reply = true;
		return true;
	}
	case HS_CLOSE_SESSION:
		m->req = VHOST_USER_CLOSE_CRYPTO_SESSION;
		m->flags = U_NEED_REPLY;
		m->reply = true;
		u = sid;
		break;
	default:
		return false;
	}
	m->size = 8;
	memcpy(m->payload, &u, 8);
	return true;
}

/*
 * The first requests: 16 of 16 KiB on heads 0..15, published without
 * waiting (some are likely still in the host when the connection drops).
 */
static void hs_request(struct fe *f, uint64_t sid)
{
	for (uint16_t k = 0; k < 16; k++) {
		struct vc_op_data_req *h = galloc(f, 72);
		uint8_t *iv = galloc(f, 16), *src = galloc(f, 16384), *dst = galloc(f, 16384);
		uint8_t *st = galloc(f, 1);

		cipher_hdr(h, iv, sid, VC_CIPHER_ENCRYPT, 16, 16384, 16384);
		memset(src, 0x33 + k, 16384);
		*st = 0xee;
		{
			struct part p[] = {{gpa(f, h), 72, false},
					   {gpa(f, iv), 16, false},
					   {gpa(f, src), 16384, false},
					   {gpa(f, dst), 16384, true},
					   {gpa(f, st), 1, true}};

			put_indirect(f, p, 5, k);
		}
	}
}

/* Do step k completely (replies read and checked). */
static void hs_do(struct fe *f, int k, uint64_t *sid)
{
	struct hmsg m;
	uint8_t reply[700];
	uint32_t got = 0;

	if (k == HS_REQUEST) {
		hs_request(f, *sid);
		return;
	}
	ck_assert(hs_msg(f, k, *sid, &m));
	ck_assert_int_eq(msg_send(f, m.req, m.flags, m.payload, m.size, m.fds, m.nfds), 0);
	if (!m.reply)
		return;
	ck_assert_msg(msg_recv(f, m.req, reply, sizeof(reply), &got) == 0, "no reply to %s",
		      hs_name[k]);
	if (k == HS_CREATE_SESSION) {
		int64_t id;

		ck_assert_uint_ge(got, 16);
		memcpy(&id, reply + vcrypto__session_id_offset(VCRYPTO_SESSION_LAYOUT_DPDK_22_11),
		       8);
		ck_assert_int_gt(id, 0);
		*sid = (uint64_t)id;
	} else if (k == HS_CLOSE_SESSION) {
		uint64_t ack;

		ck_assert_uint_eq(got, 8);
		memcpy(&ack, reply, 8);
		ck_assert_uint_eq(ack, 0);
	}
}

/* Steps 0..k-1, then the cut. False if this cut does not apply to step k. */
static bool hs_run(struct fe *f, int k, int cut)
{
	uint64_t sid = 0;
	struct hmsg m;
	uint8_t buf[12 + 700];
	uint32_t hdr[3];
	size_t n;

	if (cut != CUT_CLEAN && (k >= HS_STEPS || !hs_msg(f, k, 0, &m)))
		return false;
	if (cut == CUT_PAYLOAD && m.size < 2)
		return false;
	if (cut == CUT_NOFDS && !m.nfds)
		return false;
	for (int i = 0; i < k; i++)
		hs_do(f, i, &sid);
	if (cut == CUT_CLEAN)
		return true;
	hs_msg(f, k, sid, &m);
	hdr[0] = m.req;
	hdr[1] = U_VERSION | m.flags;
	hdr[2] = m.size ? m.size : 8; /* a payload is promised */
	memcpy(buf, hdr, 12);
	memcpy(buf + 12, m.payload, m.size);
	switch (cut) {
	case CUT_HEADER:
		n = 12;
		break;
	case CUT_PAYLOAD:
		n = 12 + m.size / 2;
		break;
	default: /* CUT_NOFDS: the whole message, no SCM_RIGHTS */
		n = 12 + m.size;
		break;
	}
	ck_assert_int_eq(send(f->sock, buf, n, MSG_NOSIGNAL), (ssize_t)n);
	return true;
}

/*
 * For every step of a real front end's handshake: connect, do the steps
 * before it, then hang up (cleanly, or in the middle of that step's
 * message). The port must go back to waiting, a well-behaved guest must then
 * be served on the same socket, and a guest on another port of the same
 * poller must be served throughout.
 */
START_TEST(handshake_disconnect_matrix)
{
	struct bgload bg;
	struct vcrypto_port_stats st;
	unsigned int d0, d1 = 0, d2, d3, combos = 0;

	host_up(VCRYPTO_PORT_SERVER);
	bg_start(&bg);
	d0 = bg_progress(&bg, 0, 50);
	ck_assert_uint_ge(d0, 50);
	for (int k = 0; k <= HS_STEPS; k++) {
		for (int cut = 0; cut < CUT_KINDS; cut++) {
			struct fe f;
			char what[96];

			fe_init(&f);
			stats(&st);
			fe_connect_raw(&f);
			if (!hs_run(&f, k, cut)) {
				fe_free(&f);
				/* The bare connection still counts: let the host see it go. */
				wait_waiting(st.connects + 1, "skipped combination");
				continue;
			}
			snprintf(what, sizeof(what), "after %d steps, then %s%s%s", k,
				 cut_name[cut], cut == CUT_CLEAN ? "" : " of ",
				 cut == CUT_CLEAN ? "" : hs_name[k]);
			fe_close(&f);
			wait_waiting(st.connects + 1, what);
			fe_free(&f);
			good_guest_once();
			wait_waiting(st.connects + 2, what);
			combos++;
			if (k == HS_STEPS / 2 && cut == 0)
				d1 = bg_progress(&bg, d0, 1);
		}
	}
	d2 = bg_progress(&bg, d1, 1);
	d3 = bg_progress(&bg, d2, 50);
	fprintf(stderr,
		"handshake_disconnect_matrix: %u combinations; busy guest completed %u before, "
		"%u + %u during, %u after\n",
		combos, d0, d1 - d0, d2 - d1, d3 - d2);
	ck_assert_uint_gt(d1, d0);
	ck_assert_uint_gt(d2, d1);
	ck_assert_uint_gt(d3, d2);
	/*
	 * 17 clean cuts, 15 header-only (every message), 11 half payloads (messages
	 * with one of 2 bytes or more), 3 without their fds.
	 */
	ck_assert_uint_eq(combos, 17 + 15 + 11 + 3);
	/* A raw front end with the full handshake is served as well. */
	{
		struct fe f;

		fe_init(&f);
		fe_connect(&f);
		ck_assert_int_eq(good_req(&f, cbc_enc(&f)), 0);
		fe_free(&f);
	}
	bg_stop(&bg);
	stats(&st);
	ck_assert_uint_eq(st.err_ring, 0);
	vc_test_host_stop(&H);
}
END_TEST

/* ---- the guest writes to the used ring, and rewrites what it published ---- */

struct scribbler {
	struct fe *f;
	atomic_bool stop;
	unsigned int writes;
};

static void *scribble_thread(void *arg)
{
	struct scribbler *sc = arg;
	unsigned int seed = 4242;

	while (!atomic_load(&sc->stop)) {
		uint8_t *u = sc->f->used;
		unsigned int r = (unsigned int)rand_r(&seed);

		switch (r % 5) {
		case 0: /* used->idx backwards or forwards */
			__atomic_store_n(
				(uint16_t *)(u + 2),
				(uint16_t)(*(uint16_t *)(u + 2) + (int)(r >> 8) % 200 - 100),
				__ATOMIC_RELAXED);
			break;
		case 1: /* a used entry */
			__atomic_store_n((uint32_t *)(u + 4 + 8 * ((r >> 8) % QSZ)),
					 (uint32_t)rand_r(&seed), __ATOMIC_RELAXED);
			__atomic_store_n((uint32_t *)(u + 8 + 8 * ((r >> 8) % QSZ)),
					 (uint32_t)rand_r(&seed), __ATOMIC_RELAXED);
			break;
		case 2: /* avail_event */
			__atomic_store_n((uint16_t *)(u + 4 + 8 * QSZ), (uint16_t)rand_r(&seed),
					 __ATOMIC_RELAXED);
			break;
		case 3: /* used flags */
			__atomic_store_n((uint16_t *)u, (uint16_t)rand_r(&seed), __ATOMIC_RELAXED);
			break;
		default: /* used->idx to anything */
			__atomic_store_n((uint16_t *)(u + 2), (uint16_t)rand_r(&seed),
					 __ATOMIC_RELAXED);
			break;
		}
		sc->writes++;
		if (sc->writes % 64 == 0)
			usleep(50);
	}
	return NULL;
}

#define SC_SLOTS 32
#define SC_LEN 256

struct screq {
	uint8_t *src, *dst, *st;
	struct vdesc *t;
};

/* Requests SC_SLOTS on heads 0..SC_SLOTS-1, each with its own buffers and table. */
static void sc_prepare(struct fe *f, uint64_t sid, struct screq *r)
{
	for (unsigned int k = 0; k < SC_SLOTS; k++) {
		struct vc_op_data_req *h = galloc(f, 72 + 16 + 1);
		uint8_t *iv = (uint8_t *)h + 72;

		r[k].t = galloc(f, 5 * 16);
		r[k].src = galloc(f, SC_LEN);
		r[k].dst = galloc(f, SC_LEN);
		r[k].st = iv + 16;
		cipher_hdr(h, iv, sid, VC_CIPHER_ENCRYPT, 16, SC_LEN, SC_LEN);
		for (unsigned int i = 0; i < SC_LEN; i++)
			r[k].src[i] = (uint8_t)(i * 3 + k);
		r[k].t[0] = (struct vdesc){gpa(f, h), 72, F_NEXT, 1};
		r[k].t[1] = (struct vdesc){gpa(f, iv), 16, F_NEXT, 2};
		r[k].t[2] = (struct vdesc){gpa(f, r[k].src), SC_LEN, F_NEXT, 3};
		r[k].t[3] = (struct vdesc){gpa(f, r[k].dst), SC_LEN, F_NEXT | F_WRITE, 4};
		r[k].t[4] = (struct vdesc){gpa(f, r[k].st), 1, F_WRITE, 0};
		f->desc[k] = (struct vdesc){gpa(f, r[k].t), 5 * 16, F_INDIRECT, 0};
	}
}

static void sc_submit(struct fe *f, struct screq *r, unsigned int k)
{
	memset(r[k].dst, 0, SC_LEN);
	__atomic_store_n(r[k].st, 0xee, __ATOMIC_RELEASE);
	publish(f, (uint16_t)k);
}

/* Request k finished (by its status byte): check it against OpenSSL. */
static bool sc_done(struct screq *r, unsigned int k)
{
	uint8_t want[SC_LEN];
	uint8_t s = __atomic_load_n(r[k].st, __ATOMIC_ACQUIRE);

	if (s == 0xee)
		return false;
	ck_assert_uint_eq(s, VCRYPTO_STATUS_OK);
	ck_assert_int_eq(oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key16, 16, iv16,
				       r[k].src, SC_LEN, want),
			 0);
	ck_assert_msg(!memcmp(r[k].dst, want, SC_LEN), "request on head %u: wrong result", k);
	return true;
}

/*
 * While requests are in flight, the guest scribbles on the used ring
 * (index back and forth, entries, avail_event, flags). The host keeps its own
 * used index: it must keep completing (seen through the status bytes), and
 * once the scribbling stops its next used entries must sit exactly where its
 * count of completions says, with the right ids.
 */
START_TEST(guest_scribbles_on_used_ring)
{
	struct bgload bg;
	struct fe f;
	struct scribbler sc = {.f = &f};
	struct screq r[SC_SLOTS];
	struct vcrypto_port_stats s0, s1;
	pthread_t thr;
	unsigned int total = 0, b0, b1;
	bool busy[SC_SLOTS];
	uint64_t sid, t0;

	host_up(VCRYPTO_PORT_SERVER);
	bg_start(&bg);
	fe_init(&f);
	fe_connect(&f);
	sid = cbc_enc(&f);
	sc_prepare(&f, sid, r);
	stats(&s0);
	b0 = bg_progress(&bg, 0, 20);
	for (unsigned int k = 0; k < SC_SLOTS; k++) {
		sc_submit(&f, r, k);
		busy[k] = true;
		total++;
	}
	ck_assert_int_eq(pthread_create(&thr, NULL, scribble_thread, &sc), 0);
	t0 = mono_ns();
	while (mono_ns() - t0 < 1500000000ull) {
		bool any = false;

		for (unsigned int k = 0; k < SC_SLOTS; k++) {
			if (!sc_done(r, k))
				continue;
			sc_submit(&f, r, k);
			total++;
			any = true;
		}
		if (!any)
			usleep(100);
	}
	atomic_store(&sc.stop, true);
	pthread_join(thr, NULL);
	/* Let the last ones finish. */
	t0 = mono_ns();
	for (unsigned int left = SC_SLOTS; left;) {
		left = 0;
		for (unsigned int k = 0; k < SC_SLOTS; k++) {
			if (busy[k] && sc_done(r, k))
				busy[k] = false;
			left += busy[k];
		}
		ck_assert_msg(mono_ns() - t0 < 5000000000ull, "%u requests never completed", left);
		usleep(100);
	}
	fprintf(stderr, "guest_scribbles_on_used_ring: %u requests, %u scribbles\n", total,
		sc.writes);
	ck_assert_uint_gt(total, 2 * SC_SLOTS);
	ck_assert_uint_gt(sc.writes, 1000);
	/*
	 * The host's used index is the number of completions: the next two
	 * used entries land at total and total + 1, whatever used->idx said.
	 */
	for (unsigned int n = 0; n < 2; n++) {
		unsigned int k = 5 + n;
		uint16_t want_idx = (uint16_t)(total + 1);
		uint32_t *e = (uint32_t *)(f.used + 4 + 8 * (total % QSZ));

		e[0] = 0xdeadbeef;
		sc_submit(&f, r, k);
		t0 = mono_ns();
		while (__atomic_load_n((uint16_t *)(f.used + 2), __ATOMIC_ACQUIRE) != want_idx) {
			ck_assert_msg(mono_ns() - t0 < 5000000000ull, "used->idx is %u, want %u",
				      __atomic_load_n((uint16_t *)(f.used + 2), __ATOMIC_ACQUIRE),
				      want_idx);
			usleep(200);
		}
		ck_assert_uint_eq(e[0], k);
		ck_assert_uint_eq(e[1], SC_LEN + 1);
		ck_assert(sc_done(r, k));
		total++;
	}
	f.used_seen = (uint16_t)total;
	ck_assert_int_eq(good_req(&f, sid), 0);
	total++;
	stats(&s1);
	ck_assert_uint_eq(s1.requests - s0.requests, total);
	ck_assert_uint_eq(s1.requests_ok - s0.requests_ok, total);
	ck_assert_uint_eq(s1.err_ring - s0.err_ring, 0);
	b1 = bg_progress(&bg, b0, 1);
	ck_assert_uint_gt(b1, b0);
	fe_free(&f);
	bg_stop(&bg);
	vc_test_host_stop(&H);
}
END_TEST

/*
 * The guest rewrites an avail entry or the descriptors of a request right
 * after publishing it (time of check to time of use): the host completes
 * every published entry with some status (or as a ring error), never
 * crashes, and keeps serving.
 */
START_TEST(guest_rewrites_published_request)
{
	struct bgload bg;
	struct fe f;
	struct screq r[SC_SLOTS];
	struct vcrypto_port_stats s0, s1;
	unsigned int seed = 99, published = 0, b0, b1;
	uint64_t sid;

	host_up(VCRYPTO_PORT_SERVER);
	bg_start(&bg);
	fe_init(&f);
	fe_connect(&f);
	sid = cbc_enc(&f);
	sc_prepare(&f, sid, r);
	stats(&s0);
	b0 = bg_progress(&bg, 0, 20);
	for (unsigned int i = 0; i < 400; i++) {
		unsigned int k = i % 8, what = (unsigned int)rand_r(&seed) % 6;
		uint16_t slot = (uint16_t)(f.avail_idx % QSZ);
		uint32_t id, len;
		struct vdesc keep = f.desc[k], tkeep[5];

		memcpy(tkeep, r[k].t, sizeof(tkeep));
		sc_submit(&f, r, k);
		published++;
		switch (what) {
		case 0: /* the avail entry now names another (maybe absent) head */
			__atomic_store_n(&f.avail[2 + slot], (uint16_t)(rand_r(&seed) % (2 * QSZ)),
					 __ATOMIC_RELAXED);
			break;
		case 1: /* the head descriptor points elsewhere, maybe outside memory */
			f.desc[k].addr = (uint64_t)rand_r(&seed) << (rand_r(&seed) % 24);
			f.desc[k].len = (uint32_t)rand_r(&seed) % 4096;
			break;
		case 2: /* the head loses or gains flags */
			f.desc[k].flags = (uint16_t)(rand_r(&seed) & 7);
			f.desc[k].next = (uint16_t)(rand_r(&seed) % (2 * QSZ));
			break;
		case 3: /* a buffer in the table grows past guest memory */
			r[k].t[rand_r(&seed) % 5].len = (uint32_t)rand_r(&seed);
			break;
		case 4: /* a buffer in the table moves outside guest memory */
			r[k].t[rand_r(&seed) % 5].addr =
				GPA0 + MEMSZ - 8 + (uint64_t)(rand_r(&seed) % 64);
			break;
		default: /* the table's links change */
			r[k].t[rand_r(&seed) % 5].next = (uint16_t)(rand_r(&seed) % 8);
			r[k].t[rand_r(&seed) % 5].flags ^= F_NEXT | F_WRITE;
			break;
		}
		/* Every published entry comes back exactly once. */
		ck_assert_msg(next_used(&f, &id, &len), "entry %u (rewrite %u) never completed", i,
			      what);
		f.desc[k] = keep;
		memcpy(r[k].t, tkeep, sizeof(tkeep));
	}
	ck_assert_int_eq(good_req(&f, sid), 0);
	published++;
	stats(&s1);
	/* Each entry was completed with a status or, without one, as a ring error. */
	ck_assert_uint_eq((s1.requests - s0.requests) + (s1.err_ring - s0.err_ring), published);
	ck_assert_uint_eq(s1.inflight, 0);
	b1 = bg_progress(&bg, b0, 1);
	ck_assert_uint_gt(b1, b0);
	fe_free(&f);
	bg_stop(&bg);
	vc_test_host_stop(&H);
}
END_TEST

/*
 * AES-CBC over 65535 bytes on crypto_aesni_mb goes its own way (chunks
 * through CPU crypto, in place in guest memory or on the poller's buffer):
 * hostile requests on that way too. The good ones, in place and not, source
 * in pieces, destination overlapping the source, must match OpenSSL; the bad
 * ones complete with an error, write nothing to their destination, and the
 * next requests are served.
 */
struct lcbc_case {
	const char *what;
	bool dec;
	uint32_t iv_len, src_len, dst_len;
	uint32_t src_pieces[4];	  /* 0-ended; the source's chain, gaps between the pieces */
	uint32_t dst_piece, ndst; /* the destination's chain: ndst pieces of dst_piece bytes */
	int32_t dst_at;		  /* -1: in place; else the destination this far after the source */
	int want;
};

/* A built request of lcbc_build(): where its parts are. */
struct lcbc_built {
	uint8_t *st, *src[4], *dst[80];
};

/*
 * Build case @p k in guest memory (its source's bytes also in @p in) and
 * point descriptor @p head at it, unpublished.
 */
static void lcbc_build(struct fe *f, const uint64_t *sid, const struct lcbc_case *k, uint8_t *in,
		       uint16_t head, struct lcbc_built *b)
{
	struct vc_op_data_req *h = galloc(f, 72);
	uint8_t *iv = galloc(f, 16);
	struct part p[3 + 4 + 80];
	uint32_t n = 0, ns = 0, np = 0;

	b->st = galloc(f, 1);
	cipher_hdr(h, iv, sid[k->dec], k->dec ? VC_CIPHER_DECRYPT : VC_CIPHER_ENCRYPT, k->iv_len,
		   k->src_len, k->dst_len);
	*b->st = 0xee;
	p[np++] = (struct part){gpa(f, h), 72, false};
	p[np++] = (struct part){gpa(f, iv), 16, false};
	/* The source: one block of guest memory, or pieces with 64 bytes between them. */
	for (; ns < 4 && k->src_pieces[ns]; ns++) {
		b->src[ns] =
			galloc(f, k->src_pieces[ns] + (k->dst_at >= 0 ? (uint32_t)k->dst_at : 0));
		for (uint32_t i = 0; i < k->src_pieces[ns]; i++)
			in[n + i] = b->src[ns][i] = (uint8_t)((n + i) * 7 + k->dec);
		p[np++] = (struct part){gpa(f, b->src[ns]), k->src_pieces[ns], false};
		n += k->src_pieces[ns];
		(void)galloc(f, 64);
	}
	for (uint32_t i = 0; i < k->ndst; i++) {
		if (k->dst_at < 0) /* in place: the one piece of source */
			b->dst[i] = b->src[0];
		else if (k->dst_at > 0) /* overlapping it */
			b->dst[i] = b->src[0] + k->dst_at;
		else
			b->dst[i] = galloc(f, k->dst_piece + 64);
		if (k->dst_at == 0)
			memset(b->dst[i], 0xcd, k->dst_piece);
		p[np++] = (struct part){gpa(f, b->dst[i]), k->dst_piece, true};
	}
	p[np++] = (struct part){gpa(f, b->st), 1, true};
	set_indirect(f, p, np, head);
}

/*
 * Check a completed request of case @p k: a refused one wrote nothing (a
 * separate destination keeps its filler, in place keeps the input), a
 * served one matches OpenSSL. Returns its status.
 */
static int lcbc_check(const struct lcbc_case *k, const struct lcbc_built *b, const uint8_t *in,
		      uint8_t *want)
{
	uint32_t off = 0;

	if (*b->st != VCRYPTO_STATUS_OK) {
		for (uint32_t i = 0; i < k->ndst && k->dst_at == 0; i++)
			for (uint32_t j = 0; j < k->dst_piece; j++)
				ck_assert_msg(b->dst[i][j] == 0xcd, "%s: destination written",
					      k->what);
		if (k->dst_at < 0)
			ck_assert_msg(!memcmp(b->src[0], in, k->src_pieces[0]),
				      "%s: source written", k->what);
		return *b->st;
	}
	ck_assert_int_eq(oracle_cipher(VCRYPTO_CIPHER_AES_CBC,
				       k->dec ? VCRYPTO_DECRYPT : VCRYPTO_ENCRYPT, key16, 16, iv16,
				       in, k->src_len, want),
			 0);
	for (uint32_t i = 0; i < k->ndst; off += k->dst_piece, i++)
		ck_assert_msg(!memcmp(b->dst[i], want + off, k->dst_piece),
			      "%s: piece %u differs from OpenSSL", k->what, i);
	return *b->st;
}

/* Case @p k alone: built, published, waited for and checked; its status. */
static int lcbc_req(struct fe *f, const uint64_t *sid, const struct lcbc_case *k, uint8_t *in,
		    uint8_t *want)
{
	struct lcbc_built b;
	uint32_t id, len;

	f->heap = OFF_HEAP;
	lcbc_build(f, sid, k, in, 5, &b);
	publish(f, 5);
	ck_assert(next_used(f, &id, &len));
	ck_assert_uint_eq(id, 5);
	return lcbc_check(k, &b, in, want);
}

/*
 * The @p nc cases at once, in the order @p order gives (heads 0 to nc - 1,
 * one avail index update), so that the host gathers the good ones side by
 * side with bad ones between them: each must come out as alone. Returns
 * how many were refused.
 */
static unsigned int lcbc_all(struct fe *f, const uint64_t *sid, const struct lcbc_case *cases,
			     const unsigned int *order, unsigned int nc, uint8_t *in, uint8_t *want)
{
	struct lcbc_built b[16];
	unsigned int bad = 0;
	bool seen[16] = {false};
	uint16_t heads[16];

	ck_assert_uint_le(nc, 16);
	f->heap = OFF_HEAP;
	for (unsigned int i = 0; i < nc; i++) {
		size_t before = f->heap;

		lcbc_build(f, sid, &cases[order[i]], in + (size_t)i * 256 * 1024, (uint16_t)i,
			   &b[i]);
		ck_assert_msg(f->heap > before, "guest memory too small for all cases at once");
		heads[i] = (uint16_t)i;
	}
	publish_heads(f, heads, nc);
	for (unsigned int n = 0; n < nc; n++) {
		uint32_t id, len;

		ck_assert(next_used(f, &id, &len));
		ck_assert_uint_lt(id, nc);
		ck_assert_msg(!seen[id], "%s completed twice", cases[order[id]].what);
		seen[id] = true;
	}
	for (unsigned int i = 0; i < nc; i++) {
		const struct lcbc_case *k = &cases[order[i]];
		int r = lcbc_check(k, &b[i], in + (size_t)i * 256 * 1024, want);

		ck_assert_msg(r == k->want, "%s, among the others: status %d, want %d", k->what, r,
			      k->want);
		bad += r != 0;
	}
	return bad;
}

START_TEST(aesni_mb_long_cbc_hostile)
{
	static const struct lcbc_case cases[] = {
		{"in place", false, 16, 131072, 131072, {131072}, 131072, 1, -1, 0},
		{"decryption in place", true, 16, 200000, 200000, {200000}, 200000, 1, -1, 0},
		{"source in pieces",
		 false,
		 16,
		 131072,
		 131072,
		 {40000, 50000, 41072},
		 131072,
		 1,
		 0,
		 0},
		{"destination in pieces", true, 16, 131072, 131072, {131072}, 2048, 64, 0, 0},
		{"destination 16 bytes after the source",
		 false,
		 16,
		 70000,
		 70000,
		 {70000},
		 70000,
		 1,
		 16,
		 0},
		{"destination in 65 pieces",
		 false,
		 16,
		 133120,
		 133120,
		 {133120},
		 2048,
		 65,
		 0,
		 VCRYPTO_STATUS_ERR},
		{"partial block",
		 false,
		 16,
		 65537,
		 65537,
		 {65537},
		 65537,
		 1,
		 0,
		 VCRYPTO_STATUS_BADMSG},
		{"partial block in place",
		 true,
		 16,
		 65552 + 8,
		 65552 + 8,
		 {65560},
		 65560,
		 1,
		 -1,
		 VCRYPTO_STATUS_BADMSG},
		{"destination shorter",
		 false,
		 16,
		 131072,
		 65536,
		 {131072},
		 131072,
		 1,
		 0,
		 VCRYPTO_STATUS_BADMSG},
		{"source beyond its chain",
		 false,
		 16,
		 131072,
		 131072,
		 {65536},
		 131072,
		 1,
		 0,
		 VCRYPTO_STATUS_BADMSG},
		{"destination beyond its chain",
		 false,
		 16,
		 131072,
		 131072,
		 {131072},
		 65536,
		 1,
		 0,
		 VCRYPTO_STATUS_BADMSG},
		{"IV of 8 bytes",
		 false,
		 8,
		 131072,
		 131072,
		 {131072},
		 131072,
		 1,
		 0,
		 VCRYPTO_STATUS_BADMSG},
		{"over max_request_len",
		 false,
		 16,
		 4u << 20,
		 4u << 20,
		 {131072},
		 131072,
		 1,
		 0,
		 VCRYPTO_STATUS_BADMSG},
	};
	struct vcrypto_port_stats s0, s1;
	uint8_t *in = malloc(16 * 256 * 1024), *want = malloc(256 * 1024);
	uint64_t sid[2];
	static const unsigned int order[] = {0, 5, 2, 6, 4, 7, 8, 9, 10, 11, 12, 1, 3};
	const unsigned int nc = sizeof(cases) / sizeof(cases[0]);
	unsigned int bad = 0, ok = 0;
	struct fe f;

	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(want);
	if (!aesni_host_up()) {
		free(in);
		free(want);
		return;
	}
	ck_assert_int_eq(vcrypto_port_set_zero_copy(H.port, VCRYPTO_ZERO_COPY_ON), 0);
	fe_init(&f);
	fe_connect(&f);
	sid[0] = cbc_session(&f, VCRYPTO_ENCRYPT);
	sid[1] = cbc_session(&f, VCRYPTO_DECRYPT);
	stats(&s0);
	for (unsigned int i = 0; i < nc; i++) {
		int r = lcbc_req(&f, sid, &cases[i], in, want);

		ck_assert_msg(r == cases[i].want, "%s: status %d, want %d", cases[i].what, r,
			      cases[i].want);
		if (r)
			bad++;
		else
			ok++;
		/* The queue goes on: a long request and a short one after each. */
		ck_assert_int_eq(lcbc_req(&f, sid, &cases[0], in, want), 0);
		ck_assert_msg(good_req(&f, sid[0]) == 0, "good request after %s", cases[i].what);
	}
	stats(&s1);
	ck_assert_uint_eq(s1.err_other - s0.err_other, 1);
	ck_assert_uint_eq(s1.err_badmsg - s0.err_badmsg, bad - 1);
	ck_assert_uint_eq(s1.err_ring - s0.err_ring, 0);
	/* Served: the good cases, and the long and short request after every case. */
	ck_assert_uint_eq(s1.requests - s0.requests, ok + bad + 2 * nc);
	/* Zero copy: the long ones in place (2 cases and the one after each case), the short ones. */
	ck_assert_uint_eq(s1.zero_copy_requests - s0.zero_copy_requests, 2 + 2 * nc);
	/*
	 * All at once, then a request alone: the same outcomes, the same
	 * counts. The encryptions that are served (0, 2, 4) with refused ones
	 * between them, the decryptions (1, 3) last.
	 */
	ck_assert_uint_eq(nc, 13);
	ck_assert_uint_eq(lcbc_all(&f, sid, cases, order, nc, in, want), bad);
	ck_assert_int_eq(lcbc_req(&f, sid, &cases[0], in, want), 0);
	stats(&s0);
	ck_assert_uint_eq(s0.err_other - s1.err_other, 1);
	ck_assert_uint_eq(s0.err_badmsg - s1.err_badmsg, bad - 1);
	ck_assert_uint_eq(s0.requests - s1.requests, nc + 1);
	ck_assert_uint_eq(s0.zero_copy_requests - s1.zero_copy_requests, 3);
	free(in);
	free(want);
	fe_free(&f);
	vc_test_host_stop(&H);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("host_raw");

	if (vc_test_eal_init(NULL, 512))
		return 77;
#define ADD(t) VC_TCASE(s, t, 60)
	ADD(bad_requests_over_vhost_user);
	ADD(output_in_too_many_pieces);
	ADD(second_front_end_passes_fds);
	ADD(aead_large);
	ADD(aesni_mb_long_cbc_hostile);
	ADD(zero_copy_chains);
	ADD(hostile_rings_over_vhost_user);
	ADD(session_messages);
	ADD(mem_table_changes_under_load);
	ADD(client_mode_reconnect);
	ADD(port_destroy_while_connected);
	ADD(device_restarts_like_dpdk_pmd);
	ADD(mem_table_storm);
	ADD(sessions_are_per_port);
	ADD(dirty_logging_refused);
	ADD(handshake_disconnect_matrix);
	ADD(guest_scribbles_on_used_ring);
	ADD(guest_rewrites_published_request);
	return vc_check_run(s);
}
