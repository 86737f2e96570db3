/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * libvcrypto-guest against DPDK 22.11's own vhost-crypto back end
 * (tests/integration/ref_host.c): real vhost-user socket, real memfd
 * memory, crypto_openssl. Results are checked against NIST SP 800-38A
 * vectors and OpenSSL.
 */

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <vcrypto/guest.h>

#include "oracle.h"
#include "ref_host.h"
#include "check_run.h"
#include "guest_session.h"

static char sock_path[108];
static struct ref_host *host;

static void host_up(void)
{
	static unsigned int n;

	snprintf(sock_path, sizeof(sock_path), "/tmp/vcg-%d-%u.sock", (int)getpid(), n++);
	ck_assert_int_eq(ref_host_start(sock_path, &host), 0);
}

/* A new host on the same socket path. */
static void host_restart(void)
{
	ck_assert_int_eq(ref_host_start(sock_path, &host), 0);
}

static void host_down(void)
{
	ref_host_stop(host);
	host = NULL;
}

static struct vcrypto_guest *guest_up(uint16_t queue_size)
{
	struct vcrypto_guest_opts o = VCRYPTO_OPTS_INIT(vcrypto_guest_opts);
	struct vcrypto_guest *g = NULL;

	o.queue_size = queue_size;
	o.mem_size = 8 << 20;
	o.connect_timeout_ms = 2000;
	ck_assert_int_eq(vcrypto_guest_connect(sock_path, &o, &g), 0);
	ck_assert(vcrypto_guest_is_connected(g));
	return g;
}

static void fill_random(uint8_t *p, size_t n, unsigned int *seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rand_r(seed);
}

/* NIST SP 800-38A F.2: CBC-AES128 and CBC-AES256 */
static const char *nist_iv = "000102030405060708090a0b0c0d0e0f";
static const char *nist_pt = "6bc1bee22e409f96e93d7e117393172a"
			     "ae2d8a571e03ac9c9eb76fac45af8e51"
			     "30c81c46a35ce411e5fbc1191a0a52ef"
			     "f69f2445df4f9b17ad2b417be66c3710";
static const char *nist_key128 = "2b7e151628aed2a6abf7158809cf4f3c";
static const char *nist_ct128 = "7649abac8119b246cee98e9b12e9197d"
				"5086cb9b507219ee95db113a917678b2"
				"73bed6b8e3c1743b7116e69e22229516"
				"3ff1caa1681fac09120eca307586e1a7";
static const char *nist_key256 = "603deb1015ca71be2b73aef0857d7781"
				 "1f352c073b6108d72d9810a30914dff4";
static const char *nist_ct256 = "f58c4c04d6e5f1ba779eabfb5f7bfbd6"
				"9cfc4e967edb808d679f777bc6702c7d"
				"39f23369a9d9bacfa530e26304231461"
				"b2eb05e2c39be9fcda6c19078c6a9d1b";

static void nist_case(const char *khex, const char *cthex)
{
	struct vcrypto_guest *g = guest_up(0);
	uint8_t key[32], iv[16], pt[64], ct[64];
	int klen = oracle_hex(khex, key, sizeof(key));
	uint64_t enc, dec;
	void *buf;
	struct vcrypto_guest_op op = {0};

	ck_assert_int_eq(oracle_hex(nist_iv, iv, sizeof(iv)), 16);
	ck_assert_int_eq(oracle_hex(nist_pt, pt, sizeof(pt)), 64);
	ck_assert_int_eq(oracle_hex(cthex, ct, sizeof(ct)), 64);
	enc = vc_test_cipher_session(g, VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key,
				     (uint32_t)klen);
	dec = vc_test_cipher_session(g, VCRYPTO_CIPHER_AES_CBC, VCRYPTO_DECRYPT, key,
				     (uint32_t)klen);
	ck_assert_uint_ne(enc, dec);
	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, 128, &buf), 0);
	memcpy(buf, pt, 64);
	op.session_id = enc;
	op.iv = iv;
	op.iv_len = 16;
	op.src = buf;
	op.dst = (uint8_t *)buf + 64;
	op.src_len = op.dst_len = 64;
	ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 5000), VCRYPTO_STATUS_OK);
	ck_assert_mem_eq((uint8_t *)buf + 64, ct, 64);
	op.dst = buf; /* in place */
	ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 5000), VCRYPTO_STATUS_OK);
	ck_assert_mem_eq(buf, ct, 64);
	op.session_id = dec;
	ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 5000), VCRYPTO_STATUS_OK);
	ck_assert_mem_eq(buf, pt, 64);
	ck_assert_int_eq(vcrypto_guest_session_close(g, enc), 0);
	ck_assert_int_eq(vcrypto_guest_session_close(g, dec), 0);
	vcrypto_guest_buf_free(g, buf);
	vcrypto_guest_destroy(g);
}

START_TEST(nist_cbc_aes128)
{
	nist_case(nist_key128, nist_ct128);
}
END_TEST

START_TEST(nist_cbc_aes256)
{
	nist_case(nist_key256, nist_ct256);
}
END_TEST

/*
 * Many requests in bursts up to the ring size, through several ring
 * wrap-arounds, on two sessions at once, checked against OpenSSL.
 */
static void bursts(uint16_t qsize, unsigned int rounds, enum vcrypto_cipher_algo algo,
		   uint32_t key_len, uint32_t block, uint32_t iv_len)
{
	struct vcrypto_guest *g = guest_up(qsize);
	unsigned int seed = 1234 + qsize;
	uint8_t key[2][32];
	uint64_t sid[2];
	const unsigned int max_len = 2048;
	uint8_t *src, *dst, *iv;
	struct vcrypto_guest_op *ops;
	struct vcrypto_guest_completion *c;
	uint8_t *expect;
	unsigned int done_total = 0;

	fill_random(key[0], sizeof(key[0]), &seed);
	fill_random(key[1], sizeof(key[1]), &seed);
	sid[0] = vc_test_cipher_session(g, algo, VCRYPTO_ENCRYPT, key[0], key_len);
	sid[1] = vc_test_cipher_session(g, algo, VCRYPTO_DECRYPT, key[1], key_len);
	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, (size_t)qsize * max_len, (void **)&src), 0);
	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, (size_t)qsize * max_len, (void **)&dst), 0);
	ops = calloc(qsize, sizeof(*ops));
	c = calloc(qsize, sizeof(*c));
	iv = malloc((size_t)qsize * 16);
	expect = malloc(max_len);
	ck_assert(ops && c && iv && expect);

	for (unsigned int r = 0; r < rounds; r++) {
		unsigned int n = r % 3 == 2 ? qsize : 1 + (unsigned int)rand_r(&seed) % qsize;
		unsigned int got = 0, submitted = 0;
		time_t t0 = time(NULL);

		for (unsigned int i = 0; i < n; i++) {
			uint32_t len = block * (1 + (uint32_t)rand_r(&seed) % (max_len / block));

			fill_random(src + (size_t)i * max_len, len, &seed);
			memset(dst + (size_t)i * max_len, 0, len);
			fill_random(iv + (size_t)i * 16, 16, &seed);
			ops[i] = (struct vcrypto_guest_op){
				.session_id = sid[i & 1],
				.user_data = ((uint64_t)r << 32) | i,
				.iv = iv + (size_t)i * 16,
				.iv_len = iv_len,
				.src = src + (size_t)i * max_len,
				.dst = dst + (size_t)i * max_len,
				.src_len = len,
				.dst_len = len,
			};
		}
		while (submitted < n) {
			int rc = vcrypto_guest_submit(g, 0, ops + submitted, n - submitted);

			ck_assert_int_ge(rc, 0);
			submitted += (unsigned int)rc;
			if (rc == 0) {
				/* ring full: collect something */
				int p = vcrypto_guest_poll(g, 0, c + got, qsize - got);

				ck_assert_int_ge(p, 0);
				got += (unsigned int)p;
			}
		}
		while (got < n) {
			int p = vcrypto_guest_poll(g, 0, c + got, qsize - got);

			ck_assert_int_ge(p, 0);
			got += (unsigned int)p;
			if (!p)
				vcrypto_guest_wait(g, 0, 10);
			ck_assert_msg(time(NULL) - t0 < 20, "round %u: %u of %u completions", r,
				      got, n);
		}
		for (unsigned int k = 0; k < got; k++) {
			unsigned int i = (unsigned int)(c[k].user_data & 0xffffffff);

			ck_assert_uint_eq(c[k].user_data >> 32, r);
			ck_assert_uint_lt(i, n);
			ck_assert_int_eq(c[k].status, VCRYPTO_STATUS_OK);
			ck_assert_int_eq(
				oracle_cipher(algo, (i & 1) ? VCRYPTO_DECRYPT : VCRYPTO_ENCRYPT,
					      key[i & 1], key_len, iv + (size_t)i * 16,
					      src + (size_t)i * max_len, ops[i].src_len, expect),
				0);
			ck_assert_mem_eq(dst + (size_t)i * max_len, expect, ops[i].src_len);
		}
		done_total += got;
	}
	ck_assert_uint_ge(done_total, rounds);
	free(ops);
	free(c);
	free(iv);
	free(expect);
	vcrypto_guest_destroy(g);
}

START_TEST(bursts_aes128_wrap)
{
	bursts(64, 24, VCRYPTO_CIPHER_AES_CBC, 16, 16, 16);
}
END_TEST

START_TEST(bursts_aes256_ring256)
{
	bursts(256, 9, VCRYPTO_CIPHER_AES_CBC, 32, 16, 16);
}
END_TEST

START_TEST(bursts_3des)
{
	bursts(32, 12, VCRYPTO_CIPHER_3DES_CBC, 24, 8, 8);
}
END_TEST

START_TEST(bad_input)
{
	struct vcrypto_guest *g = guest_up(0);
	struct vcrypto_session_params p = {.sz = sizeof(p)};
	uint8_t key[32] = {1}, iv[16] = {2}, outside[64];
	uint64_t id = 77, sid;
	void *buf;
	struct vcrypto_guest_op op = {0};

	/* unsupported algorithm, wrong key length, fields that do not apply */
	p.type = VCRYPTO_SESSION_CIPHER;
	p.direction = VCRYPTO_ENCRYPT;
	p.cipher_algo = (enum vcrypto_cipher_algo)99;
	p.cipher_key = key;
	p.cipher_key_len = 16;
	ck_assert_int_eq(vcrypto_guest_session_create(g, &p, &id), -EINVAL);
	p.cipher_algo = VCRYPTO_CIPHER_AES_CBC;
	p.cipher_key_len = 17;
	ck_assert_int_eq(vcrypto_guest_session_create(g, &p, &id), -EINVAL);
	p.cipher_key_len = 16;
	p.digest_len = 20;
	ck_assert_int_eq(vcrypto_guest_session_create(g, &p, &id), -EINVAL);
	p.digest_len = 0;
	p.direction = 0;
	ck_assert_int_eq(vcrypto_guest_session_create(g, &p, &id), -EINVAL);
	ck_assert_uint_eq(id, 77);
	p.direction = VCRYPTO_ENCRYPT;
	sid = vc_test_cipher_session(g, VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key, 16);

	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, 64, &buf), 0);
	op.session_id = sid;
	op.iv = iv;
	op.iv_len = 16;
	op.src = buf;
	op.dst = buf;
	op.src_len = op.dst_len = 64;
	/* wrong IV length */
	op.iv_len = 8;
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, &op, 1), -EINVAL);
	op.iv_len = 16;
	/* not a multiple of the block size */
	op.src_len = op.dst_len = 15;
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, &op, 1), -EINVAL);
	op.src_len = op.dst_len = 64;
	/* dst_len != src_len */
	op.dst_len = 48;
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, &op, 1), -EINVAL);
	op.dst_len = 64;
	/* buffers outside the shared region */
	op.src = outside;
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, &op, 1), -EFAULT);
	op.src = buf;
	op.dst = outside;
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, &op, 1), -EFAULT);
	op.dst = (uint8_t *)buf + 8 * 1024 * 1024 - 32; /* runs past the heap end */
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, &op, 1), -EFAULT);
	op.dst = buf;
	/* bad queue */
	ck_assert_int_eq(vcrypto_guest_submit(g, 1, &op, 1), -EINVAL);
	/* unknown session */
	op.session_id = sid + 1000;
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, &op, 1), -EBADF);
	/* a good one then a bad one: the good one is queued */
	{
		struct vcrypto_guest_op two[2] = {op, op};
		struct vcrypto_guest_completion c;

		two[0].session_id = sid;
		two[1].session_id = sid;
		two[1].src_len = 3;
		ck_assert_int_eq(vcrypto_guest_submit(g, 0, two, 2), 1);
		for (int i = 0; i < 5000; i++) {
			int n = vcrypto_guest_poll(g, 0, &c, 1);

			if (n == 1)
				break;
			vcrypto_guest_wait(g, 0, 1);
			ck_assert_int_lt(i, 4999);
		}
		ck_assert_int_eq(c.status, VCRYPTO_STATUS_OK);
	}
	/* closed session */
	op.session_id = sid;
	ck_assert_int_eq(vcrypto_guest_session_close(g, sid), 0);
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, &op, 1), -EBADF);
	ck_assert_int_eq(vcrypto_guest_session_close(g, sid), -EBADF);
	/* the host's own refusal: DPDK 22.11 cannot create AES-CTR sessions */
	p.cipher_algo = VCRYPTO_CIPHER_AES_CTR;
	p.cipher_key_len = 16;
	{
		int rc = vcrypto_guest_session_create(g, &p, &id);

		ck_assert_msg(rc == -ENOTSUP || rc == -EIO, "AES-CTR: %d", rc);
	}
	/* the connection still works */
	sid = vc_test_cipher_session(g, VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key, 16);
	op.session_id = sid;
	ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 5000), VCRYPTO_STATUS_OK);
	vcrypto_guest_destroy(g);
}
END_TEST

/* The host going away mid-flight: every request completes with -ENOTCONN, once. */
START_TEST(disconnect_and_reconnect)
{
	struct vcrypto_guest *g = guest_up(64);
	uint8_t key[16] = {3}, iv[16] = {4}, expect[256];
	struct vcrypto_guest_op ops[40];
	struct vcrypto_guest_completion c[64];
	unsigned int got = 0, seen[40] = {0};
	uint64_t sid = vc_test_cipher_session(g, VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key, 16);
	uint8_t *buf;
	time_t t0;

	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, 40 * 256, (void **)&buf), 0);
	ref_host_pause(host, true);
	for (unsigned int i = 0; i < 40; i++)
		ops[i] = (struct vcrypto_guest_op){.session_id = sid,
						   .user_data = i,
						   .iv = iv,
						   .iv_len = 16,
						   .src = buf + i * 256,
						   .dst = buf + i * 256,
						   .src_len = 256,
						   .dst_len = 256};
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, ops, 40), 40);
	host_down();
	t0 = time(NULL);
	while (got < 40) {
		int n = vcrypto_guest_poll(g, 0, c, 64);

		ck_assert_int_ge(n, 0);
		for (int k = 0; k < n; k++) {
			ck_assert_int_eq(c[k].status, -ENOTCONN);
			ck_assert_uint_lt(c[k].user_data, 40);
			ck_assert_uint_eq(seen[c[k].user_data]++, 0);
		}
		got += (unsigned int)n;
		if (!n) {
			int w = vcrypto_guest_wait(g, 0, 50);

			ck_assert(w == 0 || w == 1 || w == -ENOTCONN);
		}
		ck_assert_msg(time(NULL) - t0 < 10, "only %u of 40 completions", got);
	}
	ck_assert(!vcrypto_guest_is_connected(g));
	ck_assert_int_eq(vcrypto_guest_poll(g, 0, c, 64), 0);
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, ops, 1), -ENOTCONN);
	ck_assert_int_eq(vcrypto_guest_wait(g, 0, 10), -ENOTCONN);
	{
		uint64_t id;
		struct vcrypto_session_params p = {.sz = sizeof(p),
						   .type = VCRYPTO_SESSION_CIPHER,
						   .direction = VCRYPTO_ENCRYPT,
						   .cipher_algo = VCRYPTO_CIPHER_AES_CBC,
						   .cipher_key = key,
						   .cipher_key_len = 16};

		ck_assert_int_eq(vcrypto_guest_session_create(g, &p, &id), -ENOTCONN);
	}

	/* A new host on the same path; buffers survive, sessions do not. */
	host_restart();
	ck_assert_int_eq(vcrypto_guest_reconnect(g), 0);
	ck_assert(vcrypto_guest_is_connected(g));
	ck_assert_int_eq(vcrypto_guest_reconnect(g), -EISCONN);
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, ops, 1), -EBADF);
	sid = vc_test_cipher_session(g, VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key, 16);
	ops[0].session_id = sid;
	memset(buf, 0x5a, 256);
	ck_assert_int_eq(oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key, 16, iv, buf,
				       256, expect),
			 0);
	ck_assert_int_eq(vcrypto_guest_run(g, 0, &ops[0], 5000), VCRYPTO_STATUS_OK);
	ck_assert_mem_eq(buf, expect, 256);
	vcrypto_guest_destroy(g);
}
END_TEST

/* Reconnect before the cut-off requests were collected: still one -ENOTCONN each. */
START_TEST(reconnect_before_poll)
{
	struct vcrypto_guest *g = guest_up(16);
	uint8_t key[16] = {3}, iv[16] = {4};
	struct vcrypto_guest_op ops[10];
	struct vcrypto_guest_completion c[16];
	uint64_t sid = vc_test_cipher_session(g, VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key, 16);
	uint8_t *buf;
	int n;

	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, 10 * 64, (void **)&buf), 0);
	ref_host_pause(host, true);
	for (unsigned int i = 0; i < 10; i++)
		ops[i] = (struct vcrypto_guest_op){.session_id = sid,
						   .user_data = 100 + i,
						   .iv = iv,
						   .iv_len = 16,
						   .src = buf + i * 64,
						   .dst = buf + i * 64,
						   .src_len = 64,
						   .dst_len = 64};
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, ops, 10), 10);
	host_down();
	/*
	 * wait() notices the EOF without collecting anything. (rte_vhost's
	 * connection socket sometimes lingers for a few ms after
	 * rte_vhost_driver_unregister() returns, so reconnect() right away
	 * could still see it open and say -EISCONN.)
	 */
	for (int k = 0; vcrypto_guest_is_connected(g); k++) {
		int w = vcrypto_guest_wait(g, 0, 50);

		ck_assert(w == 0 || w == 1 || w == -ENOTCONN);
		ck_assert_msg(k < 200, "disconnect not noticed");
	}
	host_restart();
	ck_assert_int_eq(vcrypto_guest_reconnect(g), 0);
	n = vcrypto_guest_poll(g, 0, c, 4);
	ck_assert_int_eq(n, 4);
	n += vcrypto_guest_poll(g, 0, c + 4, 16);
	ck_assert_int_eq(n, 10);
	for (int k = 0; k < 10; k++)
		ck_assert_int_eq(c[k].status, -ENOTCONN);
	ck_assert_int_eq(vcrypto_guest_poll(g, 0, c, 16), 0);
	sid = vc_test_cipher_session(g, VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key, 16);
	ops[0].session_id = sid;
	ck_assert_int_eq(vcrypto_guest_run(g, 0, &ops[0], 5000), VCRYPTO_STATUS_OK);
	vcrypto_guest_destroy(g);
}
END_TEST

START_TEST(connect_errors)
{
	struct vcrypto_guest_opts o = VCRYPTO_OPTS_INIT(vcrypto_guest_opts);
	struct vcrypto_guest *g = NULL;

	ck_assert_int_eq(vcrypto_guest_connect("/nonexistent/vcrypto.sock", NULL, &g), -ENOENT);
	o.queue_size = 100;
	ck_assert_int_eq(vcrypto_guest_connect(sock_path, &o, &g), -EINVAL);
	ck_assert_ptr_null(g);
	o.queue_size = 0;
	o.flags = 1u << 9; /* unknown flag */
	ck_assert_int_eq(vcrypto_guest_connect(sock_path, &o, &g), -EINVAL);
	ck_assert_ptr_null(g);
}
END_TEST

/* Several data queues (PROTOCOL_F_MQ, GET_QUEUE_NUM), each checked against OpenSSL. */
START_TEST(multi_queue)
{
	struct vcrypto_guest_opts o = VCRYPTO_OPTS_INIT(vcrypto_guest_opts);
	struct vcrypto_guest *g = NULL;
	uint8_t key[16] = {9}, iv[16] = {10}, expect[512];
	uint64_t sid;
	uint8_t *buf;

	o.num_queues = 3;
	o.queue_size = 64;
	o.mem_size = 1 << 20;
	ck_assert_int_eq(vcrypto_guest_connect(sock_path, &o, &g), 0);
	sid = vc_test_cipher_session(g, VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key, 16);
	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, 3 * 1024, (void **)&buf), 0);
	for (uint16_t q = 0; q < 3; q++) {
		uint8_t *src = buf + q * 1024, *dst = src + 512;
		struct vcrypto_guest_op op = {.session_id = sid,
					      .iv = iv,
					      .iv_len = 16,
					      .src = src,
					      .dst = dst,
					      .src_len = 512,
					      .dst_len = 512};

		memset(src, 0x30 + q, 512);
		ck_assert_int_eq(vcrypto_guest_run(g, q, &op, 5000), VCRYPTO_STATUS_OK);
		ck_assert_int_eq(oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key, 16, iv,
					       src, 512, expect),
				 0);
		ck_assert_mem_eq(dst, expect, 512);
		ck_assert_int_ge(vcrypto_guest_call_fd(g, q), 0);
	}
	ck_assert_int_eq(vcrypto_guest_call_fd(g, 3), -EINVAL);
	vcrypto_guest_destroy(g);
}
END_TEST

/* run() times out on a stalled host; the request completes later, and wait() wakes for it. */
START_TEST(timeout_then_wakeup)
{
	struct vcrypto_guest *g = guest_up(16);
	uint8_t key[16] = {5}, iv[16] = {6}, expect[64];
	uint64_t sid = vc_test_cipher_session(g, VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key, 16);
	struct vcrypto_guest_completion c;
	struct vcrypto_guest_op op;
	uint8_t *buf;
	int w = 0;

	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, 128, (void **)&buf), 0);
	memset(buf, 0x61, 64);
	op = (struct vcrypto_guest_op){.session_id = sid,
				       .user_data = 99,
				       .iv = iv,
				       .iv_len = 16,
				       .src = buf,
				       .dst = buf + 64,
				       .src_len = 64,
				       .dst_len = 64};
	ref_host_pause(host, true);
	ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 200), -ETIMEDOUT);
	ck_assert_int_eq(vcrypto_guest_poll(g, 0, &c, 1), 0);
	ck_assert_int_eq(vcrypto_guest_wait(g, 0, 50), 0);
	ref_host_pause(host, false);
	for (int k = 0; k < 100 && w != 1; k++) /* the host signals the call eventfd */
		w = vcrypto_guest_wait(g, 0, 100);
	ck_assert_int_eq(w, 1);
	for (int k = 0; k < 100 && vcrypto_guest_poll(g, 0, &c, 1) == 0; k++)
		vcrypto_guest_wait(g, 0, 10);
	ck_assert_uint_eq(c.user_data, 99);
	ck_assert_int_eq(c.status, VCRYPTO_STATUS_OK);
	ck_assert_int_eq(oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key, 16, iv, buf,
				       64, expect),
			 0);
	ck_assert_mem_eq(buf + 64, expect, 64);
	vcrypto_guest_destroy(g);
}
END_TEST

/* Rate through DPDK's reference back end (printed; the host dominates it). */
START_TEST(throughput)
{
	struct vcrypto_guest *g = guest_up(256);
	uint8_t key[16] = {7}, iv[16] = {8};
	uint64_t sid = vc_test_cipher_session(g, VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key, 16);
	const uint32_t sizes[] = {64, 1024, 2048};

	for (unsigned int z = 0; z < 3; z++) {
		struct vcrypto_guest_op ops[32];
		struct vcrypto_guest_completion c[64];
		uint32_t len = sizes[z];
		unsigned int inflight = 0, done = 0;
		struct timespec t0, t1;
		uint8_t *buf;
		double dt;

		ck_assert_int_eq(vcrypto_guest_buf_alloc(g, 32 * len, (void **)&buf), 0);
		for (unsigned int i = 0; i < 32; i++)
			ops[i] = (struct vcrypto_guest_op){.session_id = sid,
							   .iv = iv,
							   .iv_len = 16,
							   .src = buf + i * len,
							   .dst = buf + i * len,
							   .src_len = len,
							   .dst_len = len};
		clock_gettime(CLOCK_MONOTONIC, &t0);
		do {
			int n;

			if (inflight <= 256 - 32) {
				n = vcrypto_guest_submit(g, 0, ops, 32);
				ck_assert_int_ge(n, 0);
				inflight += (unsigned int)n;
			}
			n = vcrypto_guest_poll(g, 0, c, 64);
			ck_assert_int_ge(n, 0);
			for (int k = 0; k < n; k++)
				ck_assert_int_eq(c[k].status, VCRYPTO_STATUS_OK);
			inflight -= (unsigned int)n;
			done += (unsigned int)n;
			clock_gettime(CLOCK_MONOTONIC, &t1);
			dt = (double)(t1.tv_sec - t0.tv_sec) +
			     (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
		} while (dt < 1.0);
		while (inflight) {
			int n = vcrypto_guest_poll(g, 0, c, 64);

			ck_assert_int_ge(n, 0);
			inflight -= (unsigned int)n;
			if (!n)
				vcrypto_guest_wait(g, 0, 10);
		}
		printf("AES-128-CBC %4u B via rte_vhost_crypto: %.0f req/s, %.1f MB/s\n", len,
		       done / dt, done / dt * len / 1e6);
		ck_assert_uint_gt(done, 0);
		vcrypto_guest_buf_free(g, buf);
	}
	vcrypto_guest_destroy(g);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("guest_refhost");
	TCase *tc = tcase_create("refhost");

	tcase_add_checked_fixture(tc, host_up, host_down);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, nist_cbc_aes128);
	tcase_add_test(tc, nist_cbc_aes256);
	tcase_add_test(tc, bursts_aes128_wrap);
	tcase_add_test(tc, bursts_aes256_ring256);
	tcase_add_test(tc, bursts_3des);
	tcase_add_test(tc, bad_input);
	tcase_add_test(tc, connect_errors);
	tcase_add_test(tc, multi_queue);
	tcase_add_test(tc, timeout_then_wakeup);
	tcase_add_test(tc, throughput);
	suite_add_tcase(s, tc);

	tc = tcase_create("disconnect");
	tcase_add_checked_fixture(tc, host_up, host_down);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, disconnect_and_reconnect);
	suite_add_tcase(s, tc);
	tc = tcase_create("reconnect");
	tcase_add_checked_fixture(tc, host_up, host_down);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, reconnect_before_poll);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	int rc;

	rc = ref_host_eal_init();
	if (rc == 77) {
		fprintf(stderr, "SKIP: DPDK EAL with crypto_openssl unavailable\n");
		return 77;
	}
	if (rc) {
		fprintf(stderr, "ref host setup failed: %d\n", rc);
		return 1;
	}
	return vc_check_run(suite());
}
