/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/* Session message codec: every layout, round trips, detection, malformed input. */

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "common/session_msg.h"
#include "common/virtio_crypto_wire.h"

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static struct vc_session_desc cbc_desc(void)
{
	struct vcrypto_session_params p = {.sz = sizeof(p)};
	struct vc_session_desc d;
	uint8_t key[32];

	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(0xa0 + i);
	p.type = VCRYPTO_SESSION_CIPHER;
	p.direction = VCRYPTO_DECRYPT;
	p.cipher_algo = VCRYPTO_CIPHER_AES_CBC;
	p.cipher_key = key;
	p.cipher_key_len = 32;
	ck_assert_int_eq(vcrypto__session_from_params(&p, &d), 0);
	return d;
}

static struct vc_session_desc chain_desc(void)
{
	struct vcrypto_session_params p = {.sz = sizeof(p)};
	struct vc_session_desc d;
	uint8_t key[16] = {1, 2, 3}, akey[100];

	memset(akey, 0x42, sizeof(akey));
	p.type = VCRYPTO_SESSION_CHAIN;
	p.direction = VCRYPTO_ENCRYPT;
	p.cipher_algo = VCRYPTO_CIPHER_AES_CBC;
	p.cipher_key = key;
	p.cipher_key_len = 16;
	p.mac_algo = VCRYPTO_MAC_HMAC_SHA1;
	p.auth_key = akey;
	p.auth_key_len = sizeof(akey);
	p.digest_len = 12;
	ck_assert_int_eq(vcrypto__session_from_params(&p, &d), 0);
	ck_assert_int_eq(d.chain_order, VCRYPTO_CHAIN_CIPHER_THEN_HASH);
	return d;
}

START_TEST(dpdk_layout_bytes)
{
	struct vc_session_desc d = cbc_desc();
	uint8_t b[VC_SESSION_PAYLOAD_MAX];

	memset(b, 0xee, sizeof(b));
	ck_assert_int_eq(
		vcrypto__session_encode(VCRYPTO_SESSION_LAYOUT_DPDK_22_11, &d, b, sizeof(b)), 632);
	ck_assert_uint_eq(rd64(b + 0), 0);	    /* session_id */
	ck_assert_uint_eq(rd32(b + 8), 0x002);	    /* op_code CIPHER_CREATE_SESSION */
	ck_assert_uint_eq(rd32(b + 12), 3);	    /* cipher_alg AES_CBC */
	ck_assert_uint_eq(rd32(b + 16), 32);	    /* key_len */
	ck_assert_uint_eq(rd32(b + 20), 0);	    /* hash_alg */
	ck_assert_uint_eq(rd32(b + 24), 0);	    /* hash_result_len */
	ck_assert_uint_eq(rd32(b + 28), 0);	    /* auth_key_len */
	ck_assert_uint_eq(rd32(b + 32), 0);	    /* aad_len */
	ck_assert_uint_eq(b[36], VC_SYM_OP_CIPHER); /* op_type */
	ck_assert_uint_eq(b[37], 2);		    /* direction: decrypt */
	ck_assert_uint_eq(b[38], 0);
	ck_assert_uint_eq(b[39], 0);
	ck_assert_uint_eq(rd64(b + 40), 0); /* pointers */
	ck_assert_uint_eq(rd64(b + 48), 0);
	ck_assert_uint_eq(b[56], 0xa0);
	ck_assert_uint_eq(b[56 + 31], 0xa0 + 31);
	ck_assert_uint_eq(b[56 + 32], 0);
	ck_assert_uint_eq(b[631], 0);
	ck_assert_uint_eq(b[632], 0xee); /* nothing written past the payload */
	ck_assert_uint_eq(vcrypto__session_id_offset(VCRYPTO_SESSION_LAYOUT_DPDK_22_11), 0);
}
END_TEST

START_TEST(qemu7_layout_bytes)
{
	struct vc_session_desc d = chain_desc();
	uint8_t b[VC_SESSION_PAYLOAD_MAX];

	ck_assert_int_eq(vcrypto__session_encode(VCRYPTO_SESSION_LAYOUT_QEMU_7, &d, b, sizeof(b)),
			 632);
	ck_assert_uint_eq(rd32(b + 8), 3);    /* cipher_alg */
	ck_assert_uint_eq(rd32(b + 12), 16);  /* key_len */
	ck_assert_uint_eq(rd32(b + 16), 2);   /* hash_alg: HMAC_SHA1 */
	ck_assert_uint_eq(rd32(b + 20), 12);  /* hash_result_len */
	ck_assert_uint_eq(rd32(b + 24), 100); /* auth_key_len */
	ck_assert_uint_eq(rd32(b + 28), 0);   /* aad_len */
	ck_assert_uint_eq(b[32], VC_SYM_OP_CHAIN);
	ck_assert_uint_eq(b[33], 1); /* encrypt */
	ck_assert_uint_eq(b[34], VC_HASH_MODE_AUTH);
	ck_assert_uint_eq(b[35], VCRYPTO_CHAIN_CIPHER_THEN_HASH);
	ck_assert_uint_eq(rd32(b + 36), 0); /* padding */
	ck_assert_uint_eq(b[56], 1);
	ck_assert_uint_eq(b[120], 0x42);
	ck_assert_uint_eq(b[120 + 99], 0x42);
	ck_assert_uint_eq(b[120 + 100], 0);
	/* QEMU 7 cannot express HASH/MAC/AEAD */
	{
		struct vcrypto_session_params p = {.sz = sizeof(p)};
		struct vc_session_desc h;

		p.type = VCRYPTO_SESSION_HASH;
		p.hash_algo = VCRYPTO_HASH_SHA_256;
		ck_assert_int_eq(vcrypto__session_from_params(&p, &h), 0);
		ck_assert_uint_eq(h.digest_len, 32);
		ck_assert_int_eq(vcrypto__session_encode(VCRYPTO_SESSION_LAYOUT_QEMU_7, &h, b,
							 sizeof(b)),
				 -EINVAL);
	}
}
END_TEST

START_TEST(qemu8_layout_bytes)
{
	struct vc_session_desc d = chain_desc();
	uint8_t b[VC_SESSION_PAYLOAD_MAX];

	ck_assert_int_eq(vcrypto__session_encode(VCRYPTO_SESSION_LAYOUT_QEMU_8, &d, b, sizeof(b)),
			 VC_SESSION_PAYLOAD_QEMU8);
	ck_assert_int_eq(VC_SESSION_PAYLOAD_QEMU8, 1072);
	ck_assert_uint_eq(rd64(b + 0), 0x002); /* u64 op_code */
	ck_assert_uint_eq(rd32(b + 8), 3);
	ck_assert_uint_eq(rd32(b + 12), 16);
	ck_assert_uint_eq(rd32(b + 16), 2);
	ck_assert_uint_eq(b[32], VC_SYM_OP_CHAIN);
	ck_assert_uint_eq(b[56], 1);
	ck_assert_uint_eq(b[120], 0x42);
	ck_assert_uint_eq(rd64(b + 1064), 0); /* session_id last */
	ck_assert_uint_eq(vcrypto__session_id_offset(VCRYPTO_SESSION_LAYOUT_QEMU_8), 1064);
	/* too small a buffer */
	ck_assert_int_eq(vcrypto__session_encode(VCRYPTO_SESSION_LAYOUT_QEMU_8, &d, b, 1000),
			 -EINVAL);
}
END_TEST

static void round_trip(const struct vc_session_desc *d, enum vcrypto_session_layout layout,
		       enum vcrypto_session_layout dec_layout)
{
	uint8_t b[VC_SESSION_PAYLOAD_MAX];
	struct vc_session_desc out;
	enum vcrypto_session_layout used = 0;
	int n = vcrypto__session_encode(layout, d, b, sizeof(b));

	ck_assert_int_gt(n, 0);
	memset(&out, 0x77, sizeof(out));
	ck_assert_int_eq(vcrypto__session_decode(dec_layout, b, (size_t)n, &out, &used), 0);
	ck_assert_int_eq(used, layout);
	ck_assert_int_eq(out.type, d->type);
	ck_assert_int_eq(out.direction, d->direction);
	ck_assert_int_eq(out.cipher_algo, d->cipher_algo);
	ck_assert_int_eq(out.hash_algo, d->hash_algo);
	ck_assert_int_eq(out.mac_algo, d->mac_algo);
	ck_assert_int_eq(out.aead_algo, d->aead_algo);
	ck_assert_int_eq(out.chain_order, d->chain_order);
	ck_assert_uint_eq(out.cipher_key_len, d->cipher_key_len);
	ck_assert_uint_eq(out.auth_key_len, d->auth_key_len);
	ck_assert_uint_eq(out.digest_len, d->digest_len);
	ck_assert_uint_eq(out.aad_len, d->aad_len);
	ck_assert_mem_eq(out.cipher_key, d->cipher_key, d->cipher_key_len);
	ck_assert_mem_eq(out.auth_key, d->auth_key, d->auth_key_len);
}

START_TEST(round_trips)
{
	struct vcrypto_session_params p;
	struct vc_session_desc ds[6];
	uint8_t key[32] = {9, 8, 7}, akey[64] = {5};
	int n = 0;

	ds[n++] = cbc_desc();
	ds[n++] = chain_desc();
	p = (struct vcrypto_session_params){.sz = sizeof(p),
					    .type = VCRYPTO_SESSION_HASH,
					    .hash_algo = VCRYPTO_HASH_SHA_512,
					    .digest_len = 40};
	ck_assert_int_eq(vcrypto__session_from_params(&p, &ds[n++]), 0);
	p = (struct vcrypto_session_params){.sz = sizeof(p),
					    .type = VCRYPTO_SESSION_MAC,
					    .mac_algo = VCRYPTO_MAC_HMAC_SHA_256,
					    .auth_key = akey,
					    .auth_key_len = 64};
	ck_assert_int_eq(vcrypto__session_from_params(&p, &ds[n++]), 0);
	ck_assert_uint_eq(ds[n - 1].digest_len, 32);
	p = (struct vcrypto_session_params){.sz = sizeof(p),
					    .type = VCRYPTO_SESSION_AEAD,
					    .direction = VCRYPTO_DECRYPT,
					    .aead_algo = VCRYPTO_AEAD_AES_GCM,
					    .cipher_key = key,
					    .cipher_key_len = 32,
					    .aad_len = 20};
	ck_assert_int_eq(vcrypto__session_from_params(&p, &ds[n++]), 0);
	ck_assert_uint_eq(ds[n - 1].digest_len, 16);
	p = (struct vcrypto_session_params){.sz = sizeof(p),
					    .type = VCRYPTO_SESSION_CHAIN,
					    .direction = VCRYPTO_DECRYPT,
					    .cipher_algo = VCRYPTO_CIPHER_3DES_CBC,
					    .cipher_key = key,
					    .cipher_key_len = 24,
					    .hash_algo = VCRYPTO_HASH_SHA1};
	ck_assert_int_eq(vcrypto__session_from_params(&p, &ds[n++]), 0);
	ck_assert_int_eq(ds[n - 1].chain_order, VCRYPTO_CHAIN_HASH_THEN_CIPHER);

	for (int i = 0; i < n; i++) {
		round_trip(&ds[i], VCRYPTO_SESSION_LAYOUT_DPDK_22_11,
			   VCRYPTO_SESSION_LAYOUT_DPDK_22_11);
		round_trip(&ds[i], VCRYPTO_SESSION_LAYOUT_DPDK_22_11,
			   VCRYPTO_SESSION_LAYOUT_DEFAULT);
		round_trip(&ds[i], VCRYPTO_SESSION_LAYOUT_QEMU_8, VCRYPTO_SESSION_LAYOUT_QEMU_8);
		round_trip(&ds[i], VCRYPTO_SESSION_LAYOUT_QEMU_8, VCRYPTO_SESSION_LAYOUT_DEFAULT);
		if (ds[i].type == VCRYPTO_SESSION_CIPHER || ds[i].type == VCRYPTO_SESSION_CHAIN) {
			round_trip(&ds[i], VCRYPTO_SESSION_LAYOUT_QEMU_7,
				   VCRYPTO_SESSION_LAYOUT_QEMU_7);
			round_trip(&ds[i], VCRYPTO_SESSION_LAYOUT_QEMU_7,
				   VCRYPTO_SESSION_LAYOUT_DEFAULT);
		}
	}
}
END_TEST

/* A QEMU 7 message with AES-ECB (cipher_alg 2) looks like DPDK's op code 0x002 at byte 8. */
START_TEST(detect_ecb_qemu7)
{
	struct vcrypto_session_params p = {.sz = sizeof(p)};
	struct vc_session_desc d, out;
	enum vcrypto_session_layout used;
	uint8_t key[16] = {1}, b[VC_SESSION_PAYLOAD_MAX];

	p.type = VCRYPTO_SESSION_CIPHER;
	p.direction = VCRYPTO_ENCRYPT;
	p.cipher_algo = VCRYPTO_CIPHER_AES_ECB;
	p.cipher_key = key;
	p.cipher_key_len = 16;
	ck_assert_int_eq(vcrypto__session_from_params(&p, &d), 0);
	ck_assert_int_eq(vcrypto__session_encode(VCRYPTO_SESSION_LAYOUT_QEMU_7, &d, b, sizeof(b)),
			 632);
	ck_assert_uint_eq(rd32(b + 8), 2);
	ck_assert_int_eq(
		vcrypto__session_decode(VCRYPTO_SESSION_LAYOUT_DEFAULT, b, 632, &out, &used), 0);
	ck_assert_int_eq(used, VCRYPTO_SESSION_LAYOUT_QEMU_7);
	ck_assert_int_eq(out.cipher_algo, VCRYPTO_CIPHER_AES_ECB);
	/* Forced to DPDK it is malformed (op_type at 36 is 0). */
	ck_assert_int_eq(vcrypto__session_decode(VCRYPTO_SESSION_LAYOUT_DPDK_22_11, b, 632, &out,
						 NULL),
			 -EINVAL);
}
END_TEST

/*
 * Hand-made payloads: a DPDK one is detected as DPDK; one neither layout can
 * read is refused. (With QEMU 7's padding at 36..39 zero, the two readings
 * cannot both be valid: DPDK's op code 0x002 needs op_type 1..2 at byte 36.)
 */
START_TEST(detect_by_hand)
{
	uint8_t b[632];
	struct vc_session_desc out;
	enum vcrypto_session_layout used = 0;

	memset(b, 0, sizeof(b));
	b[8] = 2;   /* op_code CIPHER_CREATE_SESSION */
	b[12] = 3;  /* AES-CBC */
	b[16] = 16; /* key_len */
	b[36] = 1;  /* op_type cipher */
	b[37] = 1;  /* encrypt */
	ck_assert_int_eq(
		vcrypto__session_decode(VCRYPTO_SESSION_LAYOUT_DEFAULT, b, 632, &out, &used), 0);
	ck_assert_int_eq(used, VCRYPTO_SESSION_LAYOUT_DPDK_22_11);
	ck_assert_int_eq(out.cipher_algo, VCRYPTO_CIPHER_AES_CBC);
	ck_assert_int_eq(out.direction, VCRYPTO_ENCRYPT);
	memset(b, 0, sizeof(b));
	ck_assert_int_eq(vcrypto__session_decode(VCRYPTO_SESSION_LAYOUT_DEFAULT, b, 632, &out,
						 NULL),
			 -EINVAL);
	memset(b, 0xff, sizeof(b));
	ck_assert_int_eq(vcrypto__session_decode(VCRYPTO_SESSION_LAYOUT_DEFAULT, b, 632, &out,
						 NULL),
			 -EINVAL);
}
END_TEST

START_TEST(malformed)
{
	struct vc_session_desc d = cbc_desc(), out;
	uint8_t b[VC_SESSION_PAYLOAD_MAX], c[VC_SESSION_PAYLOAD_MAX];
	int n = vcrypto__session_encode(VCRYPTO_SESSION_LAYOUT_DPDK_22_11, &d, b, sizeof(b));

	ck_assert_int_eq(n, 632);
	/* truncated */
	for (size_t len = 0; len < 632; len += 37)
		ck_assert_int_eq(vcrypto__session_decode(VCRYPTO_SESSION_LAYOUT_DEFAULT, b, len,
							 &out, NULL),
				 -EINVAL);
	ck_assert_int_eq(vcrypto__session_decode(VCRYPTO_SESSION_LAYOUT_DPDK_22_11, b, 631, &out,
						 NULL),
			 -EINVAL);
	ck_assert_int_eq(vcrypto__session_decode(VCRYPTO_SESSION_LAYOUT_QEMU_8, b, 632, &out, NULL),
			 -EINVAL);
	/* One message each, the good one with up to two bytes changed (DPDK 22.11 layout). */
	static const struct {
		const char *what;
		uint16_t at[2];
		uint8_t val[2];
		int rc;
	} bad[] = {
		{"cipher key over 64", {16, 16}, {65, 65}, -EINVAL},
		{"cipher key 256", {16, 17}, {0, 1}, -EINVAL},
		{"key length the algorithm does not take", {16, 16}, {20, 20}, -EINVAL},
		{"auth key over 512 (513)", {28, 29}, {0x01, 0x02}, -EINVAL},
		{"digest over 64", {24, 24}, {65, 65}, -EINVAL},
		{"unknown op_type", {36, 36}, {7, 7}, -EINVAL},
		{"unknown op code", {8, 8}, {0x55, 0x55}, -EINVAL},
		{"unknown cipher", {12, 12}, {99, 99}, -EINVAL},
		{"unknown direction", {37, 37}, {3, 3}, -EINVAL},
		/* well formed, not supported */
		{"nested hash mode", {36, 38}, {VC_SYM_OP_CHAIN, VC_HASH_MODE_NESTED}, -ENOTSUP},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(c, b, 632);
		for (int k = 0; k < 2; k++)
			c[bad[i].at[k]] = bad[i].val[k];
		ck_assert_msg(vcrypto__session_decode(VCRYPTO_SESSION_LAYOUT_DPDK_22_11, c, 632,
						      &out, NULL) == bad[i].rc,
			      "%s: not %d", bad[i].what, bad[i].rc);
	}
	/* QEMU 8 asymmetric: not supported */
	memset(c, 0, sizeof(c));
	c[0] = 0x04;
	c[1] = 0x04;
	ck_assert_int_eq(vcrypto__session_decode(VCRYPTO_SESSION_LAYOUT_QEMU_8, c, 1072, &out,
						 NULL),
			 -ENOTSUP);
	/* the good one still decodes */
	ck_assert_int_eq(
		vcrypto__session_decode(VCRYPTO_SESSION_LAYOUT_DPDK_22_11, b, 632, &out, NULL), 0);
}
END_TEST

START_TEST(params_validation)
{
	struct vcrypto_session_params p;
	struct vc_session_desc d;
	uint8_t key[64] = {0};

#define BAD(...)                                                                                   \
	do {                                                                                       \
		p = (struct vcrypto_session_params){.sz = sizeof(p), __VA_ARGS__};                 \
		ck_assert_int_eq(vcrypto__session_from_params(&p, &d), -EINVAL);                   \
	} while (0)
#define GOOD(...)                                                                                  \
	do {                                                                                       \
		p = (struct vcrypto_session_params){.sz = sizeof(p), __VA_ARGS__};                 \
		ck_assert_int_eq(vcrypto__session_from_params(&p, &d), 0);                         \
	} while (0)
#define CIPH .type = VCRYPTO_SESSION_CIPHER, .direction = VCRYPTO_ENCRYPT, .cipher_key = key
	GOOD(CIPH, .cipher_algo = VCRYPTO_CIPHER_AES_CBC, .cipher_key_len = 16);
	GOOD(CIPH, .cipher_algo = VCRYPTO_CIPHER_AES_CBC, .cipher_key_len = 24);
	GOOD(CIPH, .cipher_algo = VCRYPTO_CIPHER_AES_CTR, .cipher_key_len = 32);
	BAD(CIPH, .cipher_algo = VCRYPTO_CIPHER_AES_CBC, .cipher_key_len = 8);
	GOOD(CIPH, .cipher_algo = VCRYPTO_CIPHER_AES_XTS, .cipher_key_len = 64);
	BAD(CIPH, .cipher_algo = VCRYPTO_CIPHER_AES_XTS, .cipher_key_len = 16);
	GOOD(CIPH, .cipher_algo = VCRYPTO_CIPHER_3DES_CBC, .cipher_key_len = 24);
	GOOD(CIPH, .cipher_algo = VCRYPTO_CIPHER_3DES_CBC, .cipher_key_len = 16);
	BAD(CIPH, .cipher_algo = VCRYPTO_CIPHER_3DES_CBC, .cipher_key_len = 8);
	BAD(CIPH, .cipher_algo = 5, .cipher_key_len = 16); /* unknown */
	BAD(CIPH, .cipher_algo = VCRYPTO_CIPHER_NONE, .cipher_key_len = 16);
	BAD(CIPH, .cipher_algo = VCRYPTO_CIPHER_AES_CBC, .cipher_key_len = 16, .hash_algo = 2);
	BAD(CIPH, .cipher_algo = VCRYPTO_CIPHER_AES_CBC, .cipher_key_len = 16, .aad_len = 8);
	BAD(CIPH, .cipher_algo = VCRYPTO_CIPHER_AES_CBC, .cipher_key_len = 16, .digest_len = 4);
	BAD(CIPH, .cipher_algo = VCRYPTO_CIPHER_AES_CBC, .cipher_key_len = 65);
	BAD(.type = VCRYPTO_SESSION_CIPHER, .direction = VCRYPTO_ENCRYPT,
	    .cipher_algo = VCRYPTO_CIPHER_AES_CBC, .cipher_key_len = 16); /* key NULL */
	BAD(.type = 0);
	BAD(.type = 9);
	GOOD(.type = VCRYPTO_SESSION_HASH, .hash_algo = VCRYPTO_HASH_SHA1);
	ck_assert_uint_eq(d.digest_len, 20);
	ck_assert_uint_eq(vcrypto__digest_len(&d), 20);
	BAD(.type = VCRYPTO_SESSION_HASH, .hash_algo = VCRYPTO_HASH_SHA1, .digest_len = 21);
	BAD(.type = VCRYPTO_SESSION_HASH, .hash_algo = 9);
	BAD(.type = VCRYPTO_SESSION_HASH, .hash_algo = VCRYPTO_HASH_SHA1, .direction = 1);
	GOOD(.type = VCRYPTO_SESSION_MAC, .mac_algo = VCRYPTO_MAC_HMAC_SHA_512, .auth_key = key,
	     .auth_key_len = 64);
	ck_assert_uint_eq(d.digest_len, 64);
	BAD(.type = VCRYPTO_SESSION_MAC, .mac_algo = VCRYPTO_MAC_HMAC_SHA_512, .auth_key = key,
	    .auth_key_len = 513);
	BAD(.type = VCRYPTO_SESSION_MAC, .mac_algo = VCRYPTO_MAC_CMAC_AES, .auth_key = key,
	    .auth_key_len = 20);
	GOOD(.type = VCRYPTO_SESSION_AEAD, .direction = VCRYPTO_ENCRYPT,
	     .aead_algo = VCRYPTO_AEAD_CHACHA20_POLY1305, .cipher_key = key, .cipher_key_len = 32);
	BAD(.type = VCRYPTO_SESSION_AEAD, .direction = VCRYPTO_ENCRYPT,
	    .aead_algo = VCRYPTO_AEAD_CHACHA20_POLY1305, .cipher_key = key, .cipher_key_len = 16);
	BAD(.type = VCRYPTO_SESSION_AEAD, .direction = VCRYPTO_ENCRYPT,
	    .aead_algo = VCRYPTO_AEAD_AES_GCM, .cipher_key = key, .cipher_key_len = 16,
	    .digest_len = 17);
	BAD(.type = VCRYPTO_SESSION_AEAD, .direction = VCRYPTO_ENCRYPT,
	    .aead_algo = VCRYPTO_AEAD_AES_GCM, .cipher_key = key, .cipher_key_len = 16,
	    .aad_len = 257);
	BAD(.type = VCRYPTO_SESSION_CHAIN, .direction = VCRYPTO_ENCRYPT,
	    .cipher_algo = VCRYPTO_CIPHER_AES_CBC, .cipher_key = key, .cipher_key_len = 16);
	BAD(.type = VCRYPTO_SESSION_CHAIN, .direction = VCRYPTO_ENCRYPT,
	    .cipher_algo = VCRYPTO_CIPHER_AES_CBC, .cipher_key = key, .cipher_key_len = 16,
	    .hash_algo = VCRYPTO_HASH_SHA1, .mac_algo = VCRYPTO_MAC_HMAC_SHA1, .auth_key = key,
	    .auth_key_len = 16);
	/* a larger struct from a newer caller: extra bytes must be zero */
	{
		struct {
			struct vcrypto_session_params p;
			uint32_t extra;
		} big = {0};

		big.p.sz = sizeof(big);
		big.p.type = VCRYPTO_SESSION_HASH;
		big.p.hash_algo = VCRYPTO_HASH_SHA1;
		ck_assert_int_eq(vcrypto__session_from_params(&big.p, &d), 0);
		big.extra = 1;
		ck_assert_int_eq(vcrypto__session_from_params(&big.p, &d), -EINVAL);
	}
}
END_TEST

/*
 * A CREATE payload captured from Debian 12's QEMU 7.2 (Linux 6.1 guest,
 * virtio_crypto self-test of cbc(aes)): AES-128-CBC, encrypt, with the RFC 3602
 * case 1 key. The layout must be detected as QEMU 7 with no port option.
 */
START_TEST(qemu72_capture)
{
	static const uint8_t rfc3602_key[16] = {0x06, 0xa9, 0x21, 0x40, 0x36, 0xb8, 0xa1, 0x5b,
						0x51, 0x2e, 0x03, 0xd5, 0x34, 0x12, 0x00, 0x06};
	enum vcrypto_session_layout used = VCRYPTO_SESSION_LAYOUT_DEFAULT;
	struct vc_session_desc d;
	uint8_t b[VC_SESSION_PAYLOAD_MAX];
	FILE *f = fopen(VCRYPTO_TEST_DATA_DIR "/qemu-7.2-create-session.bin", "rb");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(b, 1, sizeof(b), f);
	fclose(f);
	ck_assert_uint_eq(n, 632);
	ck_assert_int_eq(vcrypto__session_decode(VCRYPTO_SESSION_LAYOUT_DEFAULT, b, n, &d, &used),
			 0);
	ck_assert_int_eq(used, VCRYPTO_SESSION_LAYOUT_QEMU_7);
	ck_assert_int_eq(d.type, VCRYPTO_SESSION_CIPHER);
	ck_assert_int_eq(d.direction, VCRYPTO_ENCRYPT);
	ck_assert_int_eq(d.cipher_algo, VCRYPTO_CIPHER_AES_CBC);
	ck_assert_uint_eq(d.cipher_key_len, 16);
	ck_assert_mem_eq(d.cipher_key, rfc3602_key, 16);
	/* Read as DPDK 22.11 it is malformed, not silently misread. */
	ck_assert_int_eq(vcrypto__session_decode(VCRYPTO_SESSION_LAYOUT_DPDK_22_11, b, n, &d, NULL),
			 -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("session_msg");
	TCase *tc = tcase_create("codec");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, dpdk_layout_bytes);
	tcase_add_test(tc, qemu72_capture);
	tcase_add_test(tc, qemu7_layout_bytes);
	tcase_add_test(tc, qemu8_layout_bytes);
	tcase_add_test(tc, round_trips);
	tcase_add_test(tc, detect_ecb_qemu7);
	tcase_add_test(tc, detect_by_hand);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, params_validation);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
