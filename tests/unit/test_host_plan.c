/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Unit tests of the host's check of a request against its session
 * (vc_plan_request in lib/host/parse.c): a valid request of each kind
 * passes with the plan the poller acts on (where the source, IV, AAD, tag,
 * result and digest lie), and every rule by which a request is refused has
 * a case of its own, built from the valid one by changing one field, with
 * the virtio status the guest must get: VIRTIO_CRYPTO_BADMSG for a request
 * that contradicts its session or its buffers, VIRTIO_CRYPTO_NOTSUPP for
 * one the device does not do. The expectations come from the virtio-crypto
 * request layouts (lib/common/virtio_crypto_wire.h), not from the code.
 */

#include <string.h>

#include <vcrypto/crypto.h>

#include "check_run.h"
#include "host/parse.h"

#define HDR VC_REQ_HDR_LEN
#define ROOM (1ull << 30)     /* readable or writable bytes enough for any case */
#define MAX_REQ (128u * 1024) /* max_request_len: under VC_BIG_BUF */

enum {
	S_CIPHER,
	S_CHAIN,
	S_HASH,
	S_MAC,
	S_AEAD_ENC,
	S_AEAD_DEC,
	S_N
};

/* AES-256-GCM, 16 bytes of AAD, in direction @p dir. */
#define GCM_SHAPE(dir)                                                                             \
	{                                                                                          \
		.d = {.type = VCRYPTO_SESSION_AEAD, .direction = (dir), .aad_len = 16},            \
		.iv_len = 12, .block = 1, .digest_len = 16                                         \
	}

/* AES-CBC, AES-CBC + HMAC-SHA1 (cipher then hash), SHA-256, HMAC-SHA256, AES-GCM. */
static const struct vc_sess_shape sess[S_N] = {
	[S_CIPHER] = {.d = {.type = VCRYPTO_SESSION_CIPHER, .direction = VCRYPTO_ENCRYPT},
		      .iv_len = 16,
		      .block = 16},
	[S_CHAIN] = {.d = {.type = VCRYPTO_SESSION_CHAIN, .direction = VCRYPTO_ENCRYPT},
		     .iv_len = 16,
		     .block = 16,
		     .digest_len = 20},
	[S_HASH] = {.d = {.type = VCRYPTO_SESSION_HASH}, .iv_len = 0, .block = 1, .digest_len = 32},
	[S_MAC] = {.d = {.type = VCRYPTO_SESSION_MAC}, .iv_len = 0, .block = 1, .digest_len = 32},
	[S_AEAD_ENC] = GCM_SHAPE(VCRYPTO_ENCRYPT),
	[S_AEAD_DEC] = GCM_SHAPE(VCRYPTO_DECRYPT),
};

static struct vc_op_data_req cipher_hdr(uint32_t opcode, uint32_t op_type, uint32_t iv,
					uint32_t src, uint32_t dst)
{
	struct vc_op_data_req h;

	memset(&h, 0, sizeof(h));
	h.header.opcode = opcode;
	h.u.sym_req.op_type = op_type;
	h.u.sym_req.u.cipher.para = (struct vc_cipher_para){iv, src, dst, 0};
	return h;
}

/* Cipher then hash over the source: the cipher range, the hash range, AAD, digest length. */
static struct vc_op_data_req chain_hdr(uint32_t opcode, uint32_t src, uint32_t dst, uint32_t c_off,
				       uint32_t c_len, uint32_t h_off, uint32_t h_len, uint32_t aad,
				       uint32_t res)
{
	struct vc_op_data_req h;

	memset(&h, 0, sizeof(h));
	h.header.opcode = opcode;
	h.u.sym_req.op_type = VC_SYM_OP_CHAIN;
	h.u.sym_req.u.chain =
		(struct vc_chain_para){16, src, dst, c_off, c_len, h_off, h_len, aad, res, 0};
	return h;
}

static struct vc_op_data_req hash_hdr(uint32_t opcode, uint32_t src, uint32_t res)
{
	struct vc_op_data_req h;

	memset(&h, 0, sizeof(h));
	h.header.opcode = opcode;
	if (opcode == VC_MAC)
		h.u.mac_req.para = (struct vc_hash_para){src, res};
	else
		h.u.hash_req.para = (struct vc_hash_para){src, res};
	return h;
}

static struct vc_op_data_req aead_hdr(uint32_t opcode, uint32_t iv, uint32_t aad, uint32_t src,
				      uint32_t dst)
{
	struct vc_op_data_req h;

	memset(&h, 0, sizeof(h));
	h.header.opcode = opcode;
	h.u.aead_req.para = (struct vc_aead_para){iv, aad, src, dst};
	return h;
}

static uint8_t plan_max(const struct vc_op_data_req *h, int s, uint32_t max, uint32_t max_cipher,
			uint64_t rlen, uint64_t wlen, struct vc_plan *pl)
{
	struct vc_chain c = {.rlen = rlen, .wlen = wlen};

	return vc_plan_request(h, &sess[s], max, max_cipher, &c, pl);
}

static uint8_t plan(const struct vc_op_data_req *h, int s, uint32_t max_cipher, uint64_t rlen,
		    uint64_t wlen, struct vc_plan *pl)
{
	return plan_max(h, s, MAX_REQ, max_cipher, rlen, wlen, pl);
}

/* @p h against session @p s with room to spare: status @p want. */
static void refused(const char *what, struct vc_op_data_req h, int s, uint8_t want)
{
	struct vc_plan pl;
	uint8_t st = plan(&h, s, 0, ROOM, ROOM, &pl);

	ck_assert_msg(st == want, "%s: status %u, want %u", what, st, want);
}

/*
 * @p h passes against session @p s with exactly @p rlen readable and @p wlen
 * writable bytes (the status byte included), and fails with BADMSG with
 * one byte less of either.
 */
static struct vc_plan fits_exactly(const char *what, struct vc_op_data_req h, int s, uint64_t rlen,
				   uint64_t wlen)
{
	struct vc_plan pl;

	ck_assert_msg(plan(&h, s, 0, rlen - 1, wlen, &pl) == VCRYPTO_STATUS_BADMSG,
		      "%s: one readable byte short", what);
	ck_assert_msg(plan(&h, s, 0, rlen, wlen - 1, &pl) == VCRYPTO_STATUS_BADMSG,
		      "%s: one writable byte short", what);
	ck_assert_msg(plan(&h, s, 0, rlen, wlen, &pl) == VCRYPTO_STATUS_OK, "%s: refused", what);
	return pl;
}

START_TEST(valid_requests_and_their_plans)
{
	struct vc_plan pl;

	/* Cipher: R[hdr][iv 16][src 64] W[dst 64][status]. */
	pl = fits_exactly("cipher", cipher_hdr(VC_CIPHER_ENCRYPT, VC_SYM_OP_CIPHER, 16, 64, 64),
			  S_CIPHER, HDR + 16 + 64, 64 + 1);
	ck_assert_uint_eq(pl.kind, VC_K_CIPHER);
	ck_assert_uint_eq(pl.iv_len, 16);
	ck_assert_uint_eq(pl.src_off, HDR + 16);
	ck_assert_uint_eq(pl.src_len, 64);
	ck_assert_uint_eq(pl.data_len, 64);
	ck_assert_uint_eq(pl.dst_len, 64);
	ck_assert_uint_eq(pl.c_len, 64);
	ck_assert_uint_eq(pl.dig_len, 0);

	/* Cipher then hash: R[hdr][iv][src 96] W[dst 96][digest 20][status]. */
	pl = fits_exactly("chain", chain_hdr(VC_CIPHER_ENCRYPT, 96, 96, 16, 80, 0, 96, 0, 20),
			  S_CHAIN, HDR + 16 + 96, 96 + 20 + 1);
	ck_assert_uint_eq(pl.kind, VC_K_CHAIN);
	ck_assert_uint_eq(pl.src_off, HDR + 16);
	ck_assert_uint_eq(pl.data_len, 96);
	ck_assert_uint_eq(pl.c_off, 16);
	ck_assert_uint_eq(pl.c_len, 80);
	ck_assert_uint_eq(pl.h_off, 0);
	ck_assert_uint_eq(pl.h_len, 96);
	ck_assert_uint_eq(pl.dig_len, 20);
	ck_assert_uint_eq(pl.dig_woff, 96);

	/* Hash and MAC: R[hdr][src 100] W[digest 32][status]. */
	pl = fits_exactly("hash", hash_hdr(VC_HASH, 100, 32), S_HASH, HDR + 100, 32 + 1);
	ck_assert_uint_eq(pl.kind, VC_K_HASH);
	ck_assert_uint_eq(pl.src_off, HDR);
	ck_assert_uint_eq(pl.h_len, 100);
	ck_assert_uint_eq(pl.dig_woff, 0);
	ck_assert_uint_eq(pl.dst_len, 0);
	pl = fits_exactly("mac", hash_hdr(VC_MAC, 100, 32), S_MAC, HDR + 100, 32 + 1);
	ck_assert_uint_eq(pl.kind, VC_K_HASH);
	ck_assert_uint_eq(pl.dig_len, 32);

	/* AEAD encryption: R[hdr][iv 12][aad 16][src 64] W[dst 64][tag 16][status]. */
	pl = fits_exactly("aead encrypt", aead_hdr(VC_AEAD_ENCRYPT, 12, 16, 64, 80), S_AEAD_ENC,
			  HDR + 12 + 16 + 64, 64 + 16 + 1);
	ck_assert_uint_eq(pl.kind, VC_K_AEAD);
	ck_assert(!pl.aead_dec);
	ck_assert_uint_eq(pl.src_off, HDR + 12 + 16);
	ck_assert_uint_eq(pl.data_len, 64);
	ck_assert_uint_eq(pl.dig_len, 16);
	ck_assert_uint_eq(pl.dig_woff, 64);

	/* AEAD decryption: R[hdr][iv][aad][src 64][tag 16] W[dst 64][status]. */
	pl = fits_exactly("aead decrypt", aead_hdr(VC_AEAD_DECRYPT, 12, 16, 80, 64), S_AEAD_DEC,
			  HDR + 12 + 16 + 80, 64 + 1);
	ck_assert(pl.aead_dec);
	ck_assert_uint_eq(pl.data_len, 64);
	ck_assert_uint_eq(pl.dst_len, 64);
	ck_assert_uint_eq(pl.tag_roff, HDR + 12 + 16 + 64);
	ck_assert_uint_eq(pl.dig_len, 0);
}
END_TEST

START_TEST(cipher_rules)
{
	const uint8_t BAD = VCRYPTO_STATUS_BADMSG, NOTSUPP = VCRYPTO_STATUS_NOTSUPP;
	const uint32_t E = VC_CIPHER_ENCRYPT, C = VC_SYM_OP_CIPHER;
	struct vc_op_data_req h;
	struct vc_plan pl;

	refused("decrypt on an encrypt session", cipher_hdr(VC_CIPHER_DECRYPT, C, 16, 64, 64),
		S_CIPHER, BAD);
	refused("op type none", cipher_hdr(E, VC_SYM_OP_NONE, 16, 64, 64), S_CIPHER, BAD);
	refused("op type 3", cipher_hdr(E, 3, 16, 64, 64), S_CIPHER, NOTSUPP);
	refused("chain op on a cipher session", chain_hdr(E, 64, 64, 0, 64, 0, 64, 0, 20), S_CIPHER,
		BAD);
	refused("destination shorter", cipher_hdr(E, C, 16, 64, 48), S_CIPHER, BAD);
	refused("destination longer", cipher_hdr(E, C, 16, 64, 80), S_CIPHER, BAD);
	refused("no data", cipher_hdr(E, C, 16, 0, 0), S_CIPHER, BAD);
	refused("partial block", cipher_hdr(E, C, 16, 65, 65), S_CIPHER, BAD);
	refused("IV shorter than the session's", cipher_hdr(E, C, 8, 64, 64), S_CIPHER, BAD);
	refused("IV longer than the session's", cipher_hdr(E, C, 32, 64, 64), S_CIPHER, BAD);
	refused("over max_request_len", cipher_hdr(E, C, 16, MAX_REQ + 16, MAX_REQ + 16), S_CIPHER,
		BAD);
	refused("unknown opcode", cipher_hdr(0x0999, C, 16, 64, 64), S_CIPHER, NOTSUPP);
	refused("hash opcode on a cipher session", hash_hdr(VC_HASH, 64, 32), S_CIPHER, BAD);
	refused("MAC opcode on a cipher session", hash_hdr(VC_MAC, 64, 32), S_CIPHER, BAD);
	refused("AEAD opcode on a cipher session", aead_hdr(VC_AEAD_ENCRYPT, 16, 0, 64, 64),
		S_CIPHER, BAD);
	/* Longer than the device's cipher length: not supported (0: no such limit). */
	h = cipher_hdr(E, C, 16, 4096, 4096);
	ck_assert_uint_eq(plan(&h, S_CIPHER, 4080, ROOM, ROOM, &pl), NOTSUPP);
	ck_assert_uint_eq(plan(&h, S_CIPHER, 4096, ROOM, ROOM, &pl), VCRYPTO_STATUS_OK);
	ck_assert_uint_eq(plan(&h, S_CIPHER, 0, ROOM, ROOM, &pl), VCRYPTO_STATUS_OK);
}
END_TEST

START_TEST(chain_rules)
{
	const uint8_t BAD = VCRYPTO_STATUS_BADMSG;
	const uint32_t E = VC_CIPHER_ENCRYPT;
	struct vc_op_data_req h;
	struct vc_plan pl;

	refused("cipher op on a chain session", cipher_hdr(E, VC_SYM_OP_CIPHER, 16, 64, 64),
		S_CHAIN, BAD);
	refused("decrypt on an encrypt session",
		chain_hdr(VC_CIPHER_DECRYPT, 64, 64, 0, 64, 0, 64, 0, 20), S_CHAIN, BAD);
	refused("destination shorter", chain_hdr(E, 64, 48, 0, 48, 0, 48, 0, 20), S_CHAIN, BAD);
	refused("AAD the session has not", chain_hdr(E, 64, 64, 0, 64, 0, 64, 8, 20), S_CHAIN, BAD);
	refused("digest shorter than the session's", chain_hdr(E, 64, 64, 0, 64, 0, 64, 0, 12),
		S_CHAIN, BAD);
	refused("digest longer than the session's", chain_hdr(E, 64, 64, 0, 64, 0, 64, 0, 32),
		S_CHAIN, BAD);
	refused("cipher range past the source", chain_hdr(E, 64, 64, 16, 64, 0, 64, 0, 20), S_CHAIN,
		BAD);
	refused("hash range past the source", chain_hdr(E, 64, 64, 0, 64, 1, 64, 0, 20), S_CHAIN,
		BAD);
	refused("cipher range wrapping 2^32", chain_hdr(E, 64, 64, 0xfffffff0u, 32, 0, 64, 0, 20),
		S_CHAIN, BAD);
	refused("hash range wrapping 2^32", chain_hdr(E, 64, 64, 0, 64, 0xffffffc0u, 0x80, 0, 20),
		S_CHAIN, BAD);
	refused("cipher length not whole blocks", chain_hdr(E, 64, 64, 0, 60, 0, 64, 0, 20),
		S_CHAIN, BAD);
	refused("over max_request_len",
		chain_hdr(E, MAX_REQ + 16, MAX_REQ + 16, 0, 16, 0, 16, 0, 20), S_CHAIN, BAD);
	/* The writable part holds the result, the digest after it and the status byte. */
	h = chain_hdr(E, 64, 64, 0, 64, 0, 64, 0, 20);
	ck_assert_uint_eq(plan(&h, S_CHAIN, 0, ROOM, 64 + 1, &pl), BAD);
	ck_assert_uint_eq(plan(&h, S_CHAIN, 0, ROOM, 64 + 20, &pl), BAD);
	/* A chain's cipher length counts against the device's as well. */
	ck_assert_uint_eq(plan(&h, S_CHAIN, 48, ROOM, ROOM, &pl), VCRYPTO_STATUS_NOTSUPP);
}
END_TEST

START_TEST(hash_rules)
{
	const uint8_t BAD = VCRYPTO_STATUS_BADMSG;

	refused("digest shorter than the session's", hash_hdr(VC_HASH, 64, 20), S_HASH, BAD);
	refused("digest longer than the session's", hash_hdr(VC_HASH, 64, 64), S_HASH, BAD);
	refused("MAC digest shorter than the session's", hash_hdr(VC_MAC, 64, 16), S_MAC, BAD);
	refused("MAC opcode on a hash session", hash_hdr(VC_MAC, 64, 32), S_HASH, BAD);
	refused("hash opcode on a MAC session", hash_hdr(VC_HASH, 64, 32), S_MAC, BAD);
	refused("cipher opcode on a hash session",
		cipher_hdr(VC_CIPHER_ENCRYPT, VC_SYM_OP_CIPHER, 16, 64, 64), S_HASH, BAD);
	refused("over max_request_len", hash_hdr(VC_HASH, MAX_REQ + 1, 32), S_HASH, BAD);
}
END_TEST

START_TEST(aead_rules)
{
	const uint8_t BAD = VCRYPTO_STATUS_BADMSG;
	const uint32_t E = VC_AEAD_ENCRYPT, D = VC_AEAD_DECRYPT;
	struct vc_op_data_req h;
	struct vc_plan pl;

	refused("decrypt on an encrypt session", aead_hdr(D, 12, 16, 80, 64), S_AEAD_ENC, BAD);
	refused("encrypt on a decrypt session", aead_hdr(E, 12, 16, 64, 80), S_AEAD_DEC, BAD);
	refused("cipher opcode on an AEAD session",
		cipher_hdr(VC_CIPHER_ENCRYPT, VC_SYM_OP_CIPHER, 12, 64, 64), S_AEAD_ENC, BAD);
	refused("IV longer than the session's", aead_hdr(E, 16, 16, 64, 80), S_AEAD_ENC, BAD);
	refused("IV shorter than the session's", aead_hdr(E, 8, 16, 64, 80), S_AEAD_ENC, BAD);
	refused("AAD shorter than the session's", aead_hdr(E, 12, 8, 64, 80), S_AEAD_ENC, BAD);
	refused("AAD longer than the session's", aead_hdr(E, 12, 32, 64, 80), S_AEAD_ENC, BAD);
	refused("encryption without room for the tag", aead_hdr(E, 12, 16, 64, 64), S_AEAD_ENC,
		BAD);
	refused("encryption's destination too long", aead_hdr(E, 12, 16, 64, 96), S_AEAD_ENC, BAD);
	refused("encryption's destination wrapping 2^32", aead_hdr(E, 12, 16, 0xfffffff8u, 0x8u),
		S_AEAD_ENC, BAD);
	refused("decryption shorter than its tag", aead_hdr(D, 12, 16, 8, 0), S_AEAD_DEC, BAD);
	refused("decryption's destination not source less tag", aead_hdr(D, 12, 16, 80, 80),
		S_AEAD_DEC, BAD);
	/*
	 * One contiguous result buffer of at most VC_BIG_BUF: a longer one is not
	 * supported (whatever the port's max_request_len).
	 */
	h = aead_hdr(E, 12, 16, VC_BIG_BUF + 16, VC_BIG_BUF + 32);
	ck_assert_uint_eq(plan_max(&h, S_AEAD_ENC, 1u << 30, 0, ROOM, ROOM, &pl),
			  VCRYPTO_STATUS_NOTSUPP);
	h = aead_hdr(E, 12, 16, VC_BIG_BUF, VC_BIG_BUF + 16);
	ck_assert_uint_eq(plan_max(&h, S_AEAD_ENC, 1u << 30, 0, ROOM, ROOM, &pl),
			  VCRYPTO_STATUS_OK);
	refused("over max_request_len", aead_hdr(D, 12, 16, MAX_REQ + 16, MAX_REQ), S_AEAD_DEC,
		BAD);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("host_plan");

	VC_TCASE(s, valid_requests_and_their_plans, 10);
	VC_TCASE(s, cipher_rules, 10);
	VC_TCASE(s, chain_rules, 10);
	VC_TCASE(s, hash_rules, 10);
	VC_TCASE(s, aead_rules, 10);
	return vc_check_run(s);
}
