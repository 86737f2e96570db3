/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Fuzz target: the vhost-user CREATE_SESSION payload codec
 * (lib/common/session_msg.c), which the host runs on every message a guest
 * sends.
 *
 * Input: byte 0 selects the mode, the rest is the payload.
 *  - mode & 0x80 == 0: decode the payload (copied to a buffer of exactly its
 *    size, so ASan sees any read past @p len) with layout (mode & 7), then
 *    with every layout. Whatever decodes must re-encode in that layout and
 *    decode again to the same desc, and re-encode to the same bytes.
 *    DEFAULT must agree with the layout it reports.
 *  - mode & 0x80: build vcrypto_session_params from the bytes and run
 *    vcrypto__session_from_params(); an accepted session must encode and
 *    decode back in every layout that takes it.
 */

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "common/session_msg.h"
#include "fuzz_check.h"

#define NLAYOUTS 4 /* DEFAULT, DPDK_22_11, QEMU_7, QEMU_8 */

static bool desc_equal(const struct vc_session_desc *a, const struct vc_session_desc *b)
{
	return a->type == b->type && a->direction == b->direction &&
	       a->cipher_algo == b->cipher_algo && a->hash_algo == b->hash_algo &&
	       a->mac_algo == b->mac_algo && a->aead_algo == b->aead_algo &&
	       a->chain_order == b->chain_order && a->cipher_key_len == b->cipher_key_len &&
	       a->auth_key_len == b->auth_key_len && a->digest_len == b->digest_len &&
	       a->aad_len == b->aad_len &&
	       !memcmp(a->cipher_key, b->cipher_key, sizeof(a->cipher_key)) &&
	       !memcmp(a->auth_key, b->auth_key, sizeof(a->auth_key));
}

/* What every accepted desc satisfies, whichever way it was made. */
static void check_desc(const struct vc_session_desc *d)
{
	int iv = vcrypto__session_iv_len(d);
	uint32_t blk = vcrypto__session_block_len(d);

	FUZZ_CHECK(d->type >= VCRYPTO_SESSION_CIPHER && d->type <= VCRYPTO_SESSION_AEAD);
	FUZZ_CHECK(d->cipher_key_len <= VCRYPTO_MAX_CIPHER_KEY_LEN);
	FUZZ_CHECK(d->auth_key_len <= VCRYPTO_MAX_AUTH_KEY_LEN);
	FUZZ_CHECK(d->digest_len <= VCRYPTO_MAX_DIGEST_LEN);
	FUZZ_CHECK(d->aad_len <= VC_SESSION_MAX_AAD_LEN);
	/* Key bytes past the declared length are zero (nothing stale leaks). */
	for (uint32_t i = d->cipher_key_len; i < sizeof(d->cipher_key); i++)
		FUZZ_CHECK(d->cipher_key[i] == 0);
	for (uint32_t i = d->auth_key_len; i < sizeof(d->auth_key); i++)
		FUZZ_CHECK(d->auth_key[i] == 0);
	FUZZ_CHECK(iv == -1 || iv == 0 || iv == 8 || iv == 12 || iv == 16);
	FUZZ_CHECK(iv <= VCRYPTO_MAX_IV_LEN);
	FUZZ_CHECK(blk == 1 || blk == 8 || blk == 16);
	FUZZ_CHECK(vcrypto__digest_len(d) <= VCRYPTO_MAX_DIGEST_LEN);
	FUZZ_CHECK(vcrypto__session_opcode(d->type) != 0);
}

/* @d was accepted for @layout (explicit): encode, decode, encode again. */
static void round_trip(enum vcrypto_session_layout layout, const struct vc_session_desc *d)
{
	static uint8_t enc1[VC_SESSION_PAYLOAD_MAX], enc2[VC_SESSION_PAYLOAD_MAX];
	struct vc_session_desc d2, d3;
	enum vcrypto_session_layout used = (enum vcrypto_session_layout)99;
	uint8_t *exact;
	int n1, n2, r;

	n1 = vcrypto__session_encode(layout, d, enc1, sizeof(enc1));
	FUZZ_CHECK(n1 > 0 && n1 <= VC_SESSION_PAYLOAD_MAX);
	FUZZ_CHECK(vcrypto__session_id_offset(layout) + 8 <= (size_t)n1);
	/* Too small a buffer is refused, not overrun. */
	FUZZ_CHECK(vcrypto__session_encode(layout, d, enc2, (size_t)n1 - 1) == -EINVAL);

	exact = malloc((size_t)n1);
	FUZZ_CHECK(exact);
	memcpy(exact, enc1, (size_t)n1);
	r = vcrypto__session_decode(layout, exact, (size_t)n1, &d2, &used);
	FUZZ_CHECK(r == 0);
	FUZZ_CHECK(used == layout);
	FUZZ_CHECK(desc_equal(d, &d2));
	n2 = vcrypto__session_encode(layout, &d2, enc2, sizeof(enc2));
	FUZZ_CHECK(n2 == n1);
	FUZZ_CHECK(!memcmp(enc1, enc2, (size_t)n1));
	/* The guest's DEFAULT is DPDK 22.11; unknown layouts are refused. */
	if (layout == VCRYPTO_SESSION_LAYOUT_DPDK_22_11) {
		n2 = vcrypto__session_encode(VCRYPTO_SESSION_LAYOUT_DEFAULT, d, enc2, sizeof(enc2));
		FUZZ_CHECK(n2 == n1 && !memcmp(enc1, enc2, (size_t)n1));
	}
	FUZZ_CHECK(vcrypto__session_encode((enum vcrypto_session_layout)(NLAYOUTS + layout), d,
					   enc2, sizeof(enc2)) == -EINVAL);

	/* Detection either finds this layout and the same session, or refuses. */
	used = (enum vcrypto_session_layout)99;
	r = vcrypto__session_decode(VCRYPTO_SESSION_LAYOUT_DEFAULT, exact, (size_t)n1, &d3, &used);
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	if (r == 0) {
		FUZZ_CHECK(used == layout);
		FUZZ_CHECK(desc_equal(d, &d3));
	}
	free(exact);
}

static void decode_mode(unsigned int sel, const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	struct vc_session_desc d, e;
	enum vcrypto_session_layout used;
	int r;

	FUZZ_CHECK(buf);
	if (size)
		memcpy(buf, data, size);

	/* An unknown layout is refused. */
	if (sel >= NLAYOUTS) {
		r = vcrypto__session_decode((enum vcrypto_session_layout)sel, buf, size, &d, NULL);
		FUZZ_CHECK(r == -EINVAL);
	}
	for (unsigned int l = 0; l < NLAYOUTS; l++) {
		used = (enum vcrypto_session_layout)99;
		r = vcrypto__session_decode((enum vcrypto_session_layout)l, buf, size, &d, &used);
		FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOTSUP);
		if (r != 0) {
			FUZZ_CHECK(used == (enum vcrypto_session_layout)99);
			continue;
		}
		check_desc(&d);
		if (l == VCRYPTO_SESSION_LAYOUT_DEFAULT) {
			/* The reported layout decodes alone to the same session. */
			FUZZ_CHECK(used >= VCRYPTO_SESSION_LAYOUT_DPDK_22_11 &&
				   used <= VCRYPTO_SESSION_LAYOUT_QEMU_8);
			FUZZ_CHECK(vcrypto__session_decode(used, buf, size, &e, NULL) == 0);
			FUZZ_CHECK(desc_equal(&d, &e));
		} else {
			FUZZ_CHECK(used == (enum vcrypto_session_layout)l);
			round_trip((enum vcrypto_session_layout)l, &d);
		}
	}
	/* NULL arguments are refused. */
	FUZZ_CHECK(vcrypto__session_decode(VCRYPTO_SESSION_LAYOUT_DEFAULT, NULL, size, &d, NULL) ==
		   -EINVAL);
	FUZZ_CHECK(vcrypto__session_decode(VCRYPTO_SESSION_LAYOUT_DEFAULT, buf, size, NULL, NULL) ==
		   -EINVAL);
	free(buf);
}

static void params_mode(unsigned int flags, const uint8_t *data, size_t size)
{
	struct fuzz_in in = {.p = data, .len = size};
	struct vcrypto_session_params *p;
	size_t extra = (flags & 0x40) ? 1 + fuzz_take(&in, 1) % 16 : 0;
	uint8_t *ckey = NULL, *akey = NULL;
	struct vc_session_desc d;
	int r;

	p = calloc(1, sizeof(*p) + extra);
	FUZZ_CHECK(p);
	p->sz = sizeof(*p) + extra;
	if (flags & 0x20)
		p->sz = fuzz_take(&in, 1) % (sizeof(*p) + 1); /* too small (or exact) */
	p->type = (enum vcrypto_session_type)fuzz_take(&in, 1);
	p->direction = (enum vcrypto_direction)fuzz_take(&in, 1);
	p->cipher_algo = (enum vcrypto_cipher_algo)fuzz_take(&in, 1);
	p->hash_algo = (enum vcrypto_hash_algo)fuzz_take(&in, 1);
	p->mac_algo = (enum vcrypto_mac_algo)fuzz_take(&in, 1);
	p->aead_algo = (enum vcrypto_aead_algo)fuzz_take(&in, 1);
	p->chain_order = (enum vcrypto_chain_order)fuzz_take(&in, 1);
	p->cipher_key_len = (uint32_t)fuzz_take(&in, 1);
	p->auth_key_len = (uint32_t)fuzz_take(&in, 2) & 0x3ff;
	p->digest_len = (uint32_t)fuzz_take(&in, 1);
	p->aad_len = (uint32_t)fuzz_take(&in, 2) & 0x3ff;
	for (size_t i = 0; i < extra; i++)
		((uint8_t *)p)[sizeof(*p) + i] = (flags & 0x10) ? (uint8_t)fuzz_take(&in, 1) : 0;
	/* Keys in buffers of exactly their declared size. */
	if (p->cipher_key_len && !(flags & 0x08)) {
		ckey = malloc(p->cipher_key_len);
		FUZZ_CHECK(ckey);
		for (uint32_t i = 0; i < p->cipher_key_len; i++)
			ckey[i] = (uint8_t)fuzz_take(&in, 1);
		p->cipher_key = ckey;
	}
	if (p->auth_key_len && !(flags & 0x04)) {
		akey = malloc(p->auth_key_len);
		FUZZ_CHECK(akey);
		for (uint32_t i = 0; i < p->auth_key_len; i++)
			akey[i] = (uint8_t)fuzz_take(&in, 1);
		p->auth_key = akey;
	}

	r = vcrypto__session_from_params(p, &d);
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	if (r == 0) {
		unsigned int ok = 0;

		check_desc(&d);
		FUZZ_CHECK(d.cipher_key_len == p->cipher_key_len);
		FUZZ_CHECK(d.auth_key_len == p->auth_key_len);
		/* (a key length without a key must have been refused) */
		FUZZ_CHECK(!d.cipher_key_len ||
			   (ckey && !memcmp(d.cipher_key, ckey, d.cipher_key_len)));
		FUZZ_CHECK(!d.auth_key_len || (akey && !memcmp(d.auth_key, akey, d.auth_key_len)));
		for (unsigned int l = 1; l < NLAYOUTS; l++) {
			uint8_t enc[VC_SESSION_PAYLOAD_MAX];

			if (vcrypto__session_encode((enum vcrypto_session_layout)l, &d, enc,
						    sizeof(enc)) > 0) {
				round_trip((enum vcrypto_session_layout)l, &d);
				ok++;
			}
		}
		/* DPDK 22.11 and QEMU 8 express every symmetric session. */
		FUZZ_CHECK(ok >= 2);
	}
	FUZZ_CHECK(vcrypto__session_from_params(NULL, &d) == -EINVAL);
	FUZZ_CHECK(vcrypto__session_from_params(p, NULL) == -EINVAL);
	free(ckey);
	free(akey);
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 0x80)
		params_mode(data[0], data + 1, size - 1);
	else
		decode_mode(data[0] & 7, data + 1, size - 1);
	return 0;
}
