/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * The guest's vhost-user conversation against a scripted fake back end (a
 * thread on a real UNIX socket): message order, flags and payloads, the
 * memory table and vring addresses, session messages and every error path
 * of connect and session creation (missing features, refusals, malformed
 * replies, a host that hangs up).
 */

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <vcrypto/guest.h>

#include "common/session_msg.h"
#include "guest/guest_internal.h"

struct hdr {
	uint32_t request, flags, size;
};

struct fake {
	char path[108];
	int lfd;
	pthread_t th;
	/* script */
	uint64_t features, protocol_features, queue_num;
	int64_t session_reply; /* id or negative status */
	uint32_t fail_request; /* ack 1 for this request */
	uint32_t hangup_at;    /* close when this request arrives (0: never) */
	uint32_t bad_reply_to; /* reply to this request with a wrong request code */
	uint32_t odd_size_to;  /* reply to this request with odd_size zero bytes of payload */
	uint32_t odd_size;
	uint64_t close_ack;
	unsigned int session_delay_ms; /* CREATE_CRYPTO_SESSION: reply this late */
	uint64_t set_f, set_pf;	       /* values of SET_FEATURES, SET_PROTOCOL_FEATURES */
	/* record */
	uint32_t req[128], flags[128], size[128], nfds[128];
	uint8_t session_payload[1200];
	uint32_t session_size;
	uint64_t mem[5]; /* nregions, gpa, size, uaddr, offset */
	uint64_t vring_addr[4][3];
	unsigned int n;
};

static int recv_msg(int fd, struct hdr *h, uint8_t *payload, int *nfds)
{
	char cbuf[CMSG_SPACE(8 * sizeof(int))];
	struct iovec iov = {h, sizeof(*h)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf)};
	ssize_t r = recvmsg(fd, &mh, 0);

	*nfds = 0;
	if (r != sizeof(*h))
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			int fds[8];

			memcpy(fds, CMSG_DATA(c), (size_t)n * sizeof(int));
			for (int i = 0; i < n; i++)
				close(fds[i]);
			*nfds += n;
		}
	}
	if (h->size > 1200)
		return -1;
	if (h->size && recv(fd, payload, h->size, MSG_WAITALL) != (ssize_t)h->size)
		return -1;
	return 0;
}

static void reply(int fd, const struct hdr *req, const void *p, uint32_t size)
{
	struct hdr h = {req->request, 0x1 | 0x4, size};

	send(fd, &h, sizeof(h), MSG_NOSIGNAL);
	if (size)
		send(fd, p, size, MSG_NOSIGNAL);
}

static void *serve(void *arg)
{
	struct fake *f = arg;
	uint8_t p[1200];
	struct hdr h;
	int fd = accept(f->lfd, NULL, NULL), nfds;

	if (fd < 0)
		return NULL;
	while (recv_msg(fd, &h, p, &nfds) == 0) {
		unsigned int i = f->n < 128 ? f->n++ : 127;
		uint64_t v = 0;

		f->req[i] = h.request;
		f->flags[i] = h.flags;
		f->size[i] = h.size;
		f->nfds[i] = (uint32_t)nfds;
		if (h.request == f->hangup_at)
			break;
		if (h.request == f->odd_size_to) {
			static const uint8_t zero[1200];

			reply(fd, &h, zero, f->odd_size);
			continue;
		}
		if (h.request == f->bad_reply_to) {
			struct hdr w = {h.request + 1, 0x5, 8};

			send(fd, &w, sizeof(w), MSG_NOSIGNAL);
			send(fd, &v, 8, MSG_NOSIGNAL);
			continue;
		}
		switch (h.request) {
		case 1: /* GET_FEATURES */
			reply(fd, &h, &f->features, 8);
			continue;
		case 15: /* GET_PROTOCOL_FEATURES */
			reply(fd, &h, &f->protocol_features, 8);
			continue;
		case 17: /* GET_QUEUE_NUM */
			reply(fd, &h, &f->queue_num, 8);
			continue;
		case 2: /* SET_FEATURES */
			memcpy(&f->set_f, p, 8);
			break;
		case 16: /* SET_PROTOCOL_FEATURES */
			memcpy(&f->set_pf, p, 8);
			break;
		case 5: /* SET_MEM_TABLE */
			memcpy(&f->mem[0], p, 8);
			memcpy(&f->mem[1], p + 8, 32);
			break;
		case 9: /* SET_VRING_ADDR */
		{
			uint32_t idx;

			memcpy(&idx, p, 4);
			if (idx < 4) {
				memcpy(&f->vring_addr[idx][0], p + 8, 8);  /* desc */
				memcpy(&f->vring_addr[idx][1], p + 16, 8); /* used */
				memcpy(&f->vring_addr[idx][2], p + 24, 8); /* avail */
			}
			break;
		}
		case 26: /* CREATE_CRYPTO_SESSION */
			if (f->session_delay_ms)
				usleep(f->session_delay_ms * 1000u);
			memcpy(f->session_payload, p, h.size);
			f->session_size = h.size;
			memcpy(p + vcrypto__session_id_offset(
					   h.size == 632 ? VCRYPTO_SESSION_LAYOUT_DPDK_22_11 :
							   VCRYPTO_SESSION_LAYOUT_QEMU_8),
			       &f->session_reply, 8);
			reply(fd, &h, p, h.size);
			continue;
		case 27: /* CLOSE_CRYPTO_SESSION */
			if (h.flags & 0x8)
				reply(fd, &h, &f->close_ack, 8);
			continue;
		default:
			break;
		}
		if (h.flags & 0x8) {
			v = h.request == f->fail_request;
			reply(fd, &h, &v, 8);
		}
	}
	close(fd);
	return NULL;
}

#define F_VERSION_1 (1ull << 32)
#define F_INDIRECT (1ull << 28)
#define F_EVENT_IDX (1ull << 29)
#define F_PROTOCOL (1ull << 30)
#define PF_MQ (1ull << 0)
#define PF_REPLY_ACK (1ull << 3)
#define PF_CRYPTO (1ull << 7)
#define PF_STATUS (1ull << 16)

static struct fake *fake_new(void)
{
	static unsigned int n;
	struct fake *f = calloc(1, sizeof(*f));
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	ck_assert_ptr_nonnull(f);
	snprintf(f->path, sizeof(f->path), "/tmp/vcg-fake-%d-%u.sock", (int)getpid(), n++);
	unlink(f->path);
	strcpy(sa.sun_path, f->path);
	f->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(f->lfd, 0);
	ck_assert_int_eq(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(f->lfd, 1), 0);
	f->features = F_VERSION_1 | F_INDIRECT | F_EVENT_IDX | F_PROTOCOL | (1ull << 24);
	f->protocol_features = PF_MQ | PF_REPLY_ACK | PF_CRYPTO | PF_STATUS | (1ull << 9);
	f->queue_num = 4;
	f->session_reply = 42;
	ck_assert_int_eq(pthread_create(&f->th, NULL, serve, f), 0);
	return f;
}

static void fake_free(struct fake *f)
{
	shutdown(f->lfd, SHUT_RDWR);
	pthread_join(f->th, NULL);
	close(f->lfd);
	unlink(f->path);
	free(f);
}

static int connect_to(struct fake *f, uint16_t nq, uint32_t flags, struct vcrypto_guest **g)
{
	struct vcrypto_guest_opts o = VCRYPTO_OPTS_INIT(vcrypto_guest_opts);

	o.num_queues = nq;
	o.queue_size = 64;
	o.mem_size = 1 << 20;
	o.flags = flags;
	return vcrypto_guest_connect(f->path, &o, g);
}

static unsigned int find(const struct fake *f, uint32_t req, unsigned int from)
{
	for (unsigned int i = from; i < f->n; i++)
		if (f->req[i] == req)
			return i;
	return UINT32_MAX;
}

START_TEST(negotiation_sequence)
{
	struct fake *f = fake_new();
	struct vcrypto_guest *g = NULL;
	unsigned int i;

	ck_assert_int_eq(connect_to(f, 2, 0, &g), 0);
	/* the whole setup was acknowledged, so the record is complete */
	ck_assert_uint_eq(f->req[0], 1);  /* GET_FEATURES */
	ck_assert_uint_eq(f->req[1], 15); /* GET_PROTOCOL_FEATURES */
	ck_assert_uint_eq(f->req[2], 16); /* SET_PROTOCOL_FEATURES: no NEED_REPLY yet */
	ck_assert_uint_eq(f->flags[2], 0x1);
	ck_assert_uint_eq(f->req[3], 17); /* GET_QUEUE_NUM (MQ) */
	ck_assert_uint_eq(f->req[4], 3);  /* SET_OWNER */
	ck_assert_uint_eq(f->flags[4], 0x1 | 0x8);
	ck_assert_uint_eq(f->req[5], 2); /* SET_FEATURES */
	i = find(f, 5, 0);		 /* SET_MEM_TABLE with one fd */
	ck_assert_uint_ne(i, UINT32_MAX);
	ck_assert_uint_eq(f->nfds[i], 1);
	ck_assert_uint_eq(f->flags[i], 0x1 | 0x8);
	ck_assert_uint_eq(f->mem[0], 1);
	ck_assert_uint_ge(f->mem[2], 1 << 20);
	/* vring addresses are our virtual addresses inside the region */
	for (int q = 0; q < 2; q++)
		for (int k = 0; k < 3; k++) {
			ck_assert_uint_ge(f->vring_addr[q][k], f->mem[3]);
			ck_assert_uint_lt(f->vring_addr[q][k], f->mem[3] + f->mem[2]);
		}
	ck_assert_uint_ne(f->vring_addr[0][0], f->vring_addr[1][0]);
	/* per queue NUM, BASE, ADDR, KICK (fd), CALL (fd); then ENABLE for each */
	i = find(f, 8, i);
	ck_assert_uint_eq(f->req[i + 1], 10);
	ck_assert_uint_eq(f->req[i + 2], 9);
	ck_assert_uint_eq(f->req[i + 3], 12);
	ck_assert_uint_eq(f->nfds[i + 3], 1);
	ck_assert_uint_eq(f->req[i + 4], 13);
	ck_assert_uint_eq(f->nfds[i + 4], 1);
	ck_assert_uint_eq(f->req[i + 5], 8); /* queue 1 */
	ck_assert_uint_eq(f->req[i + 10], 18);
	ck_assert_uint_eq(f->req[i + 11], 18);
	ck_assert_uint_eq(f->n, i + 12);
	ck_assert_uint_eq(f->set_pf, PF_CRYPTO | PF_REPLY_ACK | PF_MQ);
	vcrypto_guest_destroy(g);
	fake_free(f);
}
END_TEST

START_TEST(feature_values)
{
	struct fake *f = fake_new();
	struct vcrypto_guest *g = NULL;

	ck_assert_int_eq(connect_to(f, 1, 0, &g), 0);
	/* CRYPTO_SESSION | REPLY_ACK only: no MQ for one queue, never STATUS */
	ck_assert_uint_eq(f->size[2], 8);
	ck_assert_uint_eq(f->set_pf, PF_CRYPTO | PF_REPLY_ACK);
	/* what we need and the host has; not NOTIFY_ON_EMPTY (bit 24) */
	ck_assert_uint_eq(f->set_f, F_VERSION_1 | F_INDIRECT | F_EVENT_IDX | F_PROTOCOL);
	ck_assert_uint_eq(find(f, 13, 0) < find(f, 18, 0), 1);
	vcrypto_guest_destroy(g);
	fake_free(f);
	f = fake_new();
	ck_assert_int_eq(connect_to(f, 1, VCRYPTO_GUEST_F_NO_EVENT_IDX, &g), 0);
	ck_assert_uint_eq(f->set_f, F_VERSION_1 | F_INDIRECT | F_PROTOCOL);
	vcrypto_guest_destroy(g);
	fake_free(f);
	/* ANY_LAYOUT (bit 27) when the host offers it, unless a descriptor per part is asked for */
	f = fake_new();
	f->features |= 1ull << 27;
	ck_assert_int_eq(connect_to(f, 1, 0, &g), 0);
	ck_assert_uint_eq(f->set_f,
			  F_VERSION_1 | F_INDIRECT | F_EVENT_IDX | F_PROTOCOL | 1ull << 27);
	vcrypto_guest_destroy(g);
	fake_free(f);
	f = fake_new();
	f->features |= 1ull << 27;
	ck_assert_int_eq(connect_to(f, 1, VCRYPTO_GUEST_F_DESC_PER_PART, &g), 0);
	ck_assert_uint_eq(f->set_f, F_VERSION_1 | F_INDIRECT | F_EVENT_IDX | F_PROTOCOL);
	vcrypto_guest_destroy(g);
	fake_free(f);
}
END_TEST

START_TEST(missing_features)
{
	struct fake *f;
	struct vcrypto_guest *g = NULL;

	f = fake_new();
	f->features &= ~F_PROTOCOL;
	ck_assert_int_eq(connect_to(f, 1, 0, &g), -ENOTSUP);
	fake_free(f);
	f = fake_new();
	f->features &= ~F_VERSION_1;
	ck_assert_int_eq(connect_to(f, 1, 0, &g), -ENOTSUP);
	fake_free(f);
	f = fake_new();
	f->protocol_features &= ~PF_CRYPTO;
	ck_assert_int_eq(connect_to(f, 1, 0, &g), -ENOTSUP);
	fake_free(f);
	f = fake_new();
	f->protocol_features &= ~PF_REPLY_ACK;
	ck_assert_int_eq(connect_to(f, 1, 0, &g), -ENOTSUP);
	fake_free(f);
	f = fake_new();
	f->features &= ~F_INDIRECT;
	ck_assert_int_eq(connect_to(f, 1, 0, &g), -ENOTSUP);
	fake_free(f);
	/* ... but direct descriptors do without INDIRECT_DESC */
	f = fake_new();
	f->features &= ~F_INDIRECT;
	ck_assert_int_eq(connect_to(f, 1, VCRYPTO_GUEST_F_DIRECT_DESC, &g), 0);
	vcrypto_guest_destroy(g);
	fake_free(f);
	f = fake_new();
	f->protocol_features &= ~PF_MQ;
	g = NULL;
	ck_assert_int_eq(connect_to(f, 2, 0, &g), -ENOTSUP);
	fake_free(f);
	f = fake_new();
	f->queue_num = 1;
	ck_assert_int_eq(connect_to(f, 2, 0, &g), -ENOTSUP);
	ck_assert_ptr_null(g);
	fake_free(f);
}
END_TEST

START_TEST(host_errors)
{
	struct fake *f;
	struct vcrypto_guest *g = NULL;

	f = fake_new();
	f->fail_request = 5; /* SET_MEM_TABLE refused */
	ck_assert_int_eq(connect_to(f, 1, 0, &g), -EIO);
	fake_free(f);
	f = fake_new();
	f->bad_reply_to = 15;
	ck_assert_int_eq(connect_to(f, 1, 0, &g), -EPROTO);
	fake_free(f);
	f = fake_new();
	f->hangup_at = 9; /* host hangs up during vring setup */
	ck_assert_int_eq(connect_to(f, 1, 0, &g), -ENOTCONN);
	ck_assert_ptr_null(g);
	fake_free(f);
}
END_TEST

/*
 * Replies of the wrong size: the guest reads (and drops) all of a longer
 * one, so the stream stays in step, and refuses it with -EPROTO; no guest
 * comes out of it.
 */
START_TEST(malformed_replies)
{
	static const struct {
		uint32_t req, size;
		uint16_t nq;
	} cases[] = {
		{1, 16, 1},  /* GET_FEATURES: a u64 and more */
		{1, 300, 1}, /* ... more than the reply buffer */
		{17, 4, 2},  /* GET_QUEUE_NUM (asked for two queues or more): half a u64 */
		{15, 0, 1},  /* GET_PROTOCOL_FEATURES: nothing */
		{5, 16, 1},  /* the ack of SET_MEM_TABLE */
		{2, 4, 1},   /* the ack of SET_FEATURES */
	};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake *f = fake_new();
		struct vcrypto_guest *g = NULL;

		f->odd_size_to = cases[i].req;
		f->odd_size = cases[i].size;
		ck_assert_msg(connect_to(f, cases[i].nq, 0, &g) == -EPROTO, "request %u, %u bytes",
			      cases[i].req, cases[i].size);
		ck_assert_ptr_null(g);
		ck_assert_uint_ne(find(f, cases[i].req, 0), UINT32_MAX);
		fake_free(f);
	}
}
END_TEST

/* AES-128-CBC encryption with @key (16 bytes). */
static struct vcrypto_session_params cbc_params(const uint8_t *key)
{
	struct vcrypto_session_params p = {.sz = sizeof(p),
					   .type = VCRYPTO_SESSION_CIPHER,
					   .direction = VCRYPTO_ENCRYPT,
					   .cipher_algo = VCRYPTO_CIPHER_AES_CBC,
					   .cipher_key = key,
					   .cipher_key_len = 16};

	return p;
}

START_TEST(session_messages)
{
	struct fake *f = fake_new();
	struct vcrypto_guest *g = NULL;
	uint8_t key[16] = {0x11, 0x22};
	struct vcrypto_session_params p = cbc_params(key);
	struct vc_session_desc d;
	uint64_t id = 0;
	unsigned int i;

	ck_assert_int_eq(connect_to(f, 1, 0, &g), 0);
	ck_assert_int_eq(vcrypto_guest_session_create(g, &p, &id), 0);
	ck_assert_uint_eq(id, 42);
	i = find(f, 26, 0);
	ck_assert_uint_eq(f->flags[i], 0x1 | 0x8);
	ck_assert_uint_eq(f->session_size, 632);
	ck_assert_int_eq(vcrypto__session_decode(VCRYPTO_SESSION_LAYOUT_DPDK_22_11,
						 f->session_payload, 632, &d, NULL),
			 0);
	ck_assert_int_eq(d.cipher_algo, VCRYPTO_CIPHER_AES_CBC);
	ck_assert_mem_eq(d.cipher_key, key, 16);
	/* the host's refusals */
	f->session_reply = -3;
	ck_assert_int_eq(vcrypto_guest_session_create(g, &p, &id), -ENOTSUP);
	f->session_reply = -6;
	ck_assert_int_eq(vcrypto_guest_session_create(g, &p, &id), -EKEYREJECTED);
	f->session_reply = -5;
	ck_assert_int_eq(vcrypto_guest_session_create(g, &p, &id), -ENOSPC);
	f->session_reply = -1;
	ck_assert_int_eq(vcrypto_guest_session_create(g, &p, &id), -EIO);
	ck_assert_uint_eq(id, 42);
	/* close: NEED_REPLY; a refusal is -EIO and the session stays usable */
	f->close_ack = 1;
	ck_assert_int_eq(vcrypto_guest_session_close(g, 42), -EIO);
	f->close_ack = 0;
	ck_assert_int_eq(vcrypto_guest_session_close(g, 42), 0);
	i = find(f, 27, 0);
	ck_assert_uint_eq(f->flags[i], 0x1 | 0x8);
	ck_assert_uint_eq(f->size[i], 8);
	ck_assert_int_eq(vcrypto_guest_session_close(g, 42), -EBADF);
	/* a reply too short to hold the session id: refused, the stream still in step */
	f->odd_size_to = 26;
	f->odd_size = 4;
	ck_assert_int_eq(vcrypto_guest_session_create(g, &p, &id), -EPROTO);
	f->odd_size_to = 0;
	f->session_reply = 43;
	ck_assert_int_eq(vcrypto_guest_session_create(g, &p, &id), 0);
	ck_assert_uint_eq(id, 43);
	/* a malformed reply */
	f->bad_reply_to = 26;
	ck_assert_int_eq(vcrypto_guest_session_create(g, &p, &id), -EPROTO);
	ck_assert(!vcrypto_guest_is_connected(g));
	vcrypto_guest_destroy(g);
	fake_free(f);
}
END_TEST

/*
 * A host that answers CREATE_CRYPTO_SESSION after the guest stopped waiting:
 * the call fails with -ETIMEDOUT and the connection is given up, so that
 * the late reply (the id of a session with the first call's key) is not
 * taken for the next call's.
 */
START_TEST(late_reply)
{
	struct fake *f = fake_new();
	struct vcrypto_guest *g = NULL;
	uint8_t key[16] = {0x33};
	struct vcrypto_session_params p = cbc_params(key);
	uint64_t id = 7;

	ck_assert_int_eq(connect_to(f, 1, 0, &g), 0);
	g->reply_timeout_ms = 100;
	f->session_delay_ms = 300;
	ck_assert_int_eq(vcrypto_guest_session_create(g, &p, &id), -ETIMEDOUT);
	ck_assert(!vcrypto_guest_is_connected(g));
	usleep(400 * 1000); /* the late reply is in the socket now */
	f->session_delay_ms = 0;
	key[0] = 0x44;
	ck_assert_int_eq(vcrypto_guest_session_create(g, &p, &id), -ENOTCONN);
	ck_assert_uint_eq(id, 7);
	vcrypto_guest_destroy(g);
	fake_free(f);
}
END_TEST

START_TEST(session_qemu8)
{
	struct fake *f = fake_new();
	struct vcrypto_guest_opts o = VCRYPTO_OPTS_INIT(vcrypto_guest_opts);
	struct vcrypto_guest *g = NULL;
	struct vcrypto_session_params p = {
		.sz = sizeof(p), .type = VCRYPTO_SESSION_HASH, .hash_algo = VCRYPTO_HASH_SHA_256};
	uint64_t id = 0, op;

	o.session_layout = VCRYPTO_SESSION_LAYOUT_QEMU_8;
	o.mem_size = 1 << 20;
	ck_assert_int_eq(vcrypto_guest_connect(f->path, &o, &g), 0);
	f->session_reply = 7;
	ck_assert_int_eq(vcrypto_guest_session_create(g, &p, &id), 0);
	ck_assert_uint_eq(id, 7);
	ck_assert_uint_eq(f->session_size, 1072);
	memcpy(&op, f->session_payload, 8);
	ck_assert_uint_eq(op, 0x102); /* HASH_CREATE_SESSION */
	vcrypto_guest_destroy(g);
	fake_free(f);
	/* QEMU 7 cannot carry a HASH session */
	f = fake_new();
	o.session_layout = VCRYPTO_SESSION_LAYOUT_QEMU_7;
	ck_assert_int_eq(vcrypto_guest_connect(f->path, &o, &g), 0);
	ck_assert_int_eq(vcrypto_guest_session_create(g, &p, &id), -ENOTSUP);
	ck_assert_uint_eq(find(f, 26, 0), UINT32_MAX); /* nothing was sent */
	vcrypto_guest_destroy(g);
	fake_free(f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("guest_vhost");
	TCase *tc = tcase_create("vhost");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, negotiation_sequence);
	tcase_add_test(tc, feature_values);
	tcase_add_test(tc, missing_features);
	tcase_add_test(tc, host_errors);
	tcase_add_test(tc, malformed_replies);
	tcase_add_test(tc, session_messages);
	tcase_add_test(tc, session_qemu8);
	tcase_add_test(tc, late_reply);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
