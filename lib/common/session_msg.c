/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Session message codec. All fields are little-endian; we only run on
 * little-endian hosts (x86-64, arm64), but go through explicit byte helpers
 * so that no unaligned or type-punned access happens.
 *
 * Symmetric session info as the peers lay it out (offsets relative to the
 * start of the info block):
 *   +0 cipher_alg  +4 key_len  +8 hash_alg  +12 hash_result_len
 *   +16 auth_key_len  +20 aad_len  (u32)
 *   +24 op_type  +25 direction  +26 hash_mode  +27 chain_order  (u8)
 * Block start: DPDK 22.11 at 12 (after i64 session_id and u32 op_code),
 * QEMU 7 at 8 (after i64 session_id), QEMU 8.1+ at 8 (after u64 op_code).
 * Two pointers follow at 40 and 48 in every layout (ignored, sent as zero),
 * key[64] at 56, auth_key[512] at 120.
 */

#include "common/session_msg.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "common/opts.h"
#include "common/virtio_crypto_wire.h"

#define OFF_KEY 56
#define OFF_AUTH_KEY 120
#define END_SYM 632 /* OFF_AUTH_KEY + 512 */
#define QEMU8_OFF_SESSION_ID 1064

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* ---- algorithm properties ---- */

static bool cipher_key_ok(enum vcrypto_cipher_algo a, uint32_t len)
{
	switch (a) {
	case VCRYPTO_CIPHER_AES_ECB:
	case VCRYPTO_CIPHER_AES_CBC:
	case VCRYPTO_CIPHER_AES_CTR:
		return len == 16 || len == 24 || len == 32;
	case VCRYPTO_CIPHER_AES_XTS:
		return len == 32 || len == 64;
	case VCRYPTO_CIPHER_DES_CBC:
		return len == 8;
	case VCRYPTO_CIPHER_3DES_ECB:
	case VCRYPTO_CIPHER_3DES_CBC:
	case VCRYPTO_CIPHER_3DES_CTR:
		return len == 16 || len == 24;
	default:
		return false;
	}
}

static uint32_t hash_size(enum vcrypto_hash_algo a)
{
	switch (a) {
	case VCRYPTO_HASH_MD5:
		return 16;
	case VCRYPTO_HASH_SHA1:
		return 20;
	case VCRYPTO_HASH_SHA_224:
		return 28;
	case VCRYPTO_HASH_SHA_256:
		return 32;
	case VCRYPTO_HASH_SHA_384:
		return 48;
	case VCRYPTO_HASH_SHA_512:
		return 64;
	default:
		return 0;
	}
}

static uint32_t mac_size(enum vcrypto_mac_algo a)
{
	switch (a) {
	case VCRYPTO_MAC_HMAC_MD5:
		return 16;
	case VCRYPTO_MAC_HMAC_SHA1:
		return 20;
	case VCRYPTO_MAC_HMAC_SHA_224:
		return 28;
	case VCRYPTO_MAC_HMAC_SHA_256:
		return 32;
	case VCRYPTO_MAC_HMAC_SHA_384:
		return 48;
	case VCRYPTO_MAC_HMAC_SHA_512:
		return 64;
	case VCRYPTO_MAC_CMAC_AES:
	case VCRYPTO_MAC_GMAC_AES:
		return 16;
	default:
		return 0;
	}
}

static bool mac_key_ok(enum vcrypto_mac_algo a, uint32_t len)
{
	switch (a) {
	case VCRYPTO_MAC_CMAC_AES:
	case VCRYPTO_MAC_GMAC_AES:
		return len == 16 || len == 24 || len == 32;
	default:
		return mac_size(a) && len >= 1 && len <= VCRYPTO_MAX_AUTH_KEY_LEN;
	}
}

static bool aead_key_ok(enum vcrypto_aead_algo a, uint32_t len)
{
	switch (a) {
	case VCRYPTO_AEAD_AES_GCM:
	case VCRYPTO_AEAD_AES_CCM:
		return len == 16 || len == 24 || len == 32;
	case VCRYPTO_AEAD_CHACHA20_POLY1305:
		return len == 32;
	default:
		return false;
	}
}

static bool aead_tag_ok(enum vcrypto_aead_algo a, uint32_t len)
{
	switch (a) {
	case VCRYPTO_AEAD_AES_GCM:
		return len >= 4 && len <= 16;
	case VCRYPTO_AEAD_AES_CCM:
		return len >= 4 && len <= 16 && !(len & 1);
	case VCRYPTO_AEAD_CHACHA20_POLY1305:
		return len == 16;
	default:
		return false;
	}
}

VCRYPTO_API uint32_t vcrypto__digest_len(const struct vc_session_desc *d)
{
	if (!d)
		return 0;
	switch (d->type) {
	case VCRYPTO_SESSION_HASH:
		return hash_size(d->hash_algo);
	case VCRYPTO_SESSION_MAC:
		return mac_size(d->mac_algo);
	case VCRYPTO_SESSION_CHAIN:
		return d->mac_algo ? mac_size(d->mac_algo) : hash_size(d->hash_algo);
	case VCRYPTO_SESSION_AEAD:
		return aead_key_ok(d->aead_algo, 32) ? 16 : 0;
	default:
		return 0;
	}
}

static int cipher_iv_len(enum vcrypto_cipher_algo a)
{
	switch (a) {
	case VCRYPTO_CIPHER_AES_CBC:
	case VCRYPTO_CIPHER_AES_CTR:
	case VCRYPTO_CIPHER_AES_XTS:
		return 16;
	case VCRYPTO_CIPHER_DES_CBC:
	case VCRYPTO_CIPHER_3DES_CBC:
	case VCRYPTO_CIPHER_3DES_CTR:
		return 8;
	default:
		return 0;
	}
}

VCRYPTO_API int vcrypto__session_iv_len(const struct vc_session_desc *d)
{
	switch (d->type) {
	case VCRYPTO_SESSION_CIPHER:
	case VCRYPTO_SESSION_CHAIN:
		return cipher_iv_len(d->cipher_algo);
	case VCRYPTO_SESSION_MAC:
		return d->mac_algo == VCRYPTO_MAC_GMAC_AES ? 12 : 0;
	case VCRYPTO_SESSION_AEAD:
		return d->aead_algo == VCRYPTO_AEAD_AES_CCM ? -1 : 12;
	default:
		return 0;
	}
}

VCRYPTO_API uint32_t vcrypto__session_block_len(const struct vc_session_desc *d)
{
	if (d->type != VCRYPTO_SESSION_CIPHER && d->type != VCRYPTO_SESSION_CHAIN)
		return 1;
	switch (d->cipher_algo) {
	case VCRYPTO_CIPHER_AES_ECB:
	case VCRYPTO_CIPHER_AES_CBC:
		return 16;
	case VCRYPTO_CIPHER_DES_CBC:
	case VCRYPTO_CIPHER_3DES_ECB:
	case VCRYPTO_CIPHER_3DES_CBC:
		return 8;
	default:
		return 1;
	}
}

VCRYPTO_API uint32_t vcrypto__session_opcode(enum vcrypto_session_type type)
{
	switch (type) {
	case VCRYPTO_SESSION_HASH:
		return VC_HASH_CREATE_SESSION;
	case VCRYPTO_SESSION_MAC:
		return VC_MAC_CREATE_SESSION;
	case VCRYPTO_SESSION_AEAD:
		return VC_AEAD_CREATE_SESSION;
	default:
		return VC_CIPHER_CREATE_SESSION;
	}
}

static bool dir_ok(enum vcrypto_direction d)
{
	return d == VCRYPTO_ENCRYPT || d == VCRYPTO_DECRYPT;
}

/*
 * Check a complete desc (what the encoder accepts and the decoder
 * produces): every field that applies is valid, every other one is zero.
 */
static int desc_check(const struct vc_session_desc *d)
{
	bool cipher = false, hash = false, mac = false, aead = false;

	switch (d->type) {
	case VCRYPTO_SESSION_CIPHER:
		cipher = true;
		break;
	case VCRYPTO_SESSION_HASH:
		hash = true;
		break;
	case VCRYPTO_SESSION_MAC:
		mac = true;
		break;
	case VCRYPTO_SESSION_CHAIN:
		cipher = true;
		if ((d->hash_algo != 0) == (d->mac_algo != 0))
			return -EINVAL;
		hash = d->hash_algo != 0;
		mac = !hash;
		if (d->chain_order != VCRYPTO_CHAIN_HASH_THEN_CIPHER &&
		    d->chain_order != VCRYPTO_CHAIN_CIPHER_THEN_HASH)
			return -EINVAL;
		break;
	case VCRYPTO_SESSION_AEAD:
		aead = true;
		break;
	default:
		return -EINVAL;
	}
	if (d->type != VCRYPTO_SESSION_CHAIN && d->chain_order)
		return -EINVAL;
	if (cipher || aead) {
		if (!dir_ok(d->direction))
			return -EINVAL;
	} else if (d->direction) {
		return -EINVAL;
	}
	if (cipher ? !cipher_key_ok(d->cipher_algo, d->cipher_key_len) : d->cipher_algo != 0)
		return -EINVAL;
	if (aead ? !aead_key_ok(d->aead_algo, d->cipher_key_len) : d->aead_algo != 0)
		return -EINVAL;
	if (!cipher && !aead && d->cipher_key_len)
		return -EINVAL;
	if (hash ? !hash_size(d->hash_algo) : d->hash_algo != 0)
		return -EINVAL;
	if (mac ? !mac_key_ok(d->mac_algo, d->auth_key_len) : (d->mac_algo || d->auth_key_len))
		return -EINVAL;
	if (hash || mac) {
		uint32_t max = hash ? hash_size(d->hash_algo) : mac_size(d->mac_algo);

		if (d->digest_len == 0 || d->digest_len > max)
			return -EINVAL;
	} else if (aead) {
		if (!aead_tag_ok(d->aead_algo, d->digest_len))
			return -EINVAL;
	} else if (d->digest_len) {
		return -EINVAL;
	}
	if (d->aad_len > VC_SESSION_MAX_AAD_LEN)
		return -EINVAL;
	if (d->aad_len && d->type != VCRYPTO_SESSION_AEAD && d->type != VCRYPTO_SESSION_CHAIN)
		return -EINVAL;
	if (d->cipher_key_len > VCRYPTO_MAX_CIPHER_KEY_LEN ||
	    d->auth_key_len > VCRYPTO_MAX_AUTH_KEY_LEN)
		return -EINVAL;
	return 0;
}

VCRYPTO_API int vcrypto__session_from_params(const struct vcrypto_session_params *p,
					     struct vc_session_desc *d)
{
	struct vc_session_desc t;

	if (!p || !d || p->sz < sizeof(*p))
		return -EINVAL;
	if (vcrypto__opts_check(p, sizeof(*p)))
		return -EINVAL; /* bytes of a newer, larger struct must be zero */
	memset(&t, 0, sizeof(t));
	t.type = p->type;
	t.direction = p->direction;
	t.cipher_algo = p->cipher_algo;
	t.hash_algo = p->hash_algo;
	t.mac_algo = p->mac_algo;
	t.aead_algo = p->aead_algo;
	t.chain_order = p->chain_order;
	t.cipher_key_len = p->cipher_key_len;
	t.auth_key_len = p->auth_key_len;
	t.digest_len = p->digest_len;
	t.aad_len = p->aad_len;
	if (t.cipher_key_len > VCRYPTO_MAX_CIPHER_KEY_LEN ||
	    t.auth_key_len > VCRYPTO_MAX_AUTH_KEY_LEN)
		return -EINVAL;
	if ((t.cipher_key_len && !p->cipher_key) || (t.auth_key_len && !p->auth_key))
		return -EINVAL;
	if (t.type == VCRYPTO_SESSION_CHAIN && !t.chain_order)
		t.chain_order = t.direction == VCRYPTO_DECRYPT ? VCRYPTO_CHAIN_HASH_THEN_CIPHER :
								 VCRYPTO_CHAIN_CIPHER_THEN_HASH;
	if (!t.digest_len && (t.type == VCRYPTO_SESSION_HASH || t.type == VCRYPTO_SESSION_MAC ||
			      t.type == VCRYPTO_SESSION_CHAIN || t.type == VCRYPTO_SESSION_AEAD))
		t.digest_len = vcrypto__digest_len(&t);
	if (t.cipher_key_len)
		memcpy(t.cipher_key, p->cipher_key, t.cipher_key_len);
	if (t.auth_key_len)
		memcpy(t.auth_key, p->auth_key, t.auth_key_len);
	if (desc_check(&t))
		return -EINVAL;
	*d = t;
	return 0;
}

VCRYPTO_API size_t vcrypto__session_id_offset(enum vcrypto_session_layout layout)
{
	return layout == VCRYPTO_SESSION_LAYOUT_QEMU_8 ? QEMU8_OFF_SESSION_ID : 0;
}

/* Write the 28-byte symmetric info block at @p b. */
static void put_info(uint8_t *b, const struct vc_session_desc *d)
{
	uint32_t cipher_alg = d->cipher_algo, hash_alg = 0;
	uint8_t op_type = VC_SYM_OP_NONE, hash_mode = 0;

	switch (d->type) {
	case VCRYPTO_SESSION_CIPHER:
		op_type = VC_SYM_OP_CIPHER;
		break;
	case VCRYPTO_SESSION_CHAIN:
		op_type = VC_SYM_OP_CHAIN;
		hash_mode = d->mac_algo ? VC_HASH_MODE_AUTH : VC_HASH_MODE_PLAIN;
		hash_alg = d->mac_algo ? (uint32_t)d->mac_algo : (uint32_t)d->hash_algo;
		break;
	case VCRYPTO_SESSION_HASH:
		hash_alg = d->hash_algo;
		hash_mode = VC_HASH_MODE_PLAIN;
		break;
	case VCRYPTO_SESSION_MAC:
		hash_alg = d->mac_algo;
		hash_mode = VC_HASH_MODE_AUTH;
		break;
	case VCRYPTO_SESSION_AEAD:
		cipher_alg = d->aead_algo;
		break;
	}
	put32(b + 0, cipher_alg);
	put32(b + 4, d->cipher_key_len);
	put32(b + 8, hash_alg);
	put32(b + 12, d->digest_len);
	put32(b + 16, d->auth_key_len);
	put32(b + 20, d->aad_len);
	b[24] = op_type;
	b[25] = (uint8_t)d->direction;
	b[26] = hash_mode;
	b[27] = (uint8_t)d->chain_order;
}

VCRYPTO_API int vcrypto__session_encode(enum vcrypto_session_layout layout,
					const struct vc_session_desc *d, uint8_t *buf, size_t cap)
{
	size_t size, info;

	if (!d || !buf || desc_check(d))
		return -EINVAL;
	switch (layout) {
	case VCRYPTO_SESSION_LAYOUT_DEFAULT:
	case VCRYPTO_SESSION_LAYOUT_DPDK_22_11:
		size = VC_SESSION_PAYLOAD_632;
		info = 12;
		break;
	case VCRYPTO_SESSION_LAYOUT_QEMU_7:
		if (d->type != VCRYPTO_SESSION_CIPHER && d->type != VCRYPTO_SESSION_CHAIN)
			return -EINVAL;
		size = VC_SESSION_PAYLOAD_632;
		info = 8;
		break;
	case VCRYPTO_SESSION_LAYOUT_QEMU_8:
		size = VC_SESSION_PAYLOAD_QEMU8;
		info = 8;
		break;
	default:
		return -EINVAL;
	}
	if (cap < size)
		return -EINVAL;
	memset(buf, 0, size);
	put_info(buf + info, d);
	memcpy(buf + OFF_KEY, d->cipher_key, d->cipher_key_len);
	memcpy(buf + OFF_AUTH_KEY, d->auth_key, d->auth_key_len);
	if (layout == VCRYPTO_SESSION_LAYOUT_QEMU_8)
		put64(buf, vcrypto__session_opcode(d->type));
	else if (layout != VCRYPTO_SESSION_LAYOUT_QEMU_7)
		put32(buf + 8, vcrypto__session_opcode(d->type));
	return (int)size;
}

/*
 * Decode the info block at @p b plus the keys, for a message whose op code
 * is @p opcode (UINT32_MAX: none in this layout, CIPHER/CHAIN only).
 */
static int get_info(const uint8_t *buf, size_t info, uint32_t opcode, struct vc_session_desc *d)
{
	const uint8_t *b = buf + info;
	uint32_t cipher_alg = get32(b + 0), hash_alg = get32(b + 8);
	uint8_t op_type = b[24], hash_mode = b[26];
	struct vc_session_desc t;

	memset(&t, 0, sizeof(t));
	t.cipher_key_len = get32(b + 4);
	t.digest_len = get32(b + 12);
	t.auth_key_len = get32(b + 16);
	t.aad_len = get32(b + 20);
	t.direction = b[25];
	t.chain_order = b[27];
	if (t.cipher_key_len > VCRYPTO_MAX_CIPHER_KEY_LEN ||
	    t.auth_key_len > VCRYPTO_MAX_AUTH_KEY_LEN || t.digest_len > VCRYPTO_MAX_DIGEST_LEN)
		return -EINVAL;

	switch (opcode) {
	case UINT32_MAX:
	case VC_CIPHER_CREATE_SESSION:
		if (op_type == VC_SYM_OP_CIPHER) {
			if (hash_mode || hash_alg)
				return -EINVAL;
			t.type = VCRYPTO_SESSION_CIPHER;
		} else if (op_type == VC_SYM_OP_CHAIN) {
			t.type = VCRYPTO_SESSION_CHAIN;
			if (hash_mode == VC_HASH_MODE_PLAIN)
				t.hash_algo = hash_alg;
			else if (hash_mode == VC_HASH_MODE_AUTH)
				t.mac_algo = hash_alg;
			else if (hash_mode == VC_HASH_MODE_NESTED)
				return -ENOTSUP;
			else
				return -EINVAL;
		} else {
			return -EINVAL;
		}
		t.cipher_algo = cipher_alg;
		break;
	case VC_HASH_CREATE_SESSION:
		if (op_type || cipher_alg || (hash_mode && hash_mode != VC_HASH_MODE_PLAIN))
			return -EINVAL;
		t.type = VCRYPTO_SESSION_HASH;
		t.hash_algo = hash_alg;
		break;
	case VC_MAC_CREATE_SESSION:
		if (op_type || cipher_alg || (hash_mode && hash_mode != VC_HASH_MODE_AUTH))
			return -EINVAL;
		t.type = VCRYPTO_SESSION_MAC;
		t.mac_algo = hash_alg;
		break;
	case VC_AEAD_CREATE_SESSION:
		if (op_type || hash_mode || hash_alg)
			return -EINVAL;
		t.type = VCRYPTO_SESSION_AEAD;
		t.aead_algo = cipher_alg;
		break;
	default:
		return -EINVAL;
	}
	memcpy(t.cipher_key, buf + OFF_KEY, t.cipher_key_len);
	memcpy(t.auth_key, buf + OFF_AUTH_KEY, t.auth_key_len);
	if (desc_check(&t))
		return -EINVAL;
	*d = t;
	return 0;
}

static int decode_dpdk(const uint8_t *buf, size_t len, struct vc_session_desc *d)
{
	if (len < VC_SESSION_PAYLOAD_632)
		return -EINVAL;
	return get_info(buf, 12, get32(buf + 8), d);
}

static int decode_qemu7(const uint8_t *buf, size_t len, struct vc_session_desc *d)
{
	if (len < VC_SESSION_PAYLOAD_632)
		return -EINVAL;
	return get_info(buf, 8, UINT32_MAX, d);
}

static int decode_qemu8(const uint8_t *buf, size_t len, struct vc_session_desc *d)
{
	uint64_t opcode;

	if (len < VC_SESSION_PAYLOAD_QEMU8)
		return -EINVAL;
	opcode = get64(buf);
	if (opcode == VC_OPCODE(4u, 0x04)) /* AKCIPHER_CREATE_SESSION: asymmetric */
		return -ENOTSUP;
	if (opcode > UINT32_MAX - 1)
		return -EINVAL;
	return get_info(buf, 8, (uint32_t)opcode, d);
}

VCRYPTO_API int vcrypto__session_decode(enum vcrypto_session_layout layout, const uint8_t *buf,
					size_t len, struct vc_session_desc *d,
					enum vcrypto_session_layout *used)
{
	struct vc_session_desc a, b;
	int ra, rb;

	if (!buf || !d)
		return -EINVAL;
	switch (layout) {
	case VCRYPTO_SESSION_LAYOUT_DPDK_22_11:
		ra = decode_dpdk(buf, len, d);
		break;
	case VCRYPTO_SESSION_LAYOUT_QEMU_7:
		ra = decode_qemu7(buf, len, d);
		break;
	case VCRYPTO_SESSION_LAYOUT_QEMU_8:
		ra = decode_qemu8(buf, len, d);
		break;
	case VCRYPTO_SESSION_LAYOUT_DEFAULT:
		if (len >= VC_SESSION_PAYLOAD_QEMU8) {
			layout = VCRYPTO_SESSION_LAYOUT_QEMU_8;
			ra = decode_qemu8(buf, len, d);
			break;
		}
		if (len < VC_SESSION_PAYLOAD_632)
			return -EINVAL;
		ra = decode_dpdk(buf, len, &a);
		/* QEMU 7 leaves the 4 bytes after its info block as padding. */
		rb = get32(buf + 36) ? -EINVAL : decode_qemu7(buf, len, &b);
		if (ra == 0 && rb == 0)
			return -EINVAL; /* ambiguous: the host needs a port option */
		if (rb == 0) {
			layout = VCRYPTO_SESSION_LAYOUT_QEMU_7;
			*d = b;
			ra = 0;
		} else {
			layout = VCRYPTO_SESSION_LAYOUT_DPDK_22_11;
			if (ra == 0)
				*d = a;
			else if (rb == -ENOTSUP)
				ra = rb;
		}
		break;
	default:
		return -EINVAL;
	}
	if (ra == 0 && used)
		*used = layout;
	return ra;
}
