/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Codec for the vhost-user crypto session messages (CREATE = 26,
 * CLOSE = 27) in each payload layout vcrypto knows. Internal: the guest
 * encodes, the host decodes. Exported from libvcrypto-guest under the
 * VCRYPTO_PRIVATE version node for libvcrypto's use only.
 */
#ifndef VCRYPTO_SESSION_MSG_H
#define VCRYPTO_SESSION_MSG_H

#include <stddef.h>
#include <stdint.h>

#include <vcrypto/crypto.h>
#include <vcrypto/vcrypto.h>

#define VHOST_USER_CREATE_CRYPTO_SESSION 26
#define VHOST_USER_CLOSE_CRYPTO_SESSION 27

/* Payload size of the DPDK 22.11 and QEMU 7 layouts (and rte_vhost's limit). */
#define VC_SESSION_PAYLOAD_632 632

/* A decoded session: everything the host needs, keys inline. */
struct vc_session_desc {
	enum vcrypto_session_type type;
	enum vcrypto_direction direction;
	enum vcrypto_cipher_algo cipher_algo;
	enum vcrypto_hash_algo hash_algo;
	enum vcrypto_mac_algo mac_algo;
	enum vcrypto_aead_algo aead_algo;
	enum vcrypto_chain_order chain_order;
	uint32_t cipher_key_len;
	uint32_t auth_key_len;
	uint32_t digest_len;
	uint32_t aad_len;
	uint8_t cipher_key[VCRYPTO_MAX_CIPHER_KEY_LEN];
	uint8_t auth_key[VCRYPTO_MAX_AUTH_KEY_LEN];
};

/* Largest payload any layout produces. */
#define VC_SESSION_PAYLOAD_MAX 1200

/*
 * Payload size of the QEMU 8.1+ layout: u64 op_code, a 1056-byte union
 * (sym: 48-byte session info, key[64], auth_key[512]; asym: 32-byte info,
 * key[1024]), then i64 session_id at 1064.
 */
#define VC_SESSION_PAYLOAD_QEMU8 1072

/* Largest AAD a session (and a request) may declare, in bytes. */
#define VC_SESSION_MAX_AAD_LEN 256

/*
 * Encode a CREATE payload. Returns the payload size (> 0) or -EINVAL if the
 * session cannot be expressed in that layout (e.g. AEAD in QEMU_7).
 */
VCRYPTO_API int vcrypto__session_encode(enum vcrypto_session_layout layout,
					const struct vc_session_desc *d, uint8_t *buf, size_t cap);

/*
 * Decode a CREATE payload of @p len bytes. With VCRYPTO_SESSION_LAYOUT_DEFAULT
 * the layout is detected; the one used is stored in *used (may be NULL).
 * Returns 0, -EINVAL (malformed: lengths over limits, unknown op type,
 * ambiguous layout), or -ENOTSUP (well-formed but not a symmetric session).
 * Never reads beyond @p len.
 */
VCRYPTO_API int vcrypto__session_decode(enum vcrypto_session_layout layout, const uint8_t *buf,
					size_t len, struct vc_session_desc *d,
					enum vcrypto_session_layout *used);

/* Where the reply's session id goes (bytes from the payload start) in a layout. */
VCRYPTO_API size_t vcrypto__session_id_offset(enum vcrypto_session_layout layout);

/* Validate a public session description and turn it into a desc (guest side). */
VCRYPTO_API int vcrypto__session_from_params(const struct vcrypto_session_params *p,
					     struct vc_session_desc *d);

/*
 * Default digest length of the session's hash, MAC or AEAD algorithm (the
 * full output, 16 for AEAD tags), or 0 if unknown or not applicable.
 */
VCRYPTO_API uint32_t vcrypto__digest_len(const struct vc_session_desc *d);

/*
 * IV length a request on this session must carry (0: none), or -1 if the
 * algorithm takes a variable length (AES-CCM: 7..13).
 */
VCRYPTO_API int vcrypto__session_iv_len(const struct vc_session_desc *d);

/* Block size whose multiple the data length must be (1: any length). */
VCRYPTO_API uint32_t vcrypto__session_block_len(const struct vc_session_desc *d);

/* Control op code (VC_*_CREATE_SESSION) of a session type. */
VCRYPTO_API uint32_t vcrypto__session_opcode(enum vcrypto_session_type type);

#endif /* VCRYPTO_SESSION_MSG_H */
