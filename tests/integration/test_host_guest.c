/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * libvcrypto (host) served to libvcrypto-guest in the same process: host
 * poller thread(s) on one side, guest on the other, a real vhost-user
 * socket and memfd memory between them, crypto_openssl underneath.
 * Every result is checked against OpenSSL (tests/support/oracle.c).
 */

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_cryptodev.h>

#include <vcrypto/guest.h>
#include <vcrypto/host.h>

#include "dpdk_env.h"
#include "oracle.h"
#include "check_run.h"
#include "guest_session.h"

static struct vc_test_host H;
static char sock[108];

static void host_up_opts(const struct vcrypto_engine_opts *eo, const struct vcrypto_port_opts *po,
			 const struct vcrypto_poller_opts *plo)
{
	static unsigned int n;
	char dev[64];

	snprintf(dev, sizeof(dev), "crypto_openssl_hg%u", n++);
	vc_test_sock_path(sock, sizeof(sock), "hg");
	ck_assert_int_eq(vc_test_host_start(&H, sock, dev, NULL, eo, po, plo), 0);
}

/*
 * Start the host on a crypto_aesni_mb vdev (@p tag names it and the
 * socket). False if this CPU cannot run that driver (no AES-NI/AVX): the
 * test then has nothing to check.
 */
static bool aesni_host_up(const char *tag, const struct vcrypto_engine_opts *eo,
			  const struct vcrypto_port_opts *po)
{
	char dev[64];
	int ret;

	snprintf(dev, sizeof(dev), "crypto_aesni_mb_hg%s", tag);
	vc_test_sock_path(sock, sizeof(sock), tag);
	ret = vc_test_host_start(&H, sock, dev, NULL, eo, po, NULL);
	if (ret == -ENODEV || ret == -ENOTSUP)
		return false;
	ck_assert_int_eq(ret, 0);
	return true;
}

static void host_up(void)
{
	struct vcrypto_engine_opts eo = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);

	eo.nb_ops = 2048;
	eo.nb_queue_pairs = 2;
	host_up_opts(&eo, NULL, NULL);
}

static void host_down(void)
{
	vc_test_host_stop(&H);
}

/* vcrypto_guest_opts::flags of the guests guest_up_q() connects (the *_per_part cases). */
static uint32_t guest_flags;

static struct vcrypto_guest *guest_up_q(uint16_t nq, uint16_t qsize)
{
	struct vcrypto_guest_opts o = VCRYPTO_OPTS_INIT(vcrypto_guest_opts);
	struct vcrypto_guest *g = NULL;

	o.flags = guest_flags;
	o.queue_size = qsize;
	o.num_queues = nq;
	o.mem_size = 32 << 20;
	o.connect_timeout_ms = 3000;
	ck_assert_int_eq(vcrypto_guest_connect(sock, &o, &g), 0);
	return g;
}

static struct vcrypto_guest *guest_up(void)
{
	return guest_up_q(1, 256);
}

static void fill(uint8_t *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(rand_r(&seed) >> 3);
}

static void *buf(struct vcrypto_guest *g, size_t n)
{
	void *b = NULL;

	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, n, &b), 0);
	return b;
}

static const uint32_t sizes[] = {16, 48, 1024, 4096, 16384, 65536};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

/* ---- cipher known answers ---- */

struct calg {
	enum vcrypto_cipher_algo algo;
	uint32_t key_len, iv_len, block;
};

static void cipher_kat(struct vcrypto_guest *g, const struct calg *a)
{
	struct vcrypto_session_params p = {.sz = sizeof(p)};
	uint8_t key[64], iv[16];
	uint8_t *src = buf(g, 65536), *dst = buf(g, 65536), *want = malloc(65536);
	uint64_t enc, dec;
	int ret;

	fill(key, sizeof(key), a->algo);
	fill(iv, sizeof(iv), a->algo + 100);
	p.type = VCRYPTO_SESSION_CIPHER;
	p.direction = VCRYPTO_ENCRYPT;
	p.cipher_algo = a->algo;
	p.cipher_key = key;
	p.cipher_key_len = a->key_len;
	ret = vcrypto_guest_session_create(g, &p, &enc);
	if (vcrypto_engine_supports(H.engine, &p) != 1) {
		ck_assert_msg(ret == -ENOTSUP, "algo %d: unsupported but create gave %d", a->algo,
			      ret);
		free(want);
		vcrypto_guest_buf_free(g, src);
		vcrypto_guest_buf_free(g, dst);
		return;
	}
	ck_assert_msg(ret == 0, "algo %d key %u: %d", a->algo, a->key_len, ret);
	p.direction = VCRYPTO_DECRYPT;
	ck_assert_int_eq(vcrypto_guest_session_create(g, &p, &dec), 0);
	for (unsigned int i = 0; i < NSIZES; i++) {
		uint32_t n = sizes[i] - sizes[i] % a->block;
		struct vcrypto_guest_op op = {.session_id = enc,
					      .iv = iv,
					      .iv_len = a->iv_len,
					      .src = src,
					      .dst = dst,
					      .src_len = n,
					      .dst_len = n};

		fill(src, n, i);
		ck_assert_int_eq(oracle_cipher(a->algo, VCRYPTO_ENCRYPT, key, a->key_len, iv, src,
					       n, want),
				 0);
		ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 5000), VCRYPTO_STATUS_OK);
		ck_assert_msg(!memcmp(dst, want, n), "algo %d size %u encrypt", a->algo, n);
		/* Decrypt in place. */
		op.session_id = dec;
		op.src = dst;
		ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 5000), VCRYPTO_STATUS_OK);
		ck_assert_msg(!memcmp(dst, src, n), "algo %d size %u decrypt", a->algo, n);
	}
	vcrypto_guest_session_close(g, enc);
	vcrypto_guest_session_close(g, dec);
	vcrypto_guest_buf_free(g, src);
	vcrypto_guest_buf_free(g, dst);
	free(want);
}

static void ciphers_run(void)
{
	static const struct calg algs[] = {
		{VCRYPTO_CIPHER_AES_CBC, 16, 16, 16}, {VCRYPTO_CIPHER_AES_CBC, 32, 16, 16},
		{VCRYPTO_CIPHER_AES_CTR, 16, 16, 1},  {VCRYPTO_CIPHER_AES_CTR, 32, 16, 1},
		{VCRYPTO_CIPHER_3DES_CBC, 24, 8, 8},  {VCRYPTO_CIPHER_AES_XTS, 32, 16, 16},
		{VCRYPTO_CIPHER_AES_XTS, 64, 16, 16},
	};
	struct vcrypto_guest *g;

	host_up();
	g = guest_up();
	for (unsigned int i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		cipher_kat(g, &algs[i]);
	vcrypto_guest_destroy(g);
	host_down();
}

START_TEST(ciphers)
{
	ciphers_run();
}
END_TEST

/* The same with a descriptor per part (as VM guests send), though the host offers ANY_LAYOUT. */
START_TEST(ciphers_per_part)
{
	guest_flags = VCRYPTO_GUEST_F_DESC_PER_PART;
	ciphers_run();
	guest_flags = 0;
}
END_TEST

/* ---- hash / MAC ---- */

START_TEST(hashes_and_macs)
{
	static const enum vcrypto_hash_algo hs[] = {VCRYPTO_HASH_SHA1, VCRYPTO_HASH_SHA_224,
						    VCRYPTO_HASH_SHA_256, VCRYPTO_HASH_SHA_384,
						    VCRYPTO_HASH_SHA_512};
	static const enum vcrypto_mac_algo ms[] = {VCRYPTO_MAC_HMAC_SHA1, VCRYPTO_MAC_HMAC_SHA_256,
						   VCRYPTO_MAC_HMAC_SHA_384,
						   VCRYPTO_MAC_HMAC_SHA_512};
	struct vcrypto_guest *g;
	uint8_t *src, *dig, want[64], key[100];

	host_up();
	g = guest_up();
	src = buf(g, 65536);
	dig = buf(g, 64);
	fill(key, sizeof(key), 77);
	for (unsigned int k = 0; k < 2 * 5; k++) {
		struct vcrypto_session_params p = {.sz = sizeof(p)};
		bool mac = k >= 5;
		uint64_t sid;
		int dl;

		if (mac && k - 5 >= 4)
			break;
		if (mac) {
			p.type = VCRYPTO_SESSION_MAC;
			p.mac_algo = ms[k - 5];
			p.auth_key = key;
			p.auth_key_len = 40 + k; /* longer and shorter than a block */
		} else {
			p.type = VCRYPTO_SESSION_HASH;
			p.hash_algo = hs[k];
		}
		ck_assert_int_eq(vcrypto_guest_session_create(g, &p, &sid), 0);
		for (unsigned int i = 0; i < NSIZES; i++) {
			uint32_t n = sizes[i] - 3;
			struct vcrypto_guest_op op = {
				.session_id = sid, .src = src, .digest = dig, .src_len = n};

			fill(src, n, k * 10 + i);
			memset(dig, 0, 64);
			dl = mac ? oracle_mac(p.mac_algo, key, p.auth_key_len, src, n, want) :
				   oracle_hash(p.hash_algo, src, n, want);
			ck_assert_int_gt(dl, 0);
			ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 5000), VCRYPTO_STATUS_OK);
			ck_assert_msg(!memcmp(dig, want, (size_t)dl), "k %u size %u", k, n);
		}
		vcrypto_guest_session_close(g, sid);
	}
	vcrypto_guest_destroy(g);
	host_down();
}
END_TEST

/* ---- chains, both orders ---- */

static void chains_run(void)
{
	struct vcrypto_guest *g;
	uint8_t key[16], akey[32], iv[16], want_d[64];
	uint8_t *src, *dst, *dig, *tmp = malloc(65536);

	host_up();
	g = guest_up();
	src = buf(g, 65536);
	dst = buf(g, 65536);
	dig = buf(g, 64);
	fill(key, 16, 1);
	fill(akey, 32, 2);
	fill(iv, 16, 3);
	for (int order = 0; order < 2; order++) {
		struct vcrypto_session_params p = {.sz = sizeof(p)};
		bool c_then_h = order == 0;
		uint64_t sid;

		p.type = VCRYPTO_SESSION_CHAIN;
		p.direction = c_then_h ? VCRYPTO_ENCRYPT : VCRYPTO_DECRYPT;
		p.chain_order = c_then_h ? VCRYPTO_CHAIN_CIPHER_THEN_HASH :
					   VCRYPTO_CHAIN_HASH_THEN_CIPHER;
		p.cipher_algo = VCRYPTO_CIPHER_AES_CBC;
		p.cipher_key = key;
		p.cipher_key_len = 16;
		p.mac_algo = VCRYPTO_MAC_HMAC_SHA_256;
		p.auth_key = akey;
		p.auth_key_len = 32;
		ck_assert_int_eq(vcrypto_guest_session_create(g, &p, &sid), 0);
		for (unsigned int i = 0; i < NSIZES; i++) {
			uint32_t n = sizes[i] + 16; /* 16 bytes of clear "header" first */
			struct vcrypto_guest_op op = {.session_id = sid,
						      .iv = iv,
						      .iv_len = 16,
						      .src = src,
						      .dst = dst,
						      .digest = dig,
						      .src_len = n,
						      .dst_len = n,
						      .cipher_offset = 16};

			if (n > 65536)
				n = op.src_len = op.dst_len = 65536;
			fill(src, n, i + 50 * (unsigned int)order);
			memcpy(tmp, src, 16);
			oracle_cipher(VCRYPTO_CIPHER_AES_CBC, p.direction, key, 16, iv, src + 16,
				      n - 16, tmp + 16);
			/* cipher-then-hash hashes the result; hash-then-cipher the input */
			oracle_mac(VCRYPTO_MAC_HMAC_SHA_256, akey, 32, c_then_h ? tmp : src, n,
				   want_d);
			ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 5000), VCRYPTO_STATUS_OK);
			ck_assert_msg(!memcmp(dst, tmp, n), "order %d size %u data", order, n);
			ck_assert_msg(!memcmp(dig, want_d, 32), "order %d size %u digest", order,
				      n);
		}
		vcrypto_guest_session_close(g, sid);
	}
	free(tmp);
	vcrypto_guest_destroy(g);
	host_down();
}

START_TEST(chains)
{
	chains_run();
}
END_TEST

/* The same with a descriptor per part (as VM guests send), though the host offers ANY_LAYOUT. */
START_TEST(chains_per_part)
{
	guest_flags = VCRYPTO_GUEST_F_DESC_PER_PART;
	chains_run();
	guest_flags = 0;
}
END_TEST

/* ---- AEAD ---- */

/* An AES-GCM session with a 12-byte IV and @aad_len bytes of AAD. */
static uint64_t gcm_session(struct vcrypto_guest *g, const uint8_t *key, uint32_t key_len,
			    uint32_t aad_len, enum vcrypto_direction dir)
{
	struct vcrypto_session_params p = {.sz = sizeof(p)};
	uint64_t sid;

	p.type = VCRYPTO_SESSION_AEAD;
	p.direction = dir;
	p.aead_algo = VCRYPTO_AEAD_AES_GCM;
	p.cipher_key = key;
	p.cipher_key_len = key_len;
	p.aad_len = aad_len;
	ck_assert_int_eq(vcrypto_guest_session_create(g, &p, &sid), 0);
	return sid;
}

/* An AES-GCM encryption of @n bytes: @dst gets the ciphertext and the 16-byte tag. */
static struct vcrypto_guest_op gcm_enc_op(uint64_t sid, const uint8_t *iv, const uint8_t *aad,
					  uint32_t aad_len, uint8_t *src, uint8_t *dst, uint32_t n)
{
	return (struct vcrypto_guest_op){.session_id = sid,
					 .iv = iv,
					 .iv_len = 12,
					 .aad = aad,
					 .aad_len = aad_len,
					 .src = src,
					 .dst = dst,
					 .src_len = n,
					 .dst_len = n + 16};
}

static void aead_gcm_run(void)
{
	struct vcrypto_guest *g;
	uint8_t key[32], iv[12], aad[32];
	static const uint32_t gsz[] = {11, 43, 1019, 4091, 16379, 65531, 65536, 262128};
	uint8_t *src, *ct, *pt, *want = malloc(262144 + 16);

	host_up();
	g = guest_up();
	src = buf(g, 262144);
	ct = buf(g, 262144 + 16);
	pt = buf(g, 262144);
	fill(key, 32, 9);
	fill(iv, 12, 10);
	fill(aad, 32, 11);
	for (uint32_t kl = 16; kl <= 32; kl += 16) {
		uint64_t enc = gcm_session(g, key, kl, 32, VCRYPTO_ENCRYPT);
		uint64_t dec = gcm_session(g, key, kl, 32, VCRYPTO_DECRYPT);

		for (unsigned int i = 0; i < sizeof(gsz) / sizeof(gsz[0]); i++) {
			uint32_t n = gsz[i];
			struct vcrypto_guest_op op = gcm_enc_op(enc, iv, aad, 32, src, ct, n);

			fill(src, n, i + kl);
			ck_assert_int_eq(oracle_aead(VCRYPTO_AEAD_AES_GCM, VCRYPTO_ENCRYPT, key, kl,
						     iv, 12, aad, 32, src, n, 16, want),
					 0);
			{
				int r = vcrypto_guest_run(g, 0, &op, 5000);
				struct vcrypto_poller_stats ps = {.sz = sizeof(ps)};

				vcrypto_poller_stats_get(H.poller, &ps);
				ck_assert_msg(r == VCRYPTO_STATUS_OK,
					      "gcm %u size %u: %d (fetched %lu enq %lu deq %lu)",
					      kl, n, r, (unsigned long)ps.fetched,
					      (unsigned long)ps.enqueued,
					      (unsigned long)ps.dequeued);
			}
			ck_assert_msg(!memcmp(ct, want, n + 16), "gcm %u size %u", kl, n);
			op.session_id = dec;
			op.src = ct;
			op.dst = pt;
			op.src_len = n + 16;
			op.dst_len = n;
			ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 5000), VCRYPTO_STATUS_OK);
			ck_assert(!memcmp(pt, src, n));
			/* Tag failure. */
			ct[n + 7] ^= 0x40;
			ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 5000), VCRYPTO_STATUS_BADMSG);
		}
	}
	free(want);
	vcrypto_guest_destroy(g);
	host_down();
}

START_TEST(aead_gcm)
{
	aead_gcm_run();
}
END_TEST

/* The same with a descriptor per part (as VM guests send), though the host offers ANY_LAYOUT. */
START_TEST(aead_gcm_per_part)
{
	guest_flags = VCRYPTO_GUEST_F_DESC_PER_PART;
	aead_gcm_run();
	guest_flags = 0;
}
END_TEST

/* ---- many requests in flight, several queues, backpressure ---- */

/* Submit @total AES-CBC requests of @len bytes in bursts of @burst, check all. */
static void flood(struct vcrypto_guest *g, uint16_t queue, uint64_t sid, const uint8_t *key,
		  unsigned int total, unsigned int burst, uint32_t len, unsigned int seed)
{
	uint8_t iv[16];
	uint8_t *src = buf(g, (size_t)burst * len), *dst = buf(g, (size_t)burst * len);
	uint8_t *want = malloc((size_t)burst * len);
	struct vcrypto_guest_op *ops = calloc(burst, sizeof(*ops));
	struct vcrypto_guest_completion *c = calloc(burst, sizeof(*c));
	unsigned int done_total = 0;

	fill(iv, 16, seed);
	while (done_total < total) {
		unsigned int n = total - done_total < burst ? total - done_total : burst;
		unsigned int sent = 0, got = 0;

		fill(src, (size_t)n * len, seed + done_total);
		memset(dst, 0, (size_t)n * len);
		for (unsigned int i = 0; i < n; i++) {
			ops[i] = (struct vcrypto_guest_op){.session_id = sid,
							   .user_data = i,
							   .iv = iv,
							   .iv_len = 16,
							   .src = src + i * len,
							   .dst = dst + i * len,
							   .src_len = len,
							   .dst_len = len};
			oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key, 16, iv,
				      src + i * len, len, want + i * len);
		}
		for (int spins = 0; got < n; spins++) {
			int r;

			if (sent < n) {
				r = vcrypto_guest_submit(g, queue, ops + sent, n - sent);
				ck_assert_int_ge(r, 0);
				sent += (unsigned int)r;
			}
			r = vcrypto_guest_poll(g, queue, c, burst);
			ck_assert_int_ge(r, 0);
			for (int k = 0; k < r; k++) {
				ck_assert_int_eq(c[k].status, VCRYPTO_STATUS_OK);
				ck_assert_uint_lt(c[k].user_data, n);
			}
			got += (unsigned int)r;
			if (!r)
				vcrypto_guest_wait(g, queue, 10);
			ck_assert_msg(spins < 200000, "stalled: %u/%u", got, n);
		}
		ck_assert(!memcmp(dst, want, (size_t)n * len));
		done_total += n;
	}
	vcrypto_guest_buf_free(g, src);
	vcrypto_guest_buf_free(g, dst);
	free(want);
	free(ops);
	free(c);
}

/* An AES-128-CBC encryption session. */
static uint64_t cbc_session(struct vcrypto_guest *g, const uint8_t *key)
{
	return vc_test_cipher_session(g, VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key, 16);
}

/* @n AES-CBC requests of @len bytes each, the i-th at src/dst + i * len. */
static void cbc_ops(struct vcrypto_guest_op *ops, unsigned int n, uint64_t sid, const uint8_t *iv,
		    uint8_t *src, uint8_t *dst, uint32_t len)
{
	for (unsigned int i = 0; i < n; i++)
		ops[i] = (struct vcrypto_guest_op){.session_id = sid,
						   .iv = iv,
						   .iv_len = 16,
						   .src = src + (size_t)i * len,
						   .dst = dst + (size_t)i * len,
						   .src_len = len,
						   .dst_len = len};
}

/*
 * The port counts the requests its general walk read
 * (vcrypto_port_stats::general_walks): none of libvcrypto-guest's indirect
 * requests, in either layout; all of its direct chains (the one-pass path
 * takes one indirect table only). Results against OpenSSL (flood).
 */
START_TEST(general_walks_counted)
{
	static const uint32_t flags[] = {0, VCRYPTO_GUEST_F_DESC_PER_PART,
					 VCRYPTO_GUEST_F_DIRECT_DESC};
	uint8_t key[16];

	fill(key, 16, 7);
	for (unsigned int i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		struct vcrypto_port_stats st = {.sz = sizeof(st)};
		struct vcrypto_guest *g;

		host_up();
		guest_flags = flags[i];
		g = guest_up();
		flood(g, 0, cbc_session(g, key), key, 256, 32, 64, 1);
		ck_assert_int_eq(vcrypto_port_stats_get(H.port, &st), 0);
		ck_assert_uint_eq(st.requests_ok, 256);
		ck_assert_uint_eq(st.general_walks,
				  flags[i] == VCRYPTO_GUEST_F_DIRECT_DESC ? 256 : 0);
		vcrypto_guest_destroy(g);
		host_down();
	}
	guest_flags = 0;
}
END_TEST

START_TEST(backpressure_tiny_qp)
{
	struct vcrypto_engine_opts eo = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);
	struct vcrypto_poller_opts plo = VCRYPTO_OPTS_INIT(vcrypto_poller_opts);
	struct vcrypto_poller_stats ps = {.sz = sizeof(ps)};
	struct vcrypto_port_stats st = {.sz = sizeof(st)};
	struct vcrypto_guest *g;
	uint8_t key[16];

	/*
	 * A queue pair of 4 descriptors (3 ops in it at most) under bursts of
	 * 128: the backlog holds the rest and feeds the device as it frees
	 * slots. (The device refusing ops is host_faults' business: enqueue
	 * chunks of 8 at most, each drained, no longer fill a bigger queue pair
	 * of crypto_openssl's.)
	 */
	eo.qp_descriptors = 4;
	eo.nb_ops = 1024;
	eo.nb_queue_pairs = 1;
	plo.burst = 128;
	host_up_opts(&eo, NULL, &plo);
	g = guest_up_q(1, 256);
	fill(key, 16, 5);
	flood(g, 0, cbc_session(g, key), key, 2048, 256, 512, 1);
	vcrypto_poller_stats_get(H.poller, &ps);
	vcrypto_port_stats_get(H.port, &st);
	ck_assert_uint_eq(st.requests_ok, 2048);
	ck_assert_uint_eq(st.requests, 2048);
	ck_assert_uint_eq(ps.fetched, 2048);
	ck_assert_uint_eq(ps.fetched, ps.enqueued);
	ck_assert_uint_eq(ps.dequeued, 2048);
	vcrypto_guest_destroy(g);
	host_down();
}
END_TEST

/*
 * crypto_openssl computes inside enqueue: the poller finds that out and
 * gives it chunks of 8 instead of 16; crypto_null does nothing in either
 * call and keeps 16.
 */
START_TEST(enqueue_chunk_follows_device)
{
	struct vcrypto_engine_opts eo = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);
	struct vcrypto_poller_stats ps = {.sz = sizeof(ps)};
	struct vcrypto_guest *g;
	uint8_t key[16];

	fill(key, 16, 21);
	for (int null = 0; null < 2; null++) {
		eo.nb_ops = 2048;
		eo.nb_queue_pairs = 1;
		eo.flags = null ? VCRYPTO_ENGINE_F_NULL_CRYPTO : 0;
		host_up_opts(&eo, NULL, NULL);
		vcrypto_poller_stats_get(H.poller, &ps);
		ck_assert_uint_eq(ps.enqueue_chunk, 16); /* until measured */
		g = guest_up();
		if (null) {
			uint64_t sid = cbc_session(g, key);
			uint8_t *src = buf(g, 32 * 256), *dst = buf(g, 32 * 256);
			struct vcrypto_guest_op ops[32];
			struct vcrypto_guest_completion c[32];

			cbc_ops(ops, 32, sid, key, src, dst, 256);
			for (int r = 0; r < 512; r++) {
				ck_assert_int_eq(vcrypto_guest_submit(g, 0, ops, 32), 32);
				for (int got = 0, spins = 0; got < 32; spins++) {
					int n = vcrypto_guest_poll(g, 0, c, 32);

					ck_assert_int_ge(n, 0);
					got += n;
					if (!n)
						vcrypto_guest_wait(g, 0, 10);
					ck_assert_int_lt(spins, 100000);
				}
			}
		} else {
			flood(g, 0, cbc_session(g, key), key, 16384, 32, 256, 3);
		}
		vcrypto_poller_stats_get(H.poller, &ps);
		ck_assert_uint_eq(ps.enqueue_chunk, null ? 16 : 8);
		vcrypto_guest_destroy(g);
		host_down();
	}
}
END_TEST

/* Submit @n requests at once, wait for all; every status must be OK. */
static void run_burst(struct vcrypto_guest *g, struct vcrypto_guest_op *ops, unsigned int n)
{
	struct vcrypto_guest_completion c[64];
	unsigned int got = 0;

	ck_assert_uint_le(n, 64);
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, ops, n), (int)n);
	for (int spins = 0; got < n; spins++) {
		int r = vcrypto_guest_poll(g, 0, c, 64);

		ck_assert_int_ge(r, 0);
		for (int k = 0; k < r; k++)
			ck_assert_msg(c[k].status == VCRYPTO_STATUS_OK, "request %llu: status %d",
				      (unsigned long long)c[k].user_data, c[k].status);
		got += (unsigned int)r;
		if (!r)
			vcrypto_guest_wait(g, 0, 10);
		ck_assert_int_lt(spins, 100000);
	}
}

/*
 * @p n AES-CBC encryptions, request i of lens[i % nlens] bytes at src + i *
 * slot (filled from @p seed + i, and kept at in + i * slot), session
 * sids[i], IV ivs[i], out of place at dst + i * slot when i % 4 is @p oop.
 */
static void cbc_mixed_ops(struct vcrypto_guest_op *ops, uint32_t n, const uint64_t *sids,
			  uint8_t (*ivs)[16], uint8_t *src, uint8_t *dst, uint8_t *in, size_t slot,
			  const uint32_t *lens, uint32_t nlens, uint32_t oop, unsigned int seed)
{
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *s = src + i * slot;
		uint32_t len = lens[i % nlens];

		fill(s, len, seed + i);
		memcpy(in + i * slot, s, len);
		ops[i] = (struct vcrypto_guest_op){.session_id = sids[i],
						   .user_data = i,
						   .iv = ivs[i],
						   .iv_len = 16,
						   .src = s,
						   .dst = i % 4 == oop ? dst + i * slot : s,
						   .src_len = len,
						   .dst_len = len};
	}
}

/* Each of cbc_mixed_ops()'s requests' output against OpenSSL's (request i with keys[i]). */
static void cbc_mixed_check(const struct vcrypto_guest_op *ops, uint32_t n,
			    const uint8_t *const *keys, const uint8_t *in, size_t slot,
			    uint8_t *want, const char *what)
{
	for (uint32_t i = 0; i < n; i++) {
		ck_assert_int_eq(oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, keys[i], 16,
					       ops[i].iv, in + i * slot, ops[i].src_len, want),
				 0);
		ck_assert_msg(!memcmp(ops[i].dst, want, ops[i].src_len), "%s request %u", what, i);
	}
}

/*
 * crypto_aesni_mb has the synchronous CPU crypto API. Zero copy: in-place
 * cipher and whole-buffer cipher-then-hash requests run through it, and
 * out-of-place cipher and AEAD requests up to 1 KiB and cipher-then-hash
 * ones, copied to their destination first (the rest through the queue
 * pair). Copy mode: such requests up to 65535 bytes run through it on a
 * copy of their data, in place or not (the rest through the queue pair);
 * the copies of one call lie in one area, which grows at the first copy
 * over 4 KiB, here while a call holds smaller ones (the first burst).
 * Bursts mixing two sessions, in place and out of place, decrypt and
 * encrypt, chains in place and out of place, AES-256-GCM both ways with AAD
 * and one forged tag per burst, in place and out of place: every result
 * against OpenSSL, and the poller's counters say which way each went.
 */
static void gcm_cpu_bursts(struct vcrypto_guest *g, uint64_t enc, uint64_t dec, const uint8_t *key,
			   uint8_t *src, uint8_t *dst, uint8_t *in, uint32_t slot, uint32_t len,
			   unsigned int n, unsigned int seed);

static void cpu_crypto_case(bool copy)
{
	static const uint32_t lens[] = {16, 64, 1008, 4096, 8208, 65520};
	struct vcrypto_engine_opts eo = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);
	struct vcrypto_port_opts po = VCRYPTO_OPTS_INIT(vcrypto_port_opts);
	struct vcrypto_poller_stats ps = {.sz = sizeof(ps)};
	struct vcrypto_port_stats pst = {.sz = sizeof(pst)};
	struct vcrypto_session_params sp = {.sz = sizeof(sp)};
	struct vcrypto_guest_op ops[32];
	struct vcrypto_guest *g;
	uint8_t key[2][16], akey[20], iv[32][16], *src, *dst, *dig, *in, *want;
	uint64_t sid[3], gsid[2];
	uint8_t gkey[32];
	const uint32_t slot = 65536 + 64;

	eo.nb_ops = 1024;
	po.zero_copy = copy ? VCRYPTO_ZERO_COPY_OFF : VCRYPTO_ZERO_COPY_ON;
	if (!aesni_host_up(copy ? "cy" : "cc", &eo, &po))
		return;
	g = guest_up_q(1, 256);
	src = buf(g, 32 * (size_t)slot);
	dst = buf(g, 32 * (size_t)slot);
	dig = buf(g, 32 * 64);
	in = malloc(32 * (size_t)slot);
	want = malloc(slot + 64);
	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(want);
	fill(key[0], 16, 31);
	fill(key[1], 16, 32);
	fill(akey, 20, 33);
	fill(&iv[0][0], sizeof(iv), 34);
	sid[0] = cbc_session(g, key[0]);
	sid[1] = cbc_session(g, key[1]);
	sp.type = VCRYPTO_SESSION_CHAIN;
	sp.direction = VCRYPTO_ENCRYPT;
	sp.chain_order = VCRYPTO_CHAIN_CIPHER_THEN_HASH;
	sp.cipher_algo = VCRYPTO_CIPHER_AES_CBC;
	sp.cipher_key = key[0];
	sp.cipher_key_len = 16;
	sp.mac_algo = VCRYPTO_MAC_HMAC_SHA1;
	sp.auth_key = akey;
	sp.auth_key_len = 20;
	ck_assert_int_eq(vcrypto_guest_session_create(g, &sp, &sid[2]), 0);
	fill(gkey, 32, 35);
	gsid[0] = gcm_session(g, gkey, 32, 16, VCRYPTO_ENCRYPT);
	gsid[1] = gcm_session(g, gkey, 32, 16, VCRYPTO_DECRYPT);

	/* 64 and 20000 bytes in one burst, every fourth out of place (see above). */
	{
		static const uint32_t mixed[] = {64, 64, 64, 20000};
		uint64_t sids[32];
		const uint8_t *keys[32];

		for (unsigned int i = 0; i < 32; i++) {
			sids[i] = sid[0];
			keys[i] = key[0];
		}
		cbc_mixed_ops(ops, 32, sids, iv, src, dst, in, slot, mixed, 4, 1, 900);
		run_burst(g, ops, 32);
		cbc_mixed_check(ops, 32, keys, in, slot, want, "mixed burst");
	}

	for (unsigned int li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
		uint32_t len = lens[li];

		/*
		 * 0: two sessions in place, 16 requests of each in a row (a queue whose
		 * sessions alternate takes the queue pair: test_qos, sessions_alternate);
		 * 1: the same, every third out of place; 2: chain; 3: chain out of place
		 */
		for (int kind = 0; kind < 4; kind++) {
			for (unsigned int i = 0; i < 32; i++) {
				uint8_t *s = src + (size_t)i * slot;
				bool oop = (kind == 1 && i % 3 == 0) || kind == 3;

				fill(s, len, li * 100 + (unsigned int)kind * 40 + i);
				memcpy(in + (size_t)i * slot, s, len);
				ops[i] = (struct vcrypto_guest_op){
					.session_id = kind >= 2 ? sid[2] : sid[i / 16],
					.user_data = i,
					.iv = iv[i],
					.iv_len = 16,
					.src = s,
					.dst = oop ? dst + (size_t)i * slot : s,
					.src_len = len,
					.dst_len = len,
					.digest = kind >= 2 ? dig + i * 64 : NULL};
			}
			run_burst(g, ops, 32);
			for (unsigned int i = 0; i < 32; i++) {
				const uint8_t *k = kind >= 2 ? key[0] : key[i / 16];

				ck_assert_int_eq(oracle_cipher(VCRYPTO_CIPHER_AES_CBC,
							       VCRYPTO_ENCRYPT, k, 16, iv[i],
							       in + (size_t)i * slot, len, want),
						 0);
				ck_assert_msg(!memcmp(ops[i].dst, want, len),
					      "len %u kind %d request %u: data", len, kind, i);
				if (ops[i].dst != ops[i].src)
					ck_assert_msg(!memcmp(ops[i].src, in + (size_t)i * slot,
							      len),
						      "len %u kind %d request %u: source changed",
						      len, kind, i);
				if (kind >= 2) {
					uint8_t mac[20];

					oracle_mac(VCRYPTO_MAC_HMAC_SHA1, akey, 20, want, len, mac);
					ck_assert_msg(!memcmp(dig + i * 64, mac, 20),
						      "len %u request %u: digest", len, i);
				}
			}
		}
		/* Decrypt in place what the last in-place burst of session 0 made. */
		for (unsigned int i = 0; i < 32; i++) {
			ck_assert_int_eq(oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT,
						       key[0], 16, iv[i], in + (size_t)i * slot,
						       len, src + (size_t)i * slot),
					 0);
		}
		{
			uint64_t dsid = vc_test_cipher_session(g, VCRYPTO_CIPHER_AES_CBC,
							       VCRYPTO_DECRYPT, key[0], 16);

			cbc_ops(ops, 32, dsid, iv[0], src, src, len);
			for (unsigned int i = 0; i < 32; i++) {
				ops[i].iv = iv[i];
				ops[i].src = src + (size_t)i * slot;
				ops[i].dst = src + (size_t)i * slot;
			}
			run_burst(g, ops, 32);
			for (unsigned int i = 0; i < 32; i++)
				ck_assert_msg(!memcmp(src + (size_t)i * slot, in + (size_t)i * slot,
						      len),
					      "len %u request %u: decrypt", len, i);
			vcrypto_guest_session_close(g, dsid);
		}
		gcm_cpu_bursts(g, gsid[0], gsid[1], gkey, src, NULL, in, slot, len, 32, li);
		gcm_cpu_bursts(g, gsid[0], gsid[1], gkey, src, dst, in, slot, len, 32, li + 20);
	}
	/*
	 * AES-GCM over 65535 bytes in one piece: zero copy through CPU crypto
	 * (no mbuf can say the length), copied otherwise; out of place too,
	 * copied to the destination first (copy mode, the other way, copies
	 * twice).
	 */
	gcm_cpu_bursts(g, gsid[0], gsid[1], gkey, src, NULL, in, 2 * slot, 100000, 8, 9);
	gcm_cpu_bursts(g, gsid[0], gsid[1], gkey, src, dst, in, 2 * slot, 100000, 8, 10);
	vcrypto_poller_stats_get(H.poller, &ps);
	vcrypto_port_stats_get(H.port, &pst);
	ck_assert_uint_gt(ps.cpu_processed, 0);
	ck_assert_uint_eq(ps.completed, ps.cpu_processed + ps.dequeued);
	if (copy) {
		/* All through CPU crypto but the 100000-byte AES-GCM ones (2 x 2 x 8). */
		ck_assert_uint_eq(ps.dequeued, 4u * 8u);
		ck_assert_uint_eq(pst.zero_copy_requests, 0);
	} else {
		/*
		 * All but the out-of-place ones over 1 KiB (VC_CPU_OOP_MAX): 11
		 * of 32 in kind 1 and the AES-GCM bursts out of place both ways,
		 * at 4096, 8208 and 65520 bytes (those up to 1 KiB are copied to
		 * their destination and computed there).
		 */
		ck_assert_uint_eq(ps.dequeued, 3u * 11u + 3u * 2u * 32u);
		/* Every OK request zero copy (one forged tag per burst fails). */
		ck_assert_uint_eq(pst.zero_copy_requests, ps.completed - 14u);
	}
	free(in);
	free(want);
	vcrypto_guest_destroy(g);
	host_down();
}

/*
 * One burst of @p n (6 to 32) AES-256-GCM encryptions (16 bytes of AAD, the
 * tag after the data) in place, or from @p src to @p dst if not NULL,
 * checked against OpenSSL, then their decryption back (in place, or from
 * @p dst to @p src) with request 5's tag forged: BADMSG for it, the
 * plaintext for the others.
 */
static void gcm_cpu_bursts(struct vcrypto_guest *g, uint64_t enc, uint64_t dec, const uint8_t *key,
			   uint8_t *src, uint8_t *dst, uint8_t *in, uint32_t slot, uint32_t len,
			   unsigned int n, unsigned int seed)
{
	struct vcrypto_guest_completion c[64];
	struct vcrypto_guest_op ops[32];
	uint8_t iv[32][12], aad[32][16], *want = malloc((size_t)len + 16);
	uint8_t *ct = dst ? dst : src;
	unsigned int got = 0;

	ck_assert_ptr_nonnull(want);
	fill(&iv[0][0], sizeof(iv), 50 + seed);
	fill(&aad[0][0], sizeof(aad), 60 + seed);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t *s = src + (size_t)i * slot;

		fill(s, len, 70 + seed * 40 + i);
		memcpy(in + (size_t)i * slot, s, len);
		ops[i] = gcm_enc_op(enc, iv[i], aad[i], 16, s, ct + (size_t)i * slot, len);
		ops[i].user_data = i;
	}
	run_burst(g, ops, n);
	for (unsigned int i = 0; i < n; i++) {
		ck_assert_int_eq(oracle_aead(VCRYPTO_AEAD_AES_GCM, VCRYPTO_ENCRYPT, key, 32, iv[i],
					     12, aad[i], 16, in + (size_t)i * slot, len, 16, want),
				 0);
		ck_assert_msg(!memcmp(ct + (size_t)i * slot, want, (size_t)len + 16),
			      "gcm len %u request %u%s", len, i, dst ? " out of place" : "");
		ops[i].session_id = dec;
		ops[i].src = ct + (size_t)i * slot;
		ops[i].src_len = len + 16;
		ops[i].dst = src + (size_t)i * slot;
		ops[i].dst_len = len;
		if (dst)
			memset(src + (size_t)i * slot, 0, len);
	}
	ct[5 * (size_t)slot + len + 3] ^= 0x10;
	ck_assert_int_eq(vcrypto_guest_submit(g, 0, ops, n), (int)n);
	for (int spins = 0; got < n; spins++) {
		int r = vcrypto_guest_poll(g, 0, c, 64);

		ck_assert_int_ge(r, 0);
		for (int k = 0; k < r; k++)
			ck_assert_msg(c[k].status == (c[k].user_data == 5 ? VCRYPTO_STATUS_BADMSG :
									    VCRYPTO_STATUS_OK),
				      "gcm decrypt len %u request %llu%s: status %d", len,
				      (unsigned long long)c[k].user_data,
				      dst ? " out of place" : "", c[k].status);
		got += (unsigned int)r;
		if (!r)
			vcrypto_guest_wait(g, 0, 10);
		ck_assert_int_lt(spins, 100000);
	}
	for (unsigned int i = 0; i < n; i++)
		if (i != 5)
			ck_assert_msg(!memcmp(src + (size_t)i * slot, in + (size_t)i * slot, len),
				      "gcm decrypt len %u request %u%s", len, i,
				      dst ? " out of place" : "");
	free(want);
}

/*
 * Zero copy out of place on crypto_aesni_mb: which requests are copied to
 * their destination and computed there by CPU crypto, and which take the
 * queue pair, told by the poller's counters. 64 B apart: CPU crypto; 2 KiB
 * apart (over VC_CPU_OOP_MAX): the queue pair; results against OpenSSL.
 * A destination over its source (16 bytes on), or an AES-GCM decryption's
 * over the tag it verifies: never copied (memcpy over itself, a tag
 * changed before it is read), the queue pair; those complete, whatever the
 * device makes of them, and the queue goes on.
 */
START_TEST(aesni_mb_cpu_oop_routes)
{
	struct vcrypto_engine_opts eo = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);
	struct vcrypto_port_opts po = VCRYPTO_OPTS_INIT(vcrypto_port_opts);
	struct vcrypto_poller_stats p0 = {.sz = sizeof(p0)}, p1 = {.sz = sizeof(p1)};
	struct vcrypto_guest_op ops[16];
	struct vcrypto_guest *g;
	uint8_t key[16], gkey[32], iv[16], aad[16], *src, *dst, *in, *want;
	uint64_t sid, gdec;
	int st;

	eo.nb_ops = 1024;
	po.zero_copy = VCRYPTO_ZERO_COPY_ON;
	if (!aesni_host_up("oo", &eo, &po))
		return;
	g = guest_up();
	src = buf(g, 16 * 2048 + 64);
	dst = buf(g, 16 * 2048);
	in = malloc(16 * 2048);
	want = malloc(2048);
	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(want);
	fill(key, 16, 81);
	fill(iv, 16, 82);
	sid = cbc_session(g, key);

	for (int big = 0; big < 2; big++) {
		uint32_t len = big ? 2048 : 64;

		fill(src, 16 * (size_t)len, 83 + (unsigned int)big);
		memcpy(in, src, 16 * (size_t)len);
		vcrypto_poller_stats_get(H.poller, &p0);
		cbc_ops(ops, 16, sid, iv, src, dst, len);
		run_burst(g, ops, 16);
		vcrypto_poller_stats_get(H.poller, &p1);
		ck_assert_uint_eq(p1.cpu_processed - p0.cpu_processed, big ? 0 : 16);
		ck_assert_uint_eq(p1.dequeued - p0.dequeued, big ? 16 : 0);
		for (unsigned int i = 0; i < 16; i++) {
			ck_assert_int_eq(oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key,
						       16, iv, in + (size_t)i * len, len, want),
					 0);
			ck_assert_msg(!memcmp(dst + (size_t)i * len, want, len),
				      "len %u request %u", len, i);
			ck_assert_msg(!memcmp(src + (size_t)i * len, in + (size_t)i * len, len),
				      "len %u request %u: source changed", len, i);
		}
	}

	/* A destination 16 bytes over its source: the queue pair. */
	vcrypto_poller_stats_get(H.poller, &p0);
	for (unsigned int i = 0; i < 16; i++) {
		ops[i] = (struct vcrypto_guest_op){.session_id = sid,
						   .iv = iv,
						   .iv_len = 16,
						   .src = src + (size_t)i * 128,
						   .dst = src + (size_t)i * 128 + 16,
						   .src_len = 64,
						   .dst_len = 64};
	}
	run_burst(g, ops, 16);
	vcrypto_poller_stats_get(H.poller, &p1);
	ck_assert_uint_eq(p1.cpu_processed - p0.cpu_processed, 0);
	ck_assert_uint_eq(p1.dequeued - p0.dequeued, 16);

	/* An AES-GCM decryption whose destination covers its tag: the queue pair. */
	fill(gkey, 32, 84);
	fill(aad, 16, 85);
	gdec = gcm_session(g, gkey, 32, 16, VCRYPTO_DECRYPT);
	fill(src, 64 + 16, 86);
	ops[0] = gcm_enc_op(gdec, iv, aad, 16, src, src + 64, 64);
	ops[0].src_len = 64 + 16;
	ops[0].dst_len = 64;
	vcrypto_poller_stats_get(H.poller, &p0);
	st = vcrypto_guest_run(g, 0, &ops[0], 5000);
	ck_assert_msg(st == VCRYPTO_STATUS_OK || st == VCRYPTO_STATUS_BADMSG, "status %d", st);
	vcrypto_poller_stats_get(H.poller, &p1);
	ck_assert_uint_eq(p1.cpu_processed - p0.cpu_processed, 0);
	ck_assert_uint_eq(p1.dequeued - p0.dequeued, 1);

	/* The queue goes on: 64 B apart again, through CPU crypto. */
	memcpy(src, in, 64);
	cbc_ops(ops, 1, sid, iv, src, dst, 64);
	ck_assert_int_eq(vcrypto_guest_run(g, 0, &ops[0], 5000), VCRYPTO_STATUS_OK);
	ck_assert_int_eq(oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key, 16, iv, in, 64,
				       want),
			 0);
	ck_assert(!memcmp(dst, want, 64));
	free(in);
	free(want);
	vcrypto_guest_destroy(g);
	host_down();
}
END_TEST

START_TEST(aesni_mb_cpu_crypto)
{
	cpu_crypto_case(false);
}
END_TEST

START_TEST(aesni_mb_cpu_crypto_copy)
{
	cpu_crypto_case(true);
}
END_TEST

/*
 * crypto_aesni_mb in copy mode with requests longer than one copy mbuf
 * (8 KiB): DPDK 22.11's driver loses HMAC digests of chained mbufs and
 * crashed on chained copies, so vcrypto copies them into one contiguous
 * buffer for this driver. MAC, cipher both ways, cipher-then-hash and
 * AEAD both ways at sizes around and above 8 KiB, against OpenSSL; a copy
 * longer than a contiguous buffer is refused with NOTSUPP, not crashed on.
 */
START_TEST(aesni_mb_copy_large)
{
	static const uint32_t lens[] = {16, 8192, 8208, 16384, 65520};
	struct vcrypto_engine_opts eo = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);
	struct vcrypto_port_opts po = VCRYPTO_OPTS_INIT(vcrypto_port_opts);
	struct vcrypto_session_params sp = {.sz = sizeof(sp)};
	struct vcrypto_port_stats st = {.sz = sizeof(st)};
	struct vcrypto_guest *g;
	uint8_t key[32], akey[32], iv[16], aad[16], mac[32], *src, *dst, *dig, *want;
	uint64_t s_mac, s_enc, s_dec, s_chain, s_genc, s_gdec;
	const uint32_t big = 300000;

	eo.nb_ops = 1024;
	po.zero_copy = VCRYPTO_ZERO_COPY_OFF;
	po.max_request_len = 512 * 1024;
	if (!aesni_host_up("cl", &eo, &po))
		return;
	g = guest_up();
	src = buf(g, big);
	dst = buf(g, 65536 + 16);
	dig = buf(g, 64);
	want = malloc(65536 + 64);
	ck_assert_ptr_nonnull(want);
	fill(key, 32, 41);
	fill(akey, 32, 42);
	fill(iv, 16, 43);
	fill(aad, 16, 44);

	sp.type = VCRYPTO_SESSION_MAC;
	sp.mac_algo = VCRYPTO_MAC_HMAC_SHA_256;
	sp.auth_key = akey;
	sp.auth_key_len = 32;
	ck_assert_int_eq(vcrypto_guest_session_create(g, &sp, &s_mac), 0);
	s_enc = cbc_session(g, key);
	s_dec = vc_test_cipher_session(g, VCRYPTO_CIPHER_AES_CBC, VCRYPTO_DECRYPT, key, 16);
	memset(&sp, 0, sizeof(sp));
	sp.sz = sizeof(sp);
	sp.cipher_algo = VCRYPTO_CIPHER_AES_CBC;
	sp.cipher_key = key;
	sp.cipher_key_len = 16;
	sp.type = VCRYPTO_SESSION_CHAIN;
	sp.direction = VCRYPTO_ENCRYPT;
	sp.chain_order = VCRYPTO_CHAIN_CIPHER_THEN_HASH;
	sp.mac_algo = VCRYPTO_MAC_HMAC_SHA1;
	sp.auth_key = akey;
	sp.auth_key_len = 20;
	ck_assert_int_eq(vcrypto_guest_session_create(g, &sp, &s_chain), 0);
	s_genc = gcm_session(g, key, 32, 16, VCRYPTO_ENCRYPT);
	s_gdec = gcm_session(g, key, 32, 16, VCRYPTO_DECRYPT);

	for (unsigned int li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
		uint32_t n = lens[li];
		struct vcrypto_guest_op op = {
			.session_id = s_mac, .src = src, .src_len = n, .digest = dig};

		fill(src, n, 50 + li);
		/* HMAC-SHA-256 */
		memset(dig, 0, 32);
		ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 5000), VCRYPTO_STATUS_OK);
		ck_assert_int_eq(oracle_mac(VCRYPTO_MAC_HMAC_SHA_256, akey, 32, src, n, mac), 32);
		ck_assert_msg(!memcmp(dig, mac, 32), "hmac len %u: digest", n);
		/* AES-CBC encrypt out of place, then decrypt in place */
		op = (struct vcrypto_guest_op){.session_id = s_enc,
					       .iv = iv,
					       .iv_len = 16,
					       .src = src,
					       .dst = dst,
					       .src_len = n,
					       .dst_len = n};
		ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 5000), VCRYPTO_STATUS_OK);
		ck_assert_int_eq(oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key, 16, iv,
					       src, n, want),
				 0);
		ck_assert_msg(!memcmp(dst, want, n), "cbc len %u: encrypt", n);
		op.session_id = s_dec;
		op.src = dst;
		ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 5000), VCRYPTO_STATUS_OK);
		ck_assert_msg(!memcmp(dst, src, n), "cbc len %u: decrypt in place", n);
		/* AES-CBC then HMAC-SHA1 over the ciphertext */
		op.session_id = s_chain;
		op.src = src;
		op.digest = dig;
		memset(dig, 0, 20);
		ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 5000), VCRYPTO_STATUS_OK);
		ck_assert_msg(!memcmp(dst, want, n), "chain len %u: data", n);
		ck_assert_int_eq(oracle_mac(VCRYPTO_MAC_HMAC_SHA1, akey, 20, want, n, mac), 20);
		ck_assert_msg(!memcmp(dig, mac, 20), "chain len %u: digest", n);
		/* AES-256-GCM encrypt, decrypt, and a broken tag */
		op = gcm_enc_op(s_genc, iv, aad, 16, src, dst, n);
		ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 5000), VCRYPTO_STATUS_OK);
		ck_assert_int_eq(oracle_aead(VCRYPTO_AEAD_AES_GCM, VCRYPTO_ENCRYPT, key, 32, iv, 12,
					     aad, 16, src, n, 16, want),
				 0);
		ck_assert_msg(!memcmp(dst, want, n + 16), "gcm len %u: encrypt", n);
		memcpy(want, src, n);
		op.session_id = s_gdec;
		op.src = dst;
		op.dst = src;
		op.src_len = n + 16;
		op.dst_len = n;
		memset(src, 0, n);
		ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 5000), VCRYPTO_STATUS_OK);
		ck_assert_msg(!memcmp(src, want, n), "gcm len %u: decrypt", n);
		dst[n + 3] ^= 0x10;
		ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 5000), VCRYPTO_STATUS_BADMSG);
	}
	/* Longer than one contiguous buffer: refused, and the queue goes on. */
	{
		struct vcrypto_guest_op op = {
			.session_id = s_mac, .src = src, .src_len = big, .digest = dig};

		ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 5000), VCRYPTO_STATUS_NOTSUPP);
		op.src_len = 4096;
		ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 5000), VCRYPTO_STATUS_OK);
		ck_assert_int_eq(oracle_mac(VCRYPTO_MAC_HMAC_SHA_256, akey, 32, src, 4096, mac),
				 32);
		ck_assert(!memcmp(dig, mac, 32));
	}
	ck_assert_int_eq(vcrypto_port_stats_get(H.port, &st), 0);
	ck_assert_uint_eq(st.zero_copy_requests, 0);
	ck_assert_uint_eq(st.err_notsupp, 1);
	free(want);
	vcrypto_guest_destroy(g);
	host_down();
}
END_TEST

START_TEST(multi_queue)
{
	struct vcrypto_engine_opts eo = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);
	struct vcrypto_port_opts po = VCRYPTO_OPTS_INIT(vcrypto_port_opts);
	struct vcrypto_guest *g;
	uint8_t key[16];
	uint64_t sid;

	eo.nb_ops = 2048;
	eo.nb_queue_pairs = 1;
	po.num_queues = 3;
	host_up_opts(&eo, &po, NULL);
	g = guest_up_q(3, 128);
	fill(key, 16, 6);
	sid = cbc_session(g, key);
	for (uint16_t q = 0; q < 3; q++)
		flood(g, q, sid, key, 300, 100, 256, q);
	vcrypto_guest_destroy(g);
	host_down();
}
END_TEST

/* Several ports on one poller, and two pollers on one engine. */
START_TEST(ports_and_pollers)
{
	struct vcrypto_engine_opts eo = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);
	struct vcrypto_poller_opts plo = VCRYPTO_OPTS_INIT(vcrypto_poller_opts);
	struct vc_test_host h2;
	struct vcrypto_port *extra[2];
	struct vcrypto_guest *g[4];
	char paths[4][108];
	uint8_t key[16];

	eo.nb_ops = 4096;
	eo.nb_queue_pairs = 2;
	host_up_opts(&eo, NULL, NULL);
	snprintf(paths[0], sizeof(paths[0]), "%s", sock);
	/* Two more ports on the same (first) poller. */
	for (int i = 0; i < 2; i++) {
		vc_test_sock_path(paths[1 + i], sizeof(paths[1 + i]), "pp");
		ck_assert_int_eq(vcrypto_port_create(paths[1 + i], H.engine, NULL, &extra[i]), 0);
		ck_assert_int_eq(vcrypto_poller_add_port(H.poller, extra[i], 0), 0);
	}
	/* A second poller (queue pair 1) with its own port. */
	plo.queue_pair = 1;
	vc_test_sock_path(paths[3], sizeof(paths[3]), "pp");
	ck_assert_int_eq(vc_test_host_start(&h2, paths[3], NULL, H.engine, NULL, NULL, &plo), 0);
	fill(key, 16, 7);
	for (int i = 0; i < 4; i++) {
		memcpy(sock, paths[i], sizeof(sock));
		g[i] = guest_up_q(1, 128);
	}
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 4; i++)
			flood(g[i], 0, cbc_session(g[i], key), key, 200, 64, 1024,
			      (unsigned int)(i + 10 * round));
	for (int i = 0; i < 4; i++)
		vcrypto_guest_destroy(g[i]);
	vc_test_host_stop(&h2);
	for (int i = 0; i < 2; i++)
		vcrypto_port_destroy(extra[i]);
	host_down();
}
END_TEST

/* ---- sessions ---- */

START_TEST(many_sessions)
{
	struct vcrypto_port_opts po = VCRYPTO_OPTS_INIT(vcrypto_port_opts);
	struct vcrypto_engine_opts eo = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);
	struct vcrypto_port_stats st = {.sz = sizeof(st)};
	struct vcrypto_guest *g;
	uint64_t sid[200], extra;
	uint8_t key[16], *src, *dst, want[64];

	eo.nb_ops = 1024;
	eo.nb_queue_pairs = 1;
	po.max_sessions = 200;
	host_up_opts(&eo, &po, NULL);
	g = guest_up();
	src = buf(g, 64);
	dst = buf(g, 64);
	for (int i = 0; i < 200; i++) {
		fill(key, 16, (unsigned int)i);
		sid[i] = cbc_session(g, key);
	}
	{
		struct vcrypto_session_params p = {.sz = sizeof(p)};

		p.type = VCRYPTO_SESSION_CIPHER;
		p.direction = VCRYPTO_ENCRYPT;
		p.cipher_algo = VCRYPTO_CIPHER_AES_CBC;
		p.cipher_key = key;
		p.cipher_key_len = 16;
		ck_assert_int_eq(vcrypto_guest_session_create(g, &p, &extra), -ENOSPC);
	}
	for (int i = 199; i >= 0; i--) {
		uint8_t iv[16] = {0};
		struct vcrypto_guest_op op = {.session_id = sid[i],
					      .iv = iv,
					      .iv_len = 16,
					      .src = src,
					      .dst = dst,
					      .src_len = 64,
					      .dst_len = 64};

		fill(key, 16, (unsigned int)i);
		fill(src, 64, (unsigned int)i + 1000);
		oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key, 16, iv, src, 64, want);
		ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 5000), VCRYPTO_STATUS_OK);
		ck_assert(!memcmp(dst, want, 64));
		ck_assert_int_eq(vcrypto_guest_session_close(g, sid[i]), 0);
	}
	vcrypto_port_stats_get(H.port, &st);
	ck_assert_uint_eq(st.sessions_created, 200);
	ck_assert_uint_eq(st.sessions_closed, 200);
	ck_assert_uint_eq(st.sessions_failed, 1);
	ck_assert_uint_eq(st.sessions_active, 0);
	/* Ids are not reused right away. */
	extra = cbc_session(g, key);
	for (int i = 0; i < 200; i++)
		ck_assert_uint_ne(extra, sid[i]);
	vcrypto_guest_destroy(g);
	host_down();
}
END_TEST

/* ---- zero copy ---- */

static atomic_bool zc_stop;

static void *zc_toggler(void *arg)
{
	for (unsigned int i = 0; !atomic_load(&zc_stop); i++) {
		vcrypto_port_set_zero_copy(arg,
					   i % 2 ? VCRYPTO_ZERO_COPY_ON : VCRYPTO_ZERO_COPY_OFF);
		usleep(100);
	}
	return NULL;
}

START_TEST(zero_copy_toggle)
{
	struct vcrypto_port_stats st = {.sz = sizeof(st)};
	struct vcrypto_guest *g;
	uint8_t key[16];
	uint64_t sid;

	host_up();
	g = guest_up();
	fill(key, 16, 8);
	sid = cbc_session(g, key);
	flood(g, 0, sid, key, 256, 64, 4096, 1);
	vcrypto_port_stats_get(H.port, &st);
	ck_assert_uint_eq(st.zero_copy_requests, 0);
	ck_assert_int_eq(vcrypto_port_set_zero_copy(H.port, VCRYPTO_ZERO_COPY_ON), 0);
	flood(g, 0, sid, key, 256, 64, 4096, 2);
	vcrypto_port_stats_get(H.port, &st);
	ck_assert_uint_gt(st.zero_copy_requests, 0);
	/* Toggle from another thread while requests are in flight: same results. */
	{
		pthread_t thr;

		atomic_store(&zc_stop, false);
		ck_assert_int_eq(pthread_create(&thr, NULL, zc_toggler, H.port), 0);
		for (int i = 0; i < 8; i++)
			flood(g, 0, sid, key, 256, 128, 2048, 3 + (unsigned int)i);
		atomic_store(&zc_stop, true);
		pthread_join(thr, NULL);
	}
	vcrypto_guest_destroy(g);
	host_down();
}
END_TEST

START_TEST(zero_copy_auto)
{
	struct vcrypto_port_opts po = VCRYPTO_OPTS_INIT(vcrypto_port_opts);
	struct vcrypto_engine_opts eo = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);
	struct vcrypto_port_stats st = {.sz = sizeof(st)};
	struct vcrypto_guest *g;
	uint8_t key[16];
	uint64_t sid;

	eo.nb_ops = 1024;
	eo.nb_queue_pairs = 1;
	po.zero_copy = VCRYPTO_ZERO_COPY_AUTO;
	po.zc_after_requests = 100;
	po.zc_after_ms = 300;
	host_up_opts(&eo, &po, NULL);
	g = guest_up();
	fill(key, 16, 9);
	sid = cbc_session(g, key);
	flood(g, 0, sid, key, 150, 50, 1024, 1);
	vcrypto_port_stats_get(H.port, &st);
	ck_assert_uint_eq(st.zero_copy_requests, 0); /* too early */
	usleep(350000);
	flood(g, 0, sid, key, 100, 50, 1024, 2);
	vcrypto_port_stats_get(H.port, &st);
	ck_assert_uint_gt(st.zero_copy_requests, 0);
	vcrypto_guest_destroy(g);
	host_down();
}
END_TEST

/* ---- connections ---- */

START_TEST(disconnect_midflight_and_reconnect)
{
	struct vcrypto_port_stats st = {.sz = sizeof(st)};
	struct vcrypto_guest *g;
	uint8_t key[16], iv[16] = {0};
	uint8_t *src, *dst;
	uint64_t sid;

	host_up();
	fill(key, 16, 10);
	for (int round = 0; round < 5; round++) {
		struct vcrypto_guest_op ops[64];
		int n;

		g = guest_up();
		sid = cbc_session(g, key);
		src = buf(g, 64 * 4096);
		dst = buf(g, 64 * 4096);
		cbc_ops(ops, 64, sid, iv, src, dst, 4096);
		n = vcrypto_guest_submit(g, 0, ops, 64);
		ck_assert_int_gt(n, 0);
		/* Leave with requests in flight. */
		vcrypto_guest_destroy(g);
		/* The host must return to WAITING and free the sessions. */
		for (int i = 0; i < 400; i++) {
			vcrypto_port_stats_get(H.port, &st);
			if (st.state == VCRYPTO_PORT_WAITING && st.sessions_active == 0)
				break;
			usleep(5000);
		}
		ck_assert_int_eq(st.state, VCRYPTO_PORT_WAITING);
		ck_assert_uint_eq(st.sessions_active, 0);
		ck_assert_uint_eq(st.inflight, 0);
	}
	/* A new guest works. */
	g = guest_up();
	flood(g, 0, cbc_session(g, key), key, 200, 50, 1024, 4);
	vcrypto_port_stats_get(H.port, &st);
	ck_assert_uint_eq(st.connects, 6);
	vcrypto_guest_destroy(g);
	host_down();
}
END_TEST

/* The host port goes away under a connected guest, then comes back. */
START_TEST(host_restart_guest_reconnect)
{
	struct vcrypto_guest *g;
	uint8_t key[16], iv[16] = {0}, *src, *dst;
	struct vcrypto_guest_op op;
	char dev_sock[108];

	host_up();
	snprintf(dev_sock, sizeof(dev_sock), "%s", sock);
	g = guest_up();
	fill(key, 16, 11);
	src = buf(g, 4096);
	dst = buf(g, 4096);
	op = (struct vcrypto_guest_op){.session_id = cbc_session(g, key),
				       .iv = iv,
				       .iv_len = 16,
				       .src = src,
				       .dst = dst,
				       .src_len = 4096,
				       .dst_len = 4096};
	ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 5000), 0);
	/* Port destroyed while connected: the guest sees the disconnect. */
	vcrypto_port_destroy(H.port);
	H.port = NULL;
	for (int i = 0; i < 200 && vcrypto_guest_is_connected(g); i++)
		usleep(5000);
	ck_assert_int_lt(vcrypto_guest_run(g, 0, &op, 1000), 0);
	ck_assert(!vcrypto_guest_is_connected(g));
	/* New port on the same path, same poller; the guest reconnects. */
	ck_assert_int_eq(vcrypto_port_create(dev_sock, H.engine, NULL, &H.port), 0);
	ck_assert_int_eq(vcrypto_poller_add_port(H.poller, H.port, 0), 0);
	ck_assert_int_eq(vcrypto_guest_reconnect(g), 0);
	op.session_id = cbc_session(g, key);
	flood(g, 0, op.session_id, key, 100, 50, 1024, 5);
	vcrypto_guest_destroy(g);
	host_down();
}
END_TEST

/* The poller is removed and re-added while the guest keeps submitting. */
START_TEST(remove_add_port_under_load)
{
	struct vcrypto_guest *g;
	uint8_t key[16];
	uint64_t sid;

	host_up();
	g = guest_up();
	fill(key, 16, 12);
	sid = cbc_session(g, key);
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(vcrypto_poller_remove_port(H.poller, H.port, 0), 0);
		ck_assert_int_eq(vcrypto_poller_add_port(H.poller, H.port, 0), 0);
		flood(g, 0, sid, key, 64, 64, 1024, (unsigned int)i);
	}
	vcrypto_guest_destroy(g);
	host_down();
}
END_TEST

/* An engine on a cryptodev the application configured and started itself. */
START_TEST(attach_engine)
{
	struct rte_cryptodev_config conf = {.socket_id = SOCKET_ID_ANY, .nb_queue_pairs = 2};
	struct rte_cryptodev_qp_conf qc = {.nb_descriptors = 512};
	struct vcrypto_engine_opts eo = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);
	struct vcrypto_engine *e = NULL;
	struct vcrypto_guest *g;
	uint8_t key[16];
	int id;

	ck_assert_int_eq(rte_vdev_init("crypto_openssl_app", "max_nb_queue_pairs=2"), 0);
	id = rte_cryptodev_get_dev_id("crypto_openssl_app");
	ck_assert_int_ge(id, 0);
	ck_assert_int_eq(rte_cryptodev_configure((uint8_t)id, &conf), 0);
	for (uint16_t q = 0; q < 2; q++)
		ck_assert_int_eq(rte_cryptodev_queue_pair_setup((uint8_t)id, q, &qc, SOCKET_ID_ANY),
				 0);
	ck_assert_int_eq(rte_cryptodev_start((uint8_t)id), 0);
	eo.qp_descriptors = 512;
	eo.nb_ops = 1024;
	/* Queue pairs the device does not have: refused, the device left alone. */
	eo.first_queue_pair = 2;
	ck_assert_int_eq(vcrypto_engine_attach((uint8_t)id, &eo, &e), -EINVAL);
	eo.first_queue_pair = 1;
	eo.nb_queue_pairs = 2;
	ck_assert_int_eq(vcrypto_engine_attach((uint8_t)id, &eo, &e), -EINVAL);
	ck_assert_ptr_null(e);
	ck_assert_int_eq(rte_cryptodev_get_qp_status((uint8_t)id, 1), 1);
	/* vcrypto may use queue pair 1 only. */
	eo.nb_queue_pairs = 1;
	ck_assert_int_eq(vcrypto_engine_attach((uint8_t)id, &eo, &e), 0);
	vc_test_sock_path(sock, sizeof(sock), "att");
	ck_assert_int_eq(vc_test_host_start(&H, sock, NULL, e, NULL, NULL, NULL), 0);
	g = guest_up();
	fill(key, 16, 15);
	flood(g, 0, cbc_session(g, key), key, 300, 100, 1024, 15);
	vcrypto_guest_destroy(g);
	host_down();
	vcrypto_engine_destroy(e);
	/* vcrypto neither stopped nor used queue pair 0 of the application's device. */
	{
		struct rte_cryptodev_stats cs;

		ck_assert_int_eq(rte_cryptodev_stats_get((uint8_t)id, &cs), 0);
		ck_assert_uint_ge(cs.enqueued_count, 300);
	}
	ck_assert_int_eq(rte_cryptodev_get_qp_status((uint8_t)id, 0), 1);
	rte_cryptodev_stop((uint8_t)id);
	rte_cryptodev_close((uint8_t)id);
	rte_vdev_uninit("crypto_openssl_app");
}
END_TEST

/* Measurement mode: sessions on crypto_null; data passes unchanged. */
START_TEST(null_crypto)
{
	struct vcrypto_engine_opts eo = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);
	struct vcrypto_guest *g;
	uint8_t key[16], iv[16] = {0}, *src, *dst;
	struct vcrypto_guest_op op;

	eo.nb_ops = 1024;
	eo.nb_queue_pairs = 1;
	eo.flags = VCRYPTO_ENGINE_F_NULL_CRYPTO;
	host_up_opts(&eo, NULL, NULL);
	g = guest_up();
	fill(key, 16, 13);
	src = buf(g, 4096);
	dst = buf(g, 4096);
	fill(src, 4096, 14);
	op = (struct vcrypto_guest_op){.session_id = cbc_session(g, key),
				       .iv = iv,
				       .iv_len = 16,
				       .src = src,
				       .dst = dst,
				       .src_len = 4096,
				       .dst_len = 4096};
	for (int i = 0; i < 100; i++) {
		memset(dst, 0, 4096);
		ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 5000), VCRYPTO_STATUS_OK);
		ck_assert(!memcmp(dst, src, 4096)); /* not encrypted: NULL cipher */
	}
	vcrypto_guest_destroy(g);
	host_down();
}
END_TEST

/*
 * Measurement mode on a device with CPU crypto (crypto_aesni_mb): requests
 * that would be computed in the poller take that path without the crypto
 * (the transport the benchmark's null modes measure), the others go to
 * crypto_null; data passes unchanged. In place, zero copy and copy mode,
 * 64 B and 4 KiB (copies up to 65535 bytes take CPU crypto), and out of place
 * (zero copy: 64 B copied to the destination, 4 KiB through the queue pair
 * and crypto_null, which writes no destination).
 */
static void null_cpu_case(bool copy)
{
	static const uint32_t lens[] = {64, 4096};
	struct vcrypto_engine_opts eo = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);
	struct vcrypto_port_opts po = VCRYPTO_OPTS_INIT(vcrypto_port_opts);
	struct vcrypto_poller_stats ps = {.sz = sizeof(ps)};
	struct vcrypto_guest_op ops[32];
	struct vcrypto_guest *g;
	uint8_t key[16], iv[16], *src, *dst, *want;
	uint64_t sid;

	eo.nb_ops = 1024;
	eo.flags = VCRYPTO_ENGINE_F_NULL_CRYPTO;
	po.zero_copy = copy ? VCRYPTO_ZERO_COPY_OFF : VCRYPTO_ZERO_COPY_ON;
	if (!aesni_host_up(copy ? "ny" : "nc", &eo, &po))
		return;
	g = guest_up();
	src = buf(g, 32 * 4096);
	dst = buf(g, 32 * 4096);
	want = malloc(32 * 4096);
	ck_assert_ptr_nonnull(want);
	fill(key, 16, 71);
	fill(iv, 16, 72);
	sid = cbc_session(g, key);
	for (unsigned int li = 0; li < 2; li++) {
		for (int oop = 0; oop < 2; oop++) {
			fill(src, 32 * (size_t)lens[li], 73 + li * 2 + (unsigned int)oop);
			memcpy(want, src, 32 * (size_t)lens[li]);
			memset(dst, 0, 32 * (size_t)lens[li]);
			cbc_ops(ops, 32, sid, iv, src, oop ? dst : src, lens[li]);
			run_burst(g, ops, 32);
			/*
			 * (crypto_null writes no destination of its own: zero copy out of
			 * place over 1 KiB, through the queue pair)
			 */
			if (!oop || copy || lens[li] <= 1024)
				ck_assert_msg(!memcmp(oop ? dst : src, want, 32 * (size_t)lens[li]),
					      "len %u, %s: data changed", lens[li],
					      oop ? "out of place" : "in place");
		}
	}
	vcrypto_poller_stats_get(H.poller, &ps);
	ck_assert_uint_eq(ps.completed, 4u * 32u);
	/* Zero copy: in place and 64 B out of place through the CPU path; copy mode: all. */
	ck_assert_uint_eq(ps.cpu_processed, copy ? 4u * 32u : 3u * 32u);
	ck_assert_uint_eq(ps.dequeued, copy ? 0u : 32u);
	free(want);
	vcrypto_guest_destroy(g);
	host_down();
}

START_TEST(null_crypto_cpu_path)
{
	null_cpu_case(false);
}
END_TEST

START_TEST(null_crypto_cpu_path_copy)
{
	null_cpu_case(true);
}
END_TEST

/*
 * A guest that reconnects at once must be served even if rte_vhost sees its
 * new connection before the old one's hang-up; a second front end while
 * the first is connected is refused and the first keeps working.
 */
static struct vcrypto_guest *guest_up_once(int *err)
{
	struct vcrypto_guest_opts o = VCRYPTO_OPTS_INIT(vcrypto_guest_opts);
	struct vcrypto_guest *g = NULL;

	o.queue_size = 64;
	o.mem_size = 1 << 20;
	o.connect_timeout_ms = 0; /* one try: no retry hides a refusal */
	*err = vcrypto_guest_connect(sock, &o, &g);
	return g;
}

static void one_cbc(struct vcrypto_guest *g, const uint8_t *key, uint64_t sid)
{
	uint8_t iv[16] = {0}, want[64];
	uint8_t *src = buf(g, 64), *dst = buf(g, 64);
	struct vcrypto_guest_op op = {.session_id = sid,
				      .iv = iv,
				      .iv_len = 16,
				      .src = src,
				      .dst = dst,
				      .src_len = 64,
				      .dst_len = 64};

	fill(src, 64, 7);
	ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 5000), VCRYPTO_STATUS_OK);
	ck_assert_int_eq(oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key, 16, iv, src,
				       64, want),
			 0);
	ck_assert_mem_eq(dst, want, 64);
	vcrypto_guest_buf_free(g, src);
	vcrypto_guest_buf_free(g, dst);
}

START_TEST(quick_reconnect_and_second_connection)
{
	struct vcrypto_port_stats st = {.sz = sizeof(st)};
	struct vcrypto_guest *g, *g2;
	uint8_t key[16];
	int err;

	host_up();
	fill(key, 16, 11);
	for (int round = 0; round < 100; round++) {
		g = guest_up_once(&err);
		ck_assert_msg(g != NULL, "round %d: connect: %s", round, vcrypto_strerror(err));
		one_cbc(g, key, cbc_session(g, key));
		vcrypto_guest_destroy(g);
	}
	vcrypto_port_stats_get(H.port, &st);
	ck_assert_uint_eq(st.connects, 100);

	g = guest_up_once(&err);
	ck_assert_ptr_nonnull(g);
	g2 = guest_up_once(&err);
	ck_assert_ptr_null(g2);
	ck_assert_int_lt(err, 0);
	one_cbc(g, key, cbc_session(g, key));
	vcrypto_guest_destroy(g);
	host_down();
}
END_TEST

/*
 * A burst of 24 long AES-CBC requests, which the host runs side by side:
 * lengths that differ (so do their chunks), a second session in the
 * middle, every fourth out of place; then all decrypted in place in one
 * burst. Against OpenSSL. (Refused requests among them: host_raw's
 * aesni_mb_long_cbc_hostile, as this front end refuses them itself.)
 */
static void long_cbc_burst(struct vcrypto_guest *g, const uint8_t *key, uint64_t enc)
{
	static const uint32_t lens[] = {65536, 100000, 262144, 70000, 131072, 65552};
	const uint32_t slot = 262144, n = 24;
	struct vcrypto_guest_op ops[24];
	uint8_t key2[16], ivs[24][16], *src = buf(g, (size_t)n * slot),
				       *dst = buf(g, (size_t)n * slot);
	uint8_t *in = malloc((size_t)n * slot), *want = malloc(slot);
	uint64_t enc2, dec, dec2, sids[24];
	const uint8_t *keys[24];

	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(want);
	fill(key2, 16, 23);
	fill(&ivs[0][0], sizeof(ivs), 24);
	enc2 = cbc_session(g, key2);
	dec = vc_test_cipher_session(g, VCRYPTO_CIPHER_AES_CBC, VCRYPTO_DECRYPT, key, 16);
	dec2 = vc_test_cipher_session(g, VCRYPTO_CIPHER_AES_CBC, VCRYPTO_DECRYPT, key2, 16);
	for (uint32_t i = 0; i < n; i++) {
		sids[i] = i >= 10 && i < 14 ? enc2 : enc;
		keys[i] = i >= 10 && i < 14 ? key2 : key;
	}
	cbc_mixed_ops(ops, n, sids, ivs, src, dst, in, slot, lens, 6, 3, 50);
	run_burst(g, ops, n);
	cbc_mixed_check(ops, n, keys, in, slot, want, "burst encrypt");
	for (uint32_t i = 0; i < n; i++) {
		/* Next: the ciphertext decrypted in place where it is. */
		ops[i].session_id = i >= 10 && i < 14 ? dec2 : dec;
		ops[i].src = ops[i].dst;
	}
	run_burst(g, ops, n);
	for (uint32_t i = 0; i < n; i++)
		ck_assert_msg(!memcmp(ops[i].dst, in + (size_t)i * slot, ops[i].src_len),
			      "burst decrypt %u", i);
	vcrypto_guest_session_close(g, enc2);
	vcrypto_guest_session_close(g, dec);
	vcrypto_guest_session_close(g, dec2);
	free(in);
	free(want);
}

/*
 * crypto_aesni_mb (intel-ipsec-mb) returns a 65536-byte AES-CBC request
 * unencrypted with status success (its cipher lanes count in 16 bits). The
 * host runs AES-CBC over 65535 bytes through CPU crypto in chunks instead:
 * 65536, 100000 and 262144 bytes, both ways, in place and out of place, in
 * zero-copy and copy mode, alone and in bursts, against OpenSSL. AES-CTR
 * that long is still refused (NOTSUPP), and the queue keeps working.
 */
static void long_cbc_case(bool copy)
{
	static const uint32_t lens[] = {65536, 100000, 262144};
	struct vcrypto_engine_opts eo = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);
	struct vcrypto_port_opts po = VCRYPTO_OPTS_INIT(vcrypto_port_opts);
	struct vcrypto_port_stats st = {.sz = sizeof(st)};
	const uint32_t max = 262144;
	struct vcrypto_guest *g;
	uint8_t key[16], iv[16], *src, *dst, *in, *want;
	uint64_t enc, dec, ctr;

	eo.nb_ops = 1024;
	po.zero_copy = copy ? VCRYPTO_ZERO_COPY_OFF : VCRYPTO_ZERO_COPY_ON;
	if (!aesni_host_up(copy ? "mc" : "mb", &eo, &po))
		return;
	g = guest_up();
	fill(key, 16, 21);
	fill(iv, 16, 22);
	enc = cbc_session(g, key);
	dec = vc_test_cipher_session(g, VCRYPTO_CIPHER_AES_CBC, VCRYPTO_DECRYPT, key, 16);
	ctr = vc_test_cipher_session(g, VCRYPTO_CIPHER_AES_CTR, VCRYPTO_ENCRYPT, key, 16);
	src = buf(g, max);
	dst = buf(g, max);
	in = malloc(max);
	want = malloc(max);
	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(want);
	for (unsigned int li = 0; li < 3; li++) {
		uint32_t len = lens[li];

		for (int inplace = 0; inplace < 2; inplace++) {
			uint8_t *out = inplace ? src : dst;
			struct vcrypto_guest_op op;

			fill(src, len, 30 + li * 2 + (unsigned int)inplace);
			memcpy(in, src, len);
			cbc_ops(&op, 1, enc, iv, src, out, len);
			ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 10000), VCRYPTO_STATUS_OK);
			ck_assert_int_eq(oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key,
						       16, iv, in, len, want),
					 0);
			ck_assert_msg(!memcmp(out, want, len), "encrypt len %u in place %d", len,
				      inplace);
			/* Back: the ciphertext (in out) decrypted into src, in place or not. */
			cbc_ops(&op, 1, dec, iv, out, src, len);
			ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 10000), VCRYPTO_STATUS_OK);
			ck_assert_msg(!memcmp(op.dst, in, len), "decrypt len %u in place %d", len,
				      inplace);
		}
	}
	long_cbc_burst(g, key, enc);
	{
		struct vcrypto_guest_op op;

		cbc_ops(&op, 1, ctr, iv, src, dst, 65536);
		ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 10000), VCRYPTO_STATUS_NOTSUPP);
		/* The queue keeps working. */
		fill(src, 4096, 40);
		cbc_ops(&op, 1, enc, iv, src, dst, 4096);
		ck_assert_int_eq(vcrypto_guest_run(g, 0, &op, 10000), VCRYPTO_STATUS_OK);
		ck_assert_int_eq(oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key, 16, iv,
					       src, 4096, want),
				 0);
		ck_assert_mem_eq(dst, want, 4096);
	}
	vcrypto_port_stats_get(H.port, &st);
	if (copy)
		ck_assert_uint_eq(st.zero_copy_requests, 0);
	else /* the in-place ones (3 lengths, both ways; the burst's 18 + 24) ran in guest memory */
		ck_assert_uint_ge(st.zero_copy_requests, 6u + 18u + 24u);
	free(in);
	free(want);
	vcrypto_guest_destroy(g);
	host_down();
}

START_TEST(aesni_mb_long_cbc)
{
	long_cbc_case(false);
}
END_TEST

START_TEST(aesni_mb_long_cbc_copy)
{
	long_cbc_case(true);
}
END_TEST

/*
 * A busy-polling guest (VCRYPTO_GUEST_F_BUSY_POLL) never asks for a
 * signal, so the host makes no eventfd write; an ordinary guest that polls
 * the same way asks whenever a poll finds nothing, and is signalled.
 */
static uint64_t spin_traffic(uint32_t flags, unsigned int total)
{
	struct vcrypto_guest_opts o = VCRYPTO_OPTS_INIT(vcrypto_guest_opts);
	struct vcrypto_port_stats st0 = {.sz = sizeof(st0)}, st1 = {.sz = sizeof(st1)};
	struct vcrypto_guest_completion c[32];
	struct vcrypto_guest_op ops[32];
	struct vcrypto_guest *g = NULL;
	uint8_t key[16], iv[16], want[32 * 64];
	unsigned int done = 0;
	uint8_t *src, *dst;
	uint64_t sid;

	o.flags = flags;
	o.mem_size = 8 << 20;
	o.connect_timeout_ms = 3000;
	ck_assert_int_eq(vcrypto_guest_connect(sock, &o, &g), 0);
	fill(key, 16, 71);
	fill(iv, 16, 72);
	sid = cbc_session(g, key);
	src = buf(g, 32 * 64);
	dst = buf(g, 32 * 64);
	ck_assert_int_eq(vcrypto_port_stats_get(H.port, &st0), 0);
	while (done < total) {
		unsigned int got = 0;

		fill(src, 32 * 64, done);
		ck_assert_int_eq(oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, key, 16, iv,
					       src, 32 * 64, want),
				 0);
		for (unsigned int i = 0; i < 32; i++)
			ops[i] = (struct vcrypto_guest_op){.session_id = sid,
							   .user_data = i,
							   .iv = iv,
							   .iv_len = 16,
							   .src = src + i * 64,
							   .dst = dst + i * 64,
							   .src_len = 64,
							   .dst_len = 64};
		ck_assert_int_eq(vcrypto_guest_submit(g, 0, ops, 32), 32);
		for (long spins = 0; got < 32; spins++) {
			int r = vcrypto_guest_poll(g, 0, c, 32);

			ck_assert_int_ge(r, 0);
			for (int k = 0; k < r; k++) {
				ck_assert_int_eq(c[k].status, VCRYPTO_STATUS_OK);
				/* CBC with one IV per request: each 64-byte request starts a chain. */
				ck_assert_int_eq(oracle_cipher(VCRYPTO_CIPHER_AES_CBC,
							       VCRYPTO_ENCRYPT, key, 16, iv,
							       src + c[k].user_data * 64, 64, want),
						 0);
				ck_assert_mem_eq(dst + c[k].user_data * 64, want, 64);
			}
			got += (unsigned int)r;
			ck_assert_msg(spins < 100000000L, "stalled: %u/32", got);
		}
		done += 32;
	}
	ck_assert_int_eq(vcrypto_port_stats_get(H.port, &st1), 0);
	ck_assert_uint_eq(st1.requests - st0.requests, total);
	vcrypto_guest_buf_free(g, src);
	vcrypto_guest_buf_free(g, dst);
	vcrypto_guest_destroy(g);
	return st1.notifications - st0.notifications;
}

START_TEST(busy_poll_no_signals)
{
	uint64_t quiet, signalled;

	host_up();
	quiet = spin_traffic(VCRYPTO_GUEST_F_BUSY_POLL, 20000); /* past 0x4000: used_event moves */
	signalled = spin_traffic(0, 3200);
	ck_assert_uint_eq(quiet, 0);
	ck_assert_uint_gt(signalled, 0);
	host_down();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("host_guest");

	if (vc_test_eal_init(NULL, 1024))
		return 77;
#define ADD(t) VC_TCASE(s, t, 60)
	ADD(ciphers);
	ADD(ciphers_per_part);
	ADD(hashes_and_macs);
	ADD(chains);
	ADD(chains_per_part);
	ADD(aead_gcm);
	ADD(aead_gcm_per_part);
	ADD(general_walks_counted);
	ADD(backpressure_tiny_qp);
	ADD(enqueue_chunk_follows_device);
	ADD(aesni_mb_cpu_crypto);
	ADD(aesni_mb_cpu_oop_routes);
	ADD(aesni_mb_cpu_crypto_copy);
	ADD(aesni_mb_copy_large);
	ADD(multi_queue);
	ADD(ports_and_pollers);
	ADD(many_sessions);
	ADD(zero_copy_toggle);
	ADD(zero_copy_auto);
	ADD(disconnect_midflight_and_reconnect);
	ADD(quick_reconnect_and_second_connection);
	ADD(host_restart_guest_reconnect);
	ADD(remove_add_port_under_load);
	ADD(null_crypto);
	ADD(null_crypto_cpu_path);
	ADD(null_crypto_cpu_path_copy);
	ADD(attach_engine);
	ADD(aesni_mb_long_cbc);
	ADD(aesni_mb_long_cbc_copy);
	ADD(busy_poll_no_signals);
	return vc_check_run(s);
}
